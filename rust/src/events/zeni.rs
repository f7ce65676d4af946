//! Coordinate-based events of Zeni, Richards & Higginson (2008, Gait & Posture 27:710–714),
//! the published kinematic method for walking: initial contact where the heel is furthest
//! ahead of the pelvis along the direction of travel, toe-off where the toe is furthest behind
//! it. Zeni et al. report, against force plates in overground and treadmill walking, heel
//! strike within 16 ± 15 ms and toe-off within 9 ± 15 ms on average. It needs no floor level,
//! so it holds on a sloped or unlevelled capture volume (video markerless), but in running its
//! errors grow (the heel is furthest ahead during flight, before contact), so stridelab uses it
//! for walking only and keeps the touchdown detector ([`super::markers`]) for running.
//!
//! The direction of travel is the pelvis's horizontal velocity, averaged over 0.5 s (so turns
//! are followed); frames where the pelvis moves slower than 0.2 m/s (standing) give no event.

use super::{GaitEvent, Kind, Side, Source};
use crate::io::axes::{is_forefoot_label, is_heel_label, is_pelvis_label, side_of_label};
use crate::trial::Trial;

/// The pelvis's horizontal speed below which a frame counts as standing, m/s.
const STANDING_M_S: f64 = 0.2;
/// An extremum must be the largest within this many seconds each side: half the shortest
/// stride (0.4 s running) with margin, far less than a walking stride.
const EXTREMUM_HALF_WINDOW_S: f64 = 0.2;

fn mean_of(trial: &Trial, idx: &[usize], f: usize) -> Option<[f64; 3]> {
    let mut acc = [0.0; 3];
    let mut n = 0.0;
    for &i in idx {
        let p = trial.point(f, i);
        if p.iter().all(|v| v.is_finite()) {
            for k in 0..3 {
                acc[k] += p[k];
            }
            n += 1.0;
        }
    }
    (n > 0.0).then(|| acc.map(|v| v / n))
}

/// Unit horizontal direction of travel per frame (None where standing or unknown). On a
/// treadmill (the pelvis's median horizontal speed under the standing level) the belt's
/// direction, the canonical frame's +X (the readers put progression there), in every frame.
fn travel_direction(pelvis: &[Option<[f64; 3]>], rate_hz: f64) -> Vec<Option<[f64; 2]>> {
    let n = pelvis.len();
    let half = ((0.25 * rate_hz).round() as usize).max(1);
    let velocity = |f: usize| -> Option<[f64; 2]> {
        let a = f.saturating_sub(half);
        let b = (f + half).min(n - 1);
        let (pa, pb) = (pelvis[a]?, pelvis[b]?);
        let dt = (b - a) as f64 / rate_hz;
        (dt > 0.0).then(|| [(pb[0] - pa[0]) / dt, (pb[1] - pa[1]) / dt])
    };
    let speeds: Vec<f64> = (0..n)
        .filter_map(velocity)
        .map(|v| v[0].hypot(v[1]))
        .collect();
    if super::percentile(&speeds, 0.5).is_some_and(|s| s < STANDING_M_S) {
        return pelvis.iter().map(|p| p.map(|_| [1.0, 0.0])).collect();
    }
    (0..n)
        .map(|f| {
            let v = velocity(f)?;
            let speed = v[0].hypot(v[1]);
            (speed >= STANDING_M_S).then(|| [v[0] / speed, v[1] / speed])
        })
        .collect()
}

/// Frames where `x` has a strict local maximum over ±`half` frames, with the sub-frame time of
/// the parabola through the peak and its neighbours.
fn maxima(x: &[Option<f64>], half: usize, rate_hz: f64) -> Vec<f64> {
    let n = x.len();
    let mut out = Vec::new();
    for f in half..n.saturating_sub(half) {
        let Some(v) = x[f] else { continue };
        let window = &x[f - half..=f + half];
        if window.iter().any(Option::is_none) {
            continue;
        }
        let is_max = window
            .iter()
            .enumerate()
            .all(|(k, w)| k == half || w.is_some_and(|w| w < v || (w <= v && k > half)));
        if !is_max {
            continue;
        }
        let (a, c) = (x[f - 1].unwrap_or(v), x[f + 1].unwrap_or(v));
        out.push((f as f64 + super::parabolic_offset(a, v, c)) / rate_hz);
    }
    out
}

/// Zeni events of both feet, sorted by time, and the pelvis's rise in mid-contact
/// ([`vaulting_m`]); `Err` names what is missing.
pub fn trial_events(trial: &Trial) -> crate::error::Result<(Vec<GaitEvent>, Option<f64>)> {
    let rate = trial.point_rate_hz;
    if rate.is_nan() || rate <= 0.0 || trial.n_frames < 3 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::TooShort,
            "too few frames or no frame rate",
        ));
    }
    let pelvis_idx: Vec<usize> = (0..trial.marker_names.len())
        .filter(|&i| is_pelvis_label(&trial.marker_names[i]))
        .collect();
    if pelvis_idx.is_empty() {
        return Err(crate::error::Error::stage(
            crate::error::Reason::MissingMarkers,
            "Zeni's events need pelvis markers (ASIS, PSIS or sacrum)",
        ));
    }
    let pelvis: Vec<Option<[f64; 3]>> = (0..trial.n_frames)
        .map(|f| mean_of(trial, &pelvis_idx, f))
        .collect();
    let dir = travel_direction(&pelvis, rate);
    let half = ((EXTREMUM_HALF_WINDOW_S * rate).round() as usize).max(1);
    let mut out = Vec::new();
    for side in [Side::L, Side::R] {
        let of_side = |f: fn(&str) -> bool| -> Vec<usize> {
            (0..trial.marker_names.len())
                .filter(|&i| {
                    let n = &trial.marker_names[i];
                    f(n) && side_of_label(n) == Some(side.as_char())
                })
                .collect()
        };
        let (heel, forefoot) = (of_side(is_heel_label), of_side(is_forefoot_label));
        if heel.is_empty() || forefoot.is_empty() {
            return Err(crate::error::Error::stage(
                crate::error::Reason::MissingMarkers,
                format!(
                "Zeni's events need a heel and a toe marker on each foot; the {} foot lacks one",
                side.as_char()
            ),
            ));
        }
        // along travel, relative to the pelvis
        let ahead = |idx: &[usize]| -> Vec<Option<f64>> {
            (0..trial.n_frames)
                .map(|f| {
                    let (p, d, m) = (pelvis[f]?, dir[f]?, mean_of(trial, idx, f)?);
                    Some((m[0] - p[0]) * d[0] + (m[1] - p[1]) * d[1])
                })
                .collect()
        };
        // the toe: the forefoot marker furthest ahead of the heel on average
        let heel_ahead = ahead(&heel);
        let toe = forefoot
            .iter()
            .map(|&i| {
                let a = ahead(&[i]);
                let d: Vec<f64> = a
                    .iter()
                    .zip(&heel_ahead)
                    .filter_map(|(t, h)| Some(t.as_ref()? - h.as_ref()?))
                    .collect();
                let mean = d.iter().sum::<f64>() / d.len().max(1) as f64;
                (i, mean)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(forefoot[0], |(i, _)| i);
        let toe_behind: Vec<Option<f64>> = ahead(&[toe]).iter().map(|v| v.map(|v| -v)).collect();
        for (kind, signal) in [(Kind::Ic, &heel_ahead), (Kind::To, &toe_behind)] {
            for time_s in maxima(signal, half, rate) {
                // the heel is ahead of the pelvis at contact and the toe behind it at toe-off
                let f = (time_s * rate).round() as usize;
                if signal[f.min(trial.n_frames - 1)].is_some_and(|v| v > 0.0) {
                    out.push(GaitEvent {
                        side,
                        kind,
                        time_s,
                        source: Source::Markers,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    let vault = vaulting_m(&pelvis, &out, rate);
    Ok((out, vault))
}

/// Walking or running from the mechanics, not from event timing: in walking the body vaults
/// over a stiff stance leg, so the pelvis is higher in mid-contact than at contact and toe-off;
/// in running it bounces, lowest in mid-contact (Cavagna, Heglund & Taylor 1977, Am J Physiol
/// 233:R243). The median over contacts (IC → next TO of the same foot) of the pelvis height
/// halfway through, minus the mean of its heights at the two events, m: positive = walking.
/// Holds with Zeni's event errors (which make a running contact look longer, duty factor about
/// 0.55 on RBDS001 and RBDS032, so the duty factor of these events cannot tell the gaits apart).
pub fn vaulting_m(pelvis: &[Option<[f64; 3]>], events: &[GaitEvent], rate_hz: f64) -> Option<f64> {
    let height = |t: f64| -> Option<f64> {
        let f = (t * rate_hz).round();
        (f >= 0.0).then_some(())?;
        pelvis.get(f as usize).copied().flatten().map(|p| p[2])
    };
    let mut rises = Vec::new();
    for side in [Side::L, Side::R] {
        let seq: Vec<&GaitEvent> = events.iter().filter(|e| e.side == side).collect();
        for w in seq.windows(2) {
            if let [ic, to] = w {
                if ic.kind == Kind::Ic && to.kind == Kind::To {
                    let mid = 0.5 * (ic.time_s + to.time_s);
                    if let (Some(a), Some(m), Some(b)) =
                        (height(ic.time_s), height(mid), height(to.time_s))
                    {
                        rises.push(m - 0.5 * (a + b));
                    }
                }
            }
        }
    }
    super::percentile(&rises, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A walker built by construction: the pelvis moves at 1.2 m/s; each foot stands still on
    /// the floor in stance (contact and toe-off known exactly) and swings forward with a smooth
    /// start and stop, so — as in real walking — the heel's lead on the pelvis peaks a little
    /// before contact, and the toe's lag a little after toe-off: the method's own error.
    fn walker(rate: f64, direction: f64) -> (Trial, Vec<(Side, Kind, f64)>) {
        let (speed, stride, duty, step) = (1.2_f64, 1.1_f64, 0.62_f64, 1.32_f64);
        let n = (6.0 * rate) as usize;
        let names: Vec<String> = ["L.ASIS", "R.ASIS", "L.Heel", "L.Toe", "R.Heel", "R.Toe"]
            .map(String::from)
            .to_vec();
        let (c, s) = (direction.cos(), direction.sin());
        let mut points = Vec::new();
        let mut truth = Vec::new();
        // foot position along travel at time t for a foot whose contacts start at `phase`
        let foot = |t: f64, phase: f64| -> f64 {
            let k = ((t - phase) / stride).floor();
            let u = (t - phase) - k * stride; // time since this cycle's contact
            let base = speed * (phase + k * stride) + 0.5 * step * 0.5;
            if u < duty * stride {
                base
            } else {
                // swing: smooth from base to base + step
                let w = (u - duty * stride) / ((1.0 - duty) * stride);
                base + step * (0.5 - 0.5 * (std::f64::consts::PI * w).cos())
            }
        };
        for f in 0..n {
            let t = f as f64 / rate;
            let px = speed * t;
            let mut row = Vec::new();
            for (i, y) in [(0, 0.12), (1, -0.12)] {
                let _ = i;
                row.push([px, y, 1.0]);
            }
            for (phase, y) in [(0.0, 0.1), (0.5 * stride, -0.1)] {
                let x = foot(t, phase);
                row.push([x - 0.05, y, 0.05]); // heel
                row.push([x + 0.20, y, 0.03]); // toe
            }
            for p in row {
                points.extend([p[0] * c - p[1] * s, p[0] * s + p[1] * c, p[2]]);
            }
        }
        for (side, phase) in [(Side::L, 0.0), (Side::R, 0.5 * stride)] {
            let mut k = 0.0;
            while phase + k * stride < 6.0 {
                truth.push((side, Kind::Ic, phase + k * stride));
                truth.push((side, Kind::To, phase + k * stride + duty * stride));
                k += 1.0;
            }
        }
        (Trial::from_points("w".into(), rate, names, points), truth)
    }

    /// Every event within 40 ms of the construction's nearest event of its side and kind: the
    /// order of Zeni et al.'s errors against force (16 ± 15 ms).
    fn assert_within_40_ms(found: &[GaitEvent], truth: &[(Side, Kind, f64)]) {
        for e in found {
            let nearest = truth
                .iter()
                .filter(|(s, k, _)| *s == e.side && *k == e.kind)
                .map(|(_, _, t)| (t - e.time_s).abs())
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest < 0.040,
                "{:?} {:?} at {} off by {nearest}",
                e.side,
                e.kind,
                e.time_s
            );
        }
    }

    #[test]
    fn walker_by_construction_in_any_direction() {
        for (rate, direction) in [(60.0, 0.0), (100.0, 2.5), (120.0, -1.0)] {
            let (trial, truth) = walker(rate, direction);
            let (found, vault) = trial_events(&trial).unwrap();
            assert!(found.len() >= 14, "{} events at {rate} Hz", found.len());
            // this walker's pelvis is level: no vault either way
            assert!(vault.unwrap().abs() < 1e-9);
            assert_within_40_ms(&found, &truth);
        }
    }

    #[test]
    fn treadmill_walker_uses_the_belt_direction() {
        // the same walker seen from the belt: every point moves back at the walking speed
        let rate = 100.0;
        let (mut trial, truth) = walker(rate, 0.0);
        let nm = trial.marker_names.len();
        for f in 0..trial.n_frames {
            for m in 0..nm {
                trial.points[(f * nm + m) * 3] -= 1.2 * f as f64 / rate;
            }
        }
        let (found, _) = trial_events(&trial).unwrap();
        assert!(found.len() >= 14);
        assert_within_40_ms(&found, &truth);
    }

    #[test]
    fn no_pelvis_is_an_error() {
        let t = Trial::from_points("x".into(), 100.0, vec!["L.Heel".into()], vec![0.0; 30]);
        let e = trial_events(&t).unwrap_err();
        assert!(e.to_string().contains("pelvis"));
        assert_eq!(e.code(), "missing_markers");
    }
}
