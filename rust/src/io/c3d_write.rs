//! A small C3D writer: enough to crop files, write test fixtures in every processor and storage
//! format, and round-trip what the reader reads.

use super::c3d::{ParamData, Parameter};

/// Byte order and float format of the file (C3D processor type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processor {
    Intel = 84,
    Dec = 85,
    Mips = 86,
}

/// What to write. Lengths and analog values are written as given (no unit conversion).
#[derive(Debug, Clone)]
pub struct C3dSpec {
    pub processor: Processor,
    /// `None` for float storage; `Some(scale)` for 16-bit integers scaled by `scale`.
    pub int_scale: Option<f32>,
    pub point_rate_hz: f32,
    pub first_frame: u32,
    pub n_frames: usize,
    pub labels: Vec<String>,
    /// frames × markers × 3; NaN writes an invalid point (residual −1).
    pub points: Vec<f64>,
    pub analog_labels: Vec<String>,
    /// Whole analog samples per point frame.
    pub analog_per_frame: usize,
    /// samples × channels, in physical units; stored as (v / scale / gen_scale) + offset.
    pub analogs: Vec<f64>,
    pub analog_scale: Vec<f32>,
    pub analog_offset: Vec<i16>,
    pub gen_scale: f32,
    /// Extra parameters: (group name, parameter).
    pub extra: Vec<(String, Parameter)>,
}

impl Default for C3dSpec {
    fn default() -> Self {
        Self {
            processor: Processor::Intel,
            int_scale: None,
            point_rate_hz: 100.0,
            first_frame: 1,
            n_frames: 0,
            labels: Vec::new(),
            points: Vec::new(),
            analog_labels: Vec::new(),
            analog_per_frame: 0,
            analogs: Vec::new(),
            analog_scale: Vec::new(),
            analog_offset: Vec::new(),
            gen_scale: 1.0,
            extra: Vec::new(),
        }
    }
}

struct Enc(Processor);

impl Enc {
    fn u16(&self, v: u16) -> [u8; 2] {
        match self.0 {
            Processor::Mips => v.to_be_bytes(),
            _ => v.to_le_bytes(),
        }
    }
    fn f32(&self, v: f32) -> [u8; 4] {
        match self.0 {
            Processor::Intel => v.to_le_bytes(),
            Processor::Mips => v.to_be_bytes(),
            Processor::Dec => {
                if v == 0.0 {
                    return [0; 4];
                }
                let b = (v * 4.0).to_le_bytes();
                [b[2], b[3], b[0], b[1]]
            }
        }
    }
}

/// A character parameter holding `values`, each padded to the longest.
pub fn char_param(name: &str, values: &[String]) -> Parameter {
    let width = values.iter().map(String::len).max().unwrap_or(0).max(1);
    let mut data = Vec::with_capacity(width * values.len());
    for v in values {
        let mut b = v.as_bytes().to_vec();
        b.resize(width, b' ');
        data.extend(b);
    }
    Parameter {
        name: name.into(),
        description: String::new(),
        dims: vec![width, values.len()],
        data: ParamData::Char(data),
    }
}
pub fn int_param(name: &str, dims: Vec<usize>, values: Vec<i16>) -> Parameter {
    Parameter {
        name: name.into(),
        description: String::new(),
        dims,
        data: ParamData::Int(values),
    }
}
pub fn float_param(name: &str, dims: Vec<usize>, values: Vec<f32>) -> Parameter {
    Parameter {
        name: name.into(),
        description: String::new(),
        dims,
        data: ParamData::Float(values),
    }
}

fn push_param(out: &mut Vec<u8>, enc: &Enc, group_id: i8, p: &Parameter, last: bool) {
    let name = p.name.as_bytes();
    out.push(name.len() as u8);
    out.push(group_id as u8);
    out.extend_from_slice(name);
    let (kind, bytes): (i8, Vec<u8>) = match &p.data {
        ParamData::Char(b) => (-1, b.clone()),
        ParamData::Byte(b) => (1, b.clone()),
        ParamData::Int(v) => (2, v.iter().flat_map(|&x| enc.u16(x as u16)).collect()),
        ParamData::Float(v) => (4, v.iter().flat_map(|&x| enc.f32(x)).collect()),
    };
    let body = 2 + 1 + 1 + p.dims.len() + bytes.len() + 1;
    out.extend(enc.u16(if last { 0 } else { body as u16 }));
    out.push(kind as u8);
    out.push(p.dims.len() as u8);
    out.extend(p.dims.iter().map(|&d| d as u8));
    out.extend(bytes);
    out.push(0);
}

fn push_group(out: &mut Vec<u8>, enc: &Enc, id: i8, name: &str) {
    out.push(name.len() as u8);
    out.push((-id) as u8);
    out.extend_from_slice(name.as_bytes());
    out.extend(enc.u16(3));
    out.push(0);
}

/// Serialises `spec` to C3D bytes.
pub fn write(spec: &C3dSpec) -> Vec<u8> {
    let enc = Enc(spec.processor);
    let nm = spec.labels.len();
    let nch = spec.analog_labels.len();
    let scale = spec.int_scale.unwrap_or(-1.0);
    let groups = parameter_groups(spec);
    let mut params = Vec::new();
    let n_records: usize = groups.iter().map(|(_, ps)| ps.len() + 1).sum();
    let mut written = 0;
    for (gi, (gname, ps)) in groups.iter().enumerate() {
        let id = (gi + 1) as i8;
        push_group(&mut params, &enc, id, gname);
        written += 1;
        for p in ps {
            written += 1;
            push_param(&mut params, &enc, id, p, written == n_records);
        }
    }
    let param_blocks = (params.len() + 4).div_ceil(512);
    let data_block = 2 + param_blocks;
    // DATA_START must be known before the parameter bytes are final: patch it in after.
    let mut out = vec![0u8; 512];
    out[0] = 2;
    out[1] = 0x50;
    let put16 = |out: &mut Vec<u8>, at: usize, v: u16| out[at..at + 2].copy_from_slice(&enc.u16(v));
    put16(&mut out, 2, nm as u16);
    put16(&mut out, 4, (nch * spec.analog_per_frame) as u16);
    put16(&mut out, 6, spec.first_frame.min(0xFFFF) as u16);
    let last = (spec.first_frame as usize + spec.n_frames).saturating_sub(1);
    put16(
        &mut out,
        8,
        if last > 0xFFFF { 0xFFFF } else { last as u16 },
    );
    out[12..16].copy_from_slice(&enc.f32(scale));
    put16(&mut out, 16, data_block as u16);
    put16(&mut out, 18, spec.analog_per_frame as u16);
    out[20..24].copy_from_slice(&enc.f32(spec.point_rate_hz));
    let mut psec = vec![1u8, 0x50, param_blocks as u8, spec.processor as u8];
    psec.extend(params);
    psec.resize(param_blocks * 512, 0);
    out.extend(psec);
    write_frames(spec, &enc, &mut out);
    let len = out.len().div_ceil(512) * 512;
    out.resize(len, 0);
    out
}

/// POINT, ANALOG and (for long files) TRIAL parameters, with the spec's extra parameters
/// replacing or adding to them.
fn parameter_groups(spec: &C3dSpec) -> Vec<(String, Vec<Parameter>)> {
    let nm = spec.labels.len();
    let nch = spec.analog_labels.len();
    let scale = spec.int_scale.unwrap_or(-1.0);
    let mut groups: Vec<(String, Vec<Parameter>)> = vec![
        (
            "POINT".into(),
            vec![
                int_param("USED", vec![], vec![nm as u16 as i16]),
                float_param("SCALE", vec![], vec![scale]),
                float_param("RATE", vec![], vec![spec.point_rate_hz]),
                int_param(
                    "FRAMES",
                    vec![],
                    vec![spec.n_frames.min(0xFFFF) as u16 as i16],
                ),
            ],
        ),
        (
            "ANALOG".into(),
            vec![
                int_param("USED", vec![], vec![nch as i16]),
                float_param(
                    "RATE",
                    vec![],
                    vec![spec.point_rate_hz * spec.analog_per_frame as f32],
                ),
                float_param("GEN_SCALE", vec![], vec![spec.gen_scale]),
                float_param(
                    "SCALE",
                    vec![nch],
                    (0..nch)
                        .map(|c| spec.analog_scale.get(c).copied().unwrap_or(1.0))
                        .collect(),
                ),
                int_param(
                    "OFFSET",
                    vec![nch],
                    (0..nch)
                        .map(|c| spec.analog_offset.get(c).copied().unwrap_or(0))
                        .collect(),
                ),
            ],
        ),
    ];
    // Labels past 255 go to LABELS2, LABELS3, … as the spec requires.
    for (k, chunk) in spec.labels.chunks(255).enumerate() {
        let name = if k == 0 {
            "LABELS".to_string()
        } else {
            format!("LABELS{}", k + 1)
        };
        groups[0].1.push(char_param(&name, chunk));
    }
    if nch > 0 {
        groups[1].1.push(char_param("LABELS", &spec.analog_labels));
    }
    if spec.n_frames > 0xFFFF || spec.first_frame > 0xFFFF {
        let end = spec.first_frame as usize + spec.n_frames - 1;
        let split = |v: usize| vec![(v & 0xFFFF) as u16 as i16, (v >> 16) as u16 as i16];
        groups.push((
            "TRIAL".into(),
            vec![
                int_param(
                    "ACTUAL_START_FIELD",
                    vec![2],
                    split(spec.first_frame as usize),
                ),
                int_param("ACTUAL_END_FIELD", vec![2], split(end)),
            ],
        ));
    }
    for (g, p) in &spec.extra {
        match groups.iter_mut().find(|(n, _)| n == g) {
            Some((_, ps)) => {
                ps.retain(|q| q.name != p.name);
                ps.push(p.clone());
            }
            None => groups.push((g.clone(), vec![p.clone()])),
        }
    }
    groups
}

/// The data section: per frame, every point (x, y, z, residual) then its analog samples.
fn write_frames(spec: &C3dSpec, enc: &Enc, out: &mut Vec<u8>) {
    let nm = spec.labels.len();
    let nch = spec.analog_labels.len();
    let float = spec.int_scale.is_none();
    let scale = spec.int_scale.unwrap_or(-1.0);
    let spf = spec.analog_per_frame;
    for f in 0..spec.n_frames {
        for m in 0..nm {
            let i = (f * nm + m) * 3;
            let p = [spec.points[i], spec.points[i + 1], spec.points[i + 2]];
            let valid = p.iter().all(|v| v.is_finite());
            if float {
                for v in p {
                    out.extend(enc.f32(if valid { v as f32 } else { 0.0 }));
                }
                out.extend(enc.f32(if valid { 0.0 } else { -1.0 }));
            } else {
                for v in p {
                    let q = if valid {
                        (v / f64::from(scale)).round() as i16
                    } else {
                        0
                    };
                    out.extend(enc.u16(q as u16));
                }
                out.extend(enc.u16(if valid { 0 } else { 0xFFFF }));
            }
        }
        for s in 0..spf {
            for c in 0..nch {
                let v = spec.analogs[(f * spf + s) * nch + c];
                let sc =
                    f64::from(spec.analog_scale.get(c).copied().unwrap_or(1.0) * spec.gen_scale);
                let raw = v / sc + f64::from(spec.analog_offset.get(c).copied().unwrap_or(0));
                if float {
                    out.extend(enc.f32(raw as f32));
                } else {
                    out.extend(enc.u16(raw.round() as i16 as u16));
                }
            }
        }
    }
}
