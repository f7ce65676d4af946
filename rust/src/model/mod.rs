//! Calibrated segment model: anatomical frames built from a static trial, tracked in dynamic
//! trials by least-squares rigid fits of each segment's cluster (Söderkvist & Wedin 1993).
//!
//! Segment frames follow ISB (Wu et al. 2002, 2005) in every segment: X anterior, Y superior
//! (distal → proximal along the long axis), Z to the runner's right, for left and right limbs
//! alike. Frames are stored as rotation matrices whose columns are X, Y, Z in the canonical lab
//! frame (x forward, y left, z up), with an origin in metres.

mod fit;
pub mod preset;
pub mod qa;
pub mod sole;
mod track;

use nalgebra::{Matrix3, Vector3};

use crate::trial::Trial;
pub use fit::{fit_gated, fit_pose, fit_pose_from};
pub use preset::{Preset, SegmentDef, SegmentKind, Side};
pub use track::{fill_rigid, track, track_checked, RigidFill, MAX_CLUSTER_RMS_M};

pub type V3 = Vector3<f64>;
pub type M3 = Matrix3<f64>;

/// A segment's pose in one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    pub rot: M3,
    pub origin: V3,
}

impl Pose {
    pub fn nan() -> Self {
        Self {
            rot: M3::from_element(f64::NAN),
            origin: V3::from_element(f64::NAN),
        }
    }
    pub fn is_valid(&self) -> bool {
        self.origin.iter().all(|v| v.is_finite())
    }
    /// A point given in this segment's frame, in the lab.
    pub fn to_lab(&self, local: &V3) -> V3 {
        self.rot * local + self.origin
    }
    /// A lab point in this segment's frame.
    pub fn to_local(&self, lab: &V3) -> V3 {
        self.rot.transpose() * (lab - self.origin)
    }
}

/// How the hip joint centre is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HipModel {
    /// Bell, Pedersen & Brand 1990: (−0.19, −0.30, ±0.36) × inter-ASIS width.
    Bell,
    /// Harrington et al. 2007: from pelvis width and depth.
    Harrington,
    /// A quarter of the inter-trochanter distance medial to each greater-trochanter marker
    /// (used with the RBDS and Running Injury Clinic static trials).
    #[default]
    Trochanter,
}

/// How the pelvis frame is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PelvisModel {
    /// ISB / CODA: origin mid-ASIS, Z through the ASISs, X in the ASIS–PSIS plane.
    AsisPsis,
    /// Visual3D's default pelvis segment: long axis from the mid hip joint centres to the mid
    /// iliac crests, Z through the hip centres (levelled to the lab without crest markers).
    #[default]
    HipsToCrests,
}

/// How the thigh's flexion axis is turned about the thigh's long axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KneeAxis {
    /// Through the femoral epicondyle markers: the ISB femur (Wu et al. 2002) and the knee
    /// joint coordinate system of Grood & Suntay (1983).
    #[default]
    Epicondyles,
    /// Parallel, in standing, to the shank's malleolar axis. Not a published definition: it
    /// turns the flexion axis by the runner's tibial torsion (15–30° in adults) and so adds
    /// knee adduction–flexion crosstalk; kept because it reproduces the RBDS lab's Visual3D
    /// output for RBDS001, whose own curves show that crosstalk (docs/kinematics.md).
    StaticNeutral,
}

/// Which medio-lateral axis the shank uses for the knee's angles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShankModel {
    /// ISB (Wu et al. 2002) tibia/fibula: medio-lateral axis through the malleoli for the knee
    /// and the ankle alike, so knee rotation carries the runner's tibial torsion.
    Malleoli,
    /// The proximal tibia of Grood & Suntay (1983) as Plug-in Gait builds it (the "untorsioned"
    /// tibia of Davis et al. 1991): for the knee's angles the shank frame is turned about its
    /// long axis so that its medio-lateral axis is the femoral epicondyle axis in standing;
    /// the ankle's angles keep the malleolar frame. Knee rotation then starts from zero in the
    /// static trial and tibial torsion stays out of it.
    #[default]
    KneeAligned,
}

/// How the foot's frame is oriented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FootModel {
    /// In standing the foot frame is the shank frame: ankle angles are zero in the static trial.
    ShankNeutral,
    /// In standing, Y is the lab vertical and X the floor projection of heel → second metatarsal
    /// head (or the mid metatarsal heads): a foot flat on the floor is at 0° (Visual3D's virtual
    /// foot). Falls back to `ShankNeutral` without heel and toe markers.
    #[default]
    LabNeutral,
    /// Anatomical: X along heel → second metatarsal head, Z through the metatarsal heads.
    HeelToToe,
}

/// Choices of the model; the defaults reproduce the RBDS lab's Visual3D output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelOptions {
    pub pelvis: PelvisModel,
    pub hip: HipModel,
    pub knee: KneeAxis,
    pub shank: ShankModel,
    pub foot: FootModel,
    /// Knee widths (left, right), m: Plug-in Gait without medial knee markers.
    pub knee_width_m: [Option<f64>; 2],
    /// Ankle widths (left, right), m: Plug-in Gait without medial malleolus markers.
    pub ankle_width_m: [Option<f64>; 2],
    /// Marker radius, m: the chord function measures from the marker's centre.
    pub marker_radius_m: f64,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            pelvis: PelvisModel::default(),
            hip: HipModel::default(),
            knee: KneeAxis::default(),
            shank: ShankModel::default(),
            foot: FootModel::default(),
            knee_width_m: [None; 2],
            ankle_width_m: [None; 2],
            marker_radius_m: 0.007,
        }
    }
}

/// One calibrated segment: its tracking markers and landmarks in its own frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub name: String,
    pub kind: SegmentKind,
    pub side: Option<Side>,
    /// (marker label, position in the segment frame, m)
    pub tracking: Vec<(String, V3)>,
    /// (landmark name, position in the segment frame, m): joint centres and anatomical points.
    pub landmarks: Vec<(String, V3)>,
    /// The frame the proximal joint's angles use, as a rotation in this segment's frame (the
    /// knee-aligned proximal tibia, [`ShankModel::KneeAligned`]); None: the segment frame.
    pub proximal_frame: Option<M3>,
}

/// The calibrated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub preset: Preset,
    pub options: ModelOptions,
    pub segments: Vec<Segment>,
    /// Things the calibration had to decide or could not do.
    pub notes: Vec<String>,
}

impl Segment {
    /// Index in `trial` of each tracking marker (None where the trial lacks it).
    pub fn marker_indices(&self, trial: &Trial) -> Vec<Option<usize>> {
        self.tracking
            .iter()
            .map(|(n, _)| trial.marker_index(n))
            .collect()
    }
}

impl Model {
    pub fn segment(&self, name: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.name == name)
    }
}

/// Mean position of a marker over the static trial's frames where it is seen.
pub fn static_mean(trial: &Trial, name: &str) -> Option<V3> {
    let m = trial.marker_index(name)?;
    let mut acc = V3::zeros();
    let mut n = 0usize;
    for f in 0..trial.n_frames {
        let p = trial.point(f, m);
        if p.iter().all(|v| v.is_finite()) {
            acc += V3::new(p[0], p[1], p[2]);
            n += 1;
        }
    }
    (n > 0).then(|| acc / n as f64)
}

/// A frame from an origin, a long axis (pointing proximal/superior) and a vector that points
/// roughly to the runner's right; X = Y × Z₀ (anterior), Z = X × Y.
pub fn frame_from_y_and_right(origin: V3, y: V3, right: V3) -> Option<Pose> {
    let y = y.try_normalize(1e-9)?;
    let x = y.cross(&right).try_normalize(1e-9)?;
    let z = x.cross(&y);
    Some(Pose {
        rot: M3::from_columns(&[x, y, z]),
        origin,
    })
}

/// Builds the model from a static trial with the given preset.
pub fn calibrate(
    static_trial: &Trial,
    preset: Preset,
    options: ModelOptions,
) -> crate::error::Result<Model> {
    preset::calibrate(static_trial, preset, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_started_fit_equals_the_svd_fit() {
        // a cluster turning and translating over frames, with noise: every frame's warm-started
        // rotation equals the SVD's, and collinear clusters are refused by both
        let local = [
            V3::new(0.1, 0.02, 0.0),
            V3::new(-0.05, 0.08, 0.01),
            V3::new(0.0, -0.07, 0.03),
            V3::new(0.02, 0.01, -0.06),
        ];
        let mut prev: Option<M3> = None;
        let mut seed = 12345u64;
        let mut noise = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2e-3
        };
        for f in 0..400 {
            let t = f as f64 / 100.0;
            let truth = nalgebra::Rotation3::from_euler_angles(2.0 * t, 0.7 * t.sin(), -1.3 * t);
            let lab: Vec<V3> = local
                .iter()
                .map(|p| truth * p + V3::new(t, 0.1, 1.0) + V3::new(noise(), noise(), noise()))
                .collect();
            let svd = fit_pose(&local, &lab).unwrap();
            let warm = fit_pose_from(&local, &lab, prev.as_ref()).unwrap();
            assert!((svd.rot - warm.rot).abs().max() < 1e-8, "frame {f}");
            assert!((svd.origin - warm.origin).abs().max() < 1e-8);
            prev = Some(warm.rot);
        }
        let collinear = [V3::zeros(), V3::new(1.0, 0.0, 0.0), V3::new(2.0, 0.0, 0.0)];
        assert!(fit_pose_from(&collinear, &collinear, Some(&M3::identity())).is_none());
        // a start far away (half a turn) still converges to the SVD answer
        let lab: Vec<V3> = local.iter().map(|p| p * 1.0).collect();
        let flipped = *nalgebra::Rotation3::from_euler_angles(3.0, 0.0, 0.0).matrix();
        let warm = fit_pose_from(&local, &lab, Some(&flipped)).unwrap();
        assert!((warm.rot - M3::identity()).abs().max() < 1e-8);
    }

    #[test]
    fn rigid_fit_recovers_a_known_pose() {
        let local = [
            V3::new(0.1, 0.0, 0.0),
            V3::new(0.0, 0.1, 0.0),
            V3::new(0.0, 0.0, 0.1),
            V3::new(0.05, 0.05, 0.02),
        ];
        let angle: f64 = 0.7;
        let rot = nalgebra::Rotation3::from_axis_angle(
            &nalgebra::Unit::new_normalize(V3::new(0.3, -0.5, 0.8)),
            angle,
        )
        .into_inner();
        let t = V3::new(1.0, -2.0, 0.5);
        let lab: Vec<V3> = local.iter().map(|p| rot * p + t).collect();
        let pose = fit_pose(&local, &lab).unwrap();
        assert!((pose.rot - rot).norm() < 1e-12);
        assert!((pose.origin - t).norm() < 1e-12);
        assert!(fit_pose(&local[..2], &lab[..2]).is_none());
        let collinear = [V3::zeros(), V3::new(0.1, 0.0, 0.0), V3::new(0.2, 0.0, 0.0)];
        assert!(fit_pose(&collinear, &collinear).is_none());
    }
}
