//! Calibration of a preset's segments on a static trial: anatomical frames from landmarks, joint
//! centres by the chosen hip, knee, shank and foot models, and each segment's tracking cluster
//! in its own frame.

use super::landmarks::{idx, joint_centre, mid, up, Landmarks, StaticFrames};
use super::{
    frame_from_y_and_right, labels, segments, static_mean, FootModel, HipModel, KneeAxis, Lm,
    Model, ModelOptions, PelvisModel, Pose, Preset, Segment, SegmentDef, SegmentKind, ShankModel,
    Side, Trial, M3, V3,
};

/// Pelvis pose from the ASIS and PSIS, with the inter-ASIS width and the ASIS-PSIS depth (m).
type AsisFrame = (Pose, f64, f64);

/// One calibration in progress: the landmarks found so far, the frames built and the notes.
struct Calibration<'a> {
    preset: Preset,
    options: ModelOptions,
    lm: Landmarks<'a>,
    notes: Vec<String>,
    sf: StaticFrames,
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
    let mut c = Calibration {
        preset,
        options,
        lm: Landmarks {
            trial,
            missing: Vec::new(),
        },
        notes: Vec::new(),
        sf: StaticFrames::default(),
    };
    let trochanters = c.pelvis_and_hips();
    for side in [Side::L, Side::R] {
        c.knee_and_ankle(side);
        c.foot(side, [trochanters.1, trochanters.0][idx(side)]);
    }
    c.thorax();
    let segments = c.segments();
    c.finish(segments)
}

impl Calibration<'_> {
    fn names(&self, side: Side, l: Lm) -> Vec<String> {
        labels(self.preset, side, l)
    }
    /// A landmark the model needs (a miss is recorded).
    fn any(&mut self, side: Side, l: Lm) -> Option<V3> {
        let names = self.names(side, l);
        self.lm.any(&names)
    }
    fn optional(&self, side: Side, l: Lm) -> Option<V3> {
        self.lm.optional(&self.names(side, l))
    }

    /// Hip joint centres and the pelvis frame; returns the (right, left) trochanters.
    fn pelvis_and_hips(&mut self) -> (Option<V3>, Option<V3>) {
        let has_trochanters = !self.names(Side::R, Lm::Trochanter).is_empty();
        let trochanters = if has_trochanters {
            (
                self.any(Side::R, Lm::Trochanter),
                self.any(Side::L, Lm::Trochanter),
            )
        } else {
            (None, None)
        };
        let asis_frame = self.asis_frame();
        self.hip_centres(asis_frame, trochanters);
        self.pelvis_frame(asis_frame, has_trochanters);
        trochanters
    }

    /// The ASIS/PSIS pelvis (sacrum for the PSIS midpoint when the PSIS are missing).
    fn asis_frame(&mut self) -> Option<AsisFrame> {
        if self.names(Side::R, Lm::Asis).is_empty() {
            return None;
        }
        let (ra, la) = (self.any(Side::R, Lm::Asis), self.any(Side::L, Lm::Asis));
        let sacrum = self.optional(Side::R, Lm::Sacrum);
        let psis_mid = match (
            self.optional(Side::R, Lm::Psis),
            self.optional(Side::L, Lm::Psis),
        ) {
            (Some(rp), Some(lp)) => Some(mid(rp, lp)),
            _ => sacrum,
        };
        if psis_mid.is_none() {
            let first = self.names(Side::R, Lm::Psis)[0].clone();
            self.lm.missing.push(first);
        }
        let (ra, la, pm) = (ra?, la?, psis_mid?);
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

    /// Hip joint centres: tracked (OpenCap), from the trochanters, or by Bell's or Harrington's
    /// regression on the ASIS/PSIS pelvis.
    fn hip_centres(
        &mut self,
        asis_frame: Option<AsisFrame>,
        trochanters: (Option<V3>, Option<V3>),
    ) {
        let tracked_hips = (
            self.optional(Side::R, Lm::HipCentre),
            self.optional(Side::L, Lm::HipCentre),
        );
        match (self.options.hip, asis_frame, trochanters) {
            _ if tracked_hips.0.is_some() && tracked_hips.1.is_some() => {
                self.sf.hjc = [tracked_hips.1, tracked_hips.0];
                self.notes.push(
                    "hip joint centres tracked as points (OpenCap's marker augmenter: RHJC_study, LHJC_study)"
                        .into(),
                );
            }
            (HipModel::Trochanter, _, (Some(r), Some(l))) | (_, None, (Some(r), Some(l))) => {
                let w = r - l;
                self.sf.hjc = [Some(l + 0.25 * w), Some(r - 0.25 * w)];
                self.notes.push(format!(
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
                    self.sf.hjc[idx(side)] = Some(pelvis.to_lab(&local));
                }
                let which = if bell { "Bell 1990" } else { "Harrington 2007" };
                self.notes.push(format!(
                    "hip joint centres: {which} regression (inter-ASIS width {:.0} mm)",
                    width * 1e3
                ));
            }
            _ => self.notes.push(
                "hip joint centres cannot be placed: neither ASIS/PSIS nor trochanter markers"
                    .into(),
            ),
        }
    }

    fn pelvis_frame(&mut self, asis_frame: Option<AsisFrame>, has_trochanters: bool) {
        self.sf.pelvis = match (self.options.pelvis, asis_frame) {
            (PelvisModel::AsisPsis, Some((pelvis, _, _))) => Some(pelvis),
            // without hip centres from trochanters, the ASIS/PSIS frame is the pelvis
            (_, Some((pelvis, _, _))) if !has_trochanters => Some(pelvis),
            _ => {
                // Visual3D's default pelvis: long axis from the hip centres up to the iliac
                // crests (or, without crest markers, the lab vertical in standing), right
                // through the hips.
                let crests = (
                    self.optional(Side::R, Lm::IliacCrest),
                    self.optional(Side::L, Lm::IliacCrest),
                );
                match (self.sf.hjc, crests) {
                    ([Some(lh), Some(rh)], (Some(rc), Some(lc))) => {
                        frame_from_y_and_right(mid(lh, rh), mid(rc, lc) - mid(lh, rh), rh - lh)
                    }
                    ([Some(lh), Some(rh)], _) => {
                        self.notes.push(
                            "pelvis levelled to the lab in the static trial (no iliac crest markers)"
                                .into(),
                        );
                        frame_from_y_and_right(mid(lh, rh), up(), rh - lh)
                    }
                    _ => None,
                }
            }
        };
    }

    /// Knee and ankle centres, thigh and shank frames, and the knee-axis options of one leg.
    fn knee_and_ankle(&mut self, side: Side) {
        let i = idx(side);
        let s = side.sign();
        let c = side.as_char();
        let knee_lat = self.any(side, Lm::KneeLateral);
        let ankle_lat = self.any(side, Lm::AnkleLateral);
        let knee_med = self.optional(side, Lm::KneeMedial);
        let ankle_med = self.optional(side, Lm::AnkleMedial);
        let radius = self.options.marker_radius_m;
        let wand = self.optional(side, Lm::ThighWand);
        let knee = joint_centre(
            knee_lat,
            knee_med,
            self.sf.hjc[i],
            wand,
            self.options.knee_width_m[i],
            radius,
        );
        self.sf.kjc[i] = knee.unwrap_or_else(|()| {
            self.notes.push(format!(
                "{c} knee centre needs a medial knee marker or the knee width"
            ));
            None
        });
        if let (Some(kl), Some(kjc), Some(hjc)) = (knee_lat, self.sf.kjc[i], self.sf.hjc[i]) {
            self.sf.thigh[i] = frame_from_y_and_right(hjc, hjc - kjc, (kl - kjc) * s);
        }
        let wand = self.optional(side, Lm::TibiaWand);
        let ankle = joint_centre(
            ankle_lat,
            ankle_med,
            self.sf.kjc[i],
            wand,
            self.options.ankle_width_m[i],
            radius,
        );
        self.sf.ajc[i] = ankle.unwrap_or_else(|()| {
            self.notes.push(format!(
                "{c} ankle centre needs a medial malleolus marker or the ankle width"
            ));
            None
        });
        if let (Some(al), Some(ajc), Some(kjc)) = (ankle_lat, self.sf.ajc[i], self.sf.kjc[i]) {
            self.sf.shank[i] = frame_from_y_and_right(kjc, kjc - ajc, (al - ajc) * s);
        }
        self.knee_axes(i);
    }

    /// [`KneeAxis::StaticNeutral`] and [`ShankModel::KneeAligned`] of leg `i`.
    fn knee_axes(&mut self, i: usize) {
        // Knee flexion axis aligned with the shank's in standing: the thigh turns about its own
        // long axis until knee rotation is zero in the static trial.
        if let (KneeAxis::StaticNeutral, Some(thigh), Some(shank)) =
            (self.options.knee, self.sf.thigh[i], self.sf.shank[i])
        {
            let z = shank.rot.column(2).into_owned();
            let y = thigh.rot.column(1).into_owned();
            if let Some(zp) = (z - y * z.dot(&y)).try_normalize(1e-9) {
                let x = y.cross(&zp);
                self.sf.thigh[i] = Some(Pose {
                    rot: M3::from_columns(&[x, y, zp]),
                    origin: thigh.origin,
                });
            }
        }
        // Proximal tibia for the knee's angles: the shank turned about its long axis until its
        // medio-lateral axis is the thigh's flexion axis in standing.
        if let (ShankModel::KneeAligned, Some(thigh), Some(shank)) =
            (self.options.shank, self.sf.thigh[i], self.sf.shank[i])
        {
            let y = shank.rot.column(1).into_owned();
            let z = thigh.rot.column(2).into_owned();
            if let Some(zp) = (z - y * z.dot(&y)).try_normalize(1e-9) {
                let knee_frame = M3::from_columns(&[y.cross(&zp), y, zp]);
                self.sf.shank_proximal[i] = Some(shank.rot.transpose() * knee_frame);
            }
        }
    }

    /// Heel and toe of one foot (markers, or placed from a shoe cluster) and its frame.
    fn foot(&mut self, side: Side, trochanter: Option<V3>) {
        let i = idx(side);
        let c = side.as_char();
        let mut heel = self.optional(side, Lm::HeelFloor);
        let (mt1, mt5) = (self.optional(side, Lm::Mt1), self.optional(side, Lm::Mt5));
        let mut toe = self
            .optional(side, Lm::Toe)
            .or_else(|| mt1.zip(mt5).map(|(a, b)| mid(a, b)));
        // a shoe cluster without heel or toe markers (RIC): the sole placed from the static
        if let (None, None, Some(al), Some(am), Some(troch)) = (
            heel,
            toe,
            self.optional(side, Lm::AnkleLateral),
            self.optional(side, Lm::AnkleMedial),
            trochanter,
        ) {
            let trial = self.lm.trial;
            let cluster: Vec<V3> = segments(self.preset)
                .iter()
                .filter(|d| d.kind == SegmentKind::Foot && d.side == Some(side))
                .flat_map(|d| d.tracking.iter().filter_map(|n| static_mean(trial, n)))
                .collect();
            if let Some(sole) = crate::model::sole::from_static(al, am, troch, &cluster, side) {
                heel = Some(sole.heel);
                toe = Some(sole.toe());
                self.notes.push(format!(
                    "{c} heel and toe placed on the static's floor from the shoe cluster, malleoli \
                     and trochanter (foot length {:.0} mm, Drillis & Contini proportions)",
                    sole.length_m * 1e3
                ));
            }
        }
        if let Some(h) = heel {
            self.sf.extra.push((format!("{c}_heel"), h));
        }
        if let Some(t) = mt1.zip(mt5).map(|(a, b)| mid(a, b)).or(toe) {
            self.sf.extra.push((format!("{c}_toe"), t));
        }
        let sf = &self.sf;
        self.sf.foot[i] = match (self.options.foot, sf.ajc[i], sf.shank[i], heel, toe) {
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
                    (Some(m1), Some(m5)) => (m5 - m1) * side.sign(),
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
                self.notes.push(format!(
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

    /// Plug-in Gait full body: ISB thorax, origin at the jugular notch (CLAV).
    fn thorax(&mut self) {
        if self.preset != Preset::PluginGait {
            return;
        }
        if let (Some(c7), Some(t10), Some(clav), Some(strn)) = (
            self.lm.optional(&["C7".into()]),
            self.lm.optional(&["T10".into()]),
            self.lm.optional(&["CLAV".into()]),
            self.lm.optional(&["STRN".into()]),
        ) {
            let y = mid(clav, c7) - mid(strn, t10);
            let z = (clav - c7).cross(&y); // anterior × up = right
            self.sf.trunk = frame_from_y_and_right(clav, y, z);
        }
    }

    /// A joint centre named as a virtual tracking point (`@L_thigh/hjc`).
    fn virtual_point(&self, name: &str) -> Option<V3> {
        let (segname, lname) = name.strip_prefix('@')?.split_once('/')?;
        let side = match segname.chars().next()? {
            'L' => 0,
            'R' => 1,
            _ => usize::from(lname.starts_with('R')),
        };
        match lname.trim_start_matches(['L', 'R', '_']) {
            "hjc" => self.sf.hjc[side],
            "kjc" => self.sf.kjc[side],
            "ajc" => self.sf.ajc[side],
            _ => None,
        }
    }

    /// Every segment of the preset that could be built, with its tracking points and landmarks
    /// in its own frame.
    fn segments(&mut self) -> Vec<Segment> {
        let mut built: Vec<Segment> = Vec::new();
        for def in segments(self.preset) {
            if let Some(segment) = self.segment(&def, &built) {
                built.push(segment);
            }
        }
        built
    }

    fn segment(&mut self, def: &SegmentDef, built: &[Segment]) -> Option<Segment> {
        let sf = &self.sf;
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
                self.notes.push(format!(
                    "segment {} not built (landmarks missing)",
                    def.name
                ));
            }
            return None;
        };
        let mut tracking = Vec::new();
        for name in &def.tracking {
            let p = if let Some(rest) = name.strip_prefix('@') {
                // carried by a segment above: usable only if that segment was built
                let above = rest.split('/').next().unwrap_or("");
                built
                    .iter()
                    .any(|s| s.name == above)
                    .then(|| self.virtual_point(name))
                    .flatten()
            } else {
                static_mean(self.lm.trial, name)
            };
            match p {
                Some(p) => tracking.push((name.clone(), pose.to_local(&p))),
                None if name == "SACR" || name.ends_with("PSI") => {}
                None => self
                    .notes
                    .push(format!("tracking point {name} missing in the static trial")),
            }
        }
        if tracking.len() < 3 {
            self.notes.push(format!(
                "segment {} has {} tracking points in the static trial; needs 3",
                def.name,
                tracking.len()
            ));
            return None;
        }
        let proximal_frame = match (def.kind, i) {
            (SegmentKind::Shank, Some(i)) => self.sf.shank_proximal[i],
            _ => None,
        };
        Some(Segment {
            proximal_frame,
            name: def.name.clone(),
            kind: def.kind,
            side: def.side,
            tracking,
            landmarks: self.landmarks_in(def, &pose),
        })
    }

    /// The joint centres (and heel/toe of a foot) a segment carries, in its frame.
    fn landmarks_in(&self, def: &SegmentDef, pose: &Pose) -> Vec<(String, V3)> {
        let sf = &self.sf;
        let mut landmarks = vec![("origin".to_string(), V3::zeros())];
        let mut add = |name: &str, p: Option<V3>| {
            if let Some(p) = p {
                landmarks.push((name.to_string(), pose.to_local(&p)));
            }
        };
        match (def.kind, def.side.map(idx)) {
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
        landmarks
    }

    /// The model, or an error when no segment could be built; missing landmarks noted.
    fn finish(mut self, segments: Vec<Segment>) -> crate::error::Result<Model> {
        if !self.lm.missing.is_empty() {
            self.lm.missing.sort();
            self.lm.missing.dedup();
            self.notes.push(format!(
                "static landmarks missing: {}",
                self.lm.missing.join(", ")
            ));
        }
        if segments.is_empty() {
            return Err(crate::error::Error::stage(
                crate::error::Reason::Calibration,
                format!(
                    "no segment could be calibrated from the static trial ({})",
                    self.notes.join("; ")
                ),
            ));
        }
        Ok(Model {
            preset: self.preset,
            options: self.options,
            segments,
            notes: self.notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::landmarks::chord;
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
