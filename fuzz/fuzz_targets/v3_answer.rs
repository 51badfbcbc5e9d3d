//! Fuzz target `v3_answer`: an API 3.0 answer read as each payload type; what
//! reads survives writing and reading (see `tcdn_fuzz::v3`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::v3::check_answer(data));
