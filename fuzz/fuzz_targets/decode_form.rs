//! Fuzz target `decode_form`: `decode_form` + `FlushOrPush::from_params` on arbitrary bytes;
//! an accepted request round-trips through its wire form (see `tcdn_fuzz::form`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::form::check(data));
