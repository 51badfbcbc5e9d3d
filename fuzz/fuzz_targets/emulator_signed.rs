//! Fuzz target `emulator_signed`: a real signed request with bytes changed; the emulator
//! accepts it only if it still says the same (see `tcdn_fuzz::emulator::check_signed`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcdn_fuzz::emulator::check_signed(data));
