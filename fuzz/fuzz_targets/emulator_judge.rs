//! Fuzz target `emulator_judge`: arbitrary method, host, content type, query and body judged
//! by the emulator (see `tcdn_fuzz::emulator::check_raw`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::emulator::check_raw(data));
