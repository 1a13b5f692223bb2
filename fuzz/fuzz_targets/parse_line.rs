//! Fuzz target: any bytes as one batch line through `s5rs::parse::parse_line`
//! (lexing, quoting, flags, locations) must give a command or a parse error, never
//! a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let _ = s5rs::parse::parse_line(&line);
});
