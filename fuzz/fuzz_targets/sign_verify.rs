//! Fuzz target `sign_verify`: arbitrary parameters: `verify(sign(x))` holds and the fast
//! signer matches a naive one (see `tcdn_fuzz::sign`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::sign::check(data));
