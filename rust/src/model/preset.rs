//! Marker-set presets: which markers track which segment and which static landmarks build the
//! anatomical frames. Each preset names its landmarks in [`labels`]; the calibration itself is
//! the same for all.

use super::{
    frame_from_y_and_right, static_mean, FootModel, HipModel, KneeAxis, Model, ModelOptions,
    PelvisModel, Pose, Segment, ShankModel, M3, V3,
};
use crate::markerset::MarkerSet;
use crate::trial::Trial;

mod calibrate;
mod landmarks;
pub use calibrate::calibrate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    L,
    R,
}

impl Side {
    pub fn as_char(self) -> char {
        match self {
            Self::L => 'L',
            Self::R => 'R',
        }
    }
    /// +1 for right, −1 for left: flips lateral vectors so that Z points right on both sides.
    pub fn sign(self) -> f64 {
        match self {
            Self::L => -1.0,
            Self::R => 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    Pelvis,
    Thigh,
    Shank,
    Foot,
    Trunk,
}

/// The marker sets the model can calibrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Running Biomechanics Data Set: pelvis markers, 4-marker thigh and shank clusters, heel and
    /// metatarsal markers; static adds trochanters, epicondyles and malleoli.
    Rbds,
    /// Running Injury Clinic: 4-marker clusters on pelvis, thighs, shanks and shoes; static adds
    /// greater trochanters, epicondyles and malleoli.
    Ric,
    /// Vicon Plug-in Gait, lower or full body: two markers per limb segment plus the joint centre
    /// carried from the segment above; medial knee/ankle markers in the static trial, or knee and
    /// ankle widths; thorax from C7, T10, CLAV, STRN in the full-body set.
    PluginGait,
    /// OpenCap (Uhlrich et al. 2023): the marker augmenter's anatomical `_study` markers and hip
    /// joint centres, present in every frame, so any frame of the trial itself can calibrate.
    OpenCap,
}

impl Preset {
    pub fn from_marker_set(set: MarkerSet) -> Option<Self> {
        match set {
            MarkerSet::Rbds => Some(Self::Rbds),
            MarkerSet::RicClusters => Some(Self::Ric),
            MarkerSet::PluginGaitLower | MarkerSet::PluginGaitFull => Some(Self::PluginGait),
            MarkerSet::OpenCap => Some(Self::OpenCap),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rbds => "rbds",
            Self::Ric => "ric",
            Self::PluginGait => "plugin_gait",
            Self::OpenCap => "opencap",
        }
    }
}

/// Tracking points of one segment: marker labels, or `@segment/landmark` for a landmark carried
/// by a segment tracked before it.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentDef {
    pub name: String,
    pub kind: SegmentKind,
    pub side: Option<Side>,
    pub tracking: Vec<String>,
}

/// Anatomical landmarks a preset may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lm {
    Asis,
    Psis,
    Sacrum,
    Trochanter,
    IliacCrest,
    KneeLateral,
    KneeMedial,
    AnkleLateral,
    AnkleMedial,
    ThighWand,
    TibiaWand,
    HeelFloor,
    Toe,
    Mt1,
    Mt5,
    /// A hip joint centre tracked as a point (OpenCap's `RHJC_study`).
    HipCentre,
}

/// Candidate labels of a landmark in a preset, first found wins.
pub fn labels(preset: Preset, side: Side, lm: Lm) -> Vec<String> {
    let c = side.as_char();
    let v: Vec<String> = match preset {
        Preset::Rbds => match lm {
            Lm::Asis => vec![format!("{c}.ASIS")],
            Lm::Psis => vec![format!("{c}.PSIS")],
            Lm::Trochanter => vec![format!("{c}.GTR")],
            Lm::IliacCrest => vec![format!("{c}.Iliac.Crest")],
            Lm::KneeLateral => vec![format!("{c}.Knee")],
            Lm::KneeMedial => vec![format!("{c}.Knee.Medial")],
            Lm::AnkleLateral => vec![format!("{c}.Ankle")],
            Lm::AnkleMedial => vec![format!("{c}.Ankle.Medial")],
            Lm::HeelFloor => vec![format!("{c}.Heel.Bottom")],
            Lm::Toe => vec![format!("{c}.MT2")],
            Lm::Mt1 => vec![format!("{c}.MT1")],
            Lm::Mt5 => vec![format!("{c}.MT5")],
            _ => vec![],
        },
        Preset::Ric => match lm {
            Lm::Trochanter => vec![format!("{c}_hip")],
            Lm::KneeLateral => vec![format!("{c}_lat_knee")],
            Lm::KneeMedial => vec![format!("{c}_med_knee")],
            Lm::AnkleLateral => vec![format!("{c}_lat_ankle")],
            Lm::AnkleMedial => vec![format!("{c}_med_ankle")],
            _ => vec![],
        },
        Preset::PluginGait => match lm {
            Lm::Asis => vec![format!("{c}ASI")],
            Lm::Psis => vec![format!("{c}PSI")],
            Lm::Sacrum => vec!["SACR".into()],
            Lm::KneeLateral => vec![format!("{c}KNE")],
            Lm::KneeMedial => vec![format!("{c}KNM"), format!("{c}MKN"), format!("{c}KNEM")],
            Lm::AnkleLateral => vec![format!("{c}ANK")],
            Lm::AnkleMedial => vec![format!("{c}MMA"), format!("{c}MED"), format!("{c}ANKM")],
            Lm::ThighWand => vec![format!("{c}THI")],
            Lm::TibiaWand => vec![format!("{c}TIB")],
            Lm::HeelFloor => vec![format!("{c}HEE")],
            Lm::Toe => vec![format!("{c}TOE")],
            _ => vec![],
        },
        Preset::OpenCap => {
            let s = opencap_side(side);
            match lm {
                Lm::Asis => vec![format!("{s}.ASIS_study")],
                Lm::Psis => vec![format!("{s}.PSIS_study")],
                Lm::KneeLateral => vec![format!("{s}_knee_study")],
                Lm::KneeMedial => vec![format!("{s}_mknee_study")],
                Lm::AnkleLateral => vec![format!("{s}_ankle_study")],
                Lm::AnkleMedial => vec![format!("{s}_mankle_study")],
                Lm::HeelFloor => vec![format!("{s}_calc_study")],
                Lm::Toe => vec![format!("{s}_toe_study")],
                Lm::Mt5 => vec![format!("{s}_5meta_study")],
                Lm::HipCentre => vec![format!("{c}HJC_study")],
                _ => vec![],
            }
        }
    };
    v
}

/// OpenCap's side prefix of the `_study` markers: lower-case `r`, upper-case `L`.
fn opencap_side(side: Side) -> &'static str {
    match side {
        Side::L => "L",
        Side::R => "r",
    }
}

fn seg(name: String, kind: SegmentKind, side: Option<Side>, tracking: Vec<String>) -> SegmentDef {
    SegmentDef {
        name,
        kind,
        side,
        tracking,
    }
}

/// Segment definitions of a preset, in tracking order (a segment may use landmarks of the
/// segments before it).
pub fn segments(preset: Preset) -> Vec<SegmentDef> {
    let mut out = Vec::new();
    match preset {
        Preset::Rbds => rbds_segments(&mut out),
        Preset::Ric => ric_segments(&mut out),
        Preset::PluginGait => plugin_gait_segments(&mut out),
        Preset::OpenCap => opencap_segments(&mut out),
    }
    out
}

/// RBDS: four-marker thigh and shank plates, heel and metatarsal markers.
fn rbds_segments(out: &mut Vec<SegmentDef>) {
    let pelvis = [
        "R.ASIS",
        "L.ASIS",
        "R.PSIS",
        "L.PSIS",
        "R.Iliac.Crest",
        "L.Iliac.Crest",
    ];
    out.push(seg(
        "pelvis".into(),
        SegmentKind::Pelvis,
        None,
        pelvis.map(String::from).to_vec(),
    ));
    for side in [Side::L, Side::R] {
        let c = side.as_char();
        let names = |parts: &[&str]| parts.iter().map(|w| format!("{c}.{w}")).collect::<Vec<_>>();
        out.push(seg(
            format!("{c}_thigh"),
            SegmentKind::Thigh,
            Some(side),
            names(&[
                "Thigh.Top.Lateral",
                "Thigh.Bottom.Lateral",
                "Thigh.Top.Medial",
                "Thigh.Bottom.Medial",
            ]),
        ));
        out.push(seg(
            format!("{c}_shank"),
            SegmentKind::Shank,
            Some(side),
            names(&[
                "Shank.Top.Lateral",
                "Shank.Bottom.Lateral",
                "Shank.Top.Medial",
                "Shank.Bottom.Medial",
            ]),
        ));
        out.push(seg(
            format!("{c}_foot"),
            SegmentKind::Foot,
            Some(side),
            names(&["Heel.Top", "Heel.Lateral", "Heel.Bottom", "MT1", "MT5"]),
        ));
    }
}

/// RIC: four-marker clusters on pelvis, thighs, shanks and shoes.
fn ric_segments(out: &mut Vec<SegmentDef>) {
    out.push(seg(
        "pelvis".into(),
        SegmentKind::Pelvis,
        None,
        (1..=4).map(|k| format!("pelvis_{k}")).collect(),
    ));
    for side in [Side::L, Side::R] {
        let c = side.as_char();
        for (kind, what) in [
            (SegmentKind::Thigh, "thigh"),
            (SegmentKind::Shank, "shank"),
            (SegmentKind::Foot, "foot"),
        ] {
            out.push(seg(
                format!("{c}_{what}"),
                kind,
                Some(side),
                (1..=4).map(|k| format!("{c}_{what}_{k}")).collect(),
            ));
        }
    }
}

/// Plug-in Gait: each limb segment carries its proximal joint centre.
fn plugin_gait_segments(out: &mut Vec<SegmentDef>) {
    let pelvis = ["LASI", "RASI", "LPSI", "RPSI", "SACR"];
    out.push(seg(
        "pelvis".into(),
        SegmentKind::Pelvis,
        None,
        pelvis.map(String::from).to_vec(),
    ));
    for side in [Side::L, Side::R] {
        let c = side.as_char();
        out.push(seg(
            format!("{c}_thigh"),
            SegmentKind::Thigh,
            Some(side),
            vec![
                format!("@pelvis/{c}_hjc"),
                format!("{c}THI"),
                format!("{c}KNE"),
            ],
        ));
        out.push(seg(
            format!("{c}_shank"),
            SegmentKind::Shank,
            Some(side),
            vec![
                format!("@{c}_thigh/kjc"),
                format!("{c}TIB"),
                format!("{c}ANK"),
            ],
        ));
        out.push(seg(
            format!("{c}_foot"),
            SegmentKind::Foot,
            Some(side),
            vec![
                format!("@{c}_shank/ajc"),
                format!("{c}HEE"),
                format!("{c}TOE"),
            ],
        ));
    }
    out.push(seg(
        "trunk".into(),
        SegmentKind::Trunk,
        None,
        ["C7", "T10", "CLAV", "STRN"].map(String::from).to_vec(),
    ));
}

/// OpenCap: anatomical `_study` markers and the augmenter's hip centres.
fn opencap_segments(out: &mut Vec<SegmentDef>) {
    let pelvis = [
        "r.ASIS_study",
        "L.ASIS_study",
        "r.PSIS_study",
        "L.PSIS_study",
    ];
    out.push(seg(
        "pelvis".into(),
        SegmentKind::Pelvis,
        None,
        pelvis.map(String::from).to_vec(),
    ));
    for side in [Side::L, Side::R] {
        let (c, s) = (side.as_char(), opencap_side(side));
        let names = |parts: &[&str]| -> Vec<String> {
            parts.iter().map(|w| format!("{s}_{w}_study")).collect()
        };
        let mut thigh = names(&["knee", "mknee", "thigh1", "thigh2", "thigh3"]);
        thigh.push(format!("{c}HJC_study"));
        out.push(seg(
            format!("{c}_thigh"),
            SegmentKind::Thigh,
            Some(side),
            thigh,
        ));
        out.push(seg(
            format!("{c}_shank"),
            SegmentKind::Shank,
            Some(side),
            names(&["sh1", "sh2", "sh3", "ankle", "mankle"]),
        ));
        out.push(seg(
            format!("{c}_foot"),
            SegmentKind::Foot,
            Some(side),
            names(&["calc", "toe", "5meta"]),
        ));
    }
}
