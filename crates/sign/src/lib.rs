//! Tencent Cloud API 2.0 request signature (HmacSHA1 / HmacSHA256).
//!
//! This crate will hold the pure, sans-I/O signer: canonical parameter string,
//! string to sign, signature and constant-time verification.
#![forbid(unsafe_code)]
