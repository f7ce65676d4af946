//! Joint and segment angles from segment poses.
//!
//! Joint angles are Cardan angles of the distal segment relative to the proximal one in the
//! sequence Z (flexion axis of the proximal segment), X (floating, ab/adduction), Y (long axis of
//! the distal segment), as Grood & Suntay and ISB recommend. Signs, stated once (design.md):
//! hip and knee flexion +, adduction +, internal rotation +; ankle dorsiflexion +, inversion +,
//! internal rotation (toe-in) +. Segment angles against the lab: pelvis anterior tilt +,
//! obliquity with that side up +, rotation with that side forward +; trunk forward lean +,
//! lateral lean toward that side +, rotation with that side forward +; shank angle + when the
//! ankle is ahead of the knee; foot angle + when the toes are up.

pub mod crosstalk;

use crate::model::{Pose, SegmentKind, Side, M3};
pub use crosstalk::{knee_crosstalk, KneeCrosstalk};

/// Columns of [`SideAngles::values`], in order. Units are degrees.
pub const COLUMNS: [&str; 17] = [
    "pelvis_tilt_deg",
    "pelvis_obliquity_deg",
    "pelvis_rotation_deg",
    "hip_flexion_deg",
    "hip_adduction_deg",
    "hip_rotation_deg",
    "knee_flexion_deg",
    "knee_adduction_deg",
    "knee_rotation_deg",
    "ankle_dorsiflexion_deg",
    "ankle_inversion_deg",
    "ankle_rotation_deg",
    "shank_angle_deg",
    "foot_angle_deg",
    "trunk_flexion_deg",
    "trunk_lateral_flexion_deg",
    "trunk_rotation_deg",
];

/// Angles of one side: frames × [`COLUMNS`].
#[derive(Debug, Clone, PartialEq)]
pub struct SideAngles {
    pub side: Side,
    pub values: Vec<[f64; 17]>,
}

/// Cardan Z-X-Y decomposition of a rotation: (about Z, about floating X, about Y), radians.
pub fn cardan_zxy(r: &M3) -> (f64, f64, f64) {
    let b = r[(2, 1)].clamp(-1.0, 1.0).asin();
    let a = (-r[(0, 1)]).atan2(r[(1, 1)]);
    let g = (-r[(2, 0)]).atan2(r[(2, 2)]);
    (a, b, g)
}

/// The lab expressed as an ISB segment (X forward, Y up, Z right) in canonical coordinates.
fn lab_isb() -> M3 {
    M3::new(1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0)
}

fn joint(prox: &Pose, dist: &Pose) -> Option<(f64, f64, f64)> {
    (prox.is_valid() && dist.is_valid()).then(|| cardan_zxy(&(prox.rot.transpose() * dist.rot)))
}

/// Poses per segment kind and side, as tracked (segments × frames).
pub struct PoseSet<'a> {
    pub kinds: Vec<(SegmentKind, Option<Side>)>,
    /// Per segment, the frame its proximal joint's angles use, in the segment's own frame
    /// (the knee-aligned proximal tibia); None, or a shorter list: the segment frame itself.
    pub proximal_frames: Vec<Option<M3>>,
    pub poses: &'a [Vec<Pose>],
    pub n_frames: usize,
}

impl PoseSet<'_> {
    fn get(&self, kind: SegmentKind, side: Option<Side>, f: usize) -> Option<&Pose> {
        let i = self.kinds.iter().position(|k| *k == (kind, side))?;
        self.poses.get(i)?.get(f)
    }
    /// The pose the proximal joint of a segment uses: the segment's, turned into its
    /// proximal frame where it has one.
    fn get_proximal(&self, kind: SegmentKind, side: Option<Side>, f: usize) -> Option<Pose> {
        let i = self.kinds.iter().position(|k| *k == (kind, side))?;
        let pose = *self.poses.get(i)?.get(f)?;
        Some(match self.proximal_frames.get(i).copied().flatten() {
            Some(off) => Pose {
                rot: pose.rot * off,
                origin: pose.origin,
            },
            None => pose,
        })
    }
}

/// All angles of both sides. A segment that cannot be tracked in a frame gives NaN for every
/// angle that needs it in that frame.
pub fn angles(set: &PoseSet<'_>) -> Vec<SideAngles> {
    let deg = f64::to_degrees;
    let lab = Pose {
        rot: lab_isb(),
        origin: crate::model::V3::zeros(),
    };
    [Side::L, Side::R]
        .into_iter()
        .map(|side| {
            let s = side.sign();
            let values = (0..set.n_frames)
                .map(|f| {
                    let mut row = [f64::NAN; 17];
                    let pelvis = set.get(SegmentKind::Pelvis, None, f);
                    let thigh = set.get(SegmentKind::Thigh, Some(side), f);
                    let shank = set.get(SegmentKind::Shank, Some(side), f);
                    let shank_knee = set.get_proximal(SegmentKind::Shank, Some(side), f);
                    let foot = set.get(SegmentKind::Foot, Some(side), f);
                    let trunk = set.get(SegmentKind::Trunk, None, f);
                    if let Some((a, b, g)) = pelvis.and_then(|p| joint(&lab, p)) {
                        row[0] = deg(-a);
                        row[1] = deg(-s * b);
                        row[2] = deg(s * g);
                    }
                    if let Some((a, b, g)) = pelvis.zip(thigh).and_then(|(p, d)| joint(p, d)) {
                        row[3] = deg(a);
                        row[4] = deg(s * b);
                        row[5] = deg(s * g);
                    }
                    if let Some((a, b, g)) = thigh
                        .zip(shank_knee.as_ref())
                        .and_then(|(p, d)| joint(p, d))
                    {
                        row[6] = deg(-a);
                        row[7] = deg(s * b);
                        row[8] = deg(s * g);
                    }
                    if let Some((a, b, g)) = shank.zip(foot).and_then(|(p, d)| joint(p, d)) {
                        row[9] = deg(a);
                        row[10] = deg(s * b);
                        row[11] = deg(s * g);
                    }
                    if let Some(p) = shank.filter(|p| p.is_valid()) {
                        let y = p.rot.column(1);
                        row[12] = deg((-y[0]).atan2(y[2]));
                    }
                    if let Some(p) = foot.filter(|p| p.is_valid()) {
                        row[13] = deg(p.rot[(2, 0)].clamp(-1.0, 1.0).asin());
                    }
                    if let Some((a, b, g)) = trunk.and_then(|p| joint(&lab, p)) {
                        row[14] = deg(-a);
                        row[15] = deg(s * b);
                        row[16] = deg(s * g);
                    }
                    row
                })
                .collect();
            SideAngles { side, values }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::V3;
    use nalgebra::Rotation3;

    fn rot(axis: V3, deg: f64) -> M3 {
        Rotation3::from_axis_angle(&nalgebra::Unit::new_normalize(axis), deg.to_radians())
            .into_inner()
    }

    #[test]
    fn cardan_round_trip() {
        let (z, x, y) = (V3::z(), V3::x(), V3::y());
        let r = rot(z, 30.0) * rot(x, -12.0) * rot(y, 7.0);
        let (a, b, g) = cardan_zxy(&r);
        assert!((a.to_degrees() - 30.0).abs() < 1e-9);
        assert!((b.to_degrees() + 12.0).abs() < 1e-9);
        assert!((g.to_degrees() - 7.0).abs() < 1e-9);
    }

    /// Builds poses for a standing model, bends joints by known amounts and checks the signs.
    #[test]
    fn sign_conventions_on_a_known_posture() {
        let lab = lab_isb();
        let pose = |r: M3| Pose {
            rot: r,
            origin: V3::zeros(),
        };
        // pelvis tipped forward 10° (anterior tilt): its X (anterior) rotates down about Z (right)
        let pelvis = lab * rot(V3::z(), -10.0);
        // right thigh flexed 30° and adducted 5° relative to the pelvis
        let r_thigh = pelvis * rot(V3::z(), 30.0) * rot(V3::x(), 5.0);
        // left thigh: adduction moves the knee to the right, i.e. negative about X
        let l_thigh = pelvis * rot(V3::z(), 30.0) * rot(V3::x(), -5.0);
        // knees flexed 40°: shank rotates backward about Z
        let r_shank = r_thigh * rot(V3::z(), -40.0);
        let l_shank = l_thigh * rot(V3::z(), -40.0);
        // right foot dorsiflexed 15° and inverted 4°
        let r_foot = r_shank * rot(V3::z(), 15.0) * rot(V3::x(), 4.0);
        let l_foot = l_shank * rot(V3::z(), 15.0) * rot(V3::x(), -4.0);
        let poses = vec![
            vec![pose(pelvis)],
            vec![pose(l_thigh)],
            vec![pose(r_thigh)],
            vec![pose(l_shank)],
            vec![pose(r_shank)],
            vec![pose(l_foot)],
            vec![pose(r_foot)],
        ];
        let set = PoseSet {
            kinds: vec![
                (SegmentKind::Pelvis, None),
                (SegmentKind::Thigh, Some(Side::L)),
                (SegmentKind::Thigh, Some(Side::R)),
                (SegmentKind::Shank, Some(Side::L)),
                (SegmentKind::Shank, Some(Side::R)),
                (SegmentKind::Foot, Some(Side::L)),
                (SegmentKind::Foot, Some(Side::R)),
            ],
            proximal_frames: Vec::new(),
            poses: &poses,
            n_frames: 1,
        };
        for side in angles(&set) {
            let v = side.values[0];
            let close = |i: usize, want: f64| {
                assert!(
                    (v[i] - want).abs() < 1e-9,
                    "{:?} {}: {} vs {want}",
                    side.side,
                    COLUMNS[i],
                    v[i]
                );
            };
            close(0, 10.0);
            close(3, 30.0);
            close(4, 5.0);
            close(6, 40.0);
            close(9, 15.0);
            close(10, 4.0);
            assert!(v[14].is_nan(), "no trunk segment → NaN");
        }
    }
}

/// Everything the kinematics stage produces for one dynamic trial.
#[derive(Debug, Clone)]
pub struct Kinematics {
    pub angles: Vec<SideAngles>,
    /// Landmark trajectories in the lab (name, frames × 3, m): joint centres, heel, toe,
    /// pelvis origin.
    pub landmarks: Vec<(String, Vec<[f64; 3]>)>,
    pub swaps: Vec<crate::model::qa::Swap>,
    pub notes: Vec<String>,
    /// Knee flexion–adduction crosstalk per side ([`crosstalk`]); absent where it cannot be
    /// measured (too few flexed frames).
    pub crosstalk: Vec<(Side, KneeCrosstalk)>,
    /// Mean angles of the static trial per side, as the model computes them (frames × columns
    /// averaged): what "zero" means for this runner. Empty for pose trials.
    pub static_angles: Vec<(Side, [f64; 17])>,
}

impl Kinematics {
    fn new(
        angles: Vec<SideAngles>,
        landmarks: Vec<(String, Vec<[f64; 3]>)>,
        swaps: Vec<crate::model::qa::Swap>,
        mut notes: Vec<String>,
        static_angles: Vec<(Side, [f64; 17])>,
    ) -> Self {
        let crosstalk: Vec<(Side, KneeCrosstalk)> = angles
            .iter()
            .filter_map(|s| {
                let flex: Vec<f64> = s.values.iter().map(|v| v[6]).collect();
                let add: Vec<f64> = s.values.iter().map(|v| v[7]).collect();
                knee_crosstalk(&flex, &add).map(|c| (s.side, c))
            })
            .collect();
        for (side, c) in &crosstalk {
            if c.flagged {
                notes.push(format!(
                    "{} knee: adduction follows flexion (r = {:.2}, flexion axis about {:.0}° off): kinematic crosstalk, check the knee markers {}",
                    side.as_char(),
                    c.r,
                    c.axis_misalignment_deg,
                    if static_angles.is_empty() {
                        "(epicondyles) of this trial"
                    } else {
                        "of the static trial"
                    }
                ));
            }
        }
        Self {
            angles,
            landmarks,
            swaps,
            notes,
            crosstalk,
            static_angles,
        }
    }
}

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
fn mean_angles(side: &SideAngles) -> [f64; 17] {
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
    use crate::model::{calibrate, qa, track};
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
    let static_angles = {
        let poses = track(&model, static_trial);
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
    };
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
    let mut landmarks = Vec::new();
    for (seg, seg_poses) in model.segments.iter().zip(&poses) {
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

/// Angles straight from segment poses (Theia3D 4×4 matrices, Visual3D-style axes: X right,
/// Y anterior, Z up), remapped to ISB axes.
pub fn from_rotations(trial: &crate::trial::Trial) -> crate::error::Result<Kinematics> {
    use crate::model::V3;
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
    // a segment's poses as the file gives them (Theia axes), NaN where missing
    let raw = |prefix: &str| -> Option<Vec<Pose>> {
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
    };
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
    // Theia3D's segment origins are the proximal joint centres: thigh at the hip, shank at the
    // knee, foot at the ankle; named as the marker model names them, for the metrics
    let aliases: Vec<(String, Vec<[f64; 3]>)> = landmarks
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
        .collect();
    landmarks.extend(aliases);
    // heel and toe of each foot: the toes segment's origin (the MTP joint) and a heel behind
    // the ankle (`model::sole::heel_from_mtp`), carried by the foot's raw pose (Z up)
    for side in [Side::L, Side::R] {
        let c = side.as_char();
        let lc = c.to_ascii_lowercase();
        let (Some(foot), Some(toes)) = (raw(&format!("{lc}_foot")), raw(&format!("{lc}_toes")))
        else {
            continue;
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
        let (Some(x), Some(y), Some(z)) = (med(&mut rel[0]), med(&mut rel[1]), med(&mut rel[2]))
        else {
            continue;
        };
        let mtp = V3::new(x, y, z);
        let heel = crate::model::sole::heel_from_mtp(mtp, 2);
        let carry = |p: V3| -> Vec<[f64; 3]> { foot.iter().map(|f| f.to_lab(&p).into()).collect() };
        landmarks.push((format!("{c}_heel"), carry(heel)));
        landmarks.push((format!("{c}_toe"), carry(mtp)));
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
