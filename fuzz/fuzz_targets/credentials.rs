//! Fuzz target `credentials`: tccli's JSON and the SDKs' INI credential
//! parsers on arbitrary text (see `tcdn_fuzz::credentials`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::credentials::check(data));
