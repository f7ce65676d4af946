//! Times the stages of reading a file: `cargo run --release --example read_timing -- FILE...`.
use std::path::Path;
use std::time::Instant;

use stridelab::io::{self, AxisMode, ReadOptions};

fn main() {
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let t0 = Instant::now();
        let bytes = std::fs::read(path).expect("read");
        let t1 = Instant::now();
        let n = 20;
        for _ in 0..n {
            let _ = io::c3d::parse(path, &bytes).expect("parse");
        }
        let t2 = Instant::now();
        let keep = ReadOptions {
            axes: AxisMode::Keep,
            ..ReadOptions::default()
        };
        for _ in 0..n {
            let _ = io::read_bytes(path, &bytes, &keep).expect("read");
        }
        let t3 = Instant::now();
        for _ in 0..n {
            let _ = io::read_bytes(path, &bytes, &ReadOptions::default()).expect("read");
        }
        let t4 = Instant::now();
        let ms = |a: Instant, b: Instant, k: u32| (b - a).as_secs_f64() * 1e3 / f64::from(k);
        println!(
            "{arg}: load {:.2} ms, parse {:.2} ms, +units {:.2} ms, +axes {:.2} ms",
            ms(t0, t1, 1),
            ms(t1, t2, n),
            ms(t2, t3, n),
            ms(t3, t4, n)
        );
    }
}
