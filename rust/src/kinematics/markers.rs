//! Kinematics from markers: a model calibrated on a static trial and tracked by its clusters, or
//! segments built in every frame from tracked landmarks (OpenCap), with the joint-centre checks.

use super::{angles, Kinematics, Pose, PoseSet, SegmentKind, Side, SideAngles};

/// Median distance (mm) over frames between the knee (and hip, ankle) centre as carried by the
/// proximal and by the distal segment: (joint label, distance), for every joint both carry.
pub fn joint_centre_gaps(model: &crate::model::Model, poses: &[Vec<Pose>]) -> Vec<(String, f64)> {
    let find = |kind: SegmentKind, side: Option<Side>| {
        model
            .segments
            .iter()
            .position(|s| s.kind == kind && s.side == side)
    };
    let mut out = Vec::new();
    for side in [Side::L, Side::R] {
        let c = side.as_char();
        let pairs = [
            (
                SegmentKind::Pelvis,
                None,
                format!("{c}_hjc"),
                SegmentKind::Thigh,
                "hjc",
            ),
            (
                SegmentKind::Thigh,
                Some(side),
                "kjc".to_string(),
                SegmentKind::Shank,
                "kjc",
            ),
            (
                SegmentKind::Shank,
                Some(side),
                "ajc".to_string(),
                SegmentKind::Foot,
                "ajc",
            ),
        ];
        for (ka, sa, la, kb, lb) in pairs {
            let (Some(i), Some(j)) = (find(ka, sa), find(kb, Some(side))) else {
                continue;
            };
            let get = |k: usize, name: &str| {
                model.segments[k]
                    .landmarks
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, l)| *l)
            };
            let (Some(pa), Some(pb)) = (get(i, &la), get(j, lb)) else {
                continue;
            };
            let mut d: Vec<f64> = poses[i]
                .iter()
                .zip(&poses[j])
                .filter(|(p, q)| p.is_valid() && q.is_valid())
                .map(|(p, q)| (p.to_lab(&pa) - q.to_lab(&pb)).norm() * 1000.0)
                .collect();
            if d.is_empty() {
                continue;
            }
            d.sort_by(f64::total_cmp);
            out.push((format!("{c}_{lb}"), d[d.len() / 2]));
        }
    }
    out
}

/// Median distance between a knee or ankle centre's two carriers above which the static trial
/// is questioned, mm. Measured with each runner's own static: 4–15 mm (RBDS001 at two speeds,
/// RBDS032, RIC); with the other RBDS runner's static: 11–32 mm, above 20 on at least one joint
/// (and the pelvis cluster non-rigid in every frame). Hip centres are left out: thigh soft
/// tissue moves them 13–25 mm apart with the right static.
pub const JOINT_GAP_LEVEL_MM: f64 = 20.0;

/// Mean of each angle column over the frames where it is defined.
pub(super) fn mean_angles(side: &SideAngles) -> [f64; 17] {
    let mut out = [f64::NAN; 17];
    for (j, o) in out.iter_mut().enumerate() {
        let v: Vec<f64> = side
            .values
            .iter()
            .map(|r| r[j])
            .filter(|x| x.is_finite())
            .collect();
        if !v.is_empty() {
            *o = v.iter().sum::<f64>() / v.len() as f64;
        }
    }
    out
}

/// Calibrates on `static_trial`, fixes labels swapped relative to it (when `fix_swaps`), tracks
/// `trial` and computes all angles.
pub fn from_markers(
    static_trial: &crate::trial::Trial,
    trial: &crate::trial::Trial,
    preset: crate::model::Preset,
    options: crate::model::ModelOptions,
    fix_swaps: bool,
) -> crate::error::Result<Kinematics> {
    use crate::model::{calibrate, qa};
    let model = calibrate(static_trial, preset, options)?;
    let mut notes = model.notes.clone();
    if let Some(r) = qa::unit_mismatch(&model, trial) {
        return Err(crate::error::Error::stage(crate::error::Reason::Calibration, format!(
            "marker clusters are {r:.3} times their static size: the static and dynamic trials disagree on units"
        )));
    }
    let swaps = qa::detect_swaps(&model, trial);
    let mut fixed;
    let trial = if fix_swaps && !swaps.is_empty() {
        // only the markers are needed from here on: copy them, not the analog data
        fixed = crate::trial::Trial::from_points(
            trial.path.clone(),
            trial.point_rate_hz,
            trial.marker_names.clone(),
            trial.points.clone(),
        );
        qa::apply_swaps(&mut fixed, &swaps);
        for s in &swaps {
            notes.push(format!(
                "labels {} and {} are swapped relative to the static trial (cluster residual {:.1} → {:.1} mm): exchanged",
                s.a, s.b, s.residual_before_mm, s.residual_after_mm
            ));
        }
        &fixed
    } else {
        for s in &swaps {
            notes.push(format!(
                "labels {} and {} look swapped relative to the static trial; left as they are",
                s.a, s.b
            ));
        }
        trial
    };
    let static_angles = standing_angles(&model, static_trial);
    let (poses, rejected) =
        crate::model::track_checked(&model, trial, crate::model::MAX_CLUSTER_RMS_M);
    for (seg, n) in model.segments.iter().zip(&rejected) {
        if *n > 0 {
            notes.push(format!(
                "{}: {n} frame(s) where the cluster is not rigid (fit residual over {:.0} mm RMS) left NaN",
                seg.name,
                crate::model::MAX_CLUSTER_RMS_M * 1e3
            ));
        }
    }
    for (joint, dist_mm) in joint_centre_gaps(&model, &poses) {
        // the same joint centre carried by the two segments it joins: skin motion moves them a
        // centimetre or so apart; a static trial of another runner puts them further apart
        if dist_mm > JOINT_GAP_LEVEL_MM && !joint.ends_with("hjc") {
            notes.push(format!(
                "{joint}: the joint centre carried by the two segments is {dist_mm:.0} mm apart (median): is the static trial this runner's, from this session?"
            ));
        }
    }
    let set = PoseSet {
        kinds: model.segments.iter().map(|s| (s.kind, s.side)).collect(),
        proximal_frames: model.segments.iter().map(|s| s.proximal_frame).collect(),
        poses: &poses,
        n_frames: trial.n_frames,
    };
    let angles = angles(&set);
    let landmarks = tracked_landmarks(&model, &poses);
    Ok(Kinematics::new(
        angles,
        landmarks,
        swaps,
        notes,
        static_angles,
    ))
}

/// Angles from anatomical landmarks tracked in every frame (OpenCap's augmented `_study`
/// markers, Uhlrich et al. 2023): every frame's segment frames are built from that frame's own
/// landmarks by the preset's anatomical definitions — no static trial and no rigid cluster fit.
/// Such landmarks are predicted frame by frame and are not rigid (OpenCap's shank markers move
/// by more than 15 mm RMS against each other in most frames of a walk), so fitting a cluster
/// calibrated in one frame would reject or bend them. A frame whose landmarks are incomplete
/// gives NaN for the segments it cannot build. The options must not refer to a standing
/// posture (ISB shank, heel-to-toe foot): there is none.
pub fn from_landmarks(
    trial: &crate::trial::Trial,
    preset: crate::model::Preset,
    options: crate::model::ModelOptions,
) -> crate::error::Result<Kinematics> {
    use crate::model::{calibrate, preset::segments, track, Model};
    use rayon::prelude::*;
    let nm = trial.marker_names.len();
    if trial.n_frames == 0 || nm == 0 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::TooShort,
            "the trial has no marker frames",
        ));
    }
    let per_frame: Vec<Option<(Model, Vec<Pose>)>> = (0..trial.n_frames)
        .into_par_iter()
        .map(|f| {
            let one = crate::trial::Trial::from_points(
                trial.path.clone(),
                trial.point_rate_hz,
                trial.marker_names.clone(),
                trial.points[f * nm * 3..(f + 1) * nm * 3].to_vec(),
            );
            let model = calibrate(&one, preset, options).ok()?;
            let poses = track(&model, &one).into_iter().map(|p| p[0]).collect();
            Some((model, poses))
        })
        .collect();
    let built = per_frame.iter().filter(|m| m.is_some()).count();
    // the frame nearest the middle that calibrated names the landmarks and gives the notes
    let middle = trial.n_frames / 2;
    let reference = (0..trial.n_frames)
        .filter(|&f| per_frame[f].is_some())
        .min_by_key(|&f| f.abs_diff(middle))
        .and_then(|f| per_frame[f].as_ref().map(|(m, _)| m))
        .ok_or_else(|| {
            crate::error::Error::stage(
                crate::error::Reason::MissingMarkers,
                "no frame has the landmarks to build any segment",
            )
        })?;
    let defs = segments(preset);
    let mut poses = vec![vec![Pose::nan(); trial.n_frames]; defs.len()];
    for (f, entry) in per_frame.iter().enumerate() {
        let Some((model, frame_poses)) = entry else {
            continue;
        };
        for (seg, pose) in model.segments.iter().zip(frame_poses) {
            if let Some(d) = defs.iter().position(|d| d.name == seg.name) {
                poses[d][f] = *pose;
            }
        }
    }
    let set = PoseSet {
        kinds: defs.iter().map(|d| (d.kind, d.side)).collect(),
        proximal_frames: Vec::new(),
        poses: &poses,
        n_frames: trial.n_frames,
    };
    let angles = angles(&set);
    let mut landmarks: Vec<(String, Vec<[f64; 3]>)> = Vec::new();
    for seg in &reference.segments {
        let Some(d) = defs.iter().position(|d| d.name == seg.name) else {
            continue;
        };
        for (name, _) in &seg.landmarks {
            let label = match (seg.side, name.as_str()) {
                (_, "origin") => format!("{}_origin", seg.name),
                (Some(side), n) if !n.starts_with(['L', 'R']) => format!("{}_{n}", side.as_char()),
                (_, n) => n.to_string(),
            };
            if landmarks.iter().any(|(n, _)| *n == label) {
                continue;
            }
            let traj = (0..trial.n_frames)
                .map(|f| {
                    let local = per_frame[f].as_ref().and_then(|(m, _)| {
                        let s = m.segments.iter().find(|s| s.name == seg.name)?;
                        s.landmarks.iter().find(|(n, _)| n == name).map(|(_, p)| *p)
                    });
                    match local {
                        Some(p) if poses[d][f].is_valid() => {
                            let v = poses[d][f].to_lab(&p);
                            [v[0], v[1], v[2]]
                        }
                        _ => [f64::NAN; 3],
                    }
                })
                .collect();
            landmarks.push((label, traj));
        }
    }
    let mut notes = vec![format!(
        "segments built in every frame from that frame's anatomical landmarks (no static trial, no rigid cluster): {built} of {} frames",
        trial.n_frames
    )];
    notes.extend(reference.notes.iter().cloned());
    Ok(Kinematics::new(
        angles,
        landmarks,
        Vec::new(),
        notes,
        Vec::new(),
    ))
}

/// The static trial's mean angles per side: the standing posture the model measures.
fn standing_angles(
    model: &crate::model::Model,
    static_trial: &crate::trial::Trial,
) -> Vec<(Side, [f64; 17])> {
    let poses = crate::model::track(model, static_trial);
    let set = PoseSet {
        kinds: model.segments.iter().map(|s| (s.kind, s.side)).collect(),
        proximal_frames: model.segments.iter().map(|s| s.proximal_frame).collect(),
        poses: &poses,
        n_frames: static_trial.n_frames,
    };
    angles(&set)
        .iter()
        .map(|s| (s.side, mean_angles(s)))
        .collect()
}

/// Every segment's landmarks (origin, joint centres, heel, toe) in the lab, frame by frame,
/// named once (`L_kjc`, `pelvis_origin`…): a joint centre two segments carry comes from the
/// first.
fn tracked_landmarks(
    model: &crate::model::Model,
    poses: &[Vec<Pose>],
) -> Vec<(String, Vec<[f64; 3]>)> {
    let mut landmarks = Vec::new();
    for (seg, seg_poses) in model.segments.iter().zip(poses) {
        for (name, local) in &seg.landmarks {
            let label = match (seg.side, name.as_str()) {
                (_, "origin") => format!("{}_origin", seg.name),
                (Some(side), n) if !n.starts_with(['L', 'R']) => format!("{}_{n}", side.as_char()),
                (_, n) => n.to_string(),
            };
            if landmarks
                .iter()
                .any(|(n, _): &(String, Vec<[f64; 3]>)| *n == label)
            {
                continue;
            }
            let traj = seg_poses
                .iter()
                .map(|p| {
                    let v = p.to_lab(local);
                    [v[0], v[1], v[2]]
                })
                .collect();
            landmarks.push((label, traj));
        }
    }
    landmarks
}
