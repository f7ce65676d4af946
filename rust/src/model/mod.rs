//! Calibrated segment model: anatomical frames built from a static trial, tracked in dynamic
//! trials by least-squares rigid fits of each segment's cluster (Söderkvist & Wedin 1993).
//!
//! Segment frames follow ISB (Wu et al. 2002, 2005) in every segment: X anterior, Y superior
//! (distal → proximal along the long axis), Z to the runner's right, for left and right limbs
//! alike. Frames are stored as rotation matrices whose columns are X, Y, Z in the canonical lab
//! frame (x forward, y left, z up), with an origin in metres.

pub mod preset;
pub mod qa;
pub mod sole;

use nalgebra::{Matrix3, Vector3};

use crate::trial::Trial;
pub use preset::{Preset, SegmentDef, SegmentKind, Side};

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

/// Centroids of both point sets and their cross-covariance Σ (lab − c_lab)(local − c_local)ᵀ;
/// None for fewer than three pairs.
fn cross_covariance(local: &[V3], lab: &[V3]) -> Option<(V3, V3, M3)> {
    if local.len() < 3 || local.len() != lab.len() {
        return None;
    }
    let n = local.len() as f64;
    let cl = local.iter().sum::<V3>() / n;
    let cd = lab.iter().sum::<V3>() / n;
    let mut h = M3::zeros();
    for (a, b) in local.iter().zip(lab) {
        h += (b - cd) * (a - cl).transpose();
    }
    Some((cl, cd, h))
}

/// Least-squares rigid fit (Söderkvist & Wedin 1993): the pose that maps `local` points onto
/// `lab` points; needs three or more pairs, not collinear.
pub fn fit_pose(local: &[V3], lab: &[V3]) -> Option<Pose> {
    let (cl, cd, h) = cross_covariance(local, lab)?;
    let svd = h.svd(true, true);
    let (u, v_t) = (svd.u?, svd.v_t?);
    // reject degenerate (collinear) clusters
    let s = svd.singular_values;
    if s[1] < 1e-10 * s[0].max(1e-300) {
        return None;
    }
    let d = (u * v_t).determinant().signum();
    let rot = u * M3::from_diagonal(&V3::new(1.0, 1.0, d)) * v_t;
    Some(Pose {
        rot,
        origin: cd - rot * cl,
    })
}

/// [`fit_pose`] started from a nearby rotation (the previous frame's): Newton's method on
/// tr(Rᵀ H) over the rotation group converges quadratically, in two or three steps, to the
/// rotation the SVD gives (tested to 1e-8 rad, far below what markers resolve); without a
/// start, or when a step fails, it is the SVD itself.
pub fn fit_pose_from(local: &[V3], lab: &[V3], start: Option<&M3>) -> Option<Pose> {
    let Some(start) = start.filter(|r| r.iter().all(|v| v.is_finite())) else {
        return fit_pose(local, lab);
    };
    let (cl, cd, h) = cross_covariance(local, lab)?;
    // rank below 2 (collinear points): the sum of squared 2x2 minors, s0²s1² + s0²s2² + s1²s2²,
    // against the SVD test s1 < 1e-10 s0
    let frob2 = h.norm_squared();
    let minors2 = {
        let c0 = h.column(1).cross(&h.column(2));
        let c1 = h.column(2).cross(&h.column(0));
        let c2 = h.column(0).cross(&h.column(1));
        c0.norm_squared() + c1.norm_squared() + c2.norm_squared()
    };
    if minors2 < 1e-20 * frob2 * frob2 {
        return None;
    }
    // Newton's method on f(R exp[w]) = tr((R exp[w])ᵀ H): gradient g = axial part of M = RᵀH,
    // Hessian tr(M) I − sym(M), positive definite near the maximum when rank(H) ≥ 2.
    let mut rot = *start;
    let mut converged = false;
    for _ in 0..12 {
        let m = rot.transpose() * h;
        let g = V3::new(
            m[(2, 1)] - m[(1, 2)],
            m[(0, 2)] - m[(2, 0)],
            m[(1, 0)] - m[(0, 1)],
        );
        let sym = (m + m.transpose()) * 0.5;
        let hess = M3::identity() * m.trace() - sym;
        // the Hessian is positive definite near the maximum; otherwise leave it to the SVD
        let Some(step) = solve_spd3(&hess, &g) else {
            break;
        };
        rot *= cayley(&step);
        // quadratic convergence: after a step this small the error is of order 1e-8 rad
        if step.norm() < 1e-4 {
            converged = true;
            break;
        }
    }
    if !converged {
        return fit_pose(local, lab);
    }
    Some(Pose {
        rot,
        origin: cd - rot * cl,
    })
}

/// One frame's rigid fit of `local` onto `lab` ([`fit_pose_from`], started from `previous`): NaN
/// with fewer than three pairs or collinear points, and NaN with the flag set when the fit
/// leaves more than `max_rms_m` RMS residual (the cluster is not rigid in this frame).
pub fn fit_gated(local: &[V3], lab: &[V3], previous: Option<&M3>, max_rms_m: f64) -> (Pose, bool) {
    let Some(pose) = fit_pose_from(local, lab, previous) else {
        return (Pose::nan(), false);
    };
    if max_rms_m.is_finite() {
        let ss: f64 = local
            .iter()
            .zip(lab)
            .map(|(l, d)| (pose.to_lab(l) - d).norm_squared())
            .sum();
        if (ss / local.len() as f64).sqrt() > max_rms_m {
            return (Pose::nan(), true);
        }
    }
    (pose, false)
}

/// Solution of `a x = b` for a symmetric 3×3 `a` when it is positive definite (Sylvester's
/// criterion), by the adjugate.
fn solve_spd3(a: &M3, b: &V3) -> Option<V3> {
    let (a00, a01, a02, a11, a12, a22) = (
        a[(0, 0)],
        a[(0, 1)],
        a[(0, 2)],
        a[(1, 1)],
        a[(1, 2)],
        a[(2, 2)],
    );
    let c00 = a11 * a22 - a12 * a12;
    let c01 = a02 * a12 - a01 * a22;
    let c02 = a01 * a12 - a02 * a11;
    let det = a00 * c00 + a01 * c01 + a02 * c02;
    if !(a00 > 0.0 && a00 * a11 - a01 * a01 > 0.0 && det > 0.0) {
        return None;
    }
    let c11 = a00 * a22 - a02 * a02;
    let c12 = a01 * a02 - a00 * a12;
    let c22 = a00 * a11 - a01 * a01;
    Some(
        V3::new(
            c00 * b.x + c01 * b.y + c02 * b.z,
            c01 * b.x + c11 * b.y + c12 * b.z,
            c02 * b.x + c12 * b.y + c22 * b.z,
        ) / det,
    )
}

/// The rotation of the unit quaternion (1, w/2)/|·| (the Cayley transform of `w`): equal to
/// exp([w]) to second order, so Newton's steps keep their quadratic convergence.
fn cayley(w: &V3) -> M3 {
    let (x, y, z) = (0.5 * w.x, 0.5 * w.y, 0.5 * w.z);
    let s = 1.0 / (1.0 + x * x + y * y + z * z);
    M3::new(
        1.0 - 2.0 * s * (y * y + z * z),
        2.0 * s * (x * y - z),
        2.0 * s * (x * z + y),
        2.0 * s * (x * y + z),
        1.0 - 2.0 * s * (x * x + z * z),
        2.0 * s * (y * z - x),
        2.0 * s * (x * z - y),
        2.0 * s * (y * z + x),
        1.0 - 2.0 * s * (x * x + y * y),
    )
}

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
fn track_chain(model: &Model, trial: &Trial, max_rms_m: f64) -> (Vec<Vec<Pose>>, Vec<usize>) {
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
