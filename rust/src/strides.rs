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

#[cfg(test)]
mod tests {
    use super::*;

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
