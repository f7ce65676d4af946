//! What a calibration reads from the static trial: landmarks by their candidate labels, joint
//! centres (midpoints, or Plug-in Gait's chord function), and the frames built from them.

use super::{static_mean, Pose, Side, Trial, M3, V3};

pub(super) struct Landmarks<'a> {
    pub(super) trial: &'a Trial,
    pub(super) missing: Vec<String>,
}

impl Landmarks<'_> {
    /// The first of `names` the static trial has; records the first name as missing if none.
    pub(super) fn any(&mut self, names: &[String]) -> Option<V3> {
        let found = names.iter().find_map(|n| static_mean(self.trial, n));
        if found.is_none() {
            if let Some(n) = names.first() {
                self.missing.push(n.clone());
            }
        }
        found
    }
    /// As `any`, without recording a miss (optional landmarks).
    pub(super) fn optional(&self, names: &[String]) -> Option<V3> {
        names.iter().find_map(|n| static_mean(self.trial, n))
    }
}

pub(super) fn mid(a: V3, b: V3) -> V3 {
    (a + b) / 2.0
}

pub(super) fn idx(side: Side) -> usize {
    match side {
        Side::L => 0,
        Side::R => 1,
    }
}

pub(super) fn up() -> V3 {
    V3::new(0.0, 0.0, 1.0)
}

/// Plug-in Gait's chord function: the joint centre `d` medial of the lateral `marker`, in the
/// plane of `proximal`, `wand` and `marker`, with a right angle at the centre between the
/// proximal joint centre and the marker.
pub fn chord(proximal: V3, wand: V3, marker: V3, d: f64) -> Option<V3> {
    let u = marker - proximal;
    let l = u.norm();
    if !(l > d && d > 0.0) {
        return None;
    }
    let uh = u / l;
    let w = wand - proximal;
    let v = (w - uh * w.dot(&uh)).try_normalize(1e-9)?; // toward the wand (lateral) side
    let along = (l * l - d * d) / l;
    let across = d * (l * l - d * d).sqrt() / l;
    Some(proximal + uh * along - v * across)
}

/// A knee or ankle centre: midway between the lateral and medial markers, or, without a medial
/// marker, by the chord function from the proximal centre, the wand and the joint width.
/// `Err` when neither is possible; `Ok(None)` without even a lateral marker.
pub(super) fn joint_centre(
    lateral: Option<V3>,
    medial: Option<V3>,
    proximal: Option<V3>,
    wand: Option<V3>,
    width: Option<f64>,
    radius: f64,
) -> Result<Option<V3>, ()> {
    match (lateral, medial, proximal, wand, width) {
        (Some(l), Some(m), ..) => Ok(Some(mid(l, m))),
        (Some(l), None, Some(p), Some(w), Some(width)) => Ok(chord(p, w, l, width / 2.0 + radius)),
        (Some(_), None, ..) => Err(()),
        _ => Ok(None),
    }
}

/// Anatomical frames and joint centres in the lab, from the static trial.
#[derive(Default)]
pub(super) struct StaticFrames {
    pub(super) pelvis: Option<Pose>,
    pub(super) trunk: Option<Pose>,
    pub(super) hjc: [Option<V3>; 2],
    pub(super) kjc: [Option<V3>; 2],
    pub(super) ajc: [Option<V3>; 2],
    pub(super) thigh: [Option<Pose>; 2],
    pub(super) shank: [Option<Pose>; 2],
    /// The knee-aligned proximal tibia in the shank's frame ([`ShankModel::KneeAligned`]).
    pub(super) shank_proximal: [Option<M3>; 2],
    pub(super) foot: [Option<Pose>; 2],
    pub(super) extra: Vec<(String, V3)>,
}
