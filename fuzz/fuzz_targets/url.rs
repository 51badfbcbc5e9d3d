//! Fuzz target `url`: `CdnUrl::parse` on arbitrary UTF-8; accepted URLs keep the
//! documented rules and round-trip through a request (see `tcdn_fuzz::url`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::url::check_bytes(data));
