//! Calibration of a preset's segments on a static trial: anatomical frames from landmarks, joint
//! centres by the chosen hip, knee, shank and foot models, and each segment's tracking cluster
//! in its own frame.

use super::{
    frame_from_y_and_right, labels, segments, static_mean, FootModel, HipModel, KneeAxis, Lm,
    Model, ModelOptions, PelvisModel, Pose, Preset, Segment, SegmentKind, ShankModel, Side, Trial,
    M3, V3,
};

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

pub fn calibrate(
    trial: &Trial,
    preset: Preset,
    options: ModelOptions,
) -> crate::error::Result<Model> {
    if trial.n_frames == 0 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::TooShort,
            "the static trial has no frames",
        ));
    }
    let mut lm = Landmarks {
        trial,
        missing: Vec::new(),
    };
    let mut notes = Vec::new();
    let names = |side: Side, l: Lm| labels(preset, side, l);
    let mut sf = StaticFrames::default();

    // --- pelvis markers and hip joint centres ---
    let has_trochanters = !names(Side::R, Lm::Trochanter).is_empty();
    let trochanters = if has_trochanters {
        (
            lm.any(&names(Side::R, Lm::Trochanter)),
            lm.any(&names(Side::L, Lm::Trochanter)),
        )
    } else {
        (None, None)
    };
    let asis_frame = if names(Side::R, Lm::Asis).is_empty() {
        None
    } else {
        let (ra, la) = (
            lm.any(&names(Side::R, Lm::Asis)),
            lm.any(&names(Side::L, Lm::Asis)),
        );
        let sacrum = lm.optional(&names(Side::R, Lm::Sacrum));
        let psis_mid = match (
            lm.optional(&names(Side::R, Lm::Psis)),
            lm.optional(&names(Side::L, Lm::Psis)),
        ) {
            (Some(rp), Some(lp)) => Some(mid(rp, lp)),
            _ => sacrum,
        };
        if psis_mid.is_none() {
            lm.missing.push(names(Side::R, Lm::Psis)[0].clone());
        }
        match (ra, la, psis_mid) {
            (Some(ra), Some(la), Some(pm)) => {
                let origin = mid(ra, la);
                let z = (ra - la).normalize();
                let y = z.cross(&(origin - pm)).normalize();
                Some((
                    Pose {
                        rot: M3::from_columns(&[y.cross(&z), y, z]),
                        origin,
                    },
                    (ra - la).norm(),
                    (origin - pm).norm(),
                ))
            }
            _ => None,
        }
    };
    let tracked_hips = (
        lm.optional(&names(Side::R, Lm::HipCentre)),
        lm.optional(&names(Side::L, Lm::HipCentre)),
    );
    match (options.hip, asis_frame, trochanters) {
        _ if tracked_hips.0.is_some() && tracked_hips.1.is_some() => {
            sf.hjc = [tracked_hips.1, tracked_hips.0];
            notes.push(
                "hip joint centres tracked as points (OpenCap's marker augmenter: RHJC_study, LHJC_study)"
                    .into(),
            );
        }
        (HipModel::Trochanter, _, (Some(r), Some(l))) | (_, None, (Some(r), Some(l))) => {
            let w = r - l;
            sf.hjc = [Some(l + 0.25 * w), Some(r - 0.25 * w)];
            notes.push(format!(
                "hip joint centres 25 % of the inter-trochanter width ({:.0} mm) medial to the trochanters",
                w.norm() * 1e3
            ));
        }
        (hip, Some((pelvis, width, depth)), _) => {
            let bell = hip == HipModel::Bell;
            for side in [Side::L, Side::R] {
                let local = if bell {
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
            let which = if bell { "Bell 1990" } else { "Harrington 2007" };
            notes.push(format!(
                "hip joint centres: {which} regression (inter-ASIS width {:.0} mm)",
                width * 1e3
            ));
        }
        _ => notes.push(
            "hip joint centres cannot be placed: neither ASIS/PSIS nor trochanter markers".into(),
        ),
    }

    // --- pelvis frame ---
    sf.pelvis = match (options.pelvis, asis_frame) {
        (PelvisModel::AsisPsis, Some((pelvis, _, _))) => Some(pelvis),
        // without hip centres from trochanters, the ASIS/PSIS frame is the pelvis
        (_, Some((pelvis, _, _))) if !has_trochanters => Some(pelvis),
        _ => {
            // Visual3D's default pelvis: long axis from the hip centres up to the iliac crests
            // (or, without crest markers, the lab vertical in standing), right through the hips.
            let crests = (
                lm.optional(&names(Side::R, Lm::IliacCrest)),
                lm.optional(&names(Side::L, Lm::IliacCrest)),
            );
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
        }
    };

    // --- limbs ---
    for side in [Side::L, Side::R] {
        let i = idx(side);
        let s = side.sign();
        let c = side.as_char();
        let knee_lat = lm.any(&names(side, Lm::KneeLateral));
        let ankle_lat = lm.any(&names(side, Lm::AnkleLateral));
        let knee_med = lm.optional(&names(side, Lm::KneeMedial));
        let ankle_med = lm.optional(&names(side, Lm::AnkleMedial));
        let radius = options.marker_radius_m;
        let wand = lm.optional(&names(side, Lm::ThighWand));
        sf.kjc[i] = joint_centre(
            knee_lat,
            knee_med,
            sf.hjc[i],
            wand,
            options.knee_width_m[i],
            radius,
        )
        .unwrap_or_else(|()| {
            notes.push(format!(
                "{c} knee centre needs a medial knee marker or the knee width"
            ));
            None
        });
        if let (Some(kl), Some(kjc), Some(hjc)) = (knee_lat, sf.kjc[i], sf.hjc[i]) {
            sf.thigh[i] = frame_from_y_and_right(hjc, hjc - kjc, (kl - kjc) * s);
        }
        let wand = lm.optional(&names(side, Lm::TibiaWand));
        sf.ajc[i] = joint_centre(
            ankle_lat,
            ankle_med,
            sf.kjc[i],
            wand,
            options.ankle_width_m[i],
            radius,
        )
        .unwrap_or_else(|()| {
            notes.push(format!(
                "{c} ankle centre needs a medial malleolus marker or the ankle width"
            ));
            None
        });
        if let (Some(al), Some(ajc), Some(kjc)) = (ankle_lat, sf.ajc[i], sf.kjc[i]) {
            sf.shank[i] = frame_from_y_and_right(kjc, kjc - ajc, (al - ajc) * s);
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
        // Proximal tibia for the knee's angles: the shank turned about its long axis until its
        // medio-lateral axis is the thigh's flexion axis in standing.
        if let (ShankModel::KneeAligned, Some(thigh), Some(shank)) =
            (options.shank, sf.thigh[i], sf.shank[i])
        {
            let y = shank.rot.column(1).into_owned();
            let z = thigh.rot.column(2).into_owned();
            if let Some(zp) = (z - y * z.dot(&y)).try_normalize(1e-9) {
                let knee_frame = M3::from_columns(&[y.cross(&zp), y, zp]);
                sf.shank_proximal[i] = Some(shank.rot.transpose() * knee_frame);
            }
        }
        // --- foot ---
        let mut heel = lm.optional(&names(side, Lm::HeelFloor));
        let (mt1, mt5) = (
            lm.optional(&names(side, Lm::Mt1)),
            lm.optional(&names(side, Lm::Mt5)),
        );
        let mut toe = lm
            .optional(&names(side, Lm::Toe))
            .or_else(|| mt1.zip(mt5).map(|(a, b)| mid(a, b)));
        // a shoe cluster without heel or toe markers (RIC): the sole placed from the static
        if let (None, None, Some(al), Some(am), Some(troch)) = (
            heel,
            toe,
            ankle_lat,
            ankle_med,
            [trochanters.1, trochanters.0][i],
        ) {
            let cluster: Vec<V3> = segments(preset)
                .iter()
                .filter(|d| d.kind == SegmentKind::Foot && d.side == Some(side))
                .flat_map(|d| d.tracking.iter().filter_map(|n| static_mean(trial, n)))
                .collect();
            if let Some(sole) = crate::model::sole::from_static(al, am, troch, &cluster, side) {
                heel = Some(sole.heel);
                toe = Some(sole.toe());
                notes.push(format!(
                    "{c} heel and toe placed on the static's floor from the shoe cluster, malleoli \
                     and trochanter (foot length {:.0} mm, Drillis & Contini proportions)",
                    sole.length_m * 1e3
                ));
            }
        }
        if let Some(h) = heel {
            sf.extra.push((format!("{c}_heel"), h));
        }
        if let Some(t) = mt1.zip(mt5).map(|(a, b)| mid(a, b)).or(toe) {
            sf.extra.push((format!("{c}_toe"), t));
        }
        sf.foot[i] = match (options.foot, sf.ajc[i], sf.shank[i], heel, toe) {
            (FootModel::ShankNeutral, Some(ajc), Some(shank), _, _) => Some(Pose {
                rot: shank.rot,
                origin: ajc,
            }),
            (FootModel::LabNeutral, Some(ajc), _, Some(h), Some(t)) => {
                let mut d = t - h;
                d[2] = 0.0;
                d.try_normalize(1e-9).map(|x| Pose {
                    rot: M3::from_columns(&[x, up(), x.cross(&up())]),
                    origin: ajc,
                })
            }
            (FootModel::HeelToToe, Some(ajc), _, Some(h), Some(t)) => {
                let x = (t - h).normalize();
                let right = match (mt1, mt5) {
                    (Some(m1), Some(m5)) => (m5 - m1) * s,
                    _ => sf.shank[i]
                        .map_or(V3::new(0.0, -1.0, 0.0), |p| p.rot.column(2).into_owned()),
                };
                let y = right.cross(&x).normalize();
                Some(Pose {
                    rot: M3::from_columns(&[x, y, x.cross(&y)]),
                    origin: ajc,
                })
            }
            (_, Some(ajc), Some(shank), _, _) => {
                notes.push(format!(
                    "{c} foot has no heel/toe markers: foot frame = shank frame in standing"
                ));
                Some(Pose {
                    rot: shank.rot,
                    origin: ajc,
                })
            }
            _ => None,
        };
    }

    // --- thorax (Plug-in Gait full body): ISB, origin at the jugular notch (CLAV) ---
    if preset == Preset::PluginGait {
        if let (Some(c7), Some(t10), Some(clav), Some(strn)) = (
            lm.optional(&["C7".into()]),
            lm.optional(&["T10".into()]),
            lm.optional(&["CLAV".into()]),
            lm.optional(&["STRN".into()]),
        ) {
            let y = mid(clav, c7) - mid(strn, t10);
            let z = (clav - c7).cross(&y); // anterior × up = right
            sf.trunk = frame_from_y_and_right(clav, y, z);
        }
    }

    // --- express tracking points and landmarks in each segment frame ---
    let virtual_point = |name: &str| -> Option<V3> {
        let (segname, lname) = name.strip_prefix('@')?.split_once('/')?;
        let side = match segname.chars().next()? {
            'L' => 0,
            'R' => 1,
            _ => usize::from(lname.starts_with('R')),
        };
        match lname.trim_start_matches(['L', 'R', '_']) {
            "hjc" => sf.hjc[side],
            "kjc" => sf.kjc[side],
            "ajc" => sf.ajc[side],
            _ => None,
        }
    };
    let mut segments_out: Vec<Segment> = Vec::new();
    for def in segments(preset) {
        let i = def.side.map(idx);
        let pose = match (def.kind, i) {
            (SegmentKind::Pelvis, _) => sf.pelvis,
            (SegmentKind::Trunk, _) => sf.trunk,
            (SegmentKind::Thigh, Some(i)) => sf.thigh[i],
            (SegmentKind::Shank, Some(i)) => sf.shank[i],
            (SegmentKind::Foot, Some(i)) => sf.foot[i],
            _ => None,
        };
        let Some(pose) = pose else {
            if def.kind != SegmentKind::Trunk {
                notes.push(format!(
                    "segment {} not built (landmarks missing)",
                    def.name
                ));
            }
            continue;
        };
        let mut tracking = Vec::new();
        for name in &def.tracking {
            let p = if let Some(rest) = name.strip_prefix('@') {
                // carried by a segment above: usable only if that segment was built
                let above = rest.split('/').next().unwrap_or("");
                segments_out
                    .iter()
                    .any(|s| s.name == above)
                    .then(|| virtual_point(name))
                    .flatten()
            } else {
                static_mean(trial, name)
            };
            match p {
                Some(p) => tracking.push((name.clone(), pose.to_local(&p))),
                None if name == "SACR" || name.ends_with("PSI") => {}
                None => notes.push(format!("tracking point {name} missing in the static trial")),
            }
        }
        if tracking.len() < 3 {
            notes.push(format!(
                "segment {} has {} tracking points in the static trial; needs 3",
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
        let proximal_frame = match (def.kind, i) {
            (SegmentKind::Shank, Some(i)) => sf.shank_proximal[i],
            _ => None,
        };
        segments_out.push(Segment {
            proximal_frame,
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
        return Err(crate::error::Error::stage(
            crate::error::Reason::Calibration,
            format!(
                "no segment could be calibrated from the static trial ({})",
                notes.join("; ")
            ),
        ));
    }
    Ok(Model {
        preset,
        options,
        segments: segments_out,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn chord_places_the_centre_at_a_right_angle() {
        let hip = V3::new(0.0, 0.0, 0.9);
        let knee_marker = V3::new(0.0, -0.05, 0.5);
        let wand = V3::new(0.02, -0.09, 0.7);
        let c = chord(hip, wand, knee_marker, 0.055).unwrap();
        assert!(((c - knee_marker).norm() - 0.055).abs() < 1e-12);
        assert!((c - hip).dot(&(c - knee_marker)).abs() < 1e-12);
        // medial of the marker: away from the wand side
        assert!(c[1] > knee_marker[1]);
    }
}
