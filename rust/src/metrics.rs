//! Per-stride running metrics from angles, landmarks, strides and force plates.
//!
//! The definitions are stated once in `python/stridelab/metrics.py` (the module users read);
//! this is their implementation. Sampling conventions: a value *at* time t is the linear
//! interpolation between the two frames around t·rate (NaN outside the recording); a value
//! *over* [a, b] looks at frames ceil(a·rate) ..= floor(b·rate), NaN samples ignored, NaN when
//! none is left.

use crate::kinematics::Angle;

/// One stride of one side (0 = left, 1 = right), times in s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrideTimes {
    pub side: usize,
    pub ic: f64,
    pub to: f64,
    pub next_ic: f64,
    pub midstance: f64,
    pub stride_time: f64,
    pub step_time: f64,
}

/// A force plate's centre of pressure and force, frames × 3 each, at `rate_hz`.
#[derive(Debug, Clone, Copy)]
pub struct PlateSignals<'a> {
    pub rate_hz: f64,
    pub cop_m: &'a [[f64; 3]],
    pub force_n: &'a [[f64; 3]],
}

/// Columns that need the pelvis centre (NaN without it).
const PELVIS_COLUMNS: [&str; 6] = [
    "heel_ahead_of_pelvis_pct_leg",
    "hip_ahead_of_ankle_pct_leg",
    "mean_stance_hip_ahead_of_ankle_pct_leg",
    "foot_behind_pelvis_at_to_pct_leg",
    "vertical_oscillation_m",
    "stride_length_m",
];

/// A pelvis travelling forward slower than this over a stride is on a treadmill.
const OVERGROUND_M_S: f64 = 0.5;

/// Everything the metrics are computed from. Sides are indexed 0 = left, 1 = right.
#[derive(Debug, Clone, Copy)]
pub struct MetricInputs<'a> {
    pub rate_hz: f64,
    /// Angles per side, frames × [`crate::kinematics::COLUMNS`] (indexed by [`Angle`]), degrees.
    pub angles: [&'a [[f64; 17]]; 2],
    /// Landmark trajectories by name (`L_hjc`, `R_heel`, `pelvis_origin`…), frames × 3, m.
    pub landmarks: &'a [(&'a str, &'a [[f64; 3]])],
    pub strides: &'a [StrideTimes],
    pub plates: &'a [PlateSignals<'a>],
    /// Wrist (or hand) positions per side.
    pub wrists: [Option<&'a [[f64; 3]]>; 2],
    /// Pelvic tilt standing, degrees; heel height standing per side, m.
    pub standing_tilt_deg: Option<f64>,
    pub standing_heel_m: [Option<f64>; 2],
    pub speed_m_s: Option<f64>,
    /// Values repeated on every row (static-trial measures), appended in order.
    pub constants: &'a [(&'a str, f64)],
}

/// Foot strike class codes of [`classify_strike`].
pub const STRIKE_CLASSES: [&str; 4] = ["unknown", "rearfoot", "midfoot", "forefoot"];

/// Foot strike class (index into [`STRIKE_CLASSES`]): by strike index when there is one
/// (rearfoot < 1/3 ≤ midfoot < 2/3 ≤ forefoot), else by strike angle (forefoot < −1.6° ≤
/// midfoot ≤ 8° < rearfoot; Altman & Davis 2012).
#[must_use]
pub fn classify_strike(strike_index: f64, strike_angle_deg: f64) -> usize {
    if strike_index.is_finite() {
        return if strike_index < 1.0 / 3.0 {
            1
        } else if strike_index < 2.0 / 3.0 {
            2
        } else {
            3
        };
    }
    if !strike_angle_deg.is_finite() {
        0
    } else if strike_angle_deg < -1.6 {
        3
    } else if strike_angle_deg > 8.0 {
        1
    } else {
        2
    }
}

/// Linear interpolation of `values(frame)` at time `t`.
fn at(n: usize, values: impl Fn(usize) -> f64, t: f64, rate: f64) -> f64 {
    let x = t * rate;
    if n == 0 || !x.is_finite() || x < 0.0 || x > (n - 1) as f64 {
        return f64::NAN;
    }
    if n == 1 {
        return values(0);
    }
    let i = (x as usize).min(n - 2);
    let (a, b) = (values(i), values(i + 1));
    a + (x - i as f64) * (b - a)
}

/// (max, min) of `values(frame)` over the frames of [a, b], NaN ignored.
fn extremes(n: usize, values: impl Fn(usize) -> f64, a: f64, b: f64, rate: f64) -> (f64, f64) {
    if !(a.is_finite() && b.is_finite()) {
        return (f64::NAN, f64::NAN);
    }
    let i0 = (a * rate).ceil().max(0.0);
    let i1 = ((b * rate).floor() + 1.0).min(n as f64);
    if i1 <= i0 {
        return (f64::NAN, f64::NAN);
    }
    let (mut hi, mut lo) = (f64::NAN, f64::NAN);
    for i in (i0 as usize)..(i1 as usize) {
        let v = values(i);
        if v.is_finite() {
            hi = if hi.is_nan() { v } else { hi.max(v) };
            lo = if lo.is_nan() { v } else { lo.min(v) };
        }
    }
    (hi, lo)
}

/// Contralateral pelvic drop of one stance, degrees: the other side's pelvic obliquity (that
/// side up +, `obliquity(frame)`) at IC minus its lowest value during the stance (frames
/// ceil(ic·rate) ..= floor(to·rate)). The one definition for markers and IMUs.
pub fn contralateral_pelvic_drop_deg(
    n: usize,
    obliquity: impl Fn(usize) -> f64,
    ic: f64,
    to: f64,
    rate: f64,
) -> f64 {
    at(n, &obliquity, ic, rate) - extremes(n, &obliquity, ic, to, rate).1
}

/// Median of the finite values (mean of the middle two for an even count), NaN if none.
fn nanmedian(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        f64::midpoint(v[m - 1], v[m])
    }
}

fn dist(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

const SIDES: [char; 2] = ['L', 'R'];

/// The trajectory of landmark `name`, if given.
fn landmark<'a>(inp: &MetricInputs<'a>, name: &str) -> Option<&'a [[f64; 3]]> {
    inp.landmarks
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

/// The per-stride metrics, one column per metric in the order of the Python table, from
/// `leg_length_m` on (the stride times before it are the strides table's own; numeric columns
/// only; `foot_strike` is a class code, see [`STRIKE_CLASSES`]).
pub fn per_stride(inp: &MetricInputs<'_>) -> Vec<(String, Vec<f64>)> {
    let cx = Ctx { inp };
    let pelvis_centre = pelvis_centre(&cx);
    let (leg_side, leg) = leg_lengths(&cx);
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    out.push(cx.column("leg_length_m", |r| leg_side[r.side]));
    let fsa: Vec<f64> = inp
        .strides
        .iter()
        .map(|r| cx.angle_at(r.side, Angle::FootAngle, r.ic))
        .collect();
    out.push(("foot_strike_angle_deg".to_string(), fsa.clone()));
    let strike_index: Vec<f64> = inp.strides.iter().map(|r| strike_index(inp, r)).collect();
    out.push(("strike_index".to_string(), strike_index.clone()));
    joint_angles(&cx, &mut out);
    pelvis_and_trunk(&cx, &mut out);
    match &pelvis_centre {
        Some(pc) => pelvis_position(&cx, pc, leg, &mut out),
        // the same columns in every table, NaN where they cannot be computed
        None => out.extend(PELVIS_COLUMNS.map(|name| cx.column(name, |_| f64::NAN))),
    }
    out.push(
        cx.column("step_length_over_leg_length", |r| match inp.speed_m_s {
            Some(v) => v * r.step_time / leg,
            None => f64::NAN,
        }),
    );
    for (name, value) in inp.constants {
        out.push(cx.column(name, |_| *value));
    }
    let classes: Vec<usize> = strike_index
        .iter()
        .zip(&fsa)
        .map(|(si, fa)| classify_strike(*si, *fa))
        .collect();
    out.push((
        "foot_strike".to_string(),
        classes.iter().map(|&k| k as f64).collect(),
    ));
    out.push((
        "forefoot_strike_share".to_string(),
        classes
            .iter()
            .map(|&k| f64::from(u8::from(k == 3)))
            .collect(),
    ));
    out.push(cx.column("wrist_crosses_midline", |r| {
        wrist_crosses_midline(&cx, pelvis_centre.as_deref(), r)
    }));
    out
}

/// The inputs with the sampling conventions of this module, angles addressed by [`Angle`].
struct Ctx<'a, 'b> {
    inp: &'a MetricInputs<'b>,
}

impl<'b> Ctx<'_, 'b> {
    fn rate(&self) -> f64 {
        self.inp.rate_hz
    }
    /// One value per stride.
    fn column(&self, name: &str, f: impl Fn(&StrideTimes) -> f64) -> (String, Vec<f64>) {
        (name.to_string(), self.inp.strides.iter().map(f).collect())
    }
    fn angle_at(&self, side: usize, angle: Angle, t: f64) -> f64 {
        let a = self.inp.angles[side];
        let c = angle.index();
        at(a.len(), |i| a[i][c], t, self.rate())
    }
    /// (max, min) of an angle over [a, b].
    fn angle_over(&self, side: usize, angle: Angle, a: f64, b: f64) -> (f64, f64) {
        let v = self.inp.angles[side];
        let c = angle.index();
        extremes(v.len(), |i| v[i][c], a, b, self.rate())
    }
    fn landmark(&self, name: &str) -> Option<&'b [[f64; 3]]> {
        landmark(self.inp, name)
    }
    /// A landmark of one side: `L_heel`, `R_kjc`…
    fn side_landmark(&self, side: usize, what: &str) -> Option<&'b [[f64; 3]]> {
        self.landmark(&format!("{}_{what}", SIDES[side]))
    }
    fn traj_at(&self, p: &[[f64; 3]], k: usize, t: f64) -> f64 {
        at(p.len(), |i| p[i][k], t, self.rate())
    }
    fn traj_over(&self, p: &[[f64; 3]], k: usize, a: f64, b: f64) -> (f64, f64) {
        extremes(p.len(), |i| p[i][k], a, b, self.rate())
    }
}

/// Pelvis centre: mid hip joint centres, else the pelvis origin.
fn pelvis_centre(cx: &Ctx<'_, '_>) -> Option<Vec<[f64; 3]>> {
    match (cx.landmark("L_hjc"), cx.landmark("R_hjc")) {
        (Some(l), Some(r)) => Some(
            l.iter()
                .zip(r)
                .map(|(a, b)| {
                    [
                        f64::midpoint(a[0], b[0]),
                        f64::midpoint(a[1], b[1]),
                        f64::midpoint(a[2], b[2]),
                    ]
                })
                .collect(),
        ),
        _ => cx.landmark("pelvis_origin").map(<[[f64; 3]]>::to_vec),
    }
}

/// Leg length per side (median thigh + median shank, m) and their mean (the sides known).
fn leg_lengths(cx: &Ctx<'_, '_>) -> ([f64; 2], f64) {
    let mut leg_side = [f64::NAN; 2];
    for (side, leg) in leg_side.iter_mut().enumerate() {
        if let (Some(h), Some(k), Some(a)) = (
            cx.side_landmark(side, "hjc"),
            cx.side_landmark(side, "kjc"),
            cx.side_landmark(side, "ajc"),
        ) {
            let thigh = h.iter().zip(k).map(|(h, k)| dist(h, k)).collect();
            let shank = k.iter().zip(a).map(|(k, a)| dist(k, a)).collect();
            *leg = nanmedian(thigh) + nanmedian(shank);
        }
    }
    let known: Vec<f64> = leg_side.iter().copied().filter(|x| !x.is_nan()).collect();
    let leg = if known.is_empty() {
        f64::NAN
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    (leg_side, leg)
}

/// Shank, knee, ankle and hip angles at events and their stance and swing extremes.
fn joint_angles(cx: &Ctx<'_, '_>, out: &mut Vec<(String, Vec<f64>)>) {
    use Angle::{AnkleDorsiflexion, AnkleInversion, HipAdduction, HipFlexion, KneeAdduction};
    use Angle::{KneeFlexion, ShankAngle};
    let at_ic = |name: &str, angle: Angle| cx.column(name, |r| cx.angle_at(r.side, angle, r.ic));
    out.push(at_ic("shank_angle_at_ic_deg", ShankAngle));
    out.push(at_ic("knee_flexion_at_ic_deg", KneeFlexion));
    out.push(at_ic("ankle_dorsiflexion_at_ic_deg", AnkleDorsiflexion));
    let stance = |r: &StrideTimes, angle: Angle| cx.angle_over(r.side, angle, r.ic, r.to);
    out.push(cx.column("peak_stance_knee_flexion_deg", |r| stance(r, KneeFlexion).0));
    out.push(cx.column("min_stance_knee_flexion_deg", |r| stance(r, KneeFlexion).1));
    out.push(cx.column("min_swing_knee_flexion_deg", |r| {
        cx.angle_over(r.side, KneeFlexion, r.to, r.next_ic).1
    }));
    out.push(cx.column("knee_flexion_at_to_deg", |r| {
        cx.angle_at(r.side, KneeFlexion, r.to)
    }));
    out.push(cx.column("peak_stance_hip_adduction_deg", |r| {
        stance(r, HipAdduction).0
    }));
    out.push(cx.column("peak_hip_extension_deg", |r| -stance(r, HipFlexion).1));
    out.push(cx.column("peak_stance_rearfoot_eversion_deg", |r| {
        -stance(r, AnkleInversion).1
    }));
    out.push(cx.column("peak_stance_knee_adduction_deg", |r| {
        stance(r, KneeAdduction).0
    }));
    // valgus: knee abduction is negative adduction; its peak is the most negative adduction
    out.push(cx.column("peak_stance_knee_abduction_deg", |r| {
        -stance(r, KneeAdduction).1
    }));
}

/// Pelvis and trunk angles: drop, tilt, ranges over the stride, trunk against the pelvis.
fn pelvis_and_trunk(cx: &Ctx<'_, '_>, out: &mut Vec<(String, Vec<f64>)>) {
    use Angle::{PelvisObliquity, PelvisRotation, PelvisTilt, TrunkFlexion, TrunkRotation};
    out.push(cx.column("contralateral_pelvic_drop_deg", |r| {
        let a = cx.inp.angles[1 - r.side];
        let c = PelvisObliquity.index();
        contralateral_pelvic_drop_deg(a.len(), |i| a[i][c], r.ic, r.to, cx.rate())
    }));
    out.push(cx.column("pelvic_tilt_at_ic_deg", |r| {
        cx.angle_at(r.side, PelvisTilt, r.ic)
    }));
    out.push(cx.column("peak_stance_pelvic_tilt_deg", |r| {
        cx.angle_over(r.side, PelvisTilt, r.ic, r.to).0
    }));
    out.push(cx.column("trunk_flexion_at_midstance_deg", |r| {
        cx.angle_at(r.side, TrunkFlexion, r.midstance)
    }));
    out.push(cx.column("trunk_flexion_at_ic_deg", |r| {
        cx.angle_at(r.side, TrunkFlexion, r.ic)
    }));
    out.push(cx.column(
        "pelvic_tilt_at_ic_rel_static_deg",
        |r| match cx.inp.standing_tilt_deg {
            Some(s) => cx.angle_at(r.side, PelvisTilt, r.ic) - s,
            None => f64::NAN,
        },
    ));
    out.push(cx.column("heel_min_above_standing_mm", |r| {
        match (
            cx.inp.standing_heel_m[r.side],
            cx.side_landmark(r.side, "heel"),
        ) {
            (Some(standing), Some(heel)) => {
                1000.0 * (cx.traj_over(heel, 2, r.ic, r.to).1 - standing)
            }
            _ => f64::NAN,
        }
    }));
    for (name, angle) in [
        ("pelvic_tilt_range_deg", PelvisTilt),
        ("pelvic_obliquity_range_deg", PelvisObliquity),
        ("pelvic_rotation_range_deg", PelvisRotation),
        ("trunk_rotation_range_deg", TrunkRotation),
    ] {
        out.push(cx.column(name, |r| {
            let (hi, lo) = cx.angle_over(r.side, angle, r.ic, r.next_ic);
            hi - lo
        }));
    }
    out.push(cx.column("trunk_flexion_rel_pelvis_at_midstance_deg", |r| {
        cx.angle_at(r.side, TrunkFlexion, r.midstance)
            - cx.angle_at(r.side, PelvisTilt, r.midstance)
    }));
    let (trunk, pelvis) = (TrunkRotation.index(), PelvisRotation.index());
    out.push(cx.column("thorax_pelvis_rotation_range_deg", |r| {
        let a = cx.inp.angles[r.side];
        let (hi, lo) = extremes(
            a.len(),
            |i| a[i][trunk] - a[i][pelvis],
            r.ic,
            r.next_ic,
            cx.rate(),
        );
        hi - lo
    }));
}

/// Foot and hip positions against the pelvis centre (% leg length), vertical oscillation and
/// stride length: the [`PELVIS_COLUMNS`].
fn pelvis_position(cx: &Ctx<'_, '_>, pc: &[[f64; 3]], leg: f64, out: &mut Vec<(String, Vec<f64>)>) {
    let along = |side: usize, what: &str, t: f64, sign: f64| match cx.side_landmark(side, what) {
        Some(p) => 100.0 * sign * (cx.traj_at(p, 0, t) - cx.traj_at(pc, 0, t)) / leg,
        None => f64::NAN,
    };
    out.push(cx.column("heel_ahead_of_pelvis_pct_leg", |r| {
        along(r.side, "heel", r.ic, 1.0)
    }));
    out.push(cx.column("hip_ahead_of_ankle_pct_leg", |r| {
        along(r.side, "ajc", r.midstance, -1.0)
    }));
    // the same distance averaged over the whole stance (21 instants from IC to TO)
    out.push(cx.column("mean_stance_hip_ahead_of_ankle_pct_leg", |r| {
        let k = 20;
        (0..=k)
            .map(|i| {
                along(
                    r.side,
                    "ajc",
                    r.ic + (r.to - r.ic) * i as f64 / k as f64,
                    -1.0,
                )
            })
            .sum::<f64>()
            / f64::from(k + 1)
    }));
    out.push(cx.column("foot_behind_pelvis_at_to_pct_leg", |r| {
        along(r.side, "heel", r.to, -1.0)
    }));
    out.push(cx.column("vertical_oscillation_m", |r| {
        let (hi, lo) = cx.traj_over(pc, 2, r.ic, r.next_ic);
        hi - lo
    }));
    out.push(cx.column("stride_length_m", |r| {
        if let Some(v) = cx.inp.speed_m_s {
            return v * r.stride_time;
        }
        // without a speed: the heel's forward travel overground; on a treadmill (the pelvis
        // travels under 0.5 m/s) a stride has no length without the belt speed: NaN
        let travel = cx.traj_at(pc, 0, r.next_ic) - cx.traj_at(pc, 0, r.ic);
        match cx.side_landmark(r.side, "heel") {
            Some(h) if (travel / r.stride_time).abs() >= OVERGROUND_M_S => {
                cx.traj_at(h, 0, r.next_ic) - cx.traj_at(h, 0, r.ic)
            }
            _ => f64::NAN,
        }
    }));
}

/// 1 when the stride's wrist crosses the body's midline (the pelvis centre) between IC and
/// the next IC, 0 when it does not, NaN without a wrist or a pelvis centre.
fn wrist_crosses_midline(cx: &Ctx<'_, '_>, pc: Option<&[[f64; 3]]>, r: &StrideTimes) -> f64 {
    let (Some(pc), Some(w)) = (pc, cx.inp.wrists[r.side]) else {
        return f64::NAN;
    };
    let n = w.len().min(pc.len());
    let crossed = |i: usize| {
        let lateral = w[i][1] - pc[i][1];
        if !lateral.is_finite() {
            f64::NAN
        } else if (r.side == 0 && lateral < 0.0) || (r.side == 1 && lateral > 0.0) {
            // y is left: a left wrist crosses when it goes right of the midline
            1.0
        } else {
            0.0
        }
    };
    extremes(n, crossed, r.ic, r.next_ic, cx.rate()).0
}

/// Where the centre of pressure is in the first loading after IC along the heel → toe line
/// (0 heel, 1 toe): force-weighted over 5–20 ms after IC, the first 5 ms skipped because the
/// centre of pressure of a few newtons is noise. NaN without a plate or foot landmarks.
fn strike_index(inp: &MetricInputs<'_>, r: &StrideTimes) -> f64 {
    let name = |w: &str| format!("{}_{w}", SIDES[r.side]);
    let (Some(heel), Some(toe)) = (landmark(inp, &name("heel")), landmark(inp, &name("toe")))
    else {
        return f64::NAN;
    };
    if !r.ic.is_finite() {
        return f64::NAN;
    }
    let rate = inp.rate_hz;
    let h = [0, 1].map(|k| at(heel.len(), |i| heel[i][k], r.ic, rate));
    let t = [0, 1].map(|k| at(toe.len(), |i| toe[i][k], r.ic, rate));
    let axis = [t[0] - h[0], t[1] - h[1]];
    let length2 = axis[0] * axis[0] + axis[1] * axis[1];
    for plate in inp.plates {
        let n = plate.force_n.len().min(plate.cop_m.len()) as f64;
        let s0 = ((r.ic + 0.005) * plate.rate_hz).round_ties_even();
        let s1 = (s0 + 1.0).max(((r.ic + 0.020) * plate.rate_hz).round_ties_even());
        let (s0, s1) = (s0.clamp(0.0, n) as usize, s1.clamp(0.0, n) as usize);
        let (mut count, mut sw, mut sx, mut sy) = (0usize, 0.0, 0.0, 0.0);
        for i in s0..s1 {
            let (c, f) = (plate.cop_m[i], plate.force_n[i]);
            if c[0].is_finite() && c[1].is_finite() && f[2] > 20.0 {
                count += 1;
                sw += f[2];
                sx += c[0] * f[2];
                sy += c[1] * f[2];
            }
        }
        if count >= 2 && length2.sqrt() > 0.05 {
            let centre = [sx / sw, sy / sw];
            return ((centre[0] - h[0]) * axis[0] + (centre[1] - h[1]) * axis[1]) / length2;
        }
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_conventions() {
        let v = [0.0, 10.0, 20.0, f64::NAN, 40.0];
        let f = |i: usize| v[i];
        assert!((at(5, f, 0.15, 10.0) - 15.0).abs() < 1e-12);
        assert!(at(5, f, -0.01, 10.0).is_nan());
        assert!(at(5, f, 0.41, 10.0).is_nan());
        // frames 1..=4 (ceil(0.05·10) = 1, floor(0.45·10) = 4), NaN ignored
        assert_eq!(extremes(5, f, 0.05, 0.45, 10.0), (40.0, 10.0));
        let (hi, lo) = extremes(5, f, 0.31, 0.39, 10.0);
        assert!(hi.is_nan() && lo.is_nan());
        assert!((nanmedian(vec![3.0, f64::NAN, 1.0, 2.0, 10.0]) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn strike_classes() {
        assert_eq!(STRIKE_CLASSES[classify_strike(0.1, 20.0)], "rearfoot");
        assert_eq!(STRIKE_CLASSES[classify_strike(0.5, 20.0)], "midfoot");
        assert_eq!(STRIKE_CLASSES[classify_strike(0.9, -20.0)], "forefoot");
        assert_eq!(STRIKE_CLASSES[classify_strike(f64::NAN, 12.0)], "rearfoot");
        assert_eq!(STRIKE_CLASSES[classify_strike(f64::NAN, 3.0)], "midfoot");
        assert_eq!(STRIKE_CLASSES[classify_strike(f64::NAN, -5.0)], "forefoot");
        assert_eq!(
            STRIKE_CLASSES[classify_strike(f64::NAN, f64::NAN)],
            "unknown"
        );
    }
}
