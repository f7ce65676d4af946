//! Gait events: initial contact (IC) and toe-off (TO) per side.
//!
//! From force plates: the vertical force, low-passed, crosses a threshold (default 50 N) upward
//! at IC and downward at TO; crossing times are interpolated between samples. Contacts and
//! flights shorter than a minimum are merged away, so ±30 N sample jitter or a lab's zeroing
//! of force below 30 N cannot split a contact. On a plate under both feet (instrumented
//! treadmill) each contact is given to the foot nearest the centre of pressure.

pub mod force;
pub mod markers;
pub mod segment;
pub mod zeni;

pub use force::{contacts, ForceEventOptions};
pub use markers::{MarkerEventOptions, Touchdown};

/// The `p` quantile (0–1, nearest rank) of the finite values, or None when there are none.
pub(crate) fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[nearest_rank(v.len(), p)])
}

/// Index of the `p` quantile (0–1) among `len` sorted values, by nearest rank.
fn nearest_rank(len: usize, p: f64) -> usize {
    (((len - 1) as f64 * p).round() as usize).min(len - 1)
}

/// Of `candidates` (indices into `x`), the tallest first, keeping each only if it is at least
/// `distance` samples from every one kept (as MATLAB's `findpeaks(..., 'MinPeakDistance')`);
/// returned in time order.
pub(crate) fn separated_peaks(
    x: &[f64],
    mut candidates: Vec<usize>,
    distance: usize,
) -> Vec<usize> {
    candidates.sort_by(|&a, &b| x[b].total_cmp(&x[a]));
    let mut kept: Vec<usize> = Vec::new();
    for c in candidates {
        if kept.iter().all(|&k| k.abs_diff(c) >= distance) {
            kept.push(c);
        }
    }
    kept.sort_unstable();
    kept
}

/// Sub-sample offset (−0.5…0.5 samples) of the extremum of the parabola through three
/// consecutive samples `a`, `b` (the extremum sample), `c`.
pub(crate) fn parabolic_offset(a: f64, b: f64, c: f64) -> f64 {
    let d = a - 2.0 * b + c;
    if d.abs() > 1e-12 {
        (0.5 * (a - c) / d).clamp(-0.5, 0.5)
    } else {
        0.0
    }
}

/// The 5th and 95th percentiles of the finite values of `x` within `half` samples either side
/// of every `grid`-th sample (sample `i` is covered by entry `i / grid`), None where a window has
/// none: levels that follow a baseline drifting over a recording.
pub(crate) fn local_ranges(x: &[f64], half: usize, grid: usize) -> Vec<Option<(f64, f64)>> {
    let n = x.len();
    let mut buf: Vec<f64> = Vec::with_capacity(2 * half + 1);
    (0..n)
        .step_by(grid.max(1))
        .map(|i| {
            buf.clear();
            buf.extend(
                x[i.saturating_sub(half)..(i + half + 1).min(n)]
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite()),
            );
            if buf.is_empty() {
                return None;
            }
            // the quantiles of `percentile`, by selection rather than a full sort
            let (lo, hi) = (nearest_rank(buf.len(), 0.05), nearest_rank(buf.len(), 0.95));
            let (_, &mut top, _) = buf.select_nth_unstable_by(hi, f64::total_cmp);
            let (_, &mut bottom, _) = buf[..=hi].select_nth_unstable_by(lo, f64::total_cmp);
            Some((bottom, top))
        })
        .collect()
}

/// Time (s) at which `x` passes `level` between samples `i` and `i + 1`, interpolated.
pub(crate) fn crossing_time(x: &[f64], i: usize, level: f64, rate_hz: f64) -> f64 {
    let (a, b) = (x[i], x[i + 1]);
    let frac = if (b - a).abs() > 1e-12 {
        ((level - a) / (b - a)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (i as f64 + frac) / rate_hz
}

/// Which foot.
pub use crate::model::Side;

/// IC or TO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ic,
    To,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ic => "IC",
            Self::To => "TO",
        }
    }
}

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Force,
    Markers,
    File,
    Imu,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Force => "force",
            Self::Markers => "markers",
            Self::File => "file",
            Self::Imu => "imu",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaitEvent {
    pub side: Side,
    pub kind: Kind,
    /// Seconds from the first frame of the trial.
    pub time_s: f64,
    pub source: Source,
}

#[cfg(test)]
mod range_tests {
    use super::*;

    /// The selection gives what sorting each window gives, with NaN, ties and short windows.
    #[test]
    fn local_ranges_equal_sorted_percentiles() {
        let x: Vec<f64> = (0..500)
            .map(|i| {
                if i % 37 == 5 {
                    f64::NAN
                } else {
                    ((i * 7919 % 101) as f64 * 0.3).sin().round()
                }
            })
            .collect();
        for (half, grid) in [(0, 1), (3, 1), (40, 7), (600, 50)] {
            let got = local_ranges(&x, half, grid);
            for (k, i) in (0..x.len()).step_by(grid).enumerate() {
                let w = &x[i.saturating_sub(half)..(i + half + 1).min(x.len())];
                assert_eq!(got[k], percentile(w, 0.05).zip(percentile(w, 0.95)), "{i}");
            }
        }
    }
}
