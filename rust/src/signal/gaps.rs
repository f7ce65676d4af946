//! Filling short gaps with a cubic spline through the samples on either side.

/// A run of missing samples and whether it was filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub start: usize,
    pub len: usize,
    pub filled: bool,
}

/// Natural cubic spline through (xs, ys), evaluated at `at`.
fn natural_spline(xs: &[f64], ys: &[f64], at: &[f64]) -> Vec<f64> {
    let n = xs.len();
    let mut m = vec![0.0; n]; // second derivatives
    if n > 2 {
        let mut c = vec![0.0; n];
        let mut d = vec![0.0; n];
        for i in 1..n - 1 {
            let (h0, h1) = (xs[i] - xs[i - 1], xs[i + 1] - xs[i]);
            let a = h0;
            let b = 2.0 * (h0 + h1);
            let cc = h1;
            let r = 6.0 * ((ys[i + 1] - ys[i]) / h1 - (ys[i] - ys[i - 1]) / h0);
            let denom = b - a * c[i - 1];
            c[i] = cc / denom;
            d[i] = (r - a * d[i - 1]) / denom;
        }
        for i in (1..n - 1).rev() {
            m[i] = d[i] - c[i] * m[i + 1];
        }
    }
    at.iter()
        .map(|&t| {
            let j = xs.partition_point(|&x| x <= t).clamp(1, n - 1) - 1;
            let h = xs[j + 1] - xs[j];
            let (a, b) = ((xs[j + 1] - t) / h, (t - xs[j]) / h);
            a * ys[j]
                + b * ys[j + 1]
                + ((a * a * a - a) * m[j] + (b * b * b - b) * m[j + 1]) * h * h / 6.0
        })
        .collect()
}

/// Fills every gap of at most `max_gap` samples that has valid samples on both sides, with a
/// natural cubic spline through up to `context` valid samples before and after it. Longer gaps
/// and gaps at the ends stay NaN. Returns every gap with whether it was filled.
pub fn fill_gaps_spline(x: &mut [f64], max_gap: usize, context: usize) -> Vec<Gap> {
    let n = x.len();
    let mut gaps = Vec::new();
    let mut i = 0;
    while i < n {
        if x[i].is_finite() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && !x[i].is_finite() {
            i += 1;
        }
        let len = i - start;
        let inside = start > 0 && i < n;
        let mut filled = false;
        if inside && len <= max_gap {
            let before: Vec<usize> = (0..start)
                .rev()
                .take_while(|&k| x[k].is_finite())
                .take(context.max(2))
                .collect();
            let after: Vec<usize> = (i..n)
                .take_while(|&k| x[k].is_finite())
                .take(context.max(2))
                .collect();
            let idx: Vec<usize> = before.into_iter().rev().chain(after).collect();
            let xs: Vec<f64> = idx.iter().map(|&k| k as f64).collect();
            let ys: Vec<f64> = idx.iter().map(|&k| x[k]).collect();
            let at: Vec<f64> = (start..i).map(|k| k as f64).collect();
            for (k, v) in (start..i).zip(natural_spline(&xs, &ys, &at)) {
                x[k] = v;
            }
            filled = true;
        }
        gaps.push(Gap { start, len, filled });
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_smooth_curve_is_restored_and_long_gaps_are_left() {
        let truth: Vec<f64> = (0..100).map(|i| (i as f64 * 0.05).sin()).collect();
        let mut x = truth.clone();
        for v in &mut x[30..35] {
            *v = f64::NAN;
        }
        for v in &mut x[60..90] {
            *v = f64::NAN;
        }
        x[0] = f64::NAN;
        let gaps = fill_gaps_spline(&mut x, 10, 6);
        assert_eq!(
            gaps,
            vec![
                Gap {
                    start: 0,
                    len: 1,
                    filled: false
                },
                Gap {
                    start: 30,
                    len: 5,
                    filled: true
                },
                Gap {
                    start: 60,
                    len: 30,
                    filled: false
                }
            ]
        );
        for k in 30..35 {
            assert!(
                (x[k] - truth[k]).abs() < 1e-4,
                "{k}: {} vs {}",
                x[k],
                truth[k]
            );
        }
        assert!(x[70].is_nan() && x[0].is_nan());
    }
}
