//! Label quality checks against the static trial: swapped labels within a segment's cluster,
//! and unit mistakes (a cluster whose size is off by a factor of 10 or 1000).

use super::{fit_pose, Model, Segment, V3};
use crate::trial::Trial;

/// Two labels whose markers are exchanged in the dynamic trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Swap {
    pub segment: String,
    pub a: String,
    pub b: String,
    /// Median rigid-fit residual of the segment before and after exchanging the two, mm.
    pub residual_before_mm: f64,
    pub residual_after_mm: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median over 30 sampled frames of the RMS distance (mm) between a cluster as calibrated
/// (`local`) and as seen (`seen(frame, k)`, the cluster's k-th marker in that frame, None where
/// missing), with markers `swap` exchanged.
fn residual_of(
    local: &[V3],
    n_frames: usize,
    seen: &dyn Fn(usize, usize) -> Option<V3>,
    swap: Option<(usize, usize)>,
) -> f64 {
    // 30 frames spread over the trial tell a swapped pair apart (residuals differ by tens of mm)
    let step = (n_frames / 30).max(1);
    let mut res = Vec::new();
    for f in (0..n_frames).step_by(step) {
        let mut loc = Vec::new();
        let mut lab = Vec::new();
        for (k, l) in local.iter().enumerate() {
            let src = match swap {
                Some((a, b)) if k == a => b,
                Some((a, b)) if k == b => a,
                _ => k,
            };
            if let Some(p) = seen(f, src) {
                loc.push(*l);
                lab.push(p);
            }
        }
        if let Some(pose) = fit_pose(&loc, &lab) {
            let ss: f64 = loc
                .iter()
                .zip(&lab)
                .map(|(l, d)| (pose.to_lab(l) - d).norm_squared())
                .sum();
            res.push((ss / loc.len() as f64).sqrt() * 1000.0);
        }
    }
    median(res)
}

/// The pair of a cluster's markers exchanged against its static shape, if any: (a, b, median
/// fit residual before and after exchanging them, mm). Exchanging them must cut the residual
/// below half, and below 5 mm.
pub fn cluster_swap(
    local: &[V3],
    n_frames: usize,
    seen: &dyn Fn(usize, usize) -> Option<V3>,
) -> Option<(usize, usize, f64, f64)> {
    let before = residual_of(local, n_frames, seen, None);
    if before.is_nan() || before <= 5.0 {
        return None;
    }
    let n = local.len();
    let mut best: Option<(usize, usize, f64)> = None;
    for a in 0..n {
        for b in a + 1..n {
            let after = residual_of(local, n_frames, seen, Some((a, b)));
            if after < before * 0.5 && after < 5.0 && best.is_none_or(|x| after < x.2) {
                best = Some((a, b, after));
            }
        }
    }
    best.map(|(a, b, after)| (a, b, before, after))
}

/// A segment's cluster markers in `trial`, as [`residual_of`] reads them.
fn seen_in<'a>(trial: &'a Trial, seg: &Segment) -> impl Fn(usize, usize) -> Option<V3> + 'a {
    let idx = seg.marker_indices(trial);
    move |f, k| {
        let p = trial.point(f, idx[k]?);
        p.iter()
            .all(|v| v.is_finite())
            .then(|| V3::new(p[0], p[1], p[2]))
    }
}

fn locals(seg: &Segment) -> Vec<V3> {
    seg.tracking.iter().map(|(_, l)| *l).collect()
}

/// Finds pairs of labels within a segment that are exchanged in `trial` relative to the static
/// calibration ([`cluster_swap`]).
pub fn detect_swaps(model: &Model, trial: &Trial) -> Vec<Swap> {
    model
        .segments
        .iter()
        .filter_map(|seg| {
            let (a, b, before, after) =
                cluster_swap(&locals(seg), trial.n_frames, &seen_in(trial, seg))?;
            Some(Swap {
                segment: seg.name.clone(),
                a: seg.tracking[a].0.clone(),
                b: seg.tracking[b].0.clone(),
                residual_before_mm: before,
                residual_after_mm: after,
            })
        })
        .collect()
}

/// Segments whose clusters do not keep their static shape in `trial`: (segment, median RMS fit
/// residual over 30 sampled frames, mm) for every segment above `level_mm`. Several of them at
/// once mean the static trial is not this runner's (or not this session's).
pub fn shape_mismatch(model: &Model, trial: &Trial, level_mm: f64) -> Vec<(String, f64)> {
    model
        .segments
        .iter()
        .filter(|seg| seg.tracking.iter().all(|(n, _)| !n.starts_with('@')))
        .map(|seg| {
            let r = residual_of(&locals(seg), trial.n_frames, &seen_in(trial, seg), None);
            (seg.name.clone(), r)
        })
        .filter(|(_, r)| r.is_finite() && *r > level_mm)
        .collect()
}

/// Exchanges the data of swapped labels in every frame.
pub fn apply_swaps(trial: &mut Trial, swaps: &[Swap]) {
    let nm = trial.n_markers();
    for s in swaps {
        let (Some(a), Some(b)) = (trial.marker_index(&s.a), trial.marker_index(&s.b)) else {
            continue;
        };
        for f in 0..trial.n_frames {
            for k in 0..3 {
                trial
                    .points
                    .swap((f * nm + a) * 3 + k, (f * nm + b) * 3 + k);
            }
        }
    }
}

/// Ratio of the dynamic to the static cluster size per segment, when it is off by about 10,
/// 100 or 1000: a sign of a unit mistake in one of the files.
pub fn unit_mismatch(model: &Model, trial: &Trial) -> Option<f64> {
    let mut ratios = Vec::new();
    for seg in &model.segments {
        let idx = seg.marker_indices(trial);
        for f in (0..trial.n_frames).step_by((trial.n_frames / 50).max(1)) {
            for (i, j) in [(0, 1), (1, 2), (0, 2)] {
                let (Some(Some(a)), Some(Some(b))) = (idx.get(i), idx.get(j)) else {
                    continue;
                };
                let (pa, pb) = (trial.point(f, *a), trial.point(f, *b));
                let d = V3::new(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]).norm();
                let s = (seg.tracking[i].1 - seg.tracking[j].1).norm();
                if d.is_finite() && s > 1e-6 {
                    ratios.push(d / s);
                }
            }
        }
    }
    let r = median(ratios);
    (r.is_finite() && !(0.5..=2.0).contains(&r)).then_some(r)
}
