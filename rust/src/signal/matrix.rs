//! Zero-lag filtering of a whole (samples × channels) matrix, columns in parallel (rayon).

use rayon::prelude::*;

use super::{filtfilt_segments, sosfiltfilt_block, Sos};

/// Zero-lag filtering of a row-major (n × m) matrix: gap-free columns go through the block filter
/// in parallel chunks, columns with NaN run by run.
pub fn filtfilt_matrix(sections: &[Sos], mut data: Vec<f64>, n: usize, m: usize) -> Vec<f64> {
    let (clean, gappy): (Vec<usize>, Vec<usize>) =
        (0..m).partition(|&j| (0..n).all(|i| data[i * m + j].is_finite()));
    // Blocks of at most 32 columns keep a block's working set in cache (a 96-column block of a
    // 4500-frame trial was 4x slower per column than two of 48).
    let chunk = clean
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .clamp(1, 32);
    // Clean columns are filtered in contiguous runs, one block per thread, copied row by row.
    let blocks: Vec<(&[usize], Vec<f64>)> = clean
        .par_chunks(chunk)
        .map(|cols| {
            let k = cols.len();
            let mut block = vec![0.0; n * k];
            let contiguous = cols.windows(2).all(|w| w[1] == w[0] + 1);
            for i in 0..n {
                let dst = &mut block[i * k..(i + 1) * k];
                if contiguous {
                    dst.copy_from_slice(&data[i * m + cols[0]..i * m + cols[0] + k]);
                } else {
                    for (q, &j) in cols.iter().enumerate() {
                        dst[q] = data[i * m + j];
                    }
                }
            }
            sosfiltfilt_block(sections, &mut block, n, k);
            (cols, block)
        })
        .collect();
    let columns: Vec<(usize, Vec<f64>)> = gappy
        .par_iter()
        .map(|&j| {
            let mut c: Vec<f64> = (0..n).map(|i| data[i * m + j]).collect();
            filtfilt_segments(sections, &mut c);
            (j, c)
        })
        .collect();
    for (cols, block) in blocks {
        let k = cols.len();
        for i in 0..n {
            for (q, &j) in cols.iter().enumerate() {
                data[i * m + j] = block[i * k + q];
            }
        }
    }
    for (j, c) in columns {
        for (i, v) in c.into_iter().enumerate() {
            data[i * m + j] = v;
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::butter_lowpass_sos;

    /// Clean and gappy columns give what the column-by-column filter gives.
    #[test]
    fn matrix_matches_columns() {
        let sos = butter_lowpass_sos(2, 10.0, 200.0).unwrap();
        let (n, m) = (400, 3);
        let mut data: Vec<f64> = (0..n * m)
            .map(|k| ((k / m) as f64 * 0.05 * (1 + k % m) as f64).sin())
            .collect();
        data[100 * m + 2] = f64::NAN;
        let out = filtfilt_matrix(&sos, data.clone(), n, m);
        for j in 0..m {
            let mut c: Vec<f64> = (0..n).map(|i| data[i * m + j]).collect();
            filtfilt_segments(&sos, &mut c);
            for i in 0..n {
                let (a, b) = (out[i * m + j], c[i]);
                assert!(
                    (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12,
                    "{i},{j}: {a} {b}"
                );
            }
        }
    }
}
