//! Running events from inertial sensors.
//!
//! **Shank or foot gyroscope** (sagittal angular velocity ω, see [`super`]): in running each
//! stride has one large positive peak, the leg swinging forward late in swing. After it:
//! - IC is where ω crosses zero downward: the segment stops swinging forward and starts to
//!   rotate over the planted foot (shank) or to plantarflex onto the ground (foot);
//! - TO, shank: the local maximum of ω that precedes the early-swing trough (the shank's
//!   backward rotation as the knee flexes after push-off), found walking back from the next
//!   swing peak; foot: the push-off minimum of ω (heel rising fastest) before the next swing.
//!
//! ω is low-passed at 15 Hz (zero lag) before picking.
//!
//! **Sacrum accelerometer** (vertical and anteroposterior specific force, any unit): the
//! vertical signal, which follows vertical ground reaction force over body mass, finds the
//! contacts (above 30 % of its 5–95 percentile range; two parts of one stance whose dip
//! stays above 10 % are one contact). IC is the onset of the braking drop of the AP signal
//! next to each contact's rise: the tangent at its steepest descent, extended back to the
//! level of the maximum before it. TO is where the vertical signal falls to 10 % of its range.
//! Without an AP signal, IC is the tangent onset of the vertical rise. AP is positive
//! anterior (braking is negative).

use crate::signal::{butter_lowpass_sos, filtfilt_segments};

use crate::events::{crossing_time, local_ranges, percentile, Kind};

mod sacrum;
pub use sacrum::{auvinet_contacts, sacrum_contacts, step_frequency_hz, SacrumOptions};

/// Which segment a gyroscope is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GyroSegment {
    Shank,
    Foot,
}

pub(crate) fn check_rate(rate_hz: f64, n: usize) -> crate::error::Result<()> {
    if !(rate_hz.is_finite() && rate_hz > 0.0) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            format!("sampling rate {rate_hz} Hz is not positive"),
        ));
    }
    if n < (rate_hz * 1.0) as usize {
        return Err(crate::error::Error::stage(
            crate::error::Reason::TooShort,
            format!("{n} samples at {rate_hz} Hz is under 1 s, too short for running events"),
        ));
    }
    Ok(())
}

/// IC and TO times (s) from a shank or foot sagittal angular velocity (rad/s), sorted.
///
/// # Errors
/// A bad rate, under a second of data, or no swing peaks (the sensor is not on a running leg,
/// or its mediolateral axis is reversed).
pub fn gyro_events(
    omega: &[f64],
    rate_hz: f64,
    segment: GyroSegment,
) -> crate::error::Result<Vec<(Kind, f64)>> {
    check_rate(rate_hz, omega.len())?;
    let sos = butter_lowpass_sos(2, 15.0f64.min(rate_hz * 0.4), rate_hz)?;
    let mut w = omega.to_vec();
    filtfilt_segments(&sos, &mut w);
    let n = w.len();
    let top = percentile(&w, 0.98).unwrap_or(f64::NAN);
    let bottom = percentile(&w, 0.02).unwrap_or(f64::NAN);
    if !(top.is_finite() && top > 1.0 && top > -bottom * 0.5) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::NoEvents,
            format!(
            "no swing peaks in the sagittal angular velocity (98th percentile {top:.2} rad/s): \
             is the sensor on a running leg, with its axes mapped so that y points left?"
        ),
        ));
    }
    // swing peaks: local maxima above half the 98th percentile, at least 0.35 s apart
    let th = 0.5 * top;
    let cands: Vec<usize> = (1..n.saturating_sub(1))
        .filter(|&i| w[i] > th && w[i] >= w[i - 1] && w[i] > w[i + 1])
        .collect();
    let peaks = crate::events::separated_peaks(&w, cands, (0.35 * rate_hz) as usize);
    let mut out = Vec::new();
    let max_ic = (0.25 * rate_hz) as usize;
    let min_contact = (0.08 * rate_hz) as usize;
    for (k, &p) in peaks.iter().enumerate() {
        let next = peaks.get(k + 1).copied().unwrap_or(n - 1);
        // IC: first downward zero crossing after the swing peak
        let mut ic_idx = None;
        for i in p..(p + max_ic).min(next).min(n - 1) {
            if w[i] >= 0.0 && w[i + 1] < 0.0 {
                out.push((Kind::Ic, crossing_time(&w, i, 0.0, rate_hz)));
                ic_idx = Some(i);
                break;
            }
        }
        let (Some(ic), true) = (ic_idx, k + 1 < peaks.len()) else {
            continue;
        };
        let lo = ic + min_contact;
        if lo >= next {
            continue;
        }
        let to = match segment {
            GyroSegment::Foot => (lo..next).min_by(|&a, &b| w[a].total_cmp(&w[b])),
            GyroSegment::Shank => {
                // walking back from the next swing peak: down its flank to the early-swing
                // trough, then up to the maximum before it; wiggles under 2 % of the signal's
                // range (sensor noise left after the low-pass) do not stop either walk
                // (hysteresis: a walk stops once the signal is 2 % back from the extreme it
                // has reached)
                let tol = 0.02 * (top - bottom);
                let (mut j, mut trough) = (next, next);
                while j > lo && w[j - 1] <= w[trough] + tol {
                    j -= 1;
                    if w[j] < w[trough] {
                        trough = j;
                    }
                }
                let (mut m, mut top_before) = (trough, trough);
                while m > lo && w[m - 1] >= w[top_before] - tol {
                    m -= 1;
                    if w[m] > w[top_before] {
                        top_before = m;
                    }
                }
                (m > lo).then_some(top_before)
            }
        };
        if let Some(t) = to {
            out.push((Kind::To, t as f64 / rate_hz));
        }
    }
    if out.is_empty() {
        return Err(crate::error::Error::stage(
            crate::error::Reason::NoEvents,
            "no initial contact after any swing peak",
        ));
    }
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imu::G;

    /// An asymmetric runner built by construction: every step a contact of 0.22 s (vertical
    /// up to 2.5 g, a half sine) in a step of 0.36 s; after left contacts the body flies (the
    /// vertical falls to 0 g), after right contacts it barely does (0.5 g). The 10 % merge
    /// level then sits below the right-side dips, so without the step split every right
    /// contact merged with the next left one.
    #[test]
    fn steps_that_barely_fly_are_not_merged() {
        use std::f64::consts::PI;
        let (rate, step, contact) = (200.0, 0.36, 0.22);
        let n = (12.0 * rate) as usize;
        let v: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / rate;
                let k = (t / step).floor() as usize;
                let u = t - k as f64 * step;
                // the flight after even steps reaches 0 g, after odd ones 0.5 g; each contact
                // rises from the flight before it and falls to the flight after it
                let floor = |k: usize| if k.is_multiple_of(2) { 0.0 } else { 0.5 };
                let before = if k == 0 { 0.0 } else { floor(k - 1) };
                if u < contact / 2.0 {
                    G * (before + (2.5 - before) * (PI * u / contact).sin())
                } else if u < contact {
                    G * (floor(k) + (2.5 - floor(k)) * (PI * u / contact).sin())
                } else {
                    G * floor(k)
                }
            })
            .collect();
        let found = sacrum_contacts(&v, &[], rate, &SacrumOptions::default()).unwrap();
        let steps = (12.0 / step) as usize;
        assert!(
            found.len() >= steps - 3,
            "{} contacts for {steps} steps",
            found.len()
        );
        for (ic, to) in &found {
            assert!(to - ic < step, "a contact of {} s spans two steps", to - ic);
            // IC within 15 ms of the construction's contact start
            let k = (ic / step).round();
            assert!((ic - k * step).abs() < 0.015, "IC {ic}");
        }
    }

    /// A shank-like sagittal angular velocity for strides of `t` s, built piece by piece so that
    /// contact is at phase 0 exactly: the forward swing (a positive half sine over 0.6–1.0 t)
    /// ends there and stance (a negative half sine over 0–0.35 t) begins; then the push-off bump
    /// (0.35–0.43 t) and the early-swing trough (0.43–0.6 t).
    fn shank(t: f64, rate: f64, secs: f64) -> Vec<f64> {
        use std::f64::consts::PI;
        let n = (secs * rate) as usize;
        (0..n)
            .map(|i| {
                let ph = ((i as f64 / rate) / t).fract();
                if ph >= 0.6 {
                    10.0 * (PI * (ph - 0.6) / 0.4).sin()
                } else if ph < 0.35 {
                    -7.0 * (PI * ph / 0.35).sin()
                } else if ph < 0.43 {
                    3.0 * (PI * (ph - 0.35) / 0.08).sin()
                } else {
                    -6.0 * (PI * (ph - 0.43) / 0.17).sin()
                }
            })
            .collect()
    }

    #[test]
    fn shank_events_on_a_known_waveform() {
        let (t, rate) = (0.7, 200.0);
        let w = shank(t, rate, 7.0);
        let ev = gyro_events(&w, rate, GyroSegment::Shank).unwrap();
        let ics: Vec<f64> = ev.iter().filter(|e| e.0 == Kind::Ic).map(|e| e.1).collect();
        let tos: Vec<f64> = ev.iter().filter(|e| e.0 == Kind::To).map(|e| e.1).collect();
        assert!(ics.len() >= 8, "{ics:?}");
        // stride time recovered
        for p in ics.windows(2) {
            assert!((p[1] - p[0] - t).abs() < 0.006, "{ics:?}");
        }
        // IC: the waveform is built so that the swing peak (0.88 t) has decayed and the stance
        // trough (0.15 t) begun at phase 0, the contact it stands for; the detector must find
        // it within 10 ms of that instant (known by construction, not by the detector's rule)
        for &ic in &ics {
            let k = (ic / t).round();
            assert!((ic - k * t).abs() < 0.010, "IC {ic} vs {}", k * t);
        }
        // TO at the bump before the early-swing trough, 0.35 t after IC's stride start
        for (&to, &ic) in tos.iter().zip(&ics) {
            let ph = (to - ic) / t;
            assert!(ph > 0.1 && ph < 0.5, "{to} {ic}");
        }
    }

    #[test]
    fn a_reversed_axis_or_a_still_sensor_is_an_error() {
        let w: Vec<f64> = shank(0.7, 200.0, 5.0).iter().map(|v| -v * 0.05).collect();
        assert!(gyro_events(&w, 200.0, GyroSegment::Shank).is_err());
        assert!(gyro_events(&vec![0.0; 1000], 200.0, GyroSegment::Foot).is_err());
        assert!(gyro_events(&[0.0; 10], 200.0, GyroSegment::Foot).is_err());
    }

    /// A sacrum-like vertical signal: half-sine stance bumps of 2.2 g (IC at k*step), 0 in
    /// flight, and an AP signal dropping at IC.
    fn sacrum(step: f64, contact: f64, rate: f64, secs: f64) -> (Vec<f64>, Vec<f64>) {
        let n = (secs * rate) as usize;
        let mut v = vec![0.0; n];
        let mut ap = vec![0.0; n];
        for i in 0..n {
            let t = i as f64 / rate;
            let ph = t % step;
            if ph < contact {
                v[i] = 2.2 * (std::f64::consts::PI * ph / contact).sin();
                ap[i] = -1.5 * (2.0 * std::f64::consts::PI * ph / contact).sin();
            }
        }
        (v, ap)
    }

    #[test]
    fn sacrum_contacts_on_a_known_signal() {
        let (step, contact, rate) = (0.34, 0.22, 500.0);
        let (v, ap) = sacrum(step, contact, rate, 6.0);
        let c = sacrum_contacts(&v, &ap, rate, &SacrumOptions::default()).unwrap();
        assert!(c.len() >= 15, "{}", c.len());
        for (ic, to) in &c {
            let k = (ic / step).round();
            assert!((ic - k * step).abs() < 0.004, "IC {ic}");
            // the foot leaves the ground where the specific force returns to 0 g (free fall),
            // the end of the half sine: TO must be at or before it and within 10 ms (the
            // detector's 10 % level is reached 7 ms before, a known, documented lead)
            let end = k * step + contact;
            assert!(
                *to <= end + 0.002 && end - to < 0.010,
                "TO {to} vs contact end {end}"
            );
        }
        // without AP, the tangent onset of the half-sine is at its start too
        let c2 = sacrum_contacts(&v, &[], rate, &SacrumOptions::default()).unwrap();
        for (ic, _) in &c2 {
            let k = (ic / step).round();
            assert!((ic - k * step).abs() < 0.004, "IC {ic}");
        }
    }

    /// A baseline that drifts by 1.5 g over the recording (a strap that slips, a sensor whose
    /// tilt changes on a long outdoor run): late in the trial the flights read more than the
    /// whole trial's 30 % level. Levels from the 2 s around each sample keep every step apart;
    /// ICs at the stance starts, by construction.
    #[test]
    fn a_drifting_baseline_keeps_every_step() {
        let (step, contact, rate, secs) = (0.34, 0.22, 500.0, 8.0);
        let (mut v, ap) = sacrum(step, contact, rate, secs);
        let n = v.len();
        for (i, x) in v.iter_mut().enumerate() {
            *x += 1.5 * i as f64 / n as f64;
        }
        let c = sacrum_contacts(&v, &ap, rate, &SacrumOptions::default()).unwrap();
        let expected = (secs / step) as usize - 2;
        assert!(
            c.len() >= expected,
            "{} contacts of {expected}: {c:?}",
            c.len()
        );
        for (ic, _) in &c {
            let k = (ic / step).round();
            assert!((ic - k * step).abs() < 0.004, "IC {ic}");
        }
    }

    /// No flight: each foot's stance (a half sine, as above) lasts 1.15 steps, so the trunk's
    /// vertical signal, the sum of the two, never returns to free fall. One contact per step
    /// still comes out, IC at each stance start (from the AP braking), each contact shorter
    /// than 1.2 steps.
    #[test]
    fn grounded_running_gives_one_contact_per_step() {
        let (step, contact, rate) = (0.36, 0.414, 500.0);
        let n = (8.0 * rate) as usize;
        let mut v = vec![0.0; n];
        let mut ap = vec![0.0; n];
        for (i, (vi, ai)) in v.iter_mut().zip(ap.iter_mut()).enumerate() {
            let t = i as f64 / rate;
            // this step's stance and the previous one's, still loaded
            for ph in [t % step, t % step + step] {
                if ph < contact {
                    *vi += 2.2 * (std::f64::consts::PI * ph / contact).sin();
                    *ai += -1.5 * (2.0 * std::f64::consts::PI * ph / contact).sin();
                }
            }
        }
        let c = sacrum_contacts(&v, &ap, rate, &SacrumOptions::default()).unwrap();
        assert!(c.len() >= 18, "{} contacts: {c:?}", c.len());
        for (ic, to) in &c {
            let k = (ic / step).round();
            assert!((ic - k * step).abs() < 0.010, "IC {ic}");
            assert!(
                to - ic > 0.5 * step && to - ic < 1.2 * step,
                "contact {ic}..{to}"
            );
        }
    }

    #[test]
    fn step_frequency_from_autocorrelation() {
        let (step, rate) = (0.3371, 500.0);
        let (v, _) = sacrum(step, 0.22, rate, 5.0);
        let f = step_frequency_hz(&v, rate).unwrap();
        assert!((f * step - 1.0).abs() < 0.002, "{f}");
        assert!(step_frequency_hz(&vec![1.0; 3000], rate).is_none());
        assert!(step_frequency_hz(&v[..100], rate).is_none());
    }

    #[test]
    fn flat_or_short_sacrum_signals_are_errors() {
        assert!(sacrum_contacts(&vec![1.0; 1000], &[], 500.0, &SacrumOptions::default()).is_err());
        assert!(sacrum_contacts(&[1.0; 10], &[], 500.0, &SacrumOptions::default()).is_err());
        let (v, ap) = sacrum(0.34, 0.22, 500.0, 3.0);
        assert!(sacrum_contacts(&v, &ap[..10], 500.0, &SacrumOptions::default()).is_err());
    }
}
