//! Events from an accelerometer on the shank or ankle without a gyroscope ("tibial
//! acceleration", the most common running wearable), after **Mercer, Devita, Derrick & Bates
//! (2003, Med Sci Sports Exerc 35:307)**, who followed Shorten & Winslow 1992 and Derrick et al. 1998: IC is the minimum of
//! the axial acceleration just before its impact peak, TO the minimum that follows the second
//! local maximum after that peak; the axial signal is low-passed at 15 Hz for picking, and the
//! impact peak of each stride (the largest peak, strides at least 0.5 s apart) is read from the
//! raw signal, which is also the **peak tibial acceleration**. A 74-runner comparison of
//! single-sensor methods (Kiernan et al. 2023, Sensors) measured this family of
//! axial-impact rules against force plates; its authors recommend the Purcell method (which
//! needs the sensor's anteroposterior axis) for the shank. The axial signal is the component
//! along the shank's long axis: the direction of gravity while the runner stands still at the
//! start or end of the recording (the quiet-standing reorientation of Bradach et al. 2023,
//! Sensors 23:6048), else the sensor's proximal axis as its axis map gives it.

/// The shortest stride, s: strides of distance running last 0.55–0.9 s.
const MIN_STRIDE_S: f64 = 0.5;
/// Pick-up low-pass of Mercer et al., Hz.
const PICK_LOWPASS_HZ: f64 = 15.0;

/// One stride's events from a tibial accelerometer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TibialStride {
    /// Initial contact, s.
    pub ic_s: f64,
    /// Toe-off, s (None for the last stride of the recording).
    pub to_s: Option<f64>,
    /// The impact peak of the raw axial signal (specific force, m/s², gravity included).
    pub peak_m_s2: f64,
    /// How clearly the impact peak stands out: 1 − (the stride's next-highest raw peak /
    /// the impact peak), 0–1. Near 0 the stride has two peaks of the same height and the
    /// impact may have been taken for the other (an impact under-sampled below ~200 Hz).
    pub margin: f64,
}

fn local_maxima(x: &[f64]) -> Vec<usize> {
    (1..x.len().saturating_sub(1))
        .filter(|&i| x[i] >= x[i - 1] && x[i] > x[i + 1])
        .collect()
}

/// Sub-sample time of a local minimum at `i` (parabola through it and its neighbours), s.
fn refined(x: &[f64], i: usize, rate_hz: f64) -> f64 {
    if i == 0 || i + 1 >= x.len() {
        return i as f64 / rate_hz;
    }
    (i as f64 + crate::events::parabolic_offset(x[i - 1], x[i], x[i + 1])) / rate_hz
}

/// Strides (IC, TO, peak) from the axial specific force of a shank or ankle accelerometer
/// (m/s², + toward the knee), sorted by time.
///
/// # Errors
/// A bad rate, under a second of data, non-finite samples, or no impact peaks.
pub fn tibial_events(axial: &[f64], rate_hz: f64) -> crate::error::Result<Vec<TibialStride>> {
    super::events::check_rate(rate_hz, axial.len())?;
    if axial.iter().any(|v| !v.is_finite()) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::MissingSamples,
            "the axial acceleration has missing samples",
        ));
    }
    let sos = crate::signal::butter_lowpass_sos(4, PICK_LOWPASS_HZ, rate_hz)?;
    let f = crate::signal::sosfiltfilt(&sos, axial);
    let distance = ((MIN_STRIDE_S * rate_hz).round() as usize).max(1);
    let mut peaks = crate::events::separated_peaks(axial, local_maxima(axial), distance);
    // impacts only: a stride's peak reaches at least half way from the signal's median to the
    // typical (90th percentile) impact; standing or walking about between runs has none
    let heights: Vec<f64> = peaks.iter().map(|&p| axial[p]).collect();
    if let (Some(mid), Some(top)) = (
        crate::events::percentile(axial, 0.5),
        crate::events::percentile(&heights, 0.9),
    ) {
        peaks.retain(|&p| axial[p] >= mid + 0.5 * (top - mid));
    }
    let filtered_peaks = local_maxima(&f);
    let raw_maxima = local_maxima(axial);
    if peaks.is_empty() || filtered_peaks.is_empty() {
        return Err(crate::error::Error::stage(
            crate::error::Reason::NoEvents,
            "no impact peaks in the axial acceleration",
        ));
    }
    let mut ics: Vec<(usize, usize, usize)> = Vec::new(); // (IC, filtered peak, raw peak)
    for &p in &peaks {
        let Some(&fp) = filtered_peaks.iter().min_by_key(|&&q| q.abs_diff(p)) else {
            continue;
        };
        // walk back from the filtered peak to where the signal stops falling backwards
        let mut k = fp;
        while k > 0 && f[k] > f[k - 1] {
            k -= 1;
        }
        // a walk that reaches the start found no minimum inside the recording
        if k > 0 {
            ics.push((k, fp, p));
        }
    }
    ics.dedup_by_key(|e| e.0);
    let mut out = Vec::with_capacity(ics.len());
    for (j, &(ic, fp, p)) in ics.iter().enumerate() {
        let to = ics.get(j + 1).and_then(|&(next, _, _)| {
            // the second local maximum after the impact (else the first), then on to the
            // minimum after it
            let maxima: Vec<usize> = local_maxima(&f[fp..next]).iter().map(|&m| m + fp).collect();
            let m = *maxima.get(1).or_else(|| maxima.first())?;
            let mut k = m;
            while k + 1 < next && f[k + 1] < f[k] {
                k += 1;
            }
            (k + 1 < next).then(|| refined(&f, k, rate_hz))
        });
        // the next-highest raw peak within half a stride either side of the impact
        let second = raw_maxima
            .iter()
            .filter(|&&q| q != p && q.abs_diff(p) < distance / 2)
            .map(|&q| axial[q])
            .fold(f64::NEG_INFINITY, f64::max);
        let margin = if second.is_finite() && axial[p] > 0.0 {
            (1.0 - second / axial[p]).clamp(0.0, 1.0)
        } else {
            1.0
        };
        out.push(TibialStride {
            ic_s: refined(&f, ic, rate_hz),
            to_s: to,
            peak_m_s2: axial[p],
            margin,
        });
    }
    if out.is_empty() {
        return Err(crate::error::Error::stage(
            crate::error::Reason::NoEvents,
            "no initial contact before any impact peak",
        ));
    }
    Ok(out)
}

/// The axial specific force of a shank or ankle sensor (segment frame, z proximal) and how its
/// axis was found: gravity in quiet standing when the recording has it, else the segment
/// frame's z (the axis map's proximal axis).
pub fn axial(acc: &[[f64; 3]], rate_hz: f64) -> (Vec<f64>, &'static str) {
    let (axis, how) = match quiet_gravity(acc, rate_hz) {
        Some(g) => (
            g,
            "long axis from gravity in quiet standing (Bradach et al. 2023)",
        ),
        None => (
            [0.0, 0.0, 1.0],
            "long axis = the axis map's proximal axis (no quiet standing)",
        ),
    };
    let x = acc
        .iter()
        .map(|a| a[0] * axis[0] + a[1] * axis[1] + a[2] * axis[2])
        .collect();
    (x, how)
}

/// The direction of gravity in the sensor frame while it is still: the mean of the longest
/// stretch of at least 1 s whose mean specific force is within 0.1 g of 1 g and whose standard
/// deviation on every axis is at most 0.05 g (sensor noise passes, running does not). None
/// without such a stretch.
pub fn quiet_gravity(acc: &[[f64; 3]], rate_hz: f64) -> Option<[f64; 3]> {
    let g = super::G;
    let n = acc.len();
    let win = (rate_hz.max(1.0)).round() as usize;
    if n < win || win == 0 {
        return None;
    }
    let quiet_at = |s: usize| -> Option<[f64; 3]> {
        let w = &acc[s..s + win];
        let mut mean = [0.0; 3];
        for a in w {
            if a.iter().any(|v| !v.is_finite()) {
                return None;
            }
            for k in 0..3 {
                mean[k] += a[k] / win as f64;
            }
        }
        let norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
        let still = (0..3).all(|k| {
            let var = w.iter().map(|a| (a[k] - mean[k]).powi(2)).sum::<f64>() / win as f64;
            var.sqrt() <= 0.05 * g
        });
        (still && (norm - g).abs() <= 0.1 * g).then_some(mean)
    };
    // longest run of quiet windows, stepping by a quarter window
    let step = (win / 4).max(1);
    let (mut best, mut best_len) = (None, 0usize);
    let (mut run_sum, mut run_len) = ([0.0; 3], 0usize);
    let mut s = 0;
    while s + win <= n {
        if let Some(m) = quiet_at(s) {
            for k in 0..3 {
                run_sum[k] += m[k];
            }
            run_len += 1;
            if run_len > best_len {
                best_len = run_len;
                best = Some(run_sum.map(|v| v / run_len as f64));
            }
        } else {
            run_sum = [0.0; 3];
            run_len = 0;
        }
        s += step;
    }
    let m = best?;
    let norm = m.iter().map(|v| v * v).sum::<f64>().sqrt();
    Some(m.map(|v| v / norm))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tibial signal built by construction: gravity along the shank, a swing, and at each
    /// contact (known times) a dip then an impact peak rising from it.
    fn shank(rate: f64, contacts: &[f64], stance_s: f64) -> Vec<f64> {
        let n = (contacts.last().unwrap() + 1.0) as usize * rate as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / rate;
                let mut a = 9.81;
                for &c in contacts {
                    let u = t - c;
                    // the impact: a peak 20 ms after contact, rising from contact
                    if (0.0..0.06).contains(&u) {
                        a += 60.0 * (std::f64::consts::PI * u / 0.04).sin().max(0.0);
                    }
                    // before contact the shank decelerates: the axial signal falls to its
                    // lowest at contact
                    if (-0.06..0.0).contains(&u) {
                        a -= 8.0 * (u + 0.06) / 0.06;
                    }
                    // push-off: a second bump, then the leg unloads at toe-off
                    if (0.08..stance_s).contains(&u) {
                        a += 6.0 * (std::f64::consts::PI * (u - 0.08) / (stance_s - 0.08)).sin();
                    }
                }
                a
            })
            .collect()
    }

    #[test]
    fn contacts_by_construction() {
        let contacts: Vec<f64> = (1..12).map(|k| 0.3 + 0.72 * f64::from(k)).collect();
        for rate in [200.0, 500.0, 1000.0] {
            let x = shank(rate, &contacts, 0.25);
            let found = tibial_events(&x, rate).unwrap();
            assert!(
                found.len() >= contacts.len() - 1,
                "{} at {rate} Hz",
                found.len()
            );
            for s in &found {
                let err = contacts
                    .iter()
                    .map(|c| s.ic_s - c)
                    .min_by(|a, b| a.abs().total_cmp(&b.abs()))
                    .unwrap();
                // the raw minimum is the contact; Mercer's 15 Hz picking moves it earlier
                // when the impact rises within 20 ms (measured −27 ms at every rate): the
                // method's own bias on a sharp impact, stated in docs/imu.md
                assert!(
                    (-0.032..=-0.020).contains(&err),
                    "IC off by {err} at {rate} Hz"
                );
                assert!(s.peak_m_s2 > 60.0);
                // a clear impact: the push-off bump is a quarter of it
                assert!(s.margin > 0.7, "margin {}", s.margin);
            }
        }
    }

    #[test]
    fn quiet_standing_gives_gravity() {
        let rate = 100.0;
        let tilt = 0.5_f64; // rad
        let mut acc = vec![[0.0, 9.80665 * tilt.cos(), 9.80665 * tilt.sin()]; 300];
        acc.extend((0..300).map(|i| [f64::from(i % 7) * 3.0, 20.0, -5.0]));
        let g = quiet_gravity(&acc, rate).unwrap();
        assert!((g[1] - tilt.cos()).abs() < 1e-9 && (g[2] - tilt.sin()).abs() < 1e-9);
        assert!(quiet_gravity(&acc[300..], rate).is_none());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(tibial_events(&[1.0; 50], 100.0).is_err());
        let mut x = vec![9.81; 500];
        x[10] = f64::NAN;
        assert!(tibial_events(&x, 100.0).unwrap_err().code() == "missing_samples");
    }
}
