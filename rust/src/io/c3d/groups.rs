//! The optional groups of a C3D file: EVENT, ROTATION (4×4 segment poses) and FORCE_PLATFORM.

use super::{
    decode_f32, Error, Event, Parameter, Parameters, Path, Processor, RawForcePlate, Reader,
    Result, BLOCK,
};

pub(super) fn read_events(params: &Parameters, first_frame: usize, rate: f64) -> Vec<Event> {
    let Some(used) = params.first_count("EVENT", "USED") else {
        return Vec::new();
    };
    let labels = params.strings_continued("EVENT", "LABELS");
    let contexts = params.strings_continued("EVENT", "CONTEXTS");
    let descriptions = params.strings_continued("EVENT", "DESCRIPTIONS");
    let times = params.floats_continued("EVENT", "TIMES");
    let start = (first_frame.saturating_sub(1)) as f64 / rate;
    (0..used)
        .filter_map(|i| {
            let minutes = *times.get(2 * i)?;
            let seconds = *times.get(2 * i + 1)?;
            Some(Event {
                context: contexts.get(i).cloned().unwrap_or_default(),
                label: labels.get(i).cloned().unwrap_or_default(),
                description: descriptions.get(i).cloned().unwrap_or_default(),
                time_s: minutes * 60.0 + seconds - start,
            })
        })
        .collect()
}

/// Poses (16 floats column by column, then a reliability) into row-major 4×4 matrices; poses
/// with a negative reliability or a non-finite value stay NaN.
pub(super) fn fill_poses(raw: &[u8], out: &mut [f64], decode: impl Fn([u8; 4]) -> f32) {
    for (pose, dest) in raw.chunks_exact(17 * 4).zip(out.chunks_exact_mut(16)) {
        let mut v = [0f32; 17];
        for (x, c) in v.iter_mut().zip(pose.chunks_exact(4)) {
            *x = decode([c[0], c[1], c[2], c[3]]);
        }
        if v[16] < 0.0 || !v[..16].iter().all(|x| x.is_finite()) {
            continue;
        }
        for row in 0..4 {
            for col in 0..4 {
                dest[row * 4 + col] = f64::from(v[col * 4 + row]);
            }
        }
    }
}

pub(super) fn read_rotations(
    r: &Reader<'_>,
    params: &Parameters,
    n_frames: usize,
    point_rate: f64,
    is_float: bool,
) -> Result<(Vec<String>, f64, Vec<f64>)> {
    let Some(used) = params.first_count("ROTATION", "USED").filter(|&u| u > 0) else {
        return Ok((Vec::new(), 0.0, Vec::new()));
    };
    if !is_float {
        return Err(Error::unsupported(
            r.path,
            "ROTATION data in integer format",
        ));
    }
    let block = params
        .first_count("ROTATION", "DATA_START")
        .filter(|&b| b > 0)
        .ok_or_else(|| {
            Error::corrupt(
                r.path,
                "ROTATION:USED is set but ROTATION:DATA_START is missing",
            )
        })?;
    let ratio = params
        .first_count("ROTATION", "RATIO")
        .filter(|&x| x > 0)
        .unwrap_or(1);
    let rate = params
        .first_f64("ROTATION", "RATE")
        .filter(|&x| x > 0.0)
        .unwrap_or(point_rate * ratio as f64);
    let n = n_frames * ratio;
    // Each pose is 16 floats (the 4×4 matrix, column by column) and one reliability value.
    let bytes_needed = n
        .checked_mul(used)
        .and_then(|x| x.checked_mul(17 * 4))
        .ok_or_else(|| Error::corrupt(r.path, "rotation size overflows"))?;
    let raw = r.slice((block - 1) * BLOCK, bytes_needed, "ROTATION data")?;
    let mut out = vec![f64::NAN; n * used * 16];
    // one monomorphised loop per processor type: no per-value dispatch
    match r.processor {
        Processor::Intel => fill_poses(raw, &mut out, f32::from_le_bytes),
        Processor::Mips => fill_poses(raw, &mut out, f32::from_be_bytes),
        Processor::Dec => fill_poses(raw, &mut out, |b| decode_f32(Processor::Dec, b)),
    }
    let mut names = params.strings_continued("ROTATION", "LABELS");
    names.resize(used, String::new());
    for (i, name) in names.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("R{:03}", i + 1);
        }
    }
    Ok((names, rate, out))
}

/// Force-plate channels combined into plate-frame forces and moments, then put in the file's lab
/// frame: force on the body (N), centre of pressure (file length units) and free moment (N·m).
pub(super) fn read_force_plates(
    path: &Path,
    params: &Parameters,
    analogs: &[f64],
    n_analog: usize,
    analog_units: &[String],
    rate: f64,
    warnings: &mut Vec<String>,
) -> Result<Vec<RawForcePlate>> {
    let Some(used) = params
        .first_count("FORCE_PLATFORM", "USED")
        .filter(|&u| u > 0)
    else {
        return Ok(Vec::new());
    };
    if n_analog == 0 {
        // Static trials often keep the lab's plate description without recording analogs.
        warnings.push(format!(
            "FORCE_PLATFORM lists {used} plate(s) but the file has no analog data: no forces"
        ));
        return Ok(Vec::new());
    }
    let group = PlateGroup::read(params);
    let samples = analogs.len().checked_div(n_analog).unwrap_or(0);
    let mut plates = Vec::new();
    for p in 0..used {
        let g = group.plate(path, p, n_analog, warnings)?;
        // Moments are in N × (the file's length unit) unless the channel says otherwise.
        let moment_unit = analog_units
            .get(g.channels[3] - 1)
            .map(|u| u.to_ascii_lowercase().replace(['.', '*', ' ', '·'], ""));
        let moment_to_nm = match moment_unit.as_deref() {
            Some("nm") => Some(1.0),
            Some("nmm") => Some(1.0e-3),
            _ => None,
        };
        let (force, cop, moment) = g.signals(analogs, n_analog, samples);
        plates.push(RawForcePlate {
            plate_type: g.kind,
            corners: g.corners,
            origin: g.origin,
            channels: g.channels,
            rate_hz: rate,
            force_n: force,
            cop,
            free_moment: moment,
            normal: g.axes[2],
            moment_to_nm,
        });
    }
    Ok(plates)
}

/// The FORCE_PLATFORM parameters, every plate's values in one list each.
struct PlateGroup<'a> {
    types: Vec<f64>,
    corners: Vec<f64>,
    origins: Vec<f64>,
    channels: Vec<usize>,
    ch_per_plate: usize,
    cal: Option<&'a Parameter>,
}

/// One plate as the parameters describe it, checked.
struct Plate {
    /// FORCE_PLATFORM:TYPE, 1 to 4.
    kind: i32,
    corners: [[f64; 3]; 4],
    /// Transducer origin (types 2 and 4: from the surface centre down; type 3: (a, b, az0)).
    origin: [f64; 3],
    /// 1-based analog channels, 6 (8 for type 3).
    channels: Vec<usize>,
    /// The plate's x, y and z axes in the lab.
    axes: [[f64; 3]; 3],
    /// Centre of the plate's surface in the lab.
    centre: [f64; 3],
    /// Type 4's 6×6 calibration matrix, column-major.
    cal: Option<Vec<f64>>,
}

impl<'a> PlateGroup<'a> {
    fn read(params: &'a Parameters) -> Self {
        let floats = |name: &str| {
            params
                .get("FORCE_PLATFORM", name)
                .map(Parameter::floats)
                .unwrap_or_default()
        };
        let channel_param = params.get("FORCE_PLATFORM", "CHANNEL");
        Self {
            types: floats("TYPE"),
            corners: floats("CORNERS"),
            origins: floats("ORIGIN"),
            channels: channel_param.map(Parameter::counts).unwrap_or_default(),
            ch_per_plate: channel_param
                .and_then(|p| p.dims.first().copied())
                .unwrap_or(6)
                .max(1),
            cal: params.get("FORCE_PLATFORM", "CAL_MATRIX"),
        }
    }

    /// Plate `p` (0-based): its channels, type, corners, origin and axes, checked.
    fn plate(
        &self,
        path: &Path,
        p: usize,
        n_analog: usize,
        warnings: &mut Vec<String>,
    ) -> Result<Plate> {
        let plate_type = self.types.get(p).copied().unwrap_or(0.0) as i32;
        let need = if plate_type == 3 { 8 } else { 6 };
        let channels: Vec<usize> = (0..need)
            .map(|k| {
                self.channels
                    .get(p * self.ch_per_plate + k)
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        if channels.iter().any(|&c| c == 0 || c > n_analog) {
            return Err(Error::corrupt(
                path,
                format!("force plate {} refers to analog channels {channels:?} but the file has {n_analog}", p + 1),
            ));
        }
        if !(1..=4).contains(&plate_type) {
            return Err(Error::unsupported(
                path,
                format!(
                    "force plate {} has type {plate_type} (types 1-4 are read)",
                    p + 1
                ),
            ));
        }
        let mut c = [[0.0f64; 3]; 4];
        for (k, corner) in c.iter_mut().enumerate() {
            for (a, v) in corner.iter_mut().enumerate() {
                *v = self
                    .corners
                    .get(p * 12 + k * 3 + a)
                    .copied()
                    .ok_or_else(|| {
                        Error::corrupt(
                            path,
                            format!(
                                "FORCE_PLATFORM:CORNERS is missing values for plate {}",
                                p + 1
                            ),
                        )
                    })?;
            }
        }
        let mut origin = [0, 1, 2].map(|a| self.origins.get(p * 3 + a).copied().unwrap_or(0.0));
        // The spec's ORIGIN (types 2 and 4) points from the plate's surface centre down to the
        // transducer origin, so its z is negative; some writers store the opposite vector
        // (z > 0). Read that one reversed, as btk and ezc3d do, and say so.
        if plate_type != 3 && origin[2] > 0.0 {
            warnings.push(format!(
                "FORCE_PLATFORM:ORIGIN of plate {} has z = {} > 0: read as the reversed vector (the spec's z is negative)",
                p + 1,
                origin[2]
            ));
            origin = origin.map(|v| -v);
        }
        // Plate axes in the lab from its corners (spec: corner 1 is +x+y, 2 is −x+y, 4 is +x−y).
        let ex = unit(sub(c[0], c[1]));
        let ey = unit(sub(c[0], c[3]));
        let ez = cross(ex, ey);
        if !(norm(ex) > 0.5 && norm(ey) > 0.5 && norm(ez) > 0.5) {
            return Err(Error::corrupt(
                path,
                format!("force plate {} has degenerate corners", p + 1),
            ));
        }
        let centre = [0, 1, 2].map(|a| (c[0][a] + c[1][a] + c[2][a] + c[3][a]) / 4.0);
        let cal = if plate_type == 4 {
            let v = self.cal.map(Parameter::floats).unwrap_or_default();
            let m: Vec<f64> = v
                .get(p * 36..p * 36 + 36)
                .map(<[f64]>::to_vec)
                .ok_or_else(|| {
                    Error::corrupt(
                        path,
                        format!(
                            "type-4 force plate {} has no 6×6 FORCE_PLATFORM:CAL_MATRIX",
                            p + 1
                        ),
                    )
                })?;
            Some(m)
        } else {
            None
        };
        Ok(Plate {
            kind: plate_type,
            corners: c,
            origin,
            channels,
            axes: [ex, ey, ez],
            centre,
            cal,
        })
    }
}

impl Plate {
    /// Force, moment (plate frame, about the transducer origin) and, for type 1, the centre of
    /// pressure the plate computes itself, of one sample.
    fn sample(&self, ch: impl Fn(usize) -> f64) -> ([f64; 3], [f64; 3], Option<[f64; 2]>) {
        match self.kind {
            1 => (
                [ch(0), ch(1), ch(2)],
                [0.0, 0.0, ch(5)],
                Some([ch(3), ch(4)]),
            ),
            2 => ([ch(0), ch(1), ch(2)], [ch(3), ch(4), ch(5)], None),
            3 => {
                let (a, b) = (self.origin[0], self.origin[1]);
                let (fx12, fx34, fy14, fy23) = (ch(0), ch(1), ch(2), ch(3));
                let (fz1, fz2, fz3, fz4) = (ch(4), ch(5), ch(6), ch(7));
                (
                    [fx12 + fx34, fy14 + fy23, fz1 + fz2 + fz3 + fz4],
                    [
                        b * (fz1 + fz2 - fz3 - fz4),
                        a * (-fz1 + fz2 + fz3 - fz4),
                        b * (-fx12 + fx34) + a * (fy14 - fy23),
                    ],
                    None,
                )
            }
            _ => {
                let m36 = self.cal.as_deref().unwrap_or(&[]);
                let raw: [f64; 6] = std::array::from_fn(ch);
                // CAL_MATRIX is stored with its first index varying fastest (column-major).
                let out: [f64; 6] = std::array::from_fn(|row| {
                    (0..6).map(|col| m36[col * 6 + row] * raw[col]).sum()
                });
                ([out[0], out[1], out[2]], [out[3], out[4], out[5]], None)
            }
        }
    }

    /// Force on the body and centre of pressure in the lab (samples × 3 each), and the free
    /// moment about the plate normal (0 when unloaded).
    fn signals(
        &self,
        analogs: &[f64],
        n_analog: usize,
        samples: usize,
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let [ex, ey, ez] = self.axes;
        let mut force = Vec::with_capacity(samples * 3);
        let mut cop = Vec::with_capacity(samples * 3);
        let mut moment = Vec::with_capacity(samples);
        for s in 0..samples {
            let (f, m, direct_cop) = self.sample(|k| analogs[s * n_analog + self.channels[k] - 1]);
            // Depth of the transducer origin below the surface (h > 0). The centre of pressure
            // on the surface is x = (−My − h·Fx)/Fz, y = (Mx − h·Fy)/Fz for every type: AMTI's
            // formula, and Kistler's ax = (Fx·az0 − My)/Fz with az0 = −h for type 3 (ORIGIN is
            // (a, b, az0) there, az0 negative).
            let oz = self.origin[2].abs();
            let (px, py) = match direct_cop {
                Some([x, y]) => (x, y),
                None => ((-m[1] - f[0] * oz) / f[2], (m[0] - f[1] * oz) / f[2]),
            };
            let tz = m[2] - px * f[1] + py * f[0];
            let fl = [0, 1, 2].map(|a| ex[a] * f[0] + ey[a] * f[1] + ez[a] * f[2]);
            force.extend_from_slice(&fl);
            let loaded = f[2].abs() > 1.0e-6 && px.is_finite() && py.is_finite();
            if loaded {
                let (qx, qy) = if self.kind == 3 || direct_cop.is_some() {
                    (px, py)
                } else {
                    (px - self.origin[0], py - self.origin[1])
                };
                cop.extend([0, 1, 2].map(|a| self.centre[a] + ex[a] * qx + ey[a] * qy));
            } else {
                cop.extend([f64::NAN; 3]);
            }
            // Free moment about the plate normal, stored as a lab vector component later.
            moment.push(if loaded { tz } else { 0.0 });
        }
        (force, cop, moment)
    }
}

pub(super) fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
pub(super) fn norm(a: [f64; 3]) -> f64 {
    (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
}
pub(super) fn unit(a: [f64; 3]) -> [f64; 3] {
    let n = norm(a);
    if n > 0.0 {
        [a[0] / n, a[1] / n, a[2] / n]
    } else {
        [0.0; 3]
    }
}
pub(super) fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
