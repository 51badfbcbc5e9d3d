//! tcdn: Tencent Cloud CDN flush (purge) and push (prefetch).
//!
//! This crate will tie the signer, the model and the transport into a client.
#![forbid(unsafe_code)]
