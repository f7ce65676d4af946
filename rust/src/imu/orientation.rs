//! Orientation from accelerometer and gyroscope: gravity alignment and a Madgwick filter.
//!
//! Madgwick, Harrison & Vaidyanathan (2011), the IMU (no magnetometer) form: the gyroscope
//! is integrated and a gradient step of size `beta` (rad/s) pulls the estimated "up" towards
//! the measured specific force. During running the accelerometer sees impacts of several g,
//! so the correction is applied only while the measured norm is within `gate` of 1 g.

use nalgebra::{Quaternion, UnitQuaternion, Vector3};

use super::G;

/// The rotation that takes a still sensor's specific-force direction `acc` (segment frame)
/// to world up (+z), with no heading: the initial orientation of a trial.
#[must_use]
pub fn gravity_alignment(acc: [f64; 3]) -> UnitQuaternion<f64> {
    let a = Vector3::from(acc);
    if a.norm() < 1e-9 || !a.iter().all(|v| v.is_finite()) {
        return UnitQuaternion::identity();
    }
    UnitQuaternion::rotation_between(&a, &Vector3::z()).unwrap_or_else(|| {
        // a points straight down: turn half a revolution about x
        UnitQuaternion::from_axis_angle(&Vector3::x_axis(), std::f64::consts::PI)
    })
}

/// Settings of [`madgwick`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MadgwickOptions {
    /// Gradient step, rad/s (Madgwick's β).
    pub beta: f64,
    /// The accelerometer corrects only while | |a| / g − 1 | < gate.
    pub gate: f64,
    /// Seconds at the start averaged for the initial gravity alignment.
    pub init_s: f64,
}

impl Default for MadgwickOptions {
    fn default() -> Self {
        Self {
            beta: 0.1,
            gate: 0.2,
            init_s: 0.5,
        }
    }
}

/// Orientation per sample, (w, x, y, z), from `acc` (m/s²) and `gyro` (rad/s) in the segment
/// frame at `rate_hz`. NaN samples are held over (the previous orientation is kept).
///
/// # Errors
/// When the two signals differ in length or the rate is not positive.
pub fn madgwick(
    acc: &[[f64; 3]],
    gyro: &[[f64; 3]],
    rate_hz: f64,
    opts: &MadgwickOptions,
) -> crate::error::Result<Vec<[f64; 4]>> {
    crate::error::same_length(("accelerometer", acc.len()), ("gyroscope", gyro.len()))?;
    if !(rate_hz.is_finite() && rate_hz > 0.0) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            format!("sampling rate {rate_hz} Hz is not positive"),
        ));
    }
    let dt = 1.0 / rate_hz;
    let n_init = ((opts.init_s * rate_hz) as usize).clamp(1, acc.len().max(1));
    let mut mean = Vector3::zeros();
    let mut k = 0.0;
    for a in acc.iter().take(n_init) {
        if a.iter().all(|v| v.is_finite()) {
            mean += Vector3::from(*a);
            k += 1.0;
        }
    }
    let mut q = if k > 0.0 {
        *gravity_alignment((mean / k).into()).quaternion()
    } else {
        Quaternion::identity()
    };
    let mut out = Vec::with_capacity(acc.len());
    for (a, w) in acc.iter().zip(gyro) {
        if !(a.iter().chain(w.iter()).all(|v| v.is_finite())) {
            out.push([q.w, q.i, q.j, q.k]);
            continue;
        }
        let omega = Quaternion::new(0.0, w[0], w[1], w[2]);
        let mut qdot = q * omega * 0.5;
        let an = Vector3::from(*a);
        let norm = an.norm();
        if norm > 0.0 && ((norm / G) - 1.0).abs() < opts.gate {
            let (ax, ay, az) = (an.x / norm, an.y / norm, an.z / norm);
            let (q0, q1, q2, q3) = (q.w, q.i, q.j, q.k);
            // objective: world up expressed in the sensor frame minus measured direction
            let f1 = 2.0 * (q1 * q3 - q0 * q2) - ax;
            let f2 = 2.0 * (q0 * q1 + q2 * q3) - ay;
            let f3 = 2.0 * (0.5 - q1 * q1 - q2 * q2) - az;
            let s0 = -2.0 * q2 * f1 + 2.0 * q1 * f2;
            let s1 = 2.0 * q3 * f1 + 2.0 * q0 * f2 - 4.0 * q1 * f3;
            let s2 = -2.0 * q0 * f1 + 2.0 * q3 * f2 - 4.0 * q2 * f3;
            let s3 = 2.0 * q1 * f1 + 2.0 * q2 * f2;
            let step = Quaternion::new(s0, s1, s2, s3);
            let sn = step.norm();
            if sn > 0.0 {
                qdot -= step * (opts.beta / sn);
            }
        }
        q += qdot * dt;
        let qn = q.norm();
        if qn > 0.0 {
            q /= qn;
        }
        out.push([q.w, q.i, q.j, q.k]);
    }
    Ok(out)
}

/// Pelvis angles (degrees) from sacrum-sensor orientations: (tilt, obliquity, rotation), a
/// Cardan Z-X-Y decomposition of the world-from-segment rotation (rotation about world up,
/// then obliquity about the anterior axis, then tilt about the left axis). Signs: anterior
/// tilt +, left side up +, rotation towards the left (counter-clockwise from above) +.
#[must_use]
pub fn pelvis_angles_deg(q: &[[f64; 4]]) -> Vec<[f64; 3]> {
    q.iter()
        .map(|&[w, x, y, z]| {
            let r =
                UnitQuaternion::from_quaternion(Quaternion::new(w, x, y, z)).to_rotation_matrix();
            let m = r.matrix();
            // R = Rz(psi) Rx(phi) Ry(theta)
            let phi = m[(2, 1)].clamp(-1.0, 1.0).asin();
            let theta = (-m[(2, 0)]).atan2(m[(2, 2)]);
            let psi = (-m[(0, 1)]).atan2(m[(1, 1)]);
            // obliquity: rotation about +x (anterior) lifts the left side (+y) when positive
            [theta.to_degrees(), phi.to_degrees(), psi.to_degrees()]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn still(n: usize, up_in_sensor: [f64; 3]) -> (Vec<[f64; 3]>, Vec<[f64; 3]>) {
        let a = Vector3::from(up_in_sensor).normalize() * G;
        (vec![a.into(); n], vec![[0.0; 3]; n])
    }

    #[test]
    fn gravity_alignment_levels_a_tilted_sensor() {
        // sensor pitched 30 deg: up in the sensor frame is (-sin30, 0, cos30) for a forward tilt
        let t = 30f64.to_radians();
        let q = gravity_alignment([-t.sin() * G, 0.0, t.cos() * G]);
        let up = q * Vector3::new(-t.sin(), 0.0, t.cos());
        assert!((up - Vector3::z()).norm() < 1e-12);
        // a sensor upside down
        let q = gravity_alignment([0.0, 0.0, -G]);
        assert!((q * Vector3::new(0.0, 0.0, -1.0) - Vector3::z()).norm() < 1e-12);
    }

    #[test]
    fn constant_rotation_integrates_to_the_known_angle() {
        // 90 deg/s about the sensor's z (vertical) for 2 s at 200 Hz: 180 deg of heading,
        // gravity stays up; the accelerometer agrees with the gyro so the answer is exact
        let rate = 200.0;
        let n = 400;
        let (acc, mut gyro) = still(n, [0.0, 0.0, 1.0]);
        for g in &mut gyro {
            *g = [0.0, 0.0, 90f64.to_radians()];
        }
        let q = madgwick(&acc, &gyro, rate, &MadgwickOptions::default()).unwrap();
        let last = UnitQuaternion::from_quaternion(Quaternion::new(
            q[n - 1][0],
            q[n - 1][1],
            q[n - 1][2],
            q[n - 1][3],
        ));
        let heading = (last * Vector3::x())
            .y
            .atan2((last * Vector3::x()).x)
            .to_degrees();
        // n samples integrate n steps of 0.45 deg
        assert!((heading.abs() - 180.0).abs() < 0.5, "{heading}");
    }

    #[test]
    fn pitch_rotation_is_tracked_and_reads_as_anterior_tilt() {
        // a pelvis tilting forward 20 deg at 40 deg/s about +y (left), gyro only while the
        // accelerometer reports the true up direction in the rotating frame
        let rate = 500.0;
        let n = 250; // 0.5 s
        let w = 40f64.to_radians();
        let mut acc = Vec::new();
        let mut gyro = Vec::new();
        for i in 0..n {
            let th = w * i as f64 / rate;
            // world up seen from a frame rotated by th about y
            let up =
                UnitQuaternion::from_axis_angle(&Vector3::y_axis(), th).inverse() * Vector3::z();
            acc.push((up * G).into());
            gyro.push([0.0, w, 0.0]);
        }
        let q = madgwick(
            &acc,
            &gyro,
            rate,
            &MadgwickOptions {
                init_s: 0.0,
                ..Default::default()
            },
        )
        .unwrap();
        let ang = pelvis_angles_deg(&q);
        let expect = (w * (n as f64) / rate).to_degrees();
        assert!(
            (ang[n - 1][0] - expect).abs() < 0.3,
            "{:?} vs {expect}",
            ang[n - 1]
        );
        assert!(ang[n - 1][1].abs() < 0.1 && ang[n - 1][2].abs() < 0.1);
        // anterior tilt +: the sensor's forward axis points down
        let l = q[n - 1];
        let last = UnitQuaternion::from_quaternion(Quaternion::new(l[0], l[1], l[2], l[3]));
        assert!((last * Vector3::x()).z < 0.0);
    }

    #[test]
    fn obliquity_and_rotation_signs() {
        // left side up: rotation about +x; turning left: rotation about +z
        let q = UnitQuaternion::from_axis_angle(&Vector3::x_axis(), 10f64.to_radians());
        assert!((q * Vector3::y()).z > 0.0);
        let a = pelvis_angles_deg(&[[q.w, q.i, q.j, q.k]])[0];
        assert!((a[1] - 10.0).abs() < 1e-9 && a[0].abs() < 1e-9 && a[2].abs() < 1e-9);
        let q = UnitQuaternion::from_axis_angle(&Vector3::z_axis(), 15f64.to_radians());
        let a = pelvis_angles_deg(&[[q.w, q.i, q.j, q.k]])[0];
        assert!((a[2] - 15.0).abs() < 1e-9);
    }

    #[test]
    fn accelerometer_removes_gyro_bias_drift_in_tilt() {
        // still sensor, gyro biased by 1 deg/s about x for 60 s: pure integration would tilt 60
        // deg, the filter holds it within a degree
        let rate = 100.0;
        let n = 6000;
        let (acc, mut gyro) = still(n, [0.0, 0.0, 1.0]);
        for g in &mut gyro {
            *g = [1f64.to_radians(), 0.0, 0.0];
        }
        let q = madgwick(&acc, &gyro, rate, &MadgwickOptions::default()).unwrap();
        let ang = pelvis_angles_deg(&q);
        assert!(ang[n - 1][1].abs() < 1.0, "{:?}", ang[n - 1]);
    }

    #[test]
    fn mismatched_lengths_and_bad_rate_are_errors() {
        let (acc, gyro) = still(10, [0.0, 0.0, 1.0]);
        assert!(madgwick(&acc, &gyro[..5], 100.0, &MadgwickOptions::default()).is_err());
        assert!(madgwick(&acc, &gyro, 0.0, &MadgwickOptions::default()).is_err());
        assert!(madgwick(&acc, &gyro, f64::NAN, &MadgwickOptions::default()).is_err());
    }
}
