//! Any bytes given to the C3D reader: an error or a trial, never a panic, hang or huge allocation.
#![no_main]
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stridelab::io::{read_bytes, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let _ = read_bytes(Path::new("fuzz.c3d"), data, &ReadOptions::default());
});
