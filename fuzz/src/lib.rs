//! The checks behind tcdn's fuzz targets, one module per target family.
//!
//! Each module is standalone (it names only the tcdn crates it checks, never
//! another module here), because the crates' `tests/fuzz_regressions.rs`
//! include the same files with `#[path]` and replay the committed seeds and
//! every crash found through exactly these checks in `cargo test`.
#![forbid(unsafe_code)]

pub mod credentials;
pub mod emulator;
pub mod envelope;
pub mod form;
pub mod sign;
pub mod url;
pub mod v3;
