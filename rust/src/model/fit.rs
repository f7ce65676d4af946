//! Least-squares rigid fits of a segment's cluster (Söderkvist & Wedin 1993), and the warm-started
//! Gauss-Newton refinement used frame to frame.

use super::{Pose, M3, V3};

/// Centroids of both point sets and their cross-covariance Σ (lab − c_lab)(local − c_local)ᵀ;
/// None for fewer than three pairs.
pub(super) fn cross_covariance(local: &[V3], lab: &[V3]) -> Option<(V3, V3, M3)> {
    if local.len() < 3 || local.len() != lab.len() {
        return None;
    }
    let n = local.len() as f64;
    let cl = local.iter().sum::<V3>() / n;
    let cd = lab.iter().sum::<V3>() / n;
    let mut h = M3::zeros();
    for (a, b) in local.iter().zip(lab) {
        h += (b - cd) * (a - cl).transpose();
    }
    Some((cl, cd, h))
}

/// Least-squares rigid fit (Söderkvist & Wedin 1993): the pose that maps `local` points onto
/// `lab` points; needs three or more pairs, not collinear.
pub fn fit_pose(local: &[V3], lab: &[V3]) -> Option<Pose> {
    let (cl, cd, h) = cross_covariance(local, lab)?;
    let svd = h.svd(true, true);
    let (u, v_t) = (svd.u?, svd.v_t?);
    // reject degenerate (collinear) clusters
    let s = svd.singular_values;
    if s[1] < 1e-10 * s[0].max(1e-300) {
        return None;
    }
    let d = (u * v_t).determinant().signum();
    let rot = u * M3::from_diagonal(&V3::new(1.0, 1.0, d)) * v_t;
    Some(Pose {
        rot,
        origin: cd - rot * cl,
    })
}

/// [`fit_pose`] started from a nearby rotation (the previous frame's): Newton's method on
/// tr(Rᵀ H) over the rotation group converges quadratically, in two or three steps, to the
/// rotation the SVD gives (tested to 1e-8 rad, far below what markers resolve); without a
/// start, or when a step fails, it is the SVD itself.
pub fn fit_pose_from(local: &[V3], lab: &[V3], start: Option<&M3>) -> Option<Pose> {
    let Some(start) = start.filter(|r| r.iter().all(|v| v.is_finite())) else {
        return fit_pose(local, lab);
    };
    let (cl, cd, h) = cross_covariance(local, lab)?;
    // rank below 2 (collinear points): the sum of squared 2x2 minors, s0²s1² + s0²s2² + s1²s2²,
    // against the SVD test s1 < 1e-10 s0
    let frob2 = h.norm_squared();
    let minors2 = {
        let c0 = h.column(1).cross(&h.column(2));
        let c1 = h.column(2).cross(&h.column(0));
        let c2 = h.column(0).cross(&h.column(1));
        c0.norm_squared() + c1.norm_squared() + c2.norm_squared()
    };
    if minors2 < 1e-20 * frob2 * frob2 {
        return None;
    }
    // Newton's method on f(R exp[w]) = tr((R exp[w])ᵀ H): gradient g = axial part of M = RᵀH,
    // Hessian tr(M) I − sym(M), positive definite near the maximum when rank(H) ≥ 2.
    let mut rot = *start;
    let mut converged = false;
    for _ in 0..12 {
        let m = rot.transpose() * h;
        let g = V3::new(
            m[(2, 1)] - m[(1, 2)],
            m[(0, 2)] - m[(2, 0)],
            m[(1, 0)] - m[(0, 1)],
        );
        let sym = (m + m.transpose()) * 0.5;
        let hess = M3::identity() * m.trace() - sym;
        // the Hessian is positive definite near the maximum; otherwise leave it to the SVD
        let Some(step) = solve_spd3(&hess, &g) else {
            break;
        };
        rot *= cayley(&step);
        // quadratic convergence: after a step this small the error is of order 1e-8 rad
        if step.norm() < 1e-4 {
            converged = true;
            break;
        }
    }
    if !converged {
        return fit_pose(local, lab);
    }
    Some(Pose {
        rot,
        origin: cd - rot * cl,
    })
}

/// One frame's rigid fit of `local` onto `lab` ([`fit_pose_from`], started from `previous`): NaN
/// with fewer than three pairs or collinear points, and NaN with the flag set when the fit
/// leaves more than `max_rms_m` RMS residual (the cluster is not rigid in this frame).
pub fn fit_gated(local: &[V3], lab: &[V3], previous: Option<&M3>, max_rms_m: f64) -> (Pose, bool) {
    let Some(pose) = fit_pose_from(local, lab, previous) else {
        return (Pose::nan(), false);
    };
    if max_rms_m.is_finite() {
        let ss: f64 = local
            .iter()
            .zip(lab)
            .map(|(l, d)| (pose.to_lab(l) - d).norm_squared())
            .sum();
        if (ss / local.len() as f64).sqrt() > max_rms_m {
            return (Pose::nan(), true);
        }
    }
    (pose, false)
}

/// Solution of `a x = b` for a symmetric 3×3 `a` when it is positive definite (Sylvester's
/// criterion), by the adjugate.
pub(super) fn solve_spd3(a: &M3, b: &V3) -> Option<V3> {
    let (a00, a01, a02, a11, a12, a22) = (
        a[(0, 0)],
        a[(0, 1)],
        a[(0, 2)],
        a[(1, 1)],
        a[(1, 2)],
        a[(2, 2)],
    );
    let c00 = a11 * a22 - a12 * a12;
    let c01 = a02 * a12 - a01 * a22;
    let c02 = a01 * a12 - a02 * a11;
    let det = a00 * c00 + a01 * c01 + a02 * c02;
    if !(a00 > 0.0 && a00 * a11 - a01 * a01 > 0.0 && det > 0.0) {
        return None;
    }
    let c11 = a00 * a22 - a02 * a02;
    let c12 = a01 * a02 - a00 * a12;
    let c22 = a00 * a11 - a01 * a01;
    Some(
        V3::new(
            c00 * b.x + c01 * b.y + c02 * b.z,
            c01 * b.x + c11 * b.y + c12 * b.z,
            c02 * b.x + c12 * b.y + c22 * b.z,
        ) / det,
    )
}

/// The rotation of the unit quaternion (1, w/2)/|·| (the Cayley transform of `w`): equal to
/// exp([w]) to second order, so Newton's steps keep their quadratic convergence.
pub(super) fn cayley(w: &V3) -> M3 {
    let (x, y, z) = (0.5 * w.x, 0.5 * w.y, 0.5 * w.z);
    let s = 1.0 / (1.0 + x * x + y * y + z * z);
    M3::new(
        1.0 - 2.0 * s * (y * y + z * z),
        2.0 * s * (x * y - z),
        2.0 * s * (x * z + y),
        2.0 * s * (x * y + z),
        1.0 - 2.0 * s * (x * x + z * z),
        2.0 * s * (y * z - x),
        2.0 * s * (x * z - y),
        2.0 * s * (y * z + x),
        1.0 - 2.0 * s * (x * x + y * y),
    )
}
