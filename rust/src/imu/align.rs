//! A trunk sensor's alignment checked from its own data: the tilt of its mounting from gravity,
//! and the sign of its anteroposterior axis from the braking that opens every stance.
//!
//! **Tilt** (Moe-Nilssen 1998, Gait Posture 7:225; the tilt correction used with lower-back
//! accelerometers since): over whole strides the trunk does not accelerate on average, so the
//! mean specific force is gravity; the rotation that turns it onto the vertical levels the
//! sensor. It is trusted only when that mean is within 10 % of 1 g: a signal clipped by the
//! recorder (the shared `imu_sacrum` vertical is floored at 0: its mean is 1.13–1.38 g) or a
//! wrong unit fails this, and the sensor is then used as mounted.
//!
//! **Anteroposterior sign**: the horizontal ground force brakes the body in the first half of a
//! stance and propels it in the second (Cavanagh & Lafortune 1980), and a trunk accelerometer
//! follows it; on `imu_sacrum` the first half's mean AP acceleration is below the second's in
//! 79–100 % of the contacts of every trial (median difference −1.5 to −10 m/s²). Where most
//! contacts show the opposite, the axis is reversed.

use nalgebra::{Matrix3, Vector3};

use super::G;

/// The rotation (applied to sensor-frame vectors) that turns the sensor's mean specific force
/// onto +z with the least turn, and the tilt it undoes (degrees).
///
/// # Errors
/// Under a second of finite samples, or a mean specific force not within 10 % of 1 g (with its
/// value in the message).
pub fn gravity_tilt(acc: &[[f64; 3]]) -> crate::error::Result<(Matrix3<f64>, f64)> {
    // a sensor without a mediolateral axis (NaN) is levelled in its sagittal plane
    let mut sum = Vector3::zeros();
    let mut n = 0usize;
    for a in acc {
        let v = Vector3::new(a[0], if a[1].is_finite() { a[1] } else { 0.0 }, a[2]);
        if v.iter().all(|x| x.is_finite()) {
            sum += v;
            n += 1;
        }
    }
    if n < 100 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::TooShort,
            format!("{n} samples: too few to find gravity"),
        ));
    }
    let mean = sum / n as f64;
    let g = mean.norm();
    if !(0.9 * G..=1.1 * G).contains(&g) {
        return Err(crate::error::Error::stage(crate::error::Reason::BadData, format!(
            "the mean specific force is {:.2} g, not 1 g (clipped or partial data, or a wrong unit): the mounting tilt cannot be read from it",
            g / G
        )));
    }
    let up = mean / g;
    let tilt = up.z.clamp(-1.0, 1.0).acos().to_degrees();
    let rot = nalgebra::Rotation3::rotation_between(&up, &Vector3::z())
        .map_or_else(Matrix3::identity, |r| *r.matrix());
    Ok((rot, tilt))
}

/// Whether the anteroposterior axis is reversed, judged from the contacts (IC, TO in s): `Some`
/// when at least 60 % of the contacts agree on which half of the stance brakes, `None` when too
/// few contacts (under 4) or no clear majority.
pub fn ap_reversed(ap: &[f64], contacts: &[(f64, f64)], rate_hz: f64) -> Option<bool> {
    let mean = |a: usize, b: usize| -> Option<f64> {
        let v: Vec<f64> = ap
            .get(a..b.min(ap.len()))?
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let signs: Vec<bool> = contacts
        .iter()
        .filter_map(|&(ic, to)| {
            let (a, b) = (
                (ic * rate_hz).round() as usize,
                (to * rate_hz).round() as usize,
            );
            let mid = usize::midpoint(a, b);
            let d = mean(a, mid)? - mean(mid, b)?;
            // a flat stance votes for neither
            (d.abs() > 1e-6).then_some(d > 0.0)
        })
        .collect();
    if signs.len() < 4 {
        return None;
    }
    let share = signs.iter().filter(|&&s| s).count() as f64 / signs.len() as f64;
    if share >= 0.6 {
        Some(true)
    } else if share <= 0.4 {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A still sensor pitched 30° forward reads gravity tilted by 30°: the tilt is found and the
    /// rotation levels it; a sensor without a mediolateral axis is levelled in its sagittal
    /// plane; a clipped signal (mean 1.3 g) is refused.
    #[test]
    fn tilt_is_read_from_gravity_and_refused_on_clipped_data() {
        let t = 30_f64.to_radians();
        let g = [-t.sin() * G, 0.0, t.cos() * G];
        let (rot, tilt) = gravity_tilt(&vec![g; 500]).unwrap();
        assert!((tilt - 30.0).abs() < 1e-9);
        let levelled = rot * Vector3::from(g);
        assert!((levelled - Vector3::new(0.0, 0.0, G)).norm() < 1e-9);
        let biaxial = vec![[g[0], f64::NAN, g[2]]; 500];
        assert!((gravity_tilt(&biaxial).unwrap().1 - 30.0).abs() < 1e-9);
        assert!(gravity_tilt(&vec![[0.0, 0.0, 1.3 * G]; 500])
            .unwrap_err()
            .to_string()
            .contains("1.30 g"));
        assert!(gravity_tilt(&vec![g; 10]).is_err());
    }

    /// Stances that brake then propel give "not reversed"; the same negated give "reversed";
    /// a signal without the pattern gives no answer.
    #[test]
    fn braking_first_tells_the_ap_sign() {
        let rate = 100.0;
        let mut ap = vec![0.0; 1000];
        let contacts: Vec<(f64, f64)> = (0..8).map(|k| (1.0 + k as f64, 1.3 + k as f64)).collect();
        for &(ic, _) in &contacts {
            let a = (ic * rate) as usize;
            for i in 0..30 {
                ap[a + i] = -(std::f64::consts::PI * i as f64 / 30.0 * 2.0).sin();
            }
        }
        assert_eq!(ap_reversed(&ap, &contacts, rate), Some(false));
        let neg: Vec<f64> = ap.iter().map(|x| -x).collect();
        assert_eq!(ap_reversed(&neg, &contacts, rate), Some(true));
        assert_eq!(ap_reversed(&vec![0.0; 1000], &contacts, rate), None);
        assert_eq!(ap_reversed(&ap, &contacts[..3], rate), None);
    }
}
