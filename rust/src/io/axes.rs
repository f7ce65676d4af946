//! Units and axes: from whatever the file uses to the canonical lab frame
//! (x forward along the direction of progression, y left, z up, metres).
//!
//! Vertical is found, in order of trust, from anatomical labels (pelvis and trunk markers or
//! segments sit above the feet), the file's own screen hint (C3D POINT:Y_SCREEN), or the axis of
//! largest body extent. Progression is found from overground travel (the body moves more than 1 m),
//! from anatomical labels (toe ahead of heel, ASIS ahead of PSIS), or, on a treadmill without such
//! labels, from the asymmetry of foot velocities: the belt carries the stance foot slowly backward
//! for most of the stride while the swing foot moves fast forward, so foot velocity along the
//! progression axis is skewed positive. Every transform records the method that chose it.

use std::path::Path;

use crate::error::{Error, Result};
use crate::trial::AxisTransform;

use super::raw::RawTrial;

const AXES: [char; 3] = ['X', 'Y', 'Z'];

fn tokens(label: &str) -> Vec<String> {
    label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Markers or segments clearly above the hips.
fn is_superior(label: &str) -> bool {
    const SUP: [&str; 22] = [
        "asis", "psis", "pelvis", "iliac", "sacrum", "sacr", "c7", "t10", "clav", "strn", "head",
        "lfhd", "rfhd", "lbhd", "rbhd", "torso", "thorax", "trunk", "lasi", "rasi", "lpsi", "rpsi",
    ];
    tokens(label).iter().any(|t| SUP.contains(&t.as_str()))
}

/// Markers or segments at the feet.
fn is_inferior(label: &str) -> bool {
    const INF: [&str; 14] = [
        "heel", "hee", "toe", "toes", "mt1", "mt2", "mt5", "foot", "lhee", "rhee", "ltoe", "rtoe",
        "calc", "mth",
    ];
    tokens(label).iter().any(|t| INF.contains(&t.as_str()))
}
fn is_toe(label: &str) -> bool {
    tokens(label).iter().any(|t| {
        matches!(
            t.as_str(),
            "toe" | "mt1" | "mt2" | "mt5" | "ltoe" | "rtoe" | "mth"
        )
    })
}
fn is_heel(label: &str) -> bool {
    tokens(label)
        .iter()
        .any(|t| matches!(t.as_str(), "heel" | "hee" | "lhee" | "rhee" | "calc"))
}
fn is_asis(label: &str) -> bool {
    tokens(label)
        .iter()
        .any(|t| matches!(t.as_str(), "asis" | "lasi" | "rasi"))
}
fn is_psis(label: &str) -> bool {
    tokens(label)
        .iter()
        .any(|t| matches!(t.as_str(), "psis" | "lpsi" | "rpsi"))
}

/// Positions over time of every marker, and of every segment origin from the poses.
struct Cloud<'a> {
    raw: &'a RawTrial,
    n_frames: usize,
    body: Vec<bool>,
}

impl<'a> Cloud<'a> {
    fn new(raw: &'a RawTrial) -> Self {
        let labels = raw.marker_names.iter().chain(&raw.rotation_names);
        // A pose named `world…` is the lab's own reference, not part of the body.
        let body = labels
            .map(|l| !l.to_ascii_lowercase().starts_with("world"))
            .collect();
        Self {
            raw,
            n_frames: raw.n_frames,
            body,
        }
    }
    fn n_items(&self) -> usize {
        self.raw.marker_names.len() + self.raw.rotation_names.len()
    }
    fn on_body(&self, i: usize) -> bool {
        self.body[i]
    }
    fn label(&self, i: usize) -> &str {
        let nm = self.raw.marker_names.len();
        if i < nm {
            &self.raw.marker_names[i]
        } else {
            &self.raw.rotation_names[i - nm]
        }
    }
    fn pos(&self, f: usize, i: usize) -> Option<[f64; 3]> {
        let nm = self.raw.marker_names.len();
        let p = if i < nm {
            let k = (f * nm + i) * 3;
            [
                self.raw.points[k],
                self.raw.points[k + 1],
                self.raw.points[k + 2],
            ]
        } else {
            let nr = self.raw.rotation_names.len();
            let ratio = (self.raw.rotations.len() / 16 / nr.max(1))
                .checked_div(self.raw.n_frames)
                .unwrap_or(1);
            let k = ((f * ratio.max(1)) * nr + (i - nm)) * 16;
            let m = self.raw.rotations.get(k..k + 16)?;
            [m[3], m[7], m[11]]
        };
        p.iter().all(|v| v.is_finite()).then_some(p)
    }
    /// Frames to look at: all of them up to 600, else an even subsample.
    fn frames(&self) -> impl Iterator<Item = usize> {
        let step = (self.n_frames / 600).max(1);
        (0..self.n_frames).step_by(step)
    }
    /// A sparser subsample (up to 200 frames, the first and the last included) for the
    /// heading, whose averages settle on far fewer frames than the axis tests need.
    fn few_frames(&self) -> impl Iterator<Item = usize> {
        let n = self.n_frames;
        let step = (n / 200).max(1);
        (0..n)
            .step_by(step)
            .chain((n > 0 && !(n - 1).is_multiple_of(step)).then(|| n - 1))
    }
    /// The lowest third of `markers` (at least one) by their median `height` over `frames`
    /// (markers seen in at least 25 of them), lowest first: (marker, median height).
    fn lowest_third(
        &self,
        markers: impl Iterator<Item = usize>,
        frames: &[usize],
        height: &dyn Fn([f64; 3]) -> f64,
    ) -> Vec<(usize, f64)> {
        let mut heights: Vec<(usize, f64)> = markers
            .filter_map(|i| {
                let mut h: Vec<f64> = frames
                    .iter()
                    .filter_map(|&f| self.pos(f, i))
                    .map(height)
                    .collect();
                (h.len() >= 25).then(|| (i, median(&mut h)))
            })
            .collect();
        heights.sort_by(|a, b| a.1.total_cmp(&b.1));
        heights.truncate((heights.len() / 3).max(1));
        heights
    }
    /// Mean over frames of (mean of set A − mean of set B), frames where both are seen.
    fn mean_difference(
        &self,
        a: &dyn Fn(&str) -> bool,
        b: &dyn Fn(&str) -> bool,
    ) -> Option<[f64; 3]> {
        let ia: Vec<usize> = (0..self.n_items())
            .filter(|&i| self.on_body(i) && a(self.label(i)))
            .collect();
        let ib: Vec<usize> = (0..self.n_items())
            .filter(|&i| self.on_body(i) && b(self.label(i)))
            .collect();
        if ia.is_empty() || ib.is_empty() {
            return None;
        }
        let mut acc = [0.0; 3];
        let mut n = 0usize;
        for f in self.frames() {
            let (Some(ma), Some(mb)) = (self.mean_of(f, &ia), self.mean_of(f, &ib)) else {
                continue;
            };
            for k in 0..3 {
                acc[k] += ma[k] - mb[k];
            }
            n += 1;
        }
        (n > 0).then(|| acc.map(|v| v / n as f64))
    }
    /// The net displacement of the body's centre (the mean of its markers) between the first
    /// and the last frame where it is seen.
    fn body_travel(&self) -> Option<[f64; 3]> {
        let body: Vec<usize> = (0..self.n_items()).filter(|&i| self.on_body(i)).collect();
        let first = (0..self.n_frames).find_map(|f| self.mean_of(f, &body))?;
        let last = (0..self.n_frames)
            .rev()
            .find_map(|f| self.mean_of(f, &body))?;
        Some([0, 1, 2].map(|k| last[k] - first[k]))
    }
    fn mean_of(&self, f: usize, items: &[usize]) -> Option<[f64; 3]> {
        let mut acc = [0.0; 3];
        let mut n = 0usize;
        for &i in items {
            if let Some(p) = self.pos(f, i) {
                for k in 0..3 {
                    acc[k] += p[k];
                }
                n += 1;
            }
        }
        (n > 0).then(|| acc.map(|v| v / n as f64))
    }
    /// Median over frames of the largest spread of the cloud along each axis.
    fn extent(&self) -> Option<[f64; 3]> {
        let mut per_axis: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for f in self.frames() {
            let mut lo = [f64::INFINITY; 3];
            let mut hi = [f64::NEG_INFINITY; 3];
            let mut n = 0;
            for i in (0..self.n_items()).filter(|&i| self.on_body(i)) {
                if let Some(p) = self.pos(f, i) {
                    for k in 0..3 {
                        lo[k] = lo[k].min(p[k]);
                        hi[k] = hi[k].max(p[k]);
                    }
                    n += 1;
                }
            }
            if n >= 3 {
                for k in 0..3 {
                    per_axis[k].push(hi[k] - lo[k]);
                }
            }
        }
        if per_axis[0].is_empty() {
            return None;
        }
        Some([0, 1, 2].map(|k| median(&mut per_axis[k])))
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn unit_of(name: &str) -> Option<f64> {
    match name.trim().to_ascii_lowercase().as_str() {
        "mm" | "millimeter" | "millimeters" | "millimetre" | "millimetres" => Some(1.0e-3),
        "cm" => Some(1.0e-2),
        "m" | "meter" | "meters" | "metre" | "metres" => Some(1.0),
        "in" | "inch" | "inches" => Some(0.0254),
        _ => None,
    }
}

/// Length unit of the file: as declared, checked against the size of the body in the data.
pub fn resolve_units(raw: &RawTrial) -> Result<(f64, String, String)> {
    let cloud = Cloud::new(raw);
    let body = cloud
        .extent()
        .map(|e| e.iter().copied().fold(0.0, f64::max));
    // A body or marker cluster spans 0.05–2.5 m: in millimetres that is ≥ 50, in metres < 5.
    let detected = body.map(|e| if e >= 5.0 { ("mm", 1.0e-3) } else { ("m", 1.0) });
    if let Some(declared) = raw.point_units.as_deref() {
        let scale = unit_of(declared).ok_or_else(|| {
            Error::unsupported(&raw.path, format!("unknown length unit '{declared}'"))
        })?;
        if let (Some(e), Some((du, ds))) = (body, detected) {
            // Only a clear contradiction overrides the file: a body 20 m across or 5 mm across.
            let metres = e * scale;
            if !(0.005..=20.0).contains(&metres) && (ds - scale).abs() > 1e-12 {
                return Ok((
                    ds,
                    du.to_string(),
                    format!("declared '{declared}' but the markers span {e:.3} units, which is a body only in {du}: read as {du}"),
                ));
            }
        }
        return Ok((scale, declared.to_string(), "declared".to_string()));
    }
    match (body, detected) {
        (Some(e), Some((u, s))) => Ok((
            s,
            u.to_string(),
            format!("detected: the markers span {e:.3} units, a body in {u}"),
        )),
        _ => Ok((
            1.0,
            "m".to_string(),
            "no positions to measure; assumed m".to_string(),
        )),
    }
}

fn axis_name(k: usize, sign: f64) -> String {
    format!("{}{}", if sign >= 0.0 { '+' } else { '-' }, AXES[k])
}

fn parse_axis(path: &Path, s: &str) -> Result<(usize, f64)> {
    let s = s.trim().to_ascii_uppercase();
    let (sign, letter) = match s.as_bytes() {
        [b'-', l] => (-1.0, *l),
        [b'+', l] | [l] => (1.0, *l),
        _ => {
            return Err(Error::data(
                path,
                format!("axis '{s}' is not one of +X, -X, +Y, -Y, +Z, -Z"),
            ))
        }
    };
    let k = AXES
        .iter()
        .position(|&a| a as u8 == letter)
        .ok_or_else(|| {
            Error::data(
                path,
                format!("axis '{s}' is not one of +X, -X, +Y, -Y, +Z, -Z"),
            )
        })?;
    Ok((k, sign))
}

fn build(vertical: (usize, f64), progression: (usize, f64), method: String) -> AxisTransform {
    let mut x = [0.0; 3];
    x[progression.0] = progression.1;
    let mut z = [0.0; 3];
    z[vertical.0] = vertical.1;
    let y = [
        z[1] * x[2] - z[2] * x[1],
        z[2] * x[0] - z[0] * x[2],
        z[0] * x[1] - z[1] * x[0],
    ];
    AxisTransform {
        matrix: [x, y, z],
        scale_to_m: 1.0,
        file_units: String::new(),
        units_method: String::new(),
        vertical: axis_name(vertical.0, vertical.1),
        progression: axis_name(progression.0, progression.1),
        method,
    }
}

/// A transform from axes named by the user.
pub fn from_names(path: &Path, vertical: &str, progression: &str) -> Result<AxisTransform> {
    let v = parse_axis(path, vertical)?;
    let p = parse_axis(path, progression)?;
    if v.0 == p.0 {
        return Err(Error::data(
            path,
            format!("vertical {vertical} and progression {progression} are the same axis"),
        ));
    }
    Ok(build(v, p, "given by the caller".into()))
}

fn dominant(v: [f64; 3], among: &[usize], share: f64) -> Option<(usize, f64)> {
    let total: f64 = among.iter().map(|&k| v[k] * v[k]).sum::<f64>().sqrt();
    let &k = among
        .iter()
        .max_by(|&&a, &&b| v[a].abs().total_cmp(&v[b].abs()))?;
    (total > 0.0 && v[k].abs() >= share * total).then_some((k, v[k].signum()))
}

/// Finds vertical and progression axes from the data; see the module docs for the order of trust.
pub fn detect(raw: &RawTrial, scale: f64) -> (AxisTransform, Vec<String>) {
    let cloud = Cloud::new(raw);
    let all = [0, 1, 2];
    let mut notes = Vec::new();

    let vertical = if let Some(v) = cloud
        .mean_difference(&is_superior, &is_inferior)
        .filter(|d| d.iter().map(|x| x * x).sum::<f64>().sqrt() * scale > 0.2)
        .and_then(|d| dominant(d, &all, 0.6))
    {
        notes.push(format!(
            "vertical {} from labels (pelvis/trunk above feet)",
            axis_name(v.0, v.1)
        ));
        v
    } else if let Some(v) = raw
        .vertical_hint
        .as_deref()
        .and_then(|h| parse_axis(&raw.path, h).ok())
    {
        notes.push(format!(
            "vertical {} from the file's screen axes",
            axis_name(v.0, v.1)
        ));
        v
    } else if let Some(e) = cloud.extent() {
        let k = (0..3).max_by(|&a, &b| e[a].total_cmp(&e[b])).unwrap_or(2);
        notes.push(format!(
            "vertical {} as the axis of largest body extent (assumed pointing up)",
            axis_name(k, 1.0)
        ));
        (k, 1.0)
    } else {
        notes.push("vertical +Z assumed (nothing to detect from)".into());
        (2, 1.0)
    };
    let horizontal: Vec<usize> = all.iter().copied().filter(|&k| k != vertical.0).collect();

    let progression = if let Some(p) = travel(&cloud, &horizontal, scale) {
        notes.push(format!(
            "progression {} from overground travel",
            axis_name(p.0, p.1)
        ));
        p
    } else if let Some(p) = cloud
        .mean_difference(&is_toe, &is_heel)
        .or_else(|| cloud.mean_difference(&is_asis, &is_psis))
        .and_then(|d| dominant(d, &horizontal, 0.8))
    {
        notes.push(format!(
            "progression {} from labels (toe ahead of heel / ASIS ahead of PSIS)",
            axis_name(p.0, p.1)
        ));
        p
    } else if let Some((k, sign, corr)) = foot_height_velocity(&cloud, vertical, &horizontal) {
        notes.push(format!(
            "progression {} from foot motion (feet move forward in swing, back in stance; r = {corr:.2})",
            axis_name(k, sign)
        ));
        (k, sign)
    } else if let Some(p) = cloud.mean_difference(&is_left, &is_right).and_then(|d| {
        // forward = left × up
        let up = {
            let mut u = [0.0; 3];
            u[vertical.0] = vertical.1;
            u
        };
        let f = [
            d[1] * up[2] - d[2] * up[1],
            d[2] * up[0] - d[0] * up[2],
            d[0] * up[1] - d[1] * up[0],
        ];
        dominant(f, &horizontal, 0.8)
    }) {
        notes.push(format!(
            "progression {} from left/right labels",
            axis_name(p.0, p.1)
        ));
        p
    } else {
        let k = horizontal[0];
        notes.push(format!(
            "progression {} assumed (nothing to detect from)",
            axis_name(k, 1.0)
        ));
        (k, 1.0)
    };
    let mut t = build(vertical, progression, notes.join("; "));
    turn_to_heading(&cloud, &mut t, scale);
    let mut warnings = Vec::new();
    // Cross-check: left-labelled markers should sit on the +y (left) side.
    if let Some(d) = cloud.mean_difference(&is_left, &is_right) {
        let lateral = t.rotate(d)[1];
        if lateral * scale < -0.02 {
            warnings.push(format!(
                "left-labelled markers are {:.0} mm to the right of right-labelled ones: left/right labels may be swapped or progression reversed",
                -lateral * scale * 1000.0
            ));
        }
    }
    (t, warnings)
}

/// The direction of travel within the horizontal plane, in degrees from the canonical +x the
/// axis detection chose (counter-clockwise seen from above), and what it was read from. Lab
/// axes are set by a calibration frame laid on the floor, not by the treadmill or walkway, and
/// every angle against the lab (pelvis, trunk, shank, foot) and every distance along the
/// direction of travel (stride length, speed) depends on that heading: a runner at 30° to the
/// lab's x axis had a pelvic obliquity range 2.4° wider and strides 14 % shorter. Like the
/// progression frame of Plug-in Gait (Vicon, Plug-in Gait Reference Guide: the direction the
/// pelvis travels, or the direction it faces where it does not travel), but the lab is turned
/// onto that direction rather than snapped to the nearest lab axis:
/// 1. overground (the body centre travels more than a metre): its net displacement;
/// 2. on a treadmill or in place with the feet moving fore and aft (the lowest third of the
///    markers swing along one horizontal line, SD ≥ 0.1 m and ≥ 3 × the SD across it): that
///    line, the belt's axis (the stance foot rides the belt);
/// 3. standing (a static trial): the way the feet point (their toe and metatarsal markers
///    ahead of their heel markers, both feet together, so a symmetric toe-out cancels), so
///    that a standing pelvis rotation is the pelvis against the feet; without foot labels the
///    way the pelvis faces (ASIS ahead of PSIS), else the body (left-labelled markers to the
///    left).
///
/// None where none applies or the turn is under 0.05°.
fn heading(cloud: &Cloud<'_>, t: &AxisTransform, scale: f64) -> Option<(f64, String)> {
    let horizontal = |p: [f64; 3]| {
        let c = t.rotate(p);
        [c[0] * scale, c[1] * scale]
    };
    // a horizontal direction longer than `min`, as (degrees, what it was read from)
    let towards = |v: [f64; 2], min: f64, what: &str| {
        (v[0].hypot(v[1]) > min).then(|| (v[1].atan2(v[0]).to_degrees(), what.to_string()))
    };
    let found = cloud
        .body_travel()
        .and_then(|d| towards(horizontal(d), 1.0, "the direction of travel"))
        .or_else(|| towards(feet_line(cloud, t, scale)?, 0.0, "the feet's fore-aft line"))
        .or_else(|| {
            let d = cloud.mean_difference(&is_toe, &is_heel)?;
            towards(horizontal(d), 0.0, "the way the feet point")
        })
        .or_else(|| {
            let d = cloud.mean_difference(&is_asis, &is_psis)?;
            towards(horizontal(d), 0.0, "the way the pelvis faces")
        })
        .or_else(|| {
            // forward = left × up, from the mean of the left- and right-labelled markers
            let l = horizontal(cloud.mean_difference(&is_left, &is_right)?);
            towards([-l[1], l[0]], 0.0, "the way the body faces")
        })?;
    // the axis detection already picked the nearest axis and its sign; a line has two ways
    let mut deg = found.0;
    if deg > 90.0 {
        deg -= 180.0;
    } else if deg < -90.0 {
        deg += 180.0;
    }
    (deg.abs() >= 0.05 && deg.abs() <= 60.0).then_some((deg, found.1))
}

/// The horizontal line the lowest markers move along (canonical x, y; unit length, x ≥ 0), if
/// the feet clearly swing fore and aft (see [`heading`]).
fn feet_line(cloud: &Cloud<'_>, t: &AxisTransform, scale: f64) -> Option<[f64; 2]> {
    let nm = cloud.raw.marker_names.len();
    if nm == 0 || cloud.n_frames < 50 {
        return None;
    }
    let canon = |p: [f64; 3]| t.rotate(p).map(|v| v * scale);
    let frames: Vec<usize> = cloud.few_frames().collect();
    let low = cloud.lowest_third((0..nm).filter(|&i| cloud.on_body(i)), &frames, &|p| {
        canon(p)[2]
    });
    let (mut sxx, mut sxy, mut syy, mut n) = (0.0, 0.0, 0.0, 0usize);
    for &(i, _) in &low {
        let xy: Vec<[f64; 2]> = frames
            .iter()
            .filter_map(|&f| cloud.pos(f, i))
            .map(|p| {
                let c = canon(p);
                [c[0], c[1]]
            })
            .collect();
        let m = xy.len().max(1) as f64;
        let mx = xy.iter().map(|p| p[0]).sum::<f64>() / m;
        let my = xy.iter().map(|p| p[1]).sum::<f64>() / m;
        for p in &xy {
            let (dx, dy) = (p[0] - mx, p[1] - my);
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        n += xy.len();
    }
    if n < 50 {
        return None;
    }
    let (sxx, sxy, syy) = (sxx / n as f64, sxy / n as f64, syy / n as f64);
    // eigenvalues of the 2 × 2 covariance
    let mean = 0.5 * (sxx + syy);
    let half = (0.25 * (sxx - syy).powi(2) + sxy * sxy).sqrt();
    let (major, minor) = (mean + half, (mean - half).max(0.0));
    if major.sqrt() < 0.1 || major.sqrt() < 3.0 * minor.sqrt() {
        return None;
    }
    let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let d = [theta.cos(), theta.sin()];
    Some(if d[0] < 0.0 { [-d[0], -d[1]] } else { d })
}

/// Turns `t` onto the [`heading`] found, and says so in its method.
fn turn_to_heading(cloud: &Cloud<'_>, t: &mut AxisTransform, scale: f64) {
    if let Some((deg, from)) = heading(cloud, t, scale) {
        turn(t, deg);
        t.method = format!(
            "{}; turned {deg:+.1} deg about vertical so +x is {from}",
            t.method
        );
    }
}

/// Turns the canonical frame about vertical by `deg` (counter-clockwise seen from above), so
/// that the direction at `deg` becomes +x.
fn turn(t: &mut AxisTransform, deg: f64) {
    let (s, c) = deg.to_radians().sin_cos();
    let [x, y, z] = t.matrix;
    let nx = [0, 1, 2].map(|k| c * x[k] + s * y[k]);
    let ny = [0, 1, 2].map(|k| -s * x[k] + c * y[k]);
    t.matrix = [nx, ny, z];
}

/// Overground: the body's centre travels more than a metre along one horizontal axis.
fn travel(cloud: &Cloud<'_>, horizontal: &[usize], scale: f64) -> Option<(usize, f64)> {
    let d = cloud.body_travel()?;
    let (k, s) = dominant(d, horizontal, 0.8)?;
    (d[k].abs() * scale > 1.0).then_some((k, s))
}

/// Treadmill or overground without labels: a foot moves backward relative to the body (or stands
/// still) while it is low on the ground and forward while it is up in swing, so the velocity of
/// the lowest markers along the progression axis correlates positively with their height.
/// Returns the axis of largest foot velocity spread with the sign of that correlation.
fn foot_height_velocity(
    cloud: &Cloud<'_>,
    vertical: (usize, f64),
    horizontal: &[usize],
) -> Option<(usize, f64, f64)> {
    if cloud.n_frames < 50 || cloud.raw.marker_names.is_empty() {
        return None;
    }
    let nm = cloud.raw.marker_names.len();
    let height = |p: [f64; 3]| p[vertical.0] * vertical.1;
    let frames: Vec<usize> = cloud.frames().collect();
    let low = cloud.lowest_third(0..nm, &frames, &height);
    let mut best: Option<(usize, f64, f64)> = None;
    for &k in horizontal {
        let (mut hv, mut hh, mut vv) = (0.0, 0.0, 0.0);
        for &(i, h0) in &low {
            for f in cloud.frames().filter(|&f| f > 0) {
                if let (Some(a), Some(b)) = (cloud.pos(f - 1, i), cloud.pos(f, i)) {
                    let h = height(b) - h0;
                    let v = b[k] - a[k];
                    hv += h * v;
                    hh += h * h;
                    vv += v * v;
                }
            }
        }
        if hh <= 0.0 || vv <= 0.0 {
            continue;
        }
        let corr = hv / (hh * vv).sqrt();
        if best.is_none_or(|b| vv > b.1) {
            best = Some((k, vv, corr));
        }
    }
    let (k, _, corr) = best?;
    (corr.abs() > 0.2).then_some((k, corr.signum(), corr))
}

fn is_left(label: &str) -> bool {
    side_of(label) == Some('L')
}
fn is_right(label: &str) -> bool {
    side_of(label) == Some('R')
}

/// Side from a label: a leading `L`/`R`/`left`/`right` token (`L.ASIS`, `l_thigh_4X4`, `R_foot_1`)
/// or a Plug-in Gait name (`LASI`, `RKNE`).
fn side_of(label: &str) -> Option<char> {
    const PIG: [&str; 22] = [
        "ASI", "PSI", "THI", "KNE", "TIB", "ANK", "HEE", "TOE", "SHO", "ELB", "WRA", "WRB", "FIN",
        "FHD", "BHD", "UPA", "FRM", "KNM", "ANM", "MT5", "MT1", "FME",
    ];
    let bare = label.rsplit(':').next().unwrap_or(label);
    let t = tokens(bare);
    match t.first().map(String::as_str) {
        Some("l" | "left") => return Some('L'),
        Some("r" | "right") => return Some('R'),
        _ => {}
    }
    let up = bare.to_ascii_uppercase();
    if up.is_ascii() && up.len() >= 4 && PIG.contains(&&up[1..4]) {
        return match up.as_bytes()[0] {
            b'L' => Some('L'),
            b'R' => Some('R'),
            _ => None,
        };
    }
    None
}

/// A label at the feet (heel, toe, metatarsal heads, foot cluster or segment).
pub fn is_foot_label(label: &str) -> bool {
    is_inferior(label)
}

/// `L`, `R` or `None` from a label's side prefix or Plug-in Gait name.
pub fn side_of_label(label: &str) -> Option<char> {
    side_of(label)
}

/// A pelvis marker label (ASIS, PSIS, sacrum, iliac crest, pelvis cluster).
pub fn is_pelvis_label(label: &str) -> bool {
    tokens(label).iter().any(|t| {
        matches!(
            t.as_str(),
            "asis" | "psis" | "lasi" | "rasi" | "lpsi" | "rpsi" | "sacr" | "sacrum" | "pelvis"
        )
    })
}

/// A heel marker label (heel, HEE, calcaneus).
pub fn is_heel_label(label: &str) -> bool {
    is_heel(label)
}

/// A forefoot marker label (toe, metatarsal heads).
pub fn is_forefoot_label(label: &str) -> bool {
    is_toe(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trial::Format;
    use std::path::PathBuf;

    /// `p` turned by `deg` about vertical (counter-clockwise seen from above).
    fn turned(deg: f64, p: [f64; 2]) -> [f64; 2] {
        let (s, c) = deg.to_radians().sin_cos();
        [c * p[0] - s * p[1], s * p[0] + c * p[1]]
    }

    /// A lab with z up whose runner heads 30° from its x axis.
    fn heading_30(p: [f64; 2]) -> [f64; 2] {
        turned(30.0, p)
    }

    #[test]
    fn poses_travelling_at_30_deg_to_the_lab_are_turned_onto_their_travel() {
        // Theia-like: only segment poses, pelvis 1 m up and feet low, moving 6 m overground
        let mut raw = RawTrial::empty(PathBuf::from("poses.c3d"), Format::C3d);
        raw.rotation_names = vec![
            "pelvis_4X4".into(),
            "l_foot_4X4".into(),
            "r_foot_4X4".into(),
        ];
        raw.n_frames = 200;
        raw.rotation_rate_hz = 100.0;
        for f in 0..200 {
            let along = 0.03 * f64::from(f);
            for (side, z) in [(0.0, 1.0), (0.1, 0.05), (-0.1, 0.05)] {
                let xy = heading_30([along, side]);
                let mut m = [0.0; 16];
                (m[0], m[5], m[10], m[15]) = (1.0, 1.0, 1.0, 1.0);
                (m[3], m[7], m[11]) = (xy[0], xy[1], z);
                raw.rotations.extend_from_slice(&m);
            }
        }
        let (t, _) = detect(&raw, 1.0);
        assert!(t.method.contains("turned +30.0 deg"), "{}", t.method);
        assert!(t.method.contains("direction of travel"), "{}", t.method);
        // the travel direction is now +x: a file vector along the heading maps to (1, 0, 0)
        let d = heading_30([1.0, 0.0]);
        let c = t.rotate([d[0], d[1], 0.0]);
        assert!((c[0] - 1.0).abs() < 1e-9 && c[1].abs() < 1e-9, "{c:?}");
    }

    #[test]
    fn a_treadmill_gait_is_turned_onto_the_feet_line_and_a_tiny_turn_is_left_alone() {
        // in place: pelvis markers still, heel and toe markers swinging ±0.4 m along the belt
        let make = |deg: f64| {
            let mut raw = RawTrial::empty(PathBuf::from("tm.trc"), Format::Trc);
            raw.marker_names = ["L.ASIS", "L.PSIS", "L.Heel", "L.Toe", "R.Heel", "R.Toe"]
                .map(String::from)
                .to_vec();
            raw.n_frames = 300;
            let rot = |p: [f64; 2]| turned(deg, p);
            for f in 0..300 {
                let ph = f64::from(f) / 70.0 * std::f64::consts::TAU;
                let pts = [
                    ([0.1, 0.1], 1.0),
                    ([-0.05, 0.1], 1.05),
                    ([0.4 * ph.sin(), 0.1], 0.05 + 0.05 * ph.cos().max(0.0)),
                    ([0.4 * ph.sin() + 0.2, 0.1], 0.03 + 0.05 * ph.cos().max(0.0)),
                    ([-0.4 * ph.sin(), -0.1], 0.05 + 0.05 * (-ph.cos()).max(0.0)),
                    (
                        [-0.4 * ph.sin() + 0.2, -0.1],
                        0.03 + 0.05 * (-ph.cos()).max(0.0),
                    ),
                ];
                for (p, z) in pts {
                    let xy = rot(p);
                    raw.points.extend_from_slice(&[xy[0], xy[1], z]);
                }
            }
            detect(&raw, 1.0).0
        };
        let t = make(-12.0);
        assert!(t.method.contains("turned -12.0 deg"), "{}", t.method);
        assert!(t.method.contains("feet's fore-aft line"), "{}", t.method);
        assert!(!make(0.01).method.contains("turned"));
    }

    #[test]
    fn a_static_is_turned_onto_the_way_the_feet_point() {
        let mut raw = RawTrial::empty(PathBuf::from("static.trc"), Format::Trc);
        raw.marker_names = ["L.ASIS", "L.PSIS", "L.Heel", "L.Toe", "R.Heel", "R.Toe"]
            .map(String::from)
            .to_vec();
        raw.n_frames = 100;
        let rot = |p: [f64; 2]| turned(20.0, p);
        for _ in 0..100 {
            // the pelvis itself rotated 5° further than the feet
            let pel = |p: [f64; 2]| turned(25.0, p);
            let pts = [
                (pel([0.1, 0.1]), 1.0),
                (pel([-0.05, 0.1]), 1.05),
                (rot([0.0, 0.1]), 0.05),
                (rot([0.2, 0.1]), 0.03),
                (rot([0.0, -0.1]), 0.05),
                (rot([0.2, -0.1]), 0.03),
            ];
            for (xy, z) in pts {
                raw.points.extend_from_slice(&[xy[0], xy[1], z]);
            }
        }
        let (t, _) = detect(&raw, 1.0);
        assert!(t.method.contains("turned +20.0 deg"), "{}", t.method);
        assert!(t.method.contains("the way the feet point"), "{}", t.method);
    }
}
