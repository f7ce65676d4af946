//! Times the stages of marker kinematics: `cargo run --release --example kin_timing -- STATIC RUN`.
use std::path::Path;
use std::time::Instant;

use stridelab::io::{read, ReadOptions};
use stridelab::model::{calibrate, qa, track, ModelOptions, Preset};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = ReadOptions::default();
    let st = read(Path::new(&args[0]), &opts).expect("static");
    let run = read(Path::new(&args[1]), &opts).expect("run");
    let n = 10;
    let t0 = Instant::now();
    let mut model = None;
    for _ in 0..n {
        model = Some(calibrate(&st, Preset::Rbds, ModelOptions::default()).expect("model"));
    }
    let model = model.expect("model");
    let t1 = Instant::now();
    for _ in 0..n {
        let _ = qa::detect_swaps(&model, &run);
    }
    let t2 = Instant::now();
    for _ in 0..n {
        let _ = qa::unit_mismatch(&model, &run);
    }
    let t3 = Instant::now();
    for _ in 0..n {
        let _ = track(&model, &run);
    }
    let t4 = Instant::now();
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3 / f64::from(n);
    println!(
        "calibrate {:.2} ms, swaps {:.2} ms, units {:.2} ms, track {:.2} ms",
        ms(t0, t1),
        ms(t1, t2),
        ms(t2, t3),
        ms(t3, t4)
    );
}
