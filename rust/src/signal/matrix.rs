//! Zero-lag filtering of a whole (samples × channels) matrix, columns in parallel (rayon).

use rayon::prelude::*;

use super::butter::filtfilt_columns_padded;
use super::{filtfilt_segments, Sos};

/// Zero-lag filtering of a row-major (n × m) matrix: gap-free columns go through the block filter
/// in parallel chunks, columns with NaN run by run.
pub fn filtfilt_matrix(sections: &[Sos], mut data: Vec<f64>, n: usize, m: usize) -> Vec<f64> {
    // one sequential pass over the rows (a column-by-column scan strides through the whole
    // matrix once per column)
    let mut finite = vec![true; m];
    for row in data.chunks_exact(m.max(1)) {
        for (f, v) in finite.iter_mut().zip(row) {
            *f &= v.is_finite();
        }
    }
    let (clean, gappy): (Vec<usize>, Vec<usize>) = (0..m).partition(|&j| finite[j]);
    // Blocks of at most 32 columns keep a block's working set in cache (a 96-column block of a
    // 4500-frame trial was 4x slower per column than two of 48); their count is a multiple of the
    // threads so that none waits on the last block alone.
    let threads = rayon::current_num_threads().max(1);
    let n_blocks = clean.len().div_ceil(32).div_ceil(threads) * threads;
    let chunk = clean.len().div_ceil(n_blocks.max(1)).max(1);
    // Clean columns are filtered in runs of adjacent columns, one block per task, read straight
    // from the matrix into the padded buffer.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &j in &clean {
        match runs.last_mut() {
            Some((first, k)) if *first + *k == j && *k < chunk => *k += 1,
            _ => runs.push((j, 1)),
        }
    }
    let blocks: Vec<(usize, usize, Vec<f64>, usize)> = if n < 2 {
        Vec::new()
    } else {
        runs.par_iter()
            .map(|&(first, k)| {
                let (ext, pad) = filtfilt_columns_padded(sections, &data, m, first, k);
                (first, k, ext, pad)
            })
            .collect()
    };
    let columns: Vec<(usize, Vec<f64>)> = gappy
        .par_iter()
        .map(|&j| {
            let mut c: Vec<f64> = (0..n).map(|i| data[i * m + j]).collect();
            filtfilt_segments(sections, &mut c);
            (j, c)
        })
        .collect();
    for (first, k, ext, pad) in blocks {
        for (dst, src) in data.chunks_exact_mut(m).zip(ext[pad * k..].chunks_exact(k)) {
            dst[first..first + k].copy_from_slice(src);
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

    /// Clean and gappy columns give what the column-by-column filter gives: blocks split at a
    /// gappy column, more columns than one block holds, one and two sections, one and two rows.
    #[test]
    fn matrix_matches_columns() {
        for (order, n, m, gappy) in [
            (2, 400, 3, vec![2]),
            (4, 300, 70, vec![0, 33, 34, 69]),
            (2, 1, 5, vec![]),
            (2, 2, 5, vec![1]),
        ] {
            let sos = butter_lowpass_sos(order, 10.0, 200.0).unwrap();
            let mut data: Vec<f64> = (0..n * m)
                .map(|k| ((k / m) as f64 * 0.05 * (1 + k % m) as f64).sin())
                .collect();
            for &j in &gappy {
                data[(n / 4) * m + j] = f64::NAN;
            }
            let out = filtfilt_matrix(&sos, data.clone(), n, m);
            for j in 0..m {
                let mut c: Vec<f64> = (0..n).map(|i| data[i * m + j]).collect();
                filtfilt_segments(&sos, &mut c);
                for i in 0..n {
                    let (a, b) = (out[i * m + j], c[i]);
                    assert!(
                        (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12,
                        "order {order}, {n}x{m}, {i},{j}: {a} {b}"
                    );
                }
            }
        }
    }
}
