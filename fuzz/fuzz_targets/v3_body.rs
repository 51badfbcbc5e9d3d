//! Fuzz target `v3_body`: a TC3 POST body for the action its first byte names;
//! an accepted request survives both wire forms (see `tcdn_fuzz::v3`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::v3::check_body(data));
