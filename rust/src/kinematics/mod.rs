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
mod markers;
mod poses;

use crate::model::{Pose, SegmentKind, Side, M3};
pub use crosstalk::{knee_crosstalk, KneeCrosstalk};
pub use markers::{from_landmarks, from_markers, joint_centre_gaps, JOINT_GAP_LEVEL_MM};
pub use poses::from_rotations;

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

/// An angle column, so code that reads one names it and cannot misspell it:
/// `angle.index()` is its position in [`COLUMNS`] (a test checks that every variant's name
/// is its column's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Angle {
    PelvisTilt,
    PelvisObliquity,
    PelvisRotation,
    HipFlexion,
    HipAdduction,
    HipRotation,
    KneeFlexion,
    KneeAdduction,
    KneeRotation,
    AnkleDorsiflexion,
    AnkleInversion,
    AnkleRotation,
    ShankAngle,
    FootAngle,
    TrunkFlexion,
    TrunkLateralFlexion,
    TrunkRotation,
}

impl Angle {
    /// Every angle, in column order.
    pub const ALL: [Self; 17] = [
        Self::PelvisTilt,
        Self::PelvisObliquity,
        Self::PelvisRotation,
        Self::HipFlexion,
        Self::HipAdduction,
        Self::HipRotation,
        Self::KneeFlexion,
        Self::KneeAdduction,
        Self::KneeRotation,
        Self::AnkleDorsiflexion,
        Self::AnkleInversion,
        Self::AnkleRotation,
        Self::ShankAngle,
        Self::FootAngle,
        Self::TrunkFlexion,
        Self::TrunkLateralFlexion,
        Self::TrunkRotation,
    ];
    /// Its column in a frames × [`COLUMNS`] array.
    pub const fn index(self) -> usize {
        self as usize
    }
    /// Its column name (`knee_flexion_deg`).
    pub const fn name(self) -> &'static str {
        COLUMNS[self as usize]
    }
}

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

    /// Each variant is the column of its own name: `KneeFlexion` is `knee_flexion_deg`.
    #[test]
    fn angle_keys_name_their_columns() {
        for (i, a) in Angle::ALL.iter().enumerate() {
            assert_eq!(a.index(), i);
            let mut snake = String::new();
            for ch in format!("{a:?}").chars() {
                if ch.is_uppercase() && !snake.is_empty() {
                    snake.push('_');
                }
                snake.push(ch.to_ascii_lowercase());
            }
            assert_eq!(a.name(), format!("{snake}_deg"));
        }
    }
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
