//! Marker-set presets: which markers track which segment and which static landmarks build the
//! anatomical frames.

use super::{
    frame_from_y_and_right, static_mean, FootModel, HipModel, KneeAxis, Model, ModelOptions,
    PelvisModel, Pose, Segment, M3, V3,
};
use crate::markerset::MarkerSet;
use crate::trial::Trial;

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
    /// metatarsal markers; static adds epicondyles and malleoli.
    Rbds,
    /// Running Injury Clinic: 4-marker clusters on pelvis, thighs, shanks and shoes; static adds
    /// greater trochanters, epicondyles and malleoli.
    Ric,
}

impl Preset {
    pub fn from_marker_set(set: MarkerSet) -> Option<Self> {
        match set {
            MarkerSet::Rbds => Some(Self::Rbds),
            MarkerSet::RicClusters => Some(Self::Ric),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rbds => "rbds",
            Self::Ric => "ric",
        }
    }
}

/// Tracking markers of one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentDef {
    pub name: String,
    pub kind: SegmentKind,
    pub side: Option<Side>,
    pub tracking: Vec<String>,
}

fn side_name(side: Side, rbds: bool, what: &str) -> String {
    if rbds {
        format!("{}.{what}", side.as_char())
    } else {
        format!("{}_{what}", side.as_char())
    }
}

/// Segment definitions of a preset.
pub fn segments(preset: Preset) -> Vec<SegmentDef> {
    let mut out = Vec::new();
    match preset {
        Preset::Rbds => {
            out.push(SegmentDef {
                name: "pelvis".into(),
                kind: SegmentKind::Pelvis,
                side: None,
                tracking: [
                    "R.ASIS",
                    "L.ASIS",
                    "R.PSIS",
                    "L.PSIS",
                    "R.Iliac.Crest",
                    "L.Iliac.Crest",
                ]
                .map(String::from)
                .to_vec(),
            });
            for side in [Side::L, Side::R] {
                let n = |w: &str| side_name(side, true, w);
                let seg = |kind: SegmentKind, name: &str, tracking: Vec<String>| SegmentDef {
                    name: format!("{}_{name}", side.as_char()),
                    kind,
                    side: Some(side),
                    tracking,
                };
                out.push(seg(
                    SegmentKind::Thigh,
                    "thigh",
                    [
                        "Thigh.Top.Lateral",
                        "Thigh.Bottom.Lateral",
                        "Thigh.Top.Medial",
                        "Thigh.Bottom.Medial",
                    ]
                    .map(&n)
                    .to_vec(),
                ));
                out.push(seg(
                    SegmentKind::Shank,
                    "shank",
                    [
                        "Shank.Top.Lateral",
                        "Shank.Bottom.Lateral",
                        "Shank.Top.Medial",
                        "Shank.Bottom.Medial",
                    ]
                    .map(&n)
                    .to_vec(),
                ));
                out.push(seg(
                    SegmentKind::Foot,
                    "foot",
                    ["Heel.Top", "Heel.Lateral", "Heel.Bottom", "MT1", "MT5"]
                        .map(&n)
                        .to_vec(),
                ));
            }
        }
        Preset::Ric => {
            out.push(SegmentDef {
                name: "pelvis".into(),
                kind: SegmentKind::Pelvis,
                side: None,
                tracking: (1..=4).map(|k| format!("pelvis_{k}")).collect(),
            });
            for side in [Side::L, Side::R] {
                for (kind, what) in [
                    (SegmentKind::Thigh, "thigh"),
                    (SegmentKind::Shank, "shank"),
                    (SegmentKind::Foot, "foot"),
                ] {
                    out.push(SegmentDef {
                        name: format!("{}_{what}", side.as_char()),
                        kind,
                        side: Some(side),
                        tracking: (1..=4)
                            .map(|k| side_name(side, false, &format!("{what}_{k}")))
                            .collect(),
                    });
                }
            }
        }
    }
    out
}

struct Landmarks<'a> {
    trial: &'a Trial,
    missing: Vec<String>,
}

impl Landmarks<'_> {
    fn get(&mut self, name: &str) -> Option<V3> {
        let p = static_mean(self.trial, name);
        if p.is_none() {
            self.missing.push(name.to_string());
        }
        p
    }
}

fn mid(a: V3, b: V3) -> V3 {
    (a + b) / 2.0
}

/// Anatomical frames and joint centres in the lab, from the static trial.
struct StaticFrames {
    pelvis: Option<Pose>,
    hjc: [Option<V3>; 2],
    kjc: [Option<V3>; 2],
    ajc: [Option<V3>; 2],
    thigh: [Option<Pose>; 2],
    shank: [Option<Pose>; 2],
    foot: [Option<Pose>; 2],
    extra: Vec<(String, V3)>,
}

fn idx(side: Side) -> usize {
    match side {
        Side::L => 0,
        Side::R => 1,
    }
}

fn up() -> V3 {
    V3::new(0.0, 0.0, 1.0)
}

pub fn calibrate(trial: &Trial, preset: Preset, options: ModelOptions) -> Result<Model, String> {
    if trial.n_frames == 0 {
        return Err("the static trial has no frames".into());
    }
    let mut lm = Landmarks {
        trial,
        missing: Vec::new(),
    };
    let mut notes = Vec::new();
    let rbds = preset == Preset::Rbds;
    let name = |side: Side, what: &str| side_name(side, rbds, what);
    let mut sf = StaticFrames {
        pelvis: None,
        hjc: [None; 2],
        kjc: [None; 2],
        ajc: [None; 2],
        thigh: [None; 2],
        shank: [None; 2],
        foot: [None; 2],
        extra: Vec::new(),
    };

    // --- hip joint centres ---
    let trochanters = match preset {
        Preset::Rbds => (lm.get("R.GTR"), lm.get("L.GTR")),
        Preset::Ric => (lm.get("R_hip"), lm.get("L_hip")),
    };
    let asis_psis = if rbds {
        match (
            lm.get("R.ASIS"),
            lm.get("L.ASIS"),
            lm.get("R.PSIS"),
            lm.get("L.PSIS"),
        ) {
            (Some(ra), Some(la), Some(rp), Some(lp)) => Some((ra, la, rp, lp)),
            _ => None,
        }
    } else {
        None
    };
    let asis_frame = asis_psis.map(|(ra, la, rp, lp)| {
        let origin = mid(ra, la);
        let z = (ra - la).normalize();
        let y = z.cross(&(origin - mid(rp, lp))).normalize();
        (
            Pose {
                rot: M3::from_columns(&[y.cross(&z), y, z]),
                origin,
            },
            (ra - la).norm(),
            (origin - mid(rp, lp)).norm(),
        )
    });
    match (options.hip, asis_frame, trochanters) {
        (HipModel::Trochanter, _, (Some(r), Some(l))) | (_, None, (Some(r), Some(l))) => {
            let w = r - l;
            sf.hjc = [Some(l + 0.25 * w), Some(r - 0.25 * w)];
            notes.push(format!(
                "hip joint centres 25 % of the inter-trochanter width ({:.0} mm) medial to the trochanters",
                w.norm() * 1e3
            ));
        }
        (HipModel::Bell | HipModel::Harrington, Some((pelvis, width, depth)), _) => {
            for side in [Side::L, Side::R] {
                let local = if options.hip == HipModel::Bell {
                    V3::new(-0.19 * width, -0.30 * width, side.sign() * 0.36 * width)
                } else {
                    V3::new(
                        -0.24 * depth - 0.0099,
                        -0.30 * width - 0.0109,
                        side.sign() * (0.33 * width + 0.0073),
                    )
                };
                sf.hjc[idx(side)] = Some(pelvis.to_lab(&local));
            }
            notes.push(format!(
                "hip joint centres: {:?} regression (inter-ASIS width {:.0} mm)",
                options.hip,
                width * 1e3
            ));
        }
        _ => notes.push(
            "hip joint centres cannot be placed: neither ASIS/PSIS nor trochanter markers".into(),
        ),
    }

    // --- pelvis ---
    sf.pelvis = if let (PelvisModel::AsisPsis, Some((pelvis, _, _))) = (options.pelvis, asis_frame)
    {
        Some(pelvis)
    } else {
        // Visual3D's default pelvis: long axis from the hip centres up to the iliac crests (or,
        // without crest markers, the lab vertical in standing), right through the hip centres.
        let crests = if rbds {
            (lm.get("R.Iliac.Crest"), lm.get("L.Iliac.Crest"))
        } else {
            (None, None)
        };
        match (sf.hjc, crests) {
            ([Some(lh), Some(rh)], (Some(rc), Some(lc))) => {
                frame_from_y_and_right(mid(lh, rh), mid(rc, lc) - mid(lh, rh), rh - lh)
            }
            ([Some(lh), Some(rh)], _) => {
                notes.push(
                    "pelvis levelled to the lab in the static trial (no iliac crest markers)"
                        .into(),
                );
                frame_from_y_and_right(mid(lh, rh), up(), rh - lh)
            }
            _ => None,
        }
    };

    for side in [Side::L, Side::R] {
        let i = idx(side);
        let s = side.sign();
        let (kl, km) = (
            lm.get(&name(side, if rbds { "Knee" } else { "lat_knee" })),
            lm.get(&name(side, if rbds { "Knee.Medial" } else { "med_knee" })),
        );
        let (al, am) = (
            lm.get(&name(side, if rbds { "Ankle" } else { "lat_ankle" })),
            lm.get(&name(side, if rbds { "Ankle.Medial" } else { "med_ankle" })),
        );
        if let (Some(kl), Some(km)) = (kl, km) {
            sf.kjc[i] = Some(mid(kl, km));
            if let Some(hjc) = sf.hjc[i] {
                sf.thigh[i] = frame_from_y_and_right(hjc, hjc - mid(kl, km), (kl - km) * s);
            }
        }
        if let (Some(al), Some(am), Some(kjc)) = (al, am, sf.kjc[i]) {
            let ajc = mid(al, am);
            sf.ajc[i] = Some(ajc);
            sf.shank[i] = frame_from_y_and_right(kjc, kjc - ajc, (al - am) * s);
        }
        // Knee flexion axis aligned with the shank's in standing: the thigh turns about its own
        // long axis until knee rotation is zero in the static trial.
        if let (KneeAxis::StaticNeutral, Some(thigh), Some(shank)) =
            (options.knee, sf.thigh[i], sf.shank[i])
        {
            let z = shank.rot.column(2).into_owned();
            let y = thigh.rot.column(1).into_owned();
            if let Some(zp) = (z - y * z.dot(&y)).try_normalize(1e-9) {
                let x = y.cross(&zp);
                sf.thigh[i] = Some(Pose {
                    rot: M3::from_columns(&[x, y, zp]),
                    origin: thigh.origin,
                });
            }
        }
        sf.foot[i] = match (options.foot, sf.ajc[i], sf.shank[i]) {
            (FootModel::ShankNeutral, Some(ajc), Some(shank)) => Some(Pose {
                rot: shank.rot,
                origin: ajc,
            }),
            (FootModel::LabNeutral | FootModel::HeelToToe, Some(ajc), _) if rbds => {
                let heel = lm.get(&name(side, "Heel.Bottom"));
                let (mt1, mt5) = (lm.get(&name(side, "MT1")), lm.get(&name(side, "MT5")));
                let toe = static_mean(trial, &name(side, "MT2"))
                    .or_else(|| mt1.zip(mt5).map(|(a, b)| mid(a, b)));
                match (heel, toe, mt1, mt5) {
                    (Some(h), Some(toe), Some(m1), Some(m5)) => {
                        sf.extra
                            .push((format!("{}_toe", side.as_char()), mid(m1, m5)));
                        sf.extra.push((format!("{}_heel", side.as_char()), h));
                        if options.foot == FootModel::LabNeutral {
                            let mut d = toe - h;
                            d[2] = 0.0;
                            let x = d.normalize();
                            Some(Pose {
                                rot: M3::from_columns(&[x, up(), x.cross(&up())]),
                                origin: ajc,
                            })
                        } else {
                            let x = (toe - h).normalize();
                            let y = ((m5 - m1) * s).cross(&x).normalize();
                            Some(Pose {
                                rot: M3::from_columns(&[x, y, x.cross(&y)]),
                                origin: ajc,
                            })
                        }
                    }
                    _ => None,
                }
            }
            (FootModel::LabNeutral | FootModel::HeelToToe, Some(ajc), Some(shank)) => {
                notes.push(format!(
                    "{} foot has no heel/toe markers: foot frame = shank frame in standing",
                    side.as_char()
                ));
                Some(Pose {
                    rot: shank.rot,
                    origin: ajc,
                })
            }
            _ => None,
        };
    }

    // --- express tracking markers and landmarks in each segment frame ---
    let mut segments_out = Vec::new();
    for def in segments(preset) {
        let i = def.side.map(idx);
        let pose = match (def.kind, i) {
            (SegmentKind::Pelvis, _) => sf.pelvis,
            (SegmentKind::Thigh, Some(i)) => sf.thigh[i],
            (SegmentKind::Shank, Some(i)) => sf.shank[i],
            (SegmentKind::Foot, Some(i)) => sf.foot[i],
            _ => None,
        };
        let Some(pose) = pose else {
            notes.push(format!(
                "segment {} not built (landmarks missing)",
                def.name
            ));
            continue;
        };
        let mut tracking = Vec::new();
        for name in &def.tracking {
            match static_mean(trial, name) {
                Some(p) => tracking.push((name.clone(), pose.to_local(&p))),
                None => notes.push(format!(
                    "tracking marker {name} missing in the static trial"
                )),
            }
        }
        if tracking.len() < 3 {
            notes.push(format!(
                "segment {} has {} tracking markers in the static trial; needs 3",
                def.name,
                tracking.len()
            ));
            continue;
        }
        let mut landmarks = vec![("origin".to_string(), V3::zeros())];
        let mut add = |name: &str, p: Option<V3>| {
            if let Some(p) = p {
                landmarks.push((name.to_string(), pose.to_local(&p)));
            }
        };
        match (def.kind, i) {
            (SegmentKind::Pelvis, _) => {
                add("L_hjc", sf.hjc[0]);
                add("R_hjc", sf.hjc[1]);
            }
            (SegmentKind::Thigh, Some(i)) => {
                add("hjc", sf.hjc[i]);
                add("kjc", sf.kjc[i]);
            }
            (SegmentKind::Shank, Some(i)) => {
                add("kjc", sf.kjc[i]);
                add("ajc", sf.ajc[i]);
            }
            (SegmentKind::Foot, Some(i)) => {
                add("ajc", sf.ajc[i]);
                let c = def.side.map_or('?', Side::as_char);
                for (name, p) in &sf.extra {
                    if name.starts_with(c) {
                        add(name, Some(*p));
                    }
                }
            }
            _ => {}
        }
        segments_out.push(Segment {
            name: def.name.clone(),
            kind: def.kind,
            side: def.side,
            tracking,
            landmarks,
        });
    }
    if !lm.missing.is_empty() {
        lm.missing.sort();
        lm.missing.dedup();
        notes.push(format!(
            "static landmarks missing: {}",
            lm.missing.join(", ")
        ));
    }
    if segments_out.is_empty() {
        return Err(format!(
            "no segment could be calibrated from the static trial ({})",
            notes.join("; ")
        ));
    }
    Ok(Model {
        preset,
        options,
        segments: segments_out,
        notes,
    })
}
