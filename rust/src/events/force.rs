//! Contacts from vertical ground reaction force.

use super::{GaitEvent, Kind, Side, Source};
use crate::signal::{butter_lowpass_sos, filtfilt_segments};
use crate::trial::{ForcePlate, Trial};

/// Settings of force-plate event detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForceEventOptions {
    /// Vertical force threshold, N.
    pub threshold_n: f64,
    /// Zero-lag low-pass applied before thresholding (second order), Hz; `None` for raw force.
    pub lowpass_hz: Option<f64>,
    /// Shorter contacts are dropped, s.
    pub min_contact_s: f64,
    /// Shorter flights are bridged (the two contacts become one), s.
    pub min_flight_s: f64,
}

impl Default for ForceEventOptions {
    fn default() -> Self {
        Self {
            threshold_n: 50.0,
            lowpass_hz: Some(30.0),
            min_contact_s: 0.08,
            min_flight_s: 0.03,
        }
    }
}

/// Contacts (IC time, TO time, s) in a vertical force signal sampled at `rate_hz`. Contacts cut
/// by the start or end of the recording are left out.
pub fn contacts(
    fz: &[f64],
    rate_hz: f64,
    opts: &ForceEventOptions,
) -> crate::error::Result<Vec<(f64, f64)>> {
    let mut f = fz.to_vec();
    // A plate that reads a few newtons (or tens) when nobody is on it would shift every
    // threshold crossing: its unloaded level, the median of the lowest tenth of samples, is
    // taken off when it is plausibly an offset (under 100 N) rather than a body standing on it.
    let offset = unloaded_level(&f);
    if offset.abs() > 1.0 && offset.abs() < 100.0 {
        for v in &mut f {
            *v -= offset;
        }
    }
    if let Some(fc) = opts.lowpass_hz {
        let sos = butter_lowpass_sos(2, fc, rate_hz)?;
        filtfilt_segments(&sos, &mut f);
    }
    let th = opts.threshold_n;
    // time at which the force passes the threshold between samples i-1 and i
    let cross = |i: usize| super::crossing_time(&f, i - 1, th, rate_hz);
    let mut raw = Vec::new();
    let mut start: Option<f64> = None;
    for i in 1..f.len() {
        let (a, b) = (f[i - 1], f[i]);
        if !(a.is_finite() && b.is_finite()) {
            start = None;
            continue;
        }
        if a < th && b >= th {
            start = Some(cross(i));
        } else if a >= th && b < th {
            if let Some(s) = start.take() {
                raw.push((s, cross(i)));
            }
        }
    }
    // bridge short flights, then drop short contacts
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for c in raw {
        match merged.last_mut() {
            Some(last) if c.0 - last.1 < opts.min_flight_s => last.1 = c.1,
            _ => merged.push(c),
        }
    }
    merged.retain(|c| c.1 - c.0 >= opts.min_contact_s);
    Ok(merged)
}

/// Median of the lowest tenth of the finite samples.
fn unloaded_level(f: &[f64]) -> f64 {
    let mut v: Vec<f64> = f.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 10 {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let tenth = &v[..v.len() / 10];
    tenth[tenth.len() / 2]
}

/// Foot markers per side: labels at the feet (heel, toe, metatarsals, foot clusters).
fn foot_markers(trial: &Trial) -> [Vec<usize>; 2] {
    let mut out = [Vec::new(), Vec::new()];
    for (i, name) in trial.marker_names.iter().enumerate() {
        if crate::io::axes::is_foot_label(name) {
            match crate::io::axes::side_of_label(name) {
                Some('L') => out[0].push(i),
                Some('R') => out[1].push(i),
                _ => {}
            }
        }
    }
    out
}

/// Mean horizontal position and height of markers `idx` over frames `f0..f1`.
fn mean_position(trial: &Trial, idx: &[usize], f0: usize, f1: usize) -> Option<[f64; 3]> {
    let mut acc = [0.0; 3];
    let mut n = 0usize;
    for f in f0..f1.min(trial.n_frames) {
        for &i in idx {
            let p = trial.point(f, i);
            if p.iter().all(|v| v.is_finite()) {
                for k in 0..3 {
                    acc[k] += p[k];
                }
                n += 1;
            }
        }
    }
    (n > 0).then(|| acc.map(|v| v / n as f64))
}

/// Events of one force plate: each contact goes to the foot whose markers are nearest the centre
/// of pressure in the middle half of the contact (or, without a centre of pressure, the lower
/// foot). Without foot markers the plate's contacts cannot be given a side: error.
pub fn plate_events(
    trial: &Trial,
    plate: &ForcePlate,
    opts: &ForceEventOptions,
) -> crate::error::Result<Vec<GaitEvent>> {
    let fz: Vec<f64> = plate.force_n.chunks_exact(3).map(|f| f[2]).collect();
    let found = contacts(&fz, plate.rate_hz, opts)?;
    let feet = foot_markers(trial);
    if feet[0].is_empty() || feet[1].is_empty() {
        return Err(crate::error::Error::stage(
            crate::error::Reason::MissingMarkers,
            "no left and right foot markers to tell which foot is on the plate",
        ));
    }
    let mut out = Vec::new();
    for (ic, to) in found {
        let (t0, t1) = (ic + 0.25 * (to - ic), ic + 0.75 * (to - ic));
        let (s0, s1) = (
            (t0 * plate.rate_hz).round() as usize,
            (t1 * plate.rate_hz).round() as usize + 1,
        );
        let mut cop = [0.0; 2];
        let mut n = 0usize;
        for s in s0..s1.min(plate.n_samples()) {
            let c = &plate.cop_m[s * 3..s * 3 + 3];
            if c[0].is_finite() && c[1].is_finite() {
                cop[0] += c[0];
                cop[1] += c[1];
                n += 1;
            }
        }
        let (f0, f1) = (
            (t0 * trial.point_rate_hz).round() as usize,
            (t1 * trial.point_rate_hz).round() as usize + 1,
        );
        let (Some(l), Some(r)) = (
            mean_position(trial, &feet[0], f0, f1),
            mean_position(trial, &feet[1], f0, f1),
        ) else {
            continue;
        };
        let side = if n > 0 {
            let c = [cop[0] / n as f64, cop[1] / n as f64];
            let d = |p: [f64; 3]| (p[0] - c[0]).hypot(p[1] - c[1]);
            if d(l) <= d(r) {
                Side::L
            } else {
                Side::R
            }
        } else if l[2] <= r[2] {
            Side::L
        } else {
            Side::R
        };
        out.push(GaitEvent {
            side,
            kind: Kind::Ic,
            time_s: ic,
            source: Source::Force,
        });
        out.push(GaitEvent {
            side,
            kind: Kind::To,
            time_s: to,
            source: Source::Force,
        });
    }
    Ok(out)
}

/// Events from every force plate of a trial, sorted by time.
pub fn trial_events(
    trial: &Trial,
    opts: &ForceEventOptions,
) -> crate::error::Result<Vec<GaitEvent>> {
    if trial.force_plates.is_empty() {
        return Err(crate::error::Error::stage(
            crate::error::Reason::NoForcePlate,
            "the trial has no force plate",
        ));
    }
    let mut out = Vec::new();
    for plate in &trial.force_plates {
        out.extend(plate_events(trial, plate, opts)?);
    }
    out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Half-sine contacts of known timing with jitter and zeroing below 30 N, as RBDS ships.
    #[test]
    fn finds_known_contacts_through_jitter_and_zeroing() {
        let rate = 300.0;
        let n = 3000;
        let mut fz = vec![0.0; n];
        let mut truth = Vec::new();
        let mut state: u64 = 7;
        for k in 0..12 {
            let ic = 0.2 + k as f64 * 0.38;
            let to = ic + 0.22;
            truth.push((ic, to));
            for (i, v) in fz.iter_mut().enumerate() {
                let t = i as f64 / rate;
                if t >= ic && t <= to {
                    *v = 1500.0 * (std::f64::consts::PI * (t - ic) / (to - ic)).sin();
                }
            }
        }
        for v in &mut fz {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *v += ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 60.0;
            if *v < 30.0 {
                *v = 0.0;
            }
        }
        let found = contacts(&fz, rate, &ForceEventOptions::default()).unwrap();
        assert_eq!(found.len(), truth.len());
        // the same with a plate that reads 40 N unloaded
        let offset: Vec<f64> = fz.iter().map(|v| v + 40.0).collect();
        let shifted = contacts(&offset, rate, &ForceEventOptions::default()).unwrap();
        assert_eq!(shifted.len(), truth.len());
        for (a, b) in shifted.iter().zip(&found) {
            assert!((a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
        }
        for ((ic, to), (tic, tto)) in found.iter().zip(&truth) {
            // 50 N on a 1500 N half-sine of 0.22 s is reached 2.3 ms after contact
            assert!((ic - tic).abs() < 0.006, "IC {ic} vs {tic}");
            assert!((to - tto).abs() < 0.006, "TO {to} vs {tto}");
        }
    }
}
