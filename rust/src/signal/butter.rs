//! Butterworth low-pass in second-order sections and forward-backward filtering.

/// One second-order section `[b0, b1, b2, a0, a1, a2]` (a0 = 1).
pub type Sos = [f64; 6];

#[derive(Debug, Clone, Copy)]
struct C {
    re: f64,
    im: f64,
}

impl C {
    fn new(re: f64, im: f64) -> Self {
        Self { re, im }
    }
    fn add(self, o: Self) -> Self {
        Self::new(self.re + o.re, self.im + o.im)
    }
    fn sub(self, o: Self) -> Self {
        Self::new(self.re - o.re, self.im - o.im)
    }
    fn mul(self, o: Self) -> Self {
        Self::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
    fn div(self, o: Self) -> Self {
        let d = o.re * o.re + o.im * o.im;
        Self::new(
            (self.re * o.re + self.im * o.im) / d,
            (self.im * o.re - self.re * o.im) / d,
        )
    }
    fn scale(self, k: f64) -> Self {
        Self::new(self.re * k, self.im * k)
    }
}

/// Digital Butterworth low-pass of `order` with −3 dB at `cutoff_hz`, as second-order sections.
///
/// Same design path as scipy.signal.butter: analog prototype poles, frequency pre-warping,
/// bilinear transform, all zeros at z = −1; conjugate poles pair into sections, an odd order
/// adds one first-order section `[b0, b1, 0, 1, a1, 0]`; the gain sits in the first section.
pub fn butter_lowpass_sos(
    order: usize,
    cutoff_hz: f64,
    fs_hz: f64,
) -> crate::error::Result<Vec<Sos>> {
    if order == 0 || order > 20 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            format!("filter order {order} is outside 1..=20"),
        ));
    }
    if !(fs_hz.is_finite() && fs_hz > 0.0) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            format!("sampling rate {fs_hz} Hz is not positive"),
        ));
    }
    let nyquist = fs_hz / 2.0;
    if !(cutoff_hz.is_finite() && cutoff_hz > 0.0 && cutoff_hz < nyquist) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            format!(
                "cutoff {cutoff_hz} Hz must lie between 0 and the Nyquist frequency {nyquist} Hz"
            ),
        ));
    }
    let n = order as f64;
    let wn = cutoff_hz / nyquist;
    // pre-warp with scipy's internal fs = 2
    let warped = 4.0 * (std::f64::consts::PI * wn / 2.0).tan();
    let fs2 = C::new(4.0, 0.0);
    let mut gain = warped.powi(order as i32);
    let mut poles = Vec::with_capacity(order);
    for k in 0..order {
        let m = -(n - 1.0) + 2.0 * k as f64;
        let theta = std::f64::consts::PI * m / (2.0 * n);
        let p = C::new(-theta.cos(), -theta.sin()).scale(warped);
        poles.push(p);
    }
    let mut denom = C::new(1.0, 0.0);
    let digital: Vec<C> = poles
        .iter()
        .map(|&p| {
            denom = denom.mul(fs2.sub(p));
            fs2.add(p).div(fs2.sub(p))
        })
        .collect();
    gain /= denom.re;
    let mut sections = Vec::new();
    // conjugate pairs: the poles with positive imaginary part, farthest from the unit circle first
    let mut upper: Vec<C> = digital.iter().copied().filter(|p| p.im > 1e-12).collect();
    upper.sort_by(|a, b| {
        let ra = (a.re * a.re + a.im * a.im).sqrt();
        let rb = (b.re * b.re + b.im * b.im).sqrt();
        ra.total_cmp(&rb)
    });
    if order % 2 == 1 {
        let real = digital
            .iter()
            .copied()
            .find(|p| p.im.abs() <= 1e-12)
            .map_or(0.0, |p| p.re);
        sections.push([1.0, 1.0, 0.0, 1.0, -real, 0.0]);
    }
    for p in upper {
        sections.push([1.0, 2.0, 1.0, 1.0, -2.0 * p.re, p.re * p.re + p.im * p.im]);
    }
    for v in &mut sections[0][..3] {
        *v *= gain;
    }
    Ok(sections)
}

/// Steady-state initial conditions of a cascade for a unit step (scipy.signal.sosfilt_zi).
fn sosfilt_zi(sos: &[Sos]) -> Vec<[f64; 2]> {
    let mut scale = 1.0;
    sos.iter()
        .map(|s| {
            let (b0, b1, b2, a1, a2) = (s[0], s[1], s[2], s[4], s[5]);
            let (bb0, bb1) = (b1 - a1 * b0, b2 - a2 * b0);
            let z0 = (bb0 + bb1) / (1.0 + a1 + a2);
            let z1 = bb1 - a2 * z0;
            let zi = [scale * z0, scale * z1];
            scale *= (b0 + b1 + b2) / (1.0 + a1 + a2);
            zi
        })
        .collect()
}

/// Filters `x` in place through the cascade (direct form II transposed), from state `zi`.
pub fn sosfilt(sos: &[Sos], x: &mut [f64], zi: &mut [[f64; 2]]) {
    for (s, z) in sos.iter().zip(zi.iter_mut()) {
        let (b0, b1, b2, a1, a2) = (s[0], s[1], s[2], s[4], s[5]);
        let (mut z0, mut z1) = (z[0], z[1]);
        for v in x.iter_mut() {
            let xi = *v;
            let y = b0 * xi + z0;
            z0 = b1 * xi - a1 * y + z1;
            z1 = b2 * xi - a2 * y;
            *v = y;
        }
        *z = [z0, z1];
    }
}

/// scipy's default pad length for sosfiltfilt: 3 × (2 × sections + 1 − trailing-zero sections).
pub fn default_padlen(sos: &[Sos]) -> usize {
    let zeros_b = sos.iter().filter(|s| s[2] == 0.0).count();
    let zeros_a = sos.iter().filter(|s| s[5] == 0.0).count();
    3 * (2 * sos.len() + 1 - zeros_b.min(zeros_a))
}

/// Zero-lag filtering as scipy.signal.sosfiltfilt(sos, x) with padtype "odd": odd extension
/// of `padlen` samples at each end (shortened to len − 1 for short signals), steady-state
/// initial conditions, forward then backward. `x` must be free of NaN.
pub fn sosfiltfilt(sos: &[Sos], x: &[f64]) -> Vec<f64> {
    let n = x.len();
    if n < 2 {
        return x.to_vec();
    }
    let pad = default_padlen(sos).min(n - 1);
    let mut ext = Vec::with_capacity(n + 2 * pad);
    let (first, last) = (x[0], x[n - 1]);
    ext.extend((1..=pad).rev().map(|i| 2.0 * first - x[i]));
    ext.extend_from_slice(x);
    ext.extend((1..=pad).map(|i| 2.0 * last - x[n - 1 - i]));
    let zi = sosfilt_zi(sos);
    let mut state: Vec<[f64; 2]> = zi.iter().map(|z| [z[0] * ext[0], z[1] * ext[0]]).collect();
    sosfilt(sos, &mut ext, &mut state);
    ext.reverse();
    let mut state: Vec<[f64; 2]> = zi.iter().map(|z| [z[0] * ext[0], z[1] * ext[0]]).collect();
    sosfilt(sos, &mut ext, &mut state);
    ext.reverse();
    ext[pad..pad + n].to_vec()
}

/// Filters each run of finite samples on its own; NaN stays NaN (a gap is never bridged by the
/// filter). Returns how many runs were filtered.
pub fn filtfilt_segments(sos: &[Sos], x: &mut [f64]) -> usize {
    let mut runs = 0;
    let mut i = 0;
    while i < x.len() {
        if x[i].is_finite() {
            let start = i;
            while i < x.len() && x[i].is_finite() {
                i += 1;
            }
            let out = sosfiltfilt(sos, &x[start..i]);
            x[start..i].copy_from_slice(&out);
            runs += 1;
        } else {
            x[i] = f64::NAN;
            i += 1;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_order_at_quarter_nyquist_matches_scipy() {
        // scipy.signal.butter(2, 10, fs=80, output="sos")
        let sos = butter_lowpass_sos(2, 10.0, 80.0).unwrap();
        let want = [
            0.097_631_072_937_817_49,
            0.195_262_145_875_634_98,
            0.097_631_072_937_817_49,
            1.0,
            -0.942_809_041_582_063_2,
            0.333_333_333_333_333_2,
        ];
        for (a, b) in sos[0].iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{sos:?}");
        }
    }

    #[test]
    fn unit_dc_gain_and_constant_signal_passes_unchanged() {
        for order in 1..=8 {
            let sos = butter_lowpass_sos(order, 6.0, 150.0).unwrap();
            let x = vec![3.5; 200];
            let y = sosfiltfilt(&sos, &x);
            assert!(y.iter().all(|v| (v - 3.5).abs() < 1e-9), "order {order}");
        }
    }

    #[test]
    fn rejects_cutoff_at_or_above_nyquist() {
        assert!(butter_lowpass_sos(4, 75.0, 150.0).is_err());
        assert!(butter_lowpass_sos(4, -1.0, 150.0).is_err());
        assert!(butter_lowpass_sos(0, 10.0, 150.0).is_err());
    }

    #[test]
    fn gaps_stay_gaps() {
        let sos = butter_lowpass_sos(2, 5.0, 100.0).unwrap();
        let mut x: Vec<f64> = (0..100).map(|i| (i as f64 * 0.1).sin()).collect();
        x[40] = f64::NAN;
        assert_eq!(filtfilt_segments(&sos, &mut x), 2);
        assert!(x[40].is_nan() && x[39].is_finite() && x[41].is_finite());
    }
}

/// [`sosfiltfilt`] applied to every column of a row-major `rows × cols` block at once: the time
/// loop runs over rows and updates all columns' filter states together, which keeps memory access
/// sequential and lets the compiler vectorise across columns. Columns must be free of NaN.
pub fn sosfiltfilt_block(sos: &[Sos], data: &mut [f64], rows: usize, cols: usize) {
    if rows < 2 || cols == 0 {
        return;
    }
    let (ext, pad) = filtfilt_columns_padded(sos, data, cols, 0, cols);
    data.copy_from_slice(&ext[pad * cols..(pad + rows) * cols]);
}

/// The kernel of [`sosfiltfilt_block`] on columns `first..first + k` of a row-major matrix
/// `width` wide, read in place: returns the filtered block with its odd extension still on
/// (`pad` rows before and after the data's rows) and `pad`. Needs at least two rows.
pub(crate) fn filtfilt_columns_padded(
    sos: &[Sos],
    matrix: &[f64],
    width: usize,
    first: usize,
    k: usize,
) -> (Vec<f64>, usize) {
    let rows = matrix.len() / width;
    let pad = default_padlen(sos).min(rows - 1);
    let n = rows + 2 * pad;
    let row = |i: usize| &matrix[i * width + first..i * width + first + k];
    let mut ext = Vec::with_capacity(n * k);
    // odd extension before: 2·x0 − x[pad − i]; the data; and after: 2·x_end − x[end − 1 − i]
    for i in 0..pad {
        ext.extend(row(0).iter().zip(row(pad - i)).map(|(a, b)| 2.0 * a - b));
    }
    for i in 0..rows {
        ext.extend_from_slice(row(i));
    }
    for i in 0..pad {
        ext.extend(
            row(rows - 1)
                .iter()
                .zip(row(rows - 2 - i))
                .map(|(a, b)| 2.0 * a - b),
        );
    }
    let zi = sosfilt_zi(sos);
    let mut z0 = vec![0.0; k];
    let mut z1 = vec![0.0; k];
    for forward in [true, false] {
        // every section starts from the steady state of the cascade's first input sample
        let start = if forward { 0 } else { n - 1 };
        let x0: Vec<f64> = ext[start * k..(start + 1) * k].to_vec();
        for (s, zs) in sos.iter().zip(&zi) {
            let (b0, b1, b2, a1, a2) = (s[0], s[1], s[2], s[4], s[5]);
            for ((a, b), x) in z0.iter_mut().zip(z1.iter_mut()).zip(&x0) {
                *a = zs[0] * x;
                *b = zs[1] * x;
            }
            // zipped iterators, not indices: no bounds checks, so the loop vectorises
            let step = |row: &mut [f64]| {
                for ((v, a), b) in row.iter_mut().zip(z0.iter_mut()).zip(z1.iter_mut()) {
                    let xi = *v;
                    let y = b0 * xi + *a;
                    *a = b1 * xi - a1 * y + *b;
                    *b = b2 * xi - a2 * y;
                    *v = y;
                }
            };
            if forward {
                ext.chunks_exact_mut(k).for_each(step);
            } else {
                ext.chunks_exact_mut(k).rev().for_each(step);
            }
        }
    }
    (ext, pad)
}

#[cfg(test)]
mod block_tests {
    use super::*;

    #[test]
    fn block_equals_column_by_column() {
        let (rows, cols) = (300, 7);
        let data: Vec<f64> = (0..rows * cols)
            .map(|i| ((i * 37 % 101) as f64).sin() + (i / cols) as f64 * 0.01)
            .collect();
        for order in [1, 2, 3, 4] {
            let sos = butter_lowpass_sos(order, 8.0, 100.0).unwrap();
            let mut block = data.clone();
            sosfiltfilt_block(&sos, &mut block, rows, cols);
            for c in 0..cols {
                let col: Vec<f64> = (0..rows).map(|r| data[r * cols + c]).collect();
                let want = sosfiltfilt(&sos, &col);
                for r in 0..rows {
                    assert!(
                        (block[r * cols + c] - want[r]).abs() < 1e-12,
                        "order {order} col {c} row {r}"
                    );
                }
            }
        }
    }
}
