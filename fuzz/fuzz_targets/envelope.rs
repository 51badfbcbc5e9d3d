//! Fuzz target `envelope`: `Envelope::from_slice` on arbitrary bytes; a parsed envelope
//! survives serialising and parsing again (see `tcdn_fuzz::envelope`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::envelope::check(data));
