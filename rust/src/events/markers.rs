//! Initial contact and toe-off from foot markers alone, for rearfoot and forefoot strikers,
//! overground and on treadmills.
//!
//! 1. Stances, coarsely: the mean height of a foot's markers stays in the lowest quarter of its
//!    range (5th–95th percentile) for at least 50 ms; shorter dips are merged.
//! 2. Initial contact: each foot marker lands when it comes within 10 mm of its lowest height in
//!    that stance. The instant of touchdown is where the marker's fall is stopped: the minimum
//!    of its vertical velocity (most negative) in the 40 ms before to 7 ms after landing,
//!    refined to sub-frame time by a parabola. A marker counts only if it then really stops
//!    (|v| < 0.15 m/s within 8 mm of its lowest height within 25 ms); this rejects the heel of
//!    a forefoot striker, which hovers near its lowest height without stopping. IC is the
//!    earliest such touchdown among the foot's markers, so the forefoot decides for forefoot
//!    strikers and the heel for rearfoot strikers.
//! 3. Toe-off: each marker lifts when it rises 15 mm above its lowest height in the stance;
//!    TO is the last marker to lift (the forefoot, in every running style).
//!
//! Heights are relative to each stance's own minimum, so belt motion, marker placement and
//! shoe thickness cancel. Only stances complete inside the recording give events.
//! Positions are used unfiltered: filtering smooths the sharp stop at touchdown and moves the
//! velocity minimum earlier.

use super::{GaitEvent, Kind, Side, Source};
use crate::io::axes::{is_foot_label, is_forefoot_label, is_heel_label, side_of_label};
use crate::trial::Trial;

/// Tunable constants of the detector, with the values documented above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarkerEventOptions {
    pub stance_fraction: f64,
    pub min_stance_s: f64,
    pub merge_gap_s: f64,
    pub landing_m: f64,
    pub search_before_s: f64,
    pub search_after_s: f64,
    pub stop_speed_m_s: f64,
    pub stop_height_m: f64,
    pub stop_within_s: f64,
    pub lift_m: f64,
    /// Stances closer than this to either end of the trial give no events.
    pub edge_margin_s: f64,
}

impl Default for MarkerEventOptions {
    fn default() -> Self {
        Self {
            stance_fraction: 0.25,
            min_stance_s: 0.05,
            merge_gap_s: 0.05,
            landing_m: 0.010,
            search_before_s: 0.040,
            search_after_s: 0.007,
            stop_speed_m_s: 0.15,
            stop_height_m: 0.008,
            stop_within_s: 0.025,
            lift_m: 0.015,
            edge_margin_s: 0.1,
        }
    }
}

/// Events of one foot from the vertical positions of its markers (frames × markers, m).
pub fn foot_events(z: &[Vec<f64>], rate_hz: f64, opts: &MarkerEventOptions) -> Vec<(Kind, f64)> {
    let n = z.first().map_or(0, Vec::len);
    if n < 10 || z.is_empty() {
        return Vec::new();
    }
    let frames = |s: f64| (s * rate_hz).round().max(1.0) as usize;
    // 1. coarse stances from the mean marker height
    let mean: Vec<f64> = (0..n)
        .map(|f| {
            let seen: Vec<f64> = z.iter().map(|m| m[f]).filter(|v| v.is_finite()).collect();
            if seen.is_empty() {
                f64::NAN
            } else {
                seen.iter().sum::<f64>() / seen.len() as f64
            }
        })
        .collect();
    let (Some(lo), Some(hi)) = (
        super::percentile(&mean, 0.05),
        super::percentile(&mean, 0.95),
    ) else {
        return Vec::new();
    };
    let limit = lo + opts.stance_fraction * (hi - lo);
    let mut windows: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (f, v) in mean.iter().enumerate() {
        let low = v.is_finite() && *v < limit;
        match (low, start) {
            (true, None) => start = Some(f),
            (false, Some(s)) => {
                windows.push((s, f - 1));
                start = None;
            }
            _ => {}
        }
    }
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for w in windows {
        match merged.last_mut() {
            Some(last) if w.0 - last.1 < frames(opts.merge_gap_s) => last.1 = w.1,
            _ => merged.push(w),
        }
    }
    let margin = frames(opts.edge_margin_s);
    let vz: Vec<Vec<f64>> = z
        .iter()
        .map(|m| {
            (0..n)
                .map(|f| {
                    if f == 0 || f + 1 >= n {
                        f64::NAN
                    } else {
                        (m[f + 1] - m[f - 1]) * rate_hz / 2.0
                    }
                })
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (a, b) in merged {
        if b - a + 1 < frames(opts.min_stance_s) || a < margin || b + margin >= n {
            continue;
        }
        let from = a.saturating_sub(frames(0.1)).max(1);
        let to_end = (b + frames(0.1)).min(n - 2);
        let mut touchdowns = Vec::new();
        let mut lifts = Vec::new();
        for (m, vm) in z.iter().zip(&vz) {
            let Some(base) = m[a..=b]
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .min_by(f64::total_cmp)
            else {
                continue;
            };
            let h = |f: usize| m[f] - base;
            // 2. touchdown of this marker
            if let Some(land) = (from..=b).find(|&f| h(f) < opts.landing_m) {
                let lo_f = land.saturating_sub(frames(opts.search_before_s)).max(1);
                let hi_f = (land + frames(opts.search_after_s)).min(n - 2);
                let j = (lo_f..=hi_f)
                    .filter(|&f| vm[f].is_finite())
                    .min_by(|&x, &y| vm[x].total_cmp(&vm[y]));
                if let Some(j) = j {
                    let stops = (j..=(j + frames(opts.stop_within_s)).min(n - 2))
                        .any(|f| vm[f].abs() < opts.stop_speed_m_s && h(f) < opts.stop_height_m);
                    if stops {
                        let (y0, y1, y2) = (vm[j - 1], vm[j], vm[j + 1]);
                        let den = y0 - 2.0 * y1 + y2;
                        let off = if den > 0.0 && y0.is_finite() && y2.is_finite() {
                            (0.5 * (y0 - y2) / den).clamp(-0.5, 0.5)
                        } else {
                            0.0
                        };
                        touchdowns.push((j as f64 + off) / rate_hz);
                    }
                }
            }
            // 3. lift-off of this marker, after its lowest point in the stance
            let kmin = (a..=b)
                .filter(|&f| m[f].is_finite())
                .min_by(|&x, &y| m[x].total_cmp(&m[y]));
            if let Some(kmin) = kmin {
                for f in kmin + 1..=to_end {
                    let (h0, h1) = (h(f - 1), h(f));
                    if h0.is_finite() && h1.is_finite() && h1 > opts.lift_m && h0 <= opts.lift_m {
                        lifts.push((f as f64 - 1.0 + (opts.lift_m - h0) / (h1 - h0)) / rate_hz);
                        break;
                    }
                }
            }
        }
        if let Some(ic) = touchdowns.into_iter().min_by(f64::total_cmp) {
            out.push((Kind::Ic, ic));
        }
        if let Some(to) = lifts.into_iter().max_by(f64::total_cmp) {
            out.push((Kind::To, to));
        }
    }
    out
}

/// Marker events of both feet of a trial, sorted by time.
pub fn trial_events(trial: &Trial, opts: &MarkerEventOptions) -> Result<Vec<GaitEvent>, String> {
    let mut out = Vec::new();
    for side in [Side::L, Side::R] {
        let idx: Vec<usize> = trial
            .marker_names
            .iter()
            .enumerate()
            .filter(|(_, n)| is_foot_label(n) && side_of_label(n) == Some(side.as_char()))
            .map(|(i, _)| i)
            .collect();
        // Touchdown and lift-off are read from the points that touch the ground: a heel and a
        // forefoot marker are needed. A cluster on the shoe upper stops only at foot-flat.
        let has = |f: fn(&str) -> bool| idx.iter().any(|&i| f(&trial.marker_names[i]));
        if !has(is_heel_label) || !has(is_forefoot_label) {
            let found = if idx.is_empty() {
                "none".to_string()
            } else {
                idx.iter()
                    .map(|&i| trial.marker_names[i].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(format!(
                "marker-only events need a heel and a toe or metatarsal marker on each foot; the {} foot has {found}",
                side.as_char()
            ));
        }
        let z: Vec<Vec<f64>> = idx
            .iter()
            .map(|&i| (0..trial.n_frames).map(|f| trial.point(f, i)[2]).collect())
            .collect();
        for (kind, time_s) in foot_events(&z, trial.point_rate_hz, opts) {
            out.push(GaitEvent {
                side,
                kind,
                time_s,
                source: Source::Markers,
            });
        }
    }
    out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic rearfoot striker: the heel lands first at a known time and stops; the toe
    /// lands 40 ms later and lifts last. Sampled at 300 Hz. With a stop this sharp (5 ms) the
    /// velocity minimum falls on the last sample before touchdown and the parabola, which
    /// assumes a symmetric minimum, leads further: up to 5 ms early, the IC accuracy bar.
    #[test]
    fn rearfoot_touchdown_and_toe_lift_on_a_synthetic_foot() {
        let rate = 300.0;
        let n = 600;
        let (ic, to, period) = (0.300, 0.550, 0.75);
        let height = |t: f64, land: f64, lift: f64| -> f64 {
            // descends ever faster until `land` (0.8 m/s at touchdown), then the shoe
            // compresses 4 mm with a 5 ms time constant (velocity continuous at touchdown);
            // rises at 0.6 m/s after `lift`
            let tt = t.rem_euclid(period);
            let (l, r) = (land.rem_euclid(period), lift.rem_euclid(period));
            if tt < l {
                let x = (l - tt).min(0.2);
                0.8 * x - 2.0 * x * x
            } else if tt <= r {
                -0.004 * (1.0 - (-(tt - l) / 0.005).exp())
            } else {
                -0.004 + ((tt - r) * 0.6).min(0.15)
            }
        };
        let heel: Vec<f64> = (0..n)
            .map(|f| 0.03 + height(f as f64 / rate, ic, to - 0.12))
            .collect();
        let toe: Vec<f64> = (0..n)
            .map(|f| 0.02 + height(f as f64 / rate, ic + 0.04, to))
            .collect();
        let ev = foot_events(&[heel, toe], rate, &MarkerEventOptions::default());
        let ics: Vec<f64> = ev.iter().filter(|e| e.0 == Kind::Ic).map(|e| e.1).collect();
        let tos: Vec<f64> = ev.iter().filter(|e| e.0 == Kind::To).map(|e| e.1).collect();
        assert!(!ics.is_empty() && !tos.is_empty(), "{ev:?}");
        for t in ics {
            let err = (t - ic).rem_euclid(period).min((ic - t).rem_euclid(period));
            assert!(err < 0.005, "IC {t}");
        }
        // the toe rises 15 mm 25 ms after it leaves the floor
        for t in tos {
            let err = (t - (to + 0.025))
                .rem_euclid(period)
                .min(((to + 0.025) - t).rem_euclid(period));
            assert!(err < 0.002, "TO {t}");
        }
    }
}
