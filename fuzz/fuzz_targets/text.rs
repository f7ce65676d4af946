//! Any bytes given to the text readers (TRC, marker table, force table).
#![no_main]
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stridelab::io::{read_bytes, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions { force_rate_hz: Some(300.0), ..ReadOptions::default() };
    for name in ["fuzz.trc", "fuzz.txt", "fuzz.csv"] {
        let _ = read_bytes(Path::new(name), data, &opts);
    }
});
