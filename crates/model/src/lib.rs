//! The `FlushOrPushOverall` model.
//!
//! This crate will hold validated request types, their wire parameters and the
//! lenient response envelope with its error catalogue.
#![forbid(unsafe_code)]
