//! Knee flexion–adduction crosstalk: the signature of a knee flexion axis that is turned about the
//! thigh's long axis away from the anatomical one.
//!
//! If the flexion axis used for the knee is off the true one by an angle θ about the thigh, a pure
//! flexion φ reads as an adduction β with sin β = sin φ · sin θ (Piazza & Cavanagh 2000; the
//! correction of Rivest 2005 and the principal-component method of Baudet et al. 2014 rest on the
//! same relation). So adduction follows sin(flexion): the least-squares fit β ≈ c + θ·sin φ
//! estimates the misalignment θ, and the Pearson correlation of β with φ says how much of β it
//! explains. We also report the plain slope dβ/dφ (deg/deg) that axis-misalignment studies plot.
//!
//! Frames used: every frame of the trial where both angles exist, so that the flexion range runs
//! from stance (10–45°) to peak swing (80–110°) and the fit is well conditioned (restricted to
//! the most flexed frames, sin φ hardly varies and θ is unstable); no gait events are needed.
//! A trial whose flexion spans less than 30° is not assessed.
//!
//! Level (ours, provisional; no published cut-off exists): flagged when |θ| ≥ [`AXIS_LEVEL_DEG`]
//! and |r| ≥ [`CORRELATION_LEVEL`]. At 5° the spurious adduction at peak swing flexion
//! (θ·sin 100° ≈ 5°) is as large as the whole frontal-plane knee excursion of a normal runner;
//! r ≥ 0.5 means flexion explains at least a quarter of the adduction's variance (stance has
//! real frontal motion, which keeps r near 0.7 even for a 10° turn). Both must hold, so a knee
//! with real frontal motion that is not tied to flexion is not flagged. Checked on: a knee
//! axis turned ±10° (flagged), RBDS001 at two speeds, RBDS032 and the RIC trial (not flagged;
//! figures in docs/kinematics.md).

use crate::events::percentile;

/// Estimated misalignment at or above which crosstalk is flagged, degrees.
pub const AXIS_LEVEL_DEG: f64 = 5.0;
/// |Pearson r| of adduction on flexion at or above which crosstalk is flagged.
pub const CORRELATION_LEVEL: f64 = 0.5;

/// Crosstalk figures of one knee over one trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KneeCrosstalk {
    /// Least-squares slope of knee adduction on knee flexion, deg/deg.
    pub slope: f64,
    /// Pearson correlation of knee adduction with knee flexion.
    pub r: f64,
    /// Estimated flexion-axis misalignment θ (β ≈ c + θ·sin φ), degrees; its sign is that of
    /// the adduction that appears with flexion.
    pub axis_misalignment_deg: f64,
    /// Frames used.
    pub n_frames: usize,
    /// Above both levels.
    pub flagged: bool,
}

/// Crosstalk of one knee from its flexion and adduction (degrees, frame by frame); None with
/// fewer than 20 usable frames or no flexion range.
pub fn knee_crosstalk(flexion_deg: &[f64], adduction_deg: &[f64]) -> Option<KneeCrosstalk> {
    let pairs: Vec<(f64, f64)> = flexion_deg
        .iter()
        .zip(adduction_deg)
        .filter(|(f, a)| f.is_finite() && a.is_finite())
        .map(|(f, a)| (*f, *a))
        .collect();
    if pairs.len() < 20 {
        return None;
    }
    let flex: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let (lo, hi) = (percentile(&flex, 0.05)?, percentile(&flex, 0.95)?);
    if hi - lo < 30.0 {
        return None;
    }
    let used = pairs;
    let n = used.len() as f64;
    let fit = |xs: &dyn Fn(f64) -> f64| -> (f64, f64) {
        let mx = used.iter().map(|p| xs(p.0)).sum::<f64>() / n;
        let my = used.iter().map(|p| p.1).sum::<f64>() / n;
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (f, a) in &used {
            let (dx, dy) = (xs(*f) - mx, a - my);
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        let r = if sxx > 0.0 && syy > 0.0 {
            sxy / (sxx * syy).sqrt()
        } else {
            0.0
        };
        (if sxx > 0.0 { sxy / sxx } else { f64::NAN }, r)
    };
    let (slope, r) = fit(&|f| f);
    let (theta, _) = fit(&|f: f64| f.to_radians().sin());
    if !theta.is_finite() {
        return None;
    }
    let flagged = theta.abs() >= AXIS_LEVEL_DEG && r.abs() >= CORRELATION_LEVEL;
    Some(KneeCrosstalk {
        slope,
        r,
        axis_misalignment_deg: theta,
        n_frames: used.len(),
        flagged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::M3;
    use nalgebra::{Rotation3, Vector3};

    /// A knee that only flexes, measured with a flexion axis turned by `theta_deg` about the
    /// thigh's long axis: the angles are computed by the Cardan decomposition, not by the
    /// relation the estimator assumes.
    fn misaligned(theta_deg: f64) -> (Vec<f64>, Vec<f64>) {
        let turn = Rotation3::from_axis_angle(&Vector3::y_axis(), theta_deg.to_radians());
        let (mut flex, mut add) = (Vec::new(), Vec::new());
        for k in 0..400 {
            // a running cycle: 10–100° of flexion
            let phi = 55.0 - 45.0 * (k as f64 / 400.0 * std::f64::consts::TAU).cos();
            // true knee: rotation about the anatomical flexion axis (Z)
            let knee = Rotation3::from_axis_angle(&Vector3::z_axis(), (-phi).to_radians());
            // measured: both frames seen through the turned axis
            let r: M3 = (turn.inverse() * knee * turn).into_inner();
            let (a, b, _) = super::super::cardan_zxy(&r);
            flex.push(-a.to_degrees());
            add.push(b.to_degrees());
        }
        (flex, add)
    }

    #[test]
    fn a_turned_flexion_axis_is_estimated_and_flagged() {
        for theta in [-10.0, 10.0] {
            let (f, a) = misaligned(theta);
            let c = knee_crosstalk(&f, &a).unwrap();
            assert!(
                (c.axis_misalignment_deg.abs() - 10.0).abs() < 1.0,
                "{theta}: {c:?}"
            );
            assert!(c.r.abs() > 0.95 && c.flagged, "{c:?}");
        }
        let (f, a) = misaligned(0.0);
        let c = knee_crosstalk(&f, &a).unwrap();
        assert!(c.axis_misalignment_deg.abs() < 1e-6 && !c.flagged);
        // a 3° turn is measured but stays under the level
        let (f, a) = misaligned(3.0);
        let c = knee_crosstalk(&f, &a).unwrap();
        assert!((c.axis_misalignment_deg.abs() - 3.0).abs() < 0.5 && !c.flagged);
    }

    #[test]
    fn too_few_frames_or_no_flexion_give_nothing() {
        assert!(knee_crosstalk(&[10.0; 10], &[1.0; 10]).is_none());
        assert!(knee_crosstalk(&[10.0; 100], &[1.0; 100]).is_none());
    }
}
