//! Per-stride metrics of an IMU trial: peak tibial acceleration (shank), foot strike angle
//! (foot gyroscope), pelvis ranges and contralateral pelvic drop (sacrum with a gyroscope).
//!
//! Sampling: a window [a, b] holds samples floor(a·rate) ..= ceil(b·rate) (clipped to the
//! recording), so an IMU metric sees the samples on both sides of each event; the pelvic drop
//! is [`crate::metrics::contralateral_pelvic_drop_deg`], the one definition markers use too.

use super::G;
use crate::metrics::contralateral_pelvic_drop_deg;

/// One stride: side (0 left, 1 right, None when the events do not tell), times in s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImuStride {
    pub side: Option<usize>,
    pub ic: f64,
    pub to: f64,
    pub next_ic: f64,
}

/// The signals the metrics are computed from, all at `rate_hz`.
#[derive(Debug, Clone, Copy)]
pub struct ImuMetricInputs<'a> {
    pub rate_hz: f64,
    pub strides: &'a [ImuStride],
    /// Axial specific force of the left and right shank, m/s² ([`super::tibial::axial`]).
    pub shank_axial: [Option<&'a [f64]>; 2],
    /// Sagittal angular velocity of the left and right foot, rad/s.
    pub foot_sagittal: [Option<&'a [f64]>; 2],
    /// Pelvis tilt, obliquity (left up +) and rotation (unwrapped), degrees.
    pub pelvis: Option<[&'a [f64]; 3]>,
}

/// The samples of `x` in [a, b] (see the module notes); empty when the window is outside.
fn window(x: &[f64], a: f64, b: f64, rate: f64) -> &[f64] {
    if !(a.is_finite() && b.is_finite()) {
        return &[];
    }
    let i0 = (a * rate).floor().max(0.0) as usize;
    let i1 = (((b * rate).ceil() + 1.0).max(0.0) as usize).min(x.len());
    x.get(i0..i1).unwrap_or(&[])
}

/// Largest minus smallest finite value, NaN if none.
fn range(x: &[f64]) -> f64 {
    let finite = x.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo <= hi {
        hi - lo
    } else {
        f64::NAN
    }
}

/// Peak axial specific force in the first half of stance, in g; NaN without a finite sample.
#[must_use]
pub fn peak_tibial_acceleration_g(axial: &[f64], ic: f64, to: f64, rate: f64) -> f64 {
    let w = window(axial, ic, ic + (to - ic) / 2.0, rate);
    w.iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NAN, f64::max)
        / G
}

/// Foot pitch at IC relative to foot-flat, degrees, from the foot gyroscope: minus the
/// integral (trapezoid) of the sagittal angular velocity from IC to the middle of the
/// quietest 40 ms of the stance (foot flat). Positive = toes up at contact (a rearfoot
/// strike), as for markers (Altman & Davis 2012). NaN for a stance with missing samples or
/// shorter than 40 ms plus two samples.
#[must_use]
pub fn foot_strike_angle_deg(sagittal: &[f64], ic: f64, to: f64, rate: f64) -> f64 {
    let w = window(sagittal, ic, to, rate);
    let k = ((0.04 * rate) as usize).max(1);
    if w.len() < k + 2 || w.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    // moving mean of |ω| over k samples; the first minimum marks foot flat
    let mut sum: f64 = w[..k].iter().map(|v| v.abs()).sum();
    let (mut best, mut best_at) = (sum, 0);
    for s in 1..=w.len() - k {
        sum += w[s + k - 1].abs() - w[s - 1].abs();
        if sum < best {
            (best, best_at) = (sum, s);
        }
    }
    let flat = best_at + k / 2;
    let integral: f64 = w[..=flat]
        .windows(2)
        .map(|p| f64::midpoint(p[0], p[1]) / rate)
        .sum();
    -integral.to_degrees()
}

/// The per-stride columns the inputs allow: `peak_tibial_acceleration_g` with any shank,
/// `foot_strike_angle_deg` with any foot, the pelvis ranges over the stride and
/// `contralateral_pelvic_drop_deg` with pelvis angles. NaN where a stride's side has no such
/// sensor (or its side is unknown, for the side-specific ones).
#[must_use]
pub fn per_stride(inp: &ImuMetricInputs<'_>) -> Vec<(String, Vec<f64>)> {
    let rate = inp.rate_hz;
    let column = |name: &str, f: &dyn Fn(&ImuStride) -> f64| {
        (
            name.to_string(),
            inp.strides.iter().map(f).collect::<Vec<f64>>(),
        )
    };
    let mut out = Vec::new();
    if inp.shank_axial.iter().any(Option::is_some) {
        out.push(column("peak_tibial_acceleration_g", &|r| match r
            .side
            .and_then(|s| inp.shank_axial[s])
        {
            Some(axial) => peak_tibial_acceleration_g(axial, r.ic, r.to, rate),
            None => f64::NAN,
        }));
    }
    if inp.foot_sagittal.iter().any(Option::is_some) {
        out.push(column("foot_strike_angle_deg", &|r| match r
            .side
            .and_then(|s| inp.foot_sagittal[s])
        {
            Some(w) => foot_strike_angle_deg(w, r.ic, r.to, rate),
            None => f64::NAN,
        }));
    }
    if let Some([tilt, obliquity, rotation]) = inp.pelvis {
        for (name, x) in [
            ("pelvic_tilt_range_deg", tilt),
            ("pelvic_obliquity_range_deg", obliquity),
            ("pelvic_rotation_range_deg", rotation),
        ] {
            out.push(column(name, &|r| range(window(x, r.ic, r.next_ic, rate))));
        }
        out.push(column("contralateral_pelvic_drop_deg", &|r| match r.side {
            // the other side's obliquity, that side up +: the right side is up when the
            // left is down
            Some(0) => {
                contralateral_pelvic_drop_deg(obliquity.len(), |i| -obliquity[i], r.ic, r.to, rate)
            }
            Some(_) => {
                contralateral_pelvic_drop_deg(obliquity.len(), |i| obliquity[i], r.ic, r.to, rate)
            }
            None => f64::NAN,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_take_the_samples_around_both_events() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(window(&x, 0.15, 0.35, 10.0), &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(window(&x, 0.85, 2.0, 10.0), &[8.0, 9.0]);
        assert!(window(&x, f64::NAN, 0.3, 10.0).is_empty());
        assert!(range(&[f64::NAN]).is_nan());
        assert!((range(&[1.0, f64::NAN, -2.0]) - 3.0).abs() < 1e-12);
    }

    /// A foot that lands 10° toes-up and rotates flat at a constant rate over 50 ms, then stays
    /// still: the strike angle is +10° by construction.
    #[test]
    fn foot_strike_angle_of_a_known_landing() {
        let rate = 1000.0;
        let mut w = vec![0.0; 400];
        let omega = -(10f64.to_radians()) / 0.05; // toes coming down: negative sagittal rate
        for v in &mut w[100..150] {
            *v = omega;
        }
        let fsa = foot_strike_angle_deg(&w, 0.1, 0.35, rate);
        assert!((fsa - 10.0).abs() < 0.3, "{fsa}");
        let mut gap = w.clone();
        gap[200] = f64::NAN;
        assert!(foot_strike_angle_deg(&gap, 0.1, 0.35, rate).is_nan());
    }

    #[test]
    fn pelvic_drop_is_the_other_sides_fall_after_contact() {
        // obliquity (left up +) goes from 0 to +4° during a right stance: the left side rises,
        // no drop; during a left stance it goes to −4°... the right side rises: no drop either.
        // A right stance where obliquity falls to −3° drops the left side by 3°.
        let rate = 100.0;
        let obliquity: Vec<f64> = (0..100).map(|i| -3.0 * (f64::from(i) / 99.0)).collect();
        let right = ImuStride {
            side: Some(1),
            ic: 0.0,
            to: 0.99,
            next_ic: 0.99,
        };
        let left = ImuStride {
            side: Some(0),
            ..right
        };
        let cols = per_stride(&ImuMetricInputs {
            rate_hz: rate,
            strides: &[right, left],
            shank_axial: [None, None],
            foot_sagittal: [None, None],
            pelvis: Some([&obliquity, &obliquity, &obliquity]),
        });
        let drop = &cols
            .iter()
            .find(|(n, _)| n == "contralateral_pelvic_drop_deg")
            .unwrap()
            .1;
        assert!((drop[0] - 3.0).abs() < 1e-9, "{drop:?}");
        assert!(drop[1].abs() < 1e-9, "{drop:?}");
    }
}
