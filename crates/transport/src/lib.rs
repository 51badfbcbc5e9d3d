//! Pluggable HTTP transport for tcdn.
//!
//! This crate will hold the async `Transport` trait, a hyper + rustls
//! implementation and mocks for tests.
#![forbid(unsafe_code)]
