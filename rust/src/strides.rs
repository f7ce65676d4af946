//! Strides of one foot: IC-to-IC segmentation with the toe-off and the other foot's IC inside
//! each, and the reason a stride is not usable.
//!
//! A stride runs from an initial contact (IC) to the next IC of the same foot; it must hold
//! exactly one toe-off (TO) of that foot and exactly one IC of the other foot (strictly
//! between its two ICs), and last between `min_stride_s` and `max_stride_s` (outside: a missed
//! or a false event).

/// One stride of one foot, times in s (NaN where the stride holds no such event).
#[derive(Debug, Clone, PartialEq)]
pub struct Stride {
    pub ic: f64,
    /// The first TO inside the stride.
    pub to: f64,
    pub next_ic: f64,
    /// The first IC of the other foot inside the stride.
    pub other_ic: f64,
    /// Why the stride is not usable; None when it is.
    pub reason: Option<String>,
}

/// The first of the sorted `t` strictly inside (a, b), and how many there are.
fn first_inside(t: &[f64], a: f64, b: f64) -> (f64, usize) {
    let i0 = t.partition_point(|&x| x <= a);
    let i1 = t.partition_point(|&x| x < b);
    let count = i1.saturating_sub(i0);
    (if count > 0 { t[i0] } else { f64::NAN }, count)
}

/// A float as Python's `str` writes it (`0.4`, `2.0`), so reasons read the same from both.
fn py_float(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// Strides of one foot from its ICs and TOs and the other foot's ICs (any order; non-finite
/// times are ignored), in time order.
#[must_use]
pub fn segment(
    ics: &[f64],
    tos: &[f64],
    other_ics: &[f64],
    min_stride_s: f64,
    max_stride_s: f64,
) -> Vec<Stride> {
    let sorted = |x: &[f64]| {
        let mut v: Vec<f64> = x.iter().copied().filter(|t| t.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (ics, tos, other_ics) = (sorted(ics), sorted(tos), sorted(other_ics));
    ics.windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let (to, n_to) = first_inside(&tos, a, b);
            let (other_ic, n_other) = first_inside(&other_ics, a, b);
            let stride_time = b - a;
            let reason = if !(min_stride_s..=max_stride_s).contains(&stride_time) {
                Some(format!(
                    "stride time {stride_time:.3} s outside {}-{} s",
                    py_float(min_stride_s),
                    py_float(max_stride_s)
                ))
            } else if n_to == 0 {
                Some("no toe-off in the stride".to_string())
            } else if n_to > 1 {
                Some(format!("{n_to} toe-offs in the stride"))
            } else if n_other != 1 {
                Some(format!("{n_other} contralateral contacts in the stride"))
            } else {
                None
            };
            Stride {
                ic: a,
                to,
                next_ic: b,
                other_ic,
                reason,
            }
        })
        .collect()
}

/// Midstance as the time of the largest finite value of `series` (sampled at `rate`, frame 0
/// at t = 0) in each stance's frames ceil(IC·rate) ..= floor(TO·rate), the first on ties; NaN
/// for an empty or all-NaN stance. Peak knee flexion (the default midstance) and the lowest
/// pelvis (`series` = minus its height) are this.
#[must_use]
pub fn peak_in_stance(series: &[f64], stances: &[(f64, f64)], rate: f64) -> Vec<f64> {
    stances
        .iter()
        .map(|&(ic, to)| {
            if !(ic.is_finite() && to.is_finite()) || series.is_empty() {
                return f64::NAN;
            }
            let f0 = (ic * rate).ceil();
            let f1 = (to * rate).floor().min((series.len() - 1) as f64);
            if !(f1 > f0 && f0 >= 0.0) {
                return f64::NAN;
            }
            let (f0, f1) = (f0 as usize, f1 as usize);
            let mut best: Option<(usize, f64)> = None;
            for (i, &v) in series.iter().enumerate().take(f1 + 1).skip(f0) {
                if v.is_finite() && best.is_none_or(|(_, b)| v > b) {
                    best = Some((i, v));
                }
            }
            best.map_or(f64::NAN, |(i, _)| i as f64 / rate)
        })
        .collect()
}

/// Midstance as the moment the hip joint centre passes over the ankle joint centre along the
/// direction of progression (x): the first frame pair in the stance's frames where
/// hip − ankle turns from negative to non-negative, linearly interpolated; NaN without one.
#[must_use]
pub fn hip_over_ankle(hip_x: &[f64], ankle_x: &[f64], ic: f64, to: f64, rate: f64) -> f64 {
    if !(ic.is_finite() && to.is_finite()) {
        return f64::NAN;
    }
    let (f0, f1) = ((ic * rate).ceil(), (to * rate).floor());
    if !(f1 > f0 && f0 >= 0.0) {
        return f64::NAN;
    }
    let n = hip_x.len().min(ankle_x.len());
    let frames: Vec<usize> = (f0 as usize..=f1 as usize).filter(|&f| f < n).collect();
    let d: Vec<f64> = frames.iter().map(|&f| hip_x[f] - ankle_x[f]).collect();
    d.windows(2)
        .position(|w| w[0] < 0.0 && w[1] >= 0.0)
        .map_or(f64::NAN, |j| {
            let frac = -d[j] / (d[j + 1] - d[j]);
            (frames[j] as f64 + frac) / rate
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midstance_by_peak_and_by_hip_over_ankle() {
        // a knee flexion peak at frame 7 in a stance of frames 3..=12 (10 Hz), a higher one
        // outside it; NaN samples are skipped
        let mut knee = vec![0.0; 20];
        knee[7] = 40.0;
        knee[15] = 60.0;
        knee[4] = f64::NAN;
        let t = peak_in_stance(&knee, &[(0.25, 1.2), (f64::NAN, 1.0), (1.0, 1.0)], 10.0);
        assert!((t[0] - 0.7).abs() < 1e-12 && t[1].is_nan() && t[2].is_nan());
        // the hip passes the ankle half way between frames 5 and 6
        let hip: Vec<f64> = (0..20).map(|f| f64::from(f) - 5.5).collect();
        let ankle = vec![0.0; 20];
        assert!((hip_over_ankle(&hip, &ankle, 0.2, 1.2, 10.0) - 0.55).abs() < 1e-12);
        assert!(hip_over_ankle(&hip, &ankle, 0.8, 1.2, 10.0).is_nan());
    }

    #[test]
    fn strides_of_a_clean_run_and_each_reason() {
        // left ICs every 0.7 s, TOs 0.25 s after, right ICs half way
        let ics = [0.0, 0.7, 1.4, 2.1];
        let tos = [0.25, 0.95, 1.65];
        let others = [0.35, 1.05, 1.75];
        let s = segment(&ics, &tos, &others, 0.4, 2.0);
        assert_eq!(s.len(), 3);
        assert!(s.iter().all(|r| r.reason.is_none()));
        assert!((s[1].to - 0.95).abs() < 1e-12 && (s[1].other_ic - 1.05).abs() < 1e-12);
        // a missed TO, an extra TO, a missed contralateral IC, a missed IC (a long stride)
        let s = segment(&ics, &[0.25, 1.5, 1.6], &[0.35, 1.75], 0.4, 2.0);
        assert_eq!(s[0].reason, None);
        assert_eq!(s[1].reason.as_deref(), Some("no toe-off in the stride"));
        assert_eq!(s[2].reason.as_deref(), Some("2 toe-offs in the stride"));
        let s = segment(&ics, &tos, &[0.35, 1.75], 0.4, 2.0);
        assert_eq!(
            s[1].reason.as_deref(),
            Some("0 contralateral contacts in the stride")
        );
        assert!(s[1].other_ic.is_nan());
        let s = segment(&[0.0, 2.5], &[0.3], &[1.0], 0.4, 2.0);
        assert_eq!(
            s[0].reason.as_deref(),
            Some("stride time 2.500 s outside 0.4-2.0 s")
        );
    }
}
