//! Tencent Cloud API 2.0 request signature (HmacSHA1 / HmacSHA256).
//!
//! This crate holds the pure, sans-I/O signer: canonical parameter string,
//! string to sign, signature and constant-time verification, and the
//! [`encode`] module for the wire form of parameters.
#![forbid(unsafe_code)]

pub mod encode;
