//! Times the zero-lag low-pass of a 4500 × 96 matrix (a 30 s, 32-marker trial at 150 Hz) on one
//! and two threads: `cargo run --release --example filter_timing`.
use std::time::Instant;

use stridelab::signal::{butter_lowpass_sos, filtfilt_matrix};

fn main() {
    let (n, m) = (4500usize, 96usize);
    let data: Vec<f64> = (0..n * m)
        .map(|i| ((i * 37 % 101) as f64).sin() * 100.0 + (i / m) as f64)
        .collect();
    let sos = butter_lowpass_sos(2, 10.0, 150.0).expect("a valid filter");
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let mut best = f64::MAX;
        for _ in 0..200 {
            let d = data.clone();
            let t = Instant::now();
            let out = pool.install(|| filtfilt_matrix(&sos, d, n, m));
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(out);
        }
        println!("{threads} thread(s): {best:.3} ms (best of 200)");
    }
}
