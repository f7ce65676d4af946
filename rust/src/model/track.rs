//! Tracking a calibrated model through a dynamic trial, frame by frame, and rigid-body gap
//! filling from each segment's other cluster markers.

use super::{fit_gated, fit_pose, Model, Pose, Trial, M3, V3};

/// Poses of every model segment in every frame of `trial`; NaN where fewer than three of the
/// segment's tracking points are seen. A tracking point named `@segment/landmark` is a landmark
/// of a segment tracked earlier (Plug-in Gait tracks the thigh with the hip joint centre carried
/// by the pelvis, the shank with the knee centre carried by the thigh…). Result: segments × frames.
pub fn track(model: &Model, trial: &Trial) -> Vec<Vec<Pose>> {
    // One thread per trial: batches run trials in parallel, and a second level of threads
    // would only spin against them.
    track_chain(model, trial, f64::INFINITY).0
}

/// A segment's cluster whose best rigid fit leaves more than this RMS residual (m) in a frame is
/// not rigid there (a mislabelled, swapped or knocked marker): that frame's pose is NaN.
/// Skin-mounted clusters deform by a few millimetres in running (RBDS001: median 1.1 mm); a
/// marker on the wrong point moves the fit by tens of millimetres (41 mm in the RIC
/// example). 15 mm is about one marker diameter. Checked on RBDS001 (2 pelvis frames at
/// 3.5 m/s), RBDS032 (none) and the RIC trial (35 left-thigh frames, still 29 at 20 mm: a real
/// glitch); at 10 mm RBDS032's pelvis (iliac-crest markers on soft tissue) lost 119 frames.
pub const MAX_CLUSTER_RMS_M: f64 = 0.015;

/// [`track`], with every frame whose cluster fit leaves more than `max_rms_m` RMS residual set
/// to NaN; also returns, per segment, the number of frames so rejected.
pub fn track_checked(model: &Model, trial: &Trial, max_rms_m: f64) -> (Vec<Vec<Pose>>, Vec<usize>) {
    track_chain(model, trial, max_rms_m)
}

/// Tracks segments in order, so a segment may use landmarks of those before it.
pub(super) fn track_chain(
    model: &Model,
    trial: &Trial,
    max_rms_m: f64,
) -> (Vec<Vec<Pose>>, Vec<usize>) {
    let mut rejected = vec![0usize; model.segments.len()];
    let mut done: Vec<Vec<Pose>> = Vec::with_capacity(model.segments.len());
    for seg in &model.segments {
        enum Src {
            Marker(usize),
            Virtual(usize, V3),
            Missing,
        }
        let sources: Vec<(Src, V3)> = seg
            .tracking
            .iter()
            .map(|(name, local)| {
                let src = if let Some(rest) = name.strip_prefix('@') {
                    let (sname, lname) = rest.split_once('/').unwrap_or((rest, ""));
                    model.segments[..done.len()]
                        .iter()
                        .position(|s| s.name == sname)
                        .and_then(|k| {
                            model.segments[k]
                                .landmarks
                                .iter()
                                .find(|(n, _)| n == lname)
                                .map(|(_, l)| Src::Virtual(k, *l))
                        })
                        .unwrap_or(Src::Missing)
                } else {
                    trial.marker_index(name).map_or(Src::Missing, Src::Marker)
                };
                (src, *local)
            })
            .collect();
        // buffers reused frame to frame: no allocation in the loop
        let mut loc = Vec::with_capacity(sources.len());
        let mut lab = Vec::with_capacity(sources.len());
        let mut previous: Option<M3> = None;
        let poses: Vec<Pose> = (0..trial.n_frames)
            .map(|f| {
                loc.clear();
                lab.clear();
                for (src, local) in &sources {
                    let p = match src {
                        Src::Marker(i) => {
                            let p = trial.point(f, *i);
                            V3::new(p[0], p[1], p[2])
                        }
                        Src::Virtual(k, l) => done[*k][f].to_lab(l),
                        Src::Missing => continue,
                    };
                    if p.iter().all(|v| v.is_finite()) {
                        loc.push(*local);
                        lab.push(p);
                    }
                }
                // the previous frame's rotation starts the fit (a rotation extrapolated from
                // two frames would compound rounding errors frame after frame)
                let (pose, not_rigid) = fit_gated(&loc, &lab, previous.as_ref(), max_rms_m);
                if not_rigid {
                    rejected[done.len()] += 1;
                }
                previous = pose.is_valid().then_some(pose.rot);
                pose
            })
            .collect();
        done.push(poses);
    }
    (done, rejected)
}

/// A marker position filled from its segment's other markers.
#[derive(Debug, Clone, PartialEq)]
pub struct RigidFill {
    pub marker: String,
    pub segment: String,
    /// Frames filled (0-based).
    pub frames: Vec<usize>,
}

/// Fills every frame where a tracking marker is missing but three or more markers of its
/// segment are seen, from the rigid fit of the seen ones (its calibrated position carried by
/// the segment). Positions are written into `trial`; the report lists what was filled.
pub fn fill_rigid(model: &Model, trial: &mut Trial) -> Vec<RigidFill> {
    let nm = trial.n_markers();
    let mut report = Vec::new();
    for seg in &model.segments {
        let idx = seg.marker_indices(trial);
        let mut filled: Vec<Vec<usize>> = vec![Vec::new(); idx.len()];
        for f in 0..trial.n_frames {
            let seen: Vec<bool> = idx
                .iter()
                .map(|i| i.is_some_and(|i| trial.point(f, i).iter().all(|v| v.is_finite())))
                .collect();
            let n_seen = seen.iter().filter(|s| **s).count();
            if n_seen == idx.len() || n_seen < 3 {
                continue;
            }
            let (mut loc, mut lab) = (Vec::new(), Vec::new());
            for (k, i) in idx.iter().enumerate() {
                if let (true, Some(i)) = (seen[k], i) {
                    let p = trial.point(f, *i);
                    loc.push(seg.tracking[k].1);
                    lab.push(V3::new(p[0], p[1], p[2]));
                }
            }
            let Some(pose) = fit_pose(&loc, &lab) else {
                continue;
            };
            for (k, i) in idx.iter().enumerate() {
                if let (false, Some(i)) = (seen[k], i) {
                    let p = pose.to_lab(&seg.tracking[k].1);
                    let at = (f * nm + i) * 3;
                    trial.points[at..at + 3].copy_from_slice(&[p[0], p[1], p[2]]);
                    filled[k].push(f);
                }
            }
        }
        for (k, frames) in filled.into_iter().enumerate() {
            if !frames.is_empty() {
                report.push(RigidFill {
                    marker: seg.tracking[k].0.clone(),
                    segment: seg.name.clone(),
                    frames,
                });
            }
        }
    }
    report
}
