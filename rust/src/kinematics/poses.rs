//! Kinematics from 4×4 segment poses (Theia3D `ROTATION`), remapped to ISB axes.

use super::{angles, Kinematics, Pose, PoseSet, SegmentKind, Side, M3};

/// Angles straight from segment poses (Theia3D 4×4 matrices, Visual3D-style axes: X right,
/// Y anterior, Z up), remapped to ISB axes.
pub fn from_rotations(trial: &crate::trial::Trial) -> crate::error::Result<Kinematics> {
    let names: [(&str, SegmentKind, Option<Side>); 8] = [
        ("pelvis", SegmentKind::Pelvis, None),
        ("l_thigh", SegmentKind::Thigh, Some(Side::L)),
        ("r_thigh", SegmentKind::Thigh, Some(Side::R)),
        ("l_shank", SegmentKind::Shank, Some(Side::L)),
        ("r_shank", SegmentKind::Shank, Some(Side::R)),
        ("l_foot", SegmentKind::Foot, Some(Side::L)),
        ("r_foot", SegmentKind::Foot, Some(Side::R)),
        ("torso", SegmentKind::Trunk, None),
    ];
    let nr = trial.n_rotations();
    if nr == 0 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::NoPoses,
            "the trial has no segment poses (ROTATION group)",
        ));
    }
    // ISB X (anterior) = Theia Y, ISB Y (up) = Theia Z, ISB Z (right) = Theia X.
    let remap = M3::new(0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0);
    let frames = trial.rotations.len() / 16 / nr;
    let mut kinds = Vec::new();
    let mut poses = Vec::new();
    let mut landmarks: Vec<(String, Vec<[f64; 3]>)> = Vec::new();
    let mut notes = Vec::new();
    let raw = |prefix: &str| raw_poses(trial, prefix);
    for (prefix, kind, side) in names {
        let Some(seg) = raw(prefix) else {
            notes.push(format!("no {prefix} pose in the file"));
            continue;
        };
        let seg: Vec<Pose> = seg
            .into_iter()
            .map(|p| Pose {
                rot: p.rot * remap,
                origin: p.origin,
            })
            .collect();
        let label = match side {
            Some(s) => format!(
                "{}_{}_origin",
                s.as_char(),
                prefix.trim_start_matches(['l', 'r', '_'])
            ),
            None => format!("{prefix}_origin"),
        };
        landmarks.push((
            label,
            seg.iter()
                .map(|p| [p.origin[0], p.origin[1], p.origin[2]])
                .collect(),
        ));
        kinds.push((kind, side));
        poses.push(seg);
    }
    let aliases = joint_aliases(&landmarks);
    landmarks.extend(aliases);
    for side in [Side::L, Side::R] {
        landmarks.extend(heel_and_toe(trial, side));
    }
    let set = PoseSet {
        kinds,
        proximal_frames: Vec::new(),
        poses: &poses,
        n_frames: frames,
    };
    Ok(Kinematics::new(
        angles(&set),
        landmarks,
        Vec::new(),
        notes,
        Vec::new(),
    ))
}

/// A segment's poses as the file gives them (Theia axes), NaN where missing; None when the file
/// has no `{prefix}_4x4`.
fn raw_poses(trial: &crate::trial::Trial, prefix: &str) -> Option<Vec<Pose>> {
    use crate::model::V3;
    let nr = trial.n_rotations();
    let frames = trial.rotations.len() / 16 / nr.max(1);
    let i = trial
        .rotation_names
        .iter()
        .position(|n| n.to_ascii_lowercase() == format!("{prefix}_4x4"))?;
    Some(
        (0..frames)
            .map(|f| {
                let m = &trial.rotations[(f * nr + i) * 16..(f * nr + i) * 16 + 16];
                if m.iter().any(|v| !v.is_finite()) {
                    return Pose::nan();
                }
                Pose {
                    rot: M3::new(m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]),
                    origin: V3::new(m[3], m[7], m[11]),
                }
            })
            .collect(),
    )
}

/// Theia3D's segment origins are the proximal joint centres: thigh at the hip, shank at the
/// knee, foot at the ankle; named as the marker model names them (`L_hjc`…), for the metrics.
fn joint_aliases(landmarks: &[(String, Vec<[f64; 3]>)]) -> Vec<(String, Vec<[f64; 3]>)> {
    landmarks
        .iter()
        .filter_map(|(name, traj)| {
            let (c, rest) = name.split_once('_')?;
            let joint = match rest {
                "thigh_origin" => "hjc",
                "shank_origin" => "kjc",
                "foot_origin" => "ajc",
                _ => return None,
            };
            Some((format!("{c}_{joint}"), traj.clone()))
        })
        .collect()
}

/// Heel and toe of one foot: the toes segment's origin (the MTP joint, its median place in the
/// foot's frame) and a heel behind the ankle (`model::sole::heel_from_mtp`), carried by the
/// foot's raw pose (Z up). Empty without foot and toes poses.
fn heel_and_toe(trial: &crate::trial::Trial, side: Side) -> Vec<(String, Vec<[f64; 3]>)> {
    use crate::model::V3;
    let c = side.as_char();
    let lc = c.to_ascii_lowercase();
    let (Some(foot), Some(toes)) = (
        raw_poses(trial, &format!("{lc}_foot")),
        raw_poses(trial, &format!("{lc}_toes")),
    ) else {
        return Vec::new();
    };
    let mut rel: [Vec<f64>; 3] = Default::default();
    for (f, t) in foot.iter().zip(&toes) {
        if f.is_valid() && t.is_valid() {
            for (k, x) in f.to_local(&t.origin).iter().enumerate() {
                rel[k].push(*x);
            }
        }
    }
    let med = |v: &mut Vec<f64>| -> Option<f64> {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let (Some(x), Some(y), Some(z)) = (med(&mut rel[0]), med(&mut rel[1]), med(&mut rel[2])) else {
        return Vec::new();
    };
    let mtp = V3::new(x, y, z);
    let heel = crate::model::sole::heel_from_mtp(mtp, 2);
    let carry = |p: V3| -> Vec<[f64; 3]> { foot.iter().map(|f| f.to_lab(&p).into()).collect() };
    vec![
        (format!("{c}_heel"), carry(heel)),
        (format!("{c}_toe"), carry(mtp)),
    ]
}
