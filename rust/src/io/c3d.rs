//! C3D reader, written from the C3D specification (C3D.org, "The C3D File Format User Guide").
//!
//! Handles the header, the whole parameter section (all groups, all data types, multi-dimensional
//! character arrays, LABELS2/LABELS3… continuations), integer and floating-point data, the Intel,
//! DEC (VAX F-float) and MIPS (big-endian) processor types, per-channel analog scale/offset with
//! GEN_SCALE, residuals (an invalid point becomes NaN), frame counts beyond 65 535 through
//! TRIAL:ACTUAL_START_FIELD/ACTUAL_END_FIELD, FORCE_PLATFORM types 1–4, the EVENT group and the
//! ROTATION group (4×4 segment poses, e.g. Theia3D).
//!
//! Every offset and count read from the file is checked against the file's length before it is
//! used, so a corrupt header gives an error, never a panic or an allocation larger than the file.

use std::path::Path;

use crate::error::{Error, Result};
use crate::trial::{Event, Format};

use super::raw::{RawForcePlate, RawTrial};

const BLOCK: usize = 512;
/// No real file has more parameter records than this; the bound stops a crafted loop.
const MAX_PARAMETER_RECORDS: usize = 1 << 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Processor {
    Intel,
    Dec,
    Mips,
}

/// A parameter's value as stored, with its dimensions (first dimension varies fastest).
#[derive(Debug, Clone, PartialEq)]
pub enum ParamData {
    Char(Vec<u8>),
    Byte(Vec<u8>),
    Int(Vec<i16>),
    Float(Vec<f32>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub description: String,
    pub dims: Vec<usize>,
    pub data: ParamData,
}

impl Parameter {
    /// Values as f64 (chars give nothing).
    pub fn floats(&self) -> Vec<f64> {
        match &self.data {
            ParamData::Char(_) => Vec::new(),
            ParamData::Byte(v) => v.iter().map(|&b| f64::from(b)).collect(),
            ParamData::Int(v) => v.iter().map(|&i| f64::from(i)).collect(),
            ParamData::Float(v) => v.iter().map(|&f| f64::from(f)).collect(),
        }
    }

    /// Values as counts: INT parameters are 16-bit signed in the file but counts above 32 767 are
    /// written as their unsigned bit pattern, so negative integers are read back as `u16`.
    pub fn counts(&self) -> Vec<usize> {
        match &self.data {
            ParamData::Char(_) => Vec::new(),
            ParamData::Byte(v) => v.iter().map(|&b| usize::from(b)).collect(),
            ParamData::Int(v) => v.iter().map(|&i| usize::from(i as u16)).collect(),
            ParamData::Float(v) => v
                .iter()
                .map(|&f| {
                    if f.is_finite() && f > 0.0 {
                        f.round() as usize
                    } else {
                        0
                    }
                })
                .collect(),
        }
    }

    /// Character data split into strings of `dims[0]` characters, trailing blanks and NULs trimmed.
    pub fn strings(&self) -> Vec<String> {
        let ParamData::Char(bytes) = &self.data else {
            return Vec::new();
        };
        if self.dims.is_empty() {
            return vec![trim_label(bytes)];
        }
        let width = self.dims[0];
        if width == 0 {
            return Vec::new();
        }
        bytes.chunks(width).map(trim_label).collect()
    }
}

fn trim_label(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .trim_end_matches(['\0', ' '])
        .trim_start()
        .to_string()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: i8,
    pub name: String,
    pub description: String,
    pub parameters: Vec<Parameter>,
}

/// The whole parameter section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parameters {
    pub groups: Vec<Group>,
    /// What the parser had to repair to read the section (each names the field).
    pub warnings: Vec<String>,
}

impl Parameters {
    pub fn get(&self, group: &str, name: &str) -> Option<&Parameter> {
        self.groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(group))
            .and_then(|g| {
                g.parameters
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(name))
            })
    }
    fn first_f64(&self, group: &str, name: &str) -> Option<f64> {
        self.get(group, name)
            .and_then(|p| p.floats().first().copied())
    }
    fn first_count(&self, group: &str, name: &str) -> Option<usize> {
        self.get(group, name)
            .and_then(|p| p.counts().first().copied())
    }
    fn first_string(&self, group: &str, name: &str) -> Option<String> {
        self.get(group, name)
            .and_then(|p| p.strings().into_iter().next())
    }
    /// `NAME`, then `NAME2`, `NAME3`… concatenated: the spec's way past 255 entries.
    fn strings_continued(&self, group: &str, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = self.get(group, name) {
            out.extend(p.strings());
        }
        for k in 2.. {
            match self.get(group, &format!("{name}{k}")) {
                Some(p) => out.extend(p.strings()),
                None => break,
            }
        }
        out
    }
    fn floats_continued(&self, group: &str, name: &str) -> Vec<f64> {
        let mut out = Vec::new();
        if let Some(p) = self.get(group, name) {
            out.extend(p.floats());
        }
        for k in 2.. {
            match self.get(group, &format!("{name}{k}")) {
                Some(p) => out.extend(p.floats()),
                None => break,
            }
        }
        out
    }
}

/// Bounds-checked reading of the file's bytes in its processor's byte order.
struct Reader<'a> {
    bytes: &'a [u8],
    path: &'a Path,
    processor: Processor,
}

impl<'a> Reader<'a> {
    fn slice(&self, offset: usize, len: usize, what: &str) -> Result<&'a [u8]> {
        offset
            .checked_add(len)
            .and_then(|end| self.bytes.get(offset..end))
            .ok_or_else(|| {
                Error::truncated(
                    self.path,
                    format!(
                        "{what} needs bytes {offset}..{} but the file has {}",
                        offset.saturating_add(len),
                        self.bytes.len()
                    ),
                )
            })
    }
    fn u8(&self, offset: usize, what: &str) -> Result<u8> {
        Ok(self.slice(offset, 1, what)?[0])
    }
    fn i8(&self, offset: usize, what: &str) -> Result<i8> {
        Ok(self.u8(offset, what)? as i8)
    }
    fn u16(&self, offset: usize, what: &str) -> Result<u16> {
        let b = self.slice(offset, 2, what)?;
        Ok(decode_u16(self.processor, [b[0], b[1]]))
    }
    fn i16(&self, offset: usize, what: &str) -> Result<i16> {
        Ok(self.u16(offset, what)? as i16)
    }
    fn f32(&self, offset: usize, what: &str) -> Result<f32> {
        let b = self.slice(offset, 4, what)?;
        Ok(decode_f32(self.processor, [b[0], b[1], b[2], b[3]]))
    }
}

#[inline]
fn decode_u16(p: Processor, b: [u8; 2]) -> u16 {
    match p {
        Processor::Intel | Processor::Dec => u16::from_le_bytes(b),
        Processor::Mips => u16::from_be_bytes(b),
    }
}

#[inline]
fn decode_f32(p: Processor, b: [u8; 4]) -> f32 {
    match p {
        Processor::Intel => f32::from_le_bytes(b),
        Processor::Mips => f32::from_be_bytes(b),
        // VAX F-float: the two 16-bit words are swapped relative to IEEE little-endian and the
        // exponent is biased by 128 with a 0.1f mantissa, i.e. the IEEE reading is 4× too large.
        Processor::Dec => {
            if b == [0, 0, 0, 0] {
                0.0
            } else {
                f32::from_le_bytes([b[2], b[3], b[0], b[1]]) / 4.0
            }
        }
    }
}

/// Header fields (block 1) the reader uses.
#[derive(Debug, Clone)]
struct Header {
    param_block: usize,
    n_points: usize,
    analog_values_per_frame: usize,
    first_frame: usize,
    last_frame: usize,
    scale: f64,
    data_block: usize,
    analog_per_frame: usize,
    frame_rate: f64,
}

fn read_header(r: &Reader<'_>) -> Result<Header> {
    Ok(Header {
        param_block: usize::from(r.u8(0, "header")?),
        n_points: usize::from(r.u16(2, "header")?),
        analog_values_per_frame: usize::from(r.u16(4, "header")?),
        first_frame: usize::from(r.u16(6, "header")?),
        last_frame: usize::from(r.u16(8, "header")?),
        scale: f64::from(r.f32(12, "header")?),
        data_block: usize::from(r.u16(16, "header")?),
        analog_per_frame: usize::from(r.u16(18, "header")?),
        frame_rate: f64::from(r.f32(20, "header")?),
    })
}

fn read_parameters(r: &Reader<'_>, start: usize) -> Result<Parameters> {
    let path = r.path;
    let mut groups: Vec<Group> = Vec::new();
    let mut loose: Vec<(i8, Parameter)> = Vec::new();
    let mut warnings = Vec::new();
    // the section's own length (byte 3 of its header: number of 512-byte blocks)
    let section_end = r
        .u8(start + 2, "parameter section header")
        .map_or(r.bytes.len(), |n| start + usize::from(n).max(1) * BLOCK)
        .min(r.bytes.len());
    let mut pos = start + 4;
    for _ in 0..MAX_PARAMETER_RECORDS {
        if pos + 2 > r.bytes.len() {
            break; // some writers end the section at the file's end without a terminator
        }
        let nchar = r.i8(pos, "parameter record")?;
        if nchar == 0 {
            break;
        }
        let id = r.i8(pos + 1, "parameter record")?;
        let len = usize::from(nchar.unsigned_abs());
        let name = trim_label(r.slice(pos + 2, len, "parameter name")?).to_ascii_uppercase();
        let off_pos = pos + 2 + len;
        let mut next_offset = r.i16(off_pos, "parameter offset")?;
        // A writer that stored one offset in the other byte order (c3d.org Sample02's SGI
        // files) sends the walk past the section; the swapped offset is taken when it lands,
        // inside the section, on a record with a readable name.
        let lands = |off: i16| -> bool {
            let at = off_pos as i64 + i64::from(off);
            at > pos as i64 && (at as usize) < section_end && record_name_ok(r, at as usize)
        };
        if next_offset != 0 && !lands(next_offset) {
            let swapped = next_offset.swap_bytes();
            if lands(swapped) {
                warnings.push(format!(
                    "parameter '{name}': the offset to the next record ({next_offset}) points outside the parameter section; read in the other byte order ({swapped}), as the file's other records continue there"
                ));
                next_offset = swapped;
            }
        }
        let next = if next_offset == 0 {
            None
        } else {
            let next = off_pos as i64 + i64::from(next_offset);
            if next <= pos as i64 {
                return Err(Error::corrupt(
                    path,
                    format!("parameter '{name}' at byte {pos} points backwards to the next record at byte {next}"),
                ));
            }
            if next as usize > r.bytes.len() {
                return Err(Error::truncated(
                    path,
                    format!("the parameter section continues at byte {next}, past the end of the file ({} bytes)", r.bytes.len()),
                ));
            }
            Some(next as usize)
        };
        if id < 0 {
            let dlen = usize::from(r.u8(off_pos + 2, "group description")?);
            let description = trim_label(r.slice(off_pos + 3, dlen, "group description")?);
            if let Some(g) = groups.iter_mut().find(|g| g.id == id) {
                g.name = name;
                g.description = description;
            } else {
                groups.push(Group {
                    id,
                    name,
                    description,
                    parameters: Vec::new(),
                });
            }
        } else if id > 0 {
            let kind = r.i8(off_pos + 2, "parameter type")?;
            let ndims = usize::from(r.u8(off_pos + 3, "parameter dimensions")?);
            let dims: Vec<usize> = r
                .slice(off_pos + 4, ndims, "parameter dimensions")?
                .iter()
                .map(|&d| usize::from(d))
                .collect();
            // Up to 255 dimensions of up to 255 each: the product can overflow usize.
            let count = dims
                .iter()
                .try_fold(1usize, |acc, &d| acc.checked_mul(d))
                .ok_or_else(|| {
                    Error::corrupt(
                        path,
                        format!("parameter '{name}' dimensions {dims:?} overflow"),
                    )
                })?;
            let elem = usize::from(kind.unsigned_abs());
            if !matches!(kind, -1 | 1 | 2 | 4) {
                return Err(Error::corrupt(
                    path,
                    format!("parameter '{name}' has data type {kind} (expected -1, 1, 2 or 4)"),
                ));
            }
            let data_pos = off_pos + 4 + ndims;
            // `count` is at most 255^7 but the slice check below refuses anything past the file's end
            // before a single byte is allocated.
            let nbytes = count.checked_mul(elem).ok_or_else(|| {
                Error::corrupt(path, format!("parameter '{name}' size overflows"))
            })?;
            let raw = r.slice(data_pos, nbytes, &format!("parameter '{name}'"))?;
            let data = match kind {
                -1 => ParamData::Char(raw.to_vec()),
                1 => ParamData::Byte(raw.to_vec()),
                2 => ParamData::Int(
                    raw.chunks_exact(2)
                        .map(|c| decode_u16(r.processor, [c[0], c[1]]) as i16)
                        .collect(),
                ),
                _ => ParamData::Float(
                    raw.chunks_exact(4)
                        .map(|c| decode_f32(r.processor, [c[0], c[1], c[2], c[3]]))
                        .collect(),
                ),
            };
            let dpos = data_pos + nbytes;
            let description = match r.u8(dpos, "parameter description") {
                Ok(dlen) => r
                    .slice(dpos + 1, usize::from(dlen), "parameter description")
                    .map(trim_label)
                    .unwrap_or_default(),
                Err(_) => String::new(),
            };
            loose.push((
                id,
                Parameter {
                    name,
                    description,
                    dims,
                    data,
                },
            ));
        }
        match next {
            Some(n) => pos = n,
            None => break,
        }
    }
    for (id, p) in loose {
        if let Some(g) = groups.iter_mut().find(|g| g.id == -id) {
            g.parameters.push(p);
        } else {
            groups.push(Group {
                id: -id,
                name: format!("GROUP{id}"),
                description: String::new(),
                parameters: vec![p],
            });
        }
    }
    Ok(Parameters { groups, warnings })
}

/// Whether a parameter or group record starts at `at`: a non-zero name length and a name of
/// printable ASCII.
fn record_name_ok(r: &Reader<'_>, at: usize) -> bool {
    let Ok(nchar) = r.i8(at, "parameter record") else {
        return false;
    };
    let len = usize::from(nchar.unsigned_abs());
    if len == 0 {
        return true; // the terminator
    }
    r.slice(at + 2, len, "parameter name")
        .is_ok_and(|b| b.iter().all(|c| c.is_ascii_graphic() || *c == b' '))
}

/// Parses a whole C3D file held in memory. Lengths stay in file units and axes; `io::finish`
/// converts them.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<(RawTrial, Parameters)> {
    if bytes.is_empty() {
        return Err(Error::truncated(path, "empty file"));
    }
    if bytes.len() < BLOCK {
        return Err(Error::truncated(
            path,
            format!(
                "{} bytes, shorter than the 512-byte C3D header",
                bytes.len()
            ),
        ));
    }
    if bytes[1] != 0x50 {
        return Err(Error::corrupt(
            path,
            format!(
                "not a C3D file: byte 2 is 0x{:02X}, expected 0x50",
                bytes[1]
            ),
        ));
    }
    let param_block = usize::from(bytes[0]);
    if param_block == 0 {
        return Err(Error::corrupt(path, "parameter section pointer is 0"));
    }
    let pstart = (param_block - 1) * BLOCK;
    let probe = Reader {
        bytes,
        path,
        processor: Processor::Intel,
    };
    let ptype = probe.u8(pstart + 3, "parameter section header")?;
    let processor = match ptype {
        84 => Processor::Intel,
        85 => Processor::Dec,
        86 => Processor::Mips,
        other => {
            return Err(Error::corrupt(
                path,
                format!(
                "unknown processor type {other} in the parameter section (expected 84, 85 or 86)"
            ),
            ))
        }
    };
    let r = Reader {
        bytes,
        path,
        processor,
    };
    let header = read_header(&r)?;
    debug_assert_eq!(header.param_block, param_block);
    let params = read_parameters(&r, pstart)?;

    let mut warnings: Vec<String> = params.warnings.clone();
    // --- points ---
    let scale = params.first_f64("POINT", "SCALE").unwrap_or(header.scale);
    if !scale.is_finite() || scale == 0.0 {
        return Err(Error::corrupt(path, format!("POINT:SCALE is {scale}")));
    }
    let is_float = scale < 0.0;
    let point_rate = params
        .first_f64("POINT", "RATE")
        .filter(|r| *r > 0.0)
        .unwrap_or(header.frame_rate);
    if !(point_rate.is_finite() && point_rate > 0.0 && point_rate < 1.0e6) {
        return Err(Error::corrupt(
            path,
            format!("point rate is {point_rate} Hz"),
        ));
    }
    let n_analog = params.first_count("ANALOG", "USED").unwrap_or(0);
    let analog_rate = params.first_f64("ANALOG", "RATE").unwrap_or(0.0);
    let layout = resolve_layout(
        path,
        &params,
        &header,
        LayoutInputs {
            file_len: bytes.len(),
            param_block,
            param_end_block: param_block + usize::from(bytes[pstart + 2]).max(1),
            is_float,
            n_analog,
            analog_rate,
            point_rate,
        },
        &mut warnings,
    )?;
    let Layout {
        n_points,
        per_frame,
        n_frames,
        first_frame,
        data_block,
    } = layout;
    let data_offset = (data_block - 1) * BLOCK;
    let analog_rate = if n_analog > 0
        && analog_rate > 0.0
        && (analog_rate - point_rate * per_frame as f64).abs() > 0.005 * analog_rate
    {
        let actual = point_rate * per_frame as f64;
        warnings.push(format!(
            "ANALOG:RATE says {analog_rate} Hz but the data hold {per_frame} samples per {point_rate} Hz frame: {actual} Hz used"
        ));
        actual
    } else if analog_rate > 0.0 {
        analog_rate
    } else {
        point_rate * per_frame as f64
    };
    let bpv = if is_float { 4 } else { 2 };
    let values_per_frame = n_points * 4 + n_analog * per_frame;
    let needed = values_per_frame * bpv * n_frames;

    let analog_scale = params.floats_continued("ANALOG", "SCALE");
    let analog_offset_raw = params.floats_continued("ANALOG", "OFFSET");
    let gen_scale = params.first_f64("ANALOG", "GEN_SCALE").unwrap_or(1.0);
    let unsigned = params
        .first_string("ANALOG", "FORMAT")
        .is_some_and(|f| f.eq_ignore_ascii_case("UNSIGNED"));
    let analog_offset: Vec<f64> = analog_offset_raw
        .iter()
        .map(|&o| if unsigned && o < 0.0 { o + 65536.0 } else { o })
        .collect();
    let ch_scale: Vec<f64> = (0..n_analog)
        .map(|c| analog_scale.get(c).copied().unwrap_or(1.0) * gen_scale)
        .collect();
    let ch_offset: Vec<f64> = (0..n_analog)
        .map(|c| analog_offset.get(c).copied().unwrap_or(0.0))
        .collect();

    let mut points = vec![f64::NAN; n_frames * n_points * 3];
    let mut analogs = vec![0.0; n_frames * per_frame * n_analog];
    // `needed` may be 0 (no frames) with a data pointer past the end: still no slicing out of range.
    let data = bytes
        .get(data_offset..data_offset + needed)
        .ok_or_else(|| {
            Error::truncated(
                path,
                format!("the data section starts at byte {data_offset}, past the end of the file"),
            )
        })?;
    // Decode the whole data section in one tight pass, then pick values by index.
    let vals: Vec<f64> = if is_float {
        decode_f32s(processor, data)
    } else if unsigned {
        decode_u16s(processor, data)
            .into_iter()
            .map(f64::from)
            .collect()
    } else {
        decode_u16s(processor, data)
            .into_iter()
            .map(|v| f64::from(v as i16))
            .collect()
    };
    let point_scale = if is_float { 1.0 } else { scale };
    for (f, frame) in vals
        .chunks_exact(values_per_frame.max(1))
        .take(n_frames)
        .enumerate()
    {
        let (pts, ana) = frame.split_at(n_points * 4);
        for (m, p) in pts.chunks_exact(4).enumerate() {
            // Residual word: negative marks an invalid point. Integer files store it as i16; the
            // unsigned analog reading above must not turn it positive.
            let w = if is_float || !unsigned {
                p[3]
            } else {
                f64::from(p[3] as u16 as i16)
            };
            if w >= 0.0 && p[0].is_finite() && p[1].is_finite() && p[2].is_finite() {
                let i = (f * n_points + m) * 3;
                let signed = |v: f64| {
                    if is_float || !unsigned {
                        v
                    } else {
                        f64::from(v as u16 as i16)
                    }
                };
                points[i] = signed(p[0]) * point_scale;
                points[i + 1] = signed(p[1]) * point_scale;
                points[i + 2] = signed(p[2]) * point_scale;
            }
        }
        for (s, sample) in ana
            .chunks_exact(n_analog.max(1))
            .take(per_frame)
            .enumerate()
        {
            let row =
                &mut analogs[(f * per_frame + s) * n_analog..(f * per_frame + s + 1) * n_analog];
            for c in 0..n_analog {
                row[c] = (sample[c] - ch_offset[c]) * ch_scale[c];
            }
        }
    }

    let mut marker_names = params.strings_continued("POINT", "LABELS");
    marker_names.resize(n_points, String::new());
    for (i, name) in marker_names.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("M{:03}", i + 1);
        }
    }
    let mut analog_names = params.strings_continued("ANALOG", "LABELS");
    analog_names.resize(n_analog, String::new());
    for (i, name) in analog_names.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("A{:03}", i + 1);
        }
    }
    let mut analog_units = params.strings_continued("ANALOG", "UNITS");
    analog_units.resize(n_analog, String::new());

    let point_units = params
        .first_string("POINT", "UNITS")
        .filter(|u| !u.is_empty());
    let force_plates = read_force_plates(
        path,
        &params,
        &analogs,
        n_analog,
        &analog_units,
        analog_rate,
        &mut warnings,
    )?;
    let events = read_events(&params, first_frame, point_rate);
    let (rotation_names, rotation_rate, rotations) =
        read_rotations(&r, &params, n_frames, point_rate, is_float)?;

    let mut metadata = Vec::new();
    for (g, p) in [
        ("MANUFACTURER", "COMPANY"),
        ("MANUFACTURER", "SOFTWARE"),
        ("SUBJECTS", "NAMES"),
        ("TRIAL", "CAMERA_RATE"),
    ] {
        if let Some(v) = params.first_string(g, p).filter(|s| !s.is_empty()) {
            metadata.push((
                format!("{}:{}", g.to_ascii_lowercase(), p.to_ascii_lowercase()),
                v,
            ));
        }
    }
    metadata.push((
        "c3d:processor".into(),
        format!("{processor:?}").to_ascii_lowercase(),
    ));
    metadata.push((
        "c3d:storage".into(),
        if is_float {
            "float".into()
        } else {
            "integer".into()
        },
    ));
    let y_screen = params.first_string("POINT", "Y_SCREEN");

    Ok((
        RawTrial {
            path: path.to_path_buf(),
            format: Format::C3d,
            point_rate_hz: point_rate,
            first_frame: first_frame as u32,
            n_frames,
            marker_names,
            points,
            point_units,
            analog_rate_hz: if n_analog > 0 { analog_rate } else { 0.0 },
            analog_names,
            analog_units,
            analogs,
            force_plates,
            events,
            rotation_names,
            rotation_rate_hz: rotation_rate,
            rotations,
            vertical_hint: y_screen.filter(|s| !s.is_empty()),
            metadata,
            warnings,
        },
        params,
    ))
}

fn decode_f32s(p: Processor, data: &[u8]) -> Vec<f64> {
    let it = data.chunks_exact(4);
    match p {
        Processor::Intel => it
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        Processor::Mips => it
            .map(|c| f64::from(f32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        Processor::Dec => it
            .map(|c| f64::from(decode_f32(p, [c[0], c[1], c[2], c[3]])))
            .collect(),
    }
}

fn decode_u16s(p: Processor, data: &[u8]) -> Vec<u16> {
    let it = data.chunks_exact(2);
    match p {
        Processor::Mips => it.map(|c| u16::from_be_bytes([c[0], c[1]])).collect(),
        Processor::Intel | Processor::Dec => it.map(|c| u16::from_le_bytes([c[0], c[1]])).collect(),
    }
}

/// How the data section is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    n_points: usize,
    per_frame: usize,
    n_frames: usize,
    first_frame: usize,
    data_block: usize,
}

#[derive(Clone, Copy)]
struct LayoutInputs {
    file_len: usize,
    param_block: usize,
    /// First block after the parameter section (its header's block count).
    param_end_block: usize,
    is_float: bool,
    n_analog: usize,
    analog_rate: f64,
    point_rate: f64,
}

impl Layout {
    /// Bytes of the data section, None on overflow.
    fn bytes(&self, n_analog: usize, bpv: usize) -> Option<usize> {
        self.n_points
            .checked_mul(4)?
            .checked_add(n_analog.checked_mul(self.per_frame)?)?
            .checked_mul(bpv)?
            .checked_mul(self.n_frames)
    }
}

/// The data section's layout. The parameters (POINT:USED, POINT:DATA_START, ANALOG:RATE) and
/// the header (point count, data block, analog values per frame, first/last frame) say the same
/// thing twice; files in the wild disagree with themselves. Rule: the parameters' layout is
/// taken, except that (1) POINT:DATA_START must point past the parameter section's first block,
/// and (2) when the chosen layout does not end within the file's last 512-byte block (the data
/// section is padded to whole blocks) but a layout that takes one number from the other source
/// does, that one is taken. Every such choice is a warning naming the field; a layout that fits
/// nowhere is a truncated file.
fn resolve_layout(
    path: &Path,
    params: &Parameters,
    header: &Header,
    inp: LayoutInputs,
    warnings: &mut Vec<String>,
) -> Result<Layout> {
    let (first_frame, n_frames) = frame_range(params, header);
    let param_data = params.first_count("POINT", "DATA_START");
    let data_block = match param_data {
        Some(b) if b > inp.param_block => b,
        Some(b) if b > 0 && b != header.data_block && header.data_block > inp.param_block => {
            warnings.push(format!(
                "POINT:DATA_START is block {b}, inside the header or parameter section: the header's block {} used",
                header.data_block
            ));
            header.data_block
        }
        _ => header.data_block,
    };
    if data_block == 0 {
        return Err(Error::corrupt(path, "data section pointer is 0"));
    }
    let n_analog = inp.n_analog;
    let per_frame_from_rate = if n_analog > 0 && inp.analog_rate > 0.0 {
        Some((inp.analog_rate / inp.point_rate).round() as usize).filter(|&n| n > 0)
    } else {
        None
    };
    let per_frame = if n_analog == 0 {
        0
    } else if header.analog_values_per_frame > 0
        && header.analog_values_per_frame.is_multiple_of(n_analog)
    {
        header.analog_values_per_frame / n_analog
    } else if let Some(n) = per_frame_from_rate {
        n
    } else {
        header.analog_per_frame
    };
    if n_analog > 0 && per_frame == 0 {
        return Err(Error::corrupt(
            path,
            format!("{n_analog} analog channels but 0 samples per frame"),
        ));
    }
    let primary = Layout {
        n_points: params
            .first_count("POINT", "USED")
            .unwrap_or(header.n_points),
        per_frame,
        n_frames,
        first_frame,
        data_block,
    };
    let bpv = if inp.is_float { 4 } else { 2 };
    let offset = |l: &Layout| (l.data_block - 1) * BLOCK;
    let fits = |l: &Layout| {
        l.bytes(n_analog, bpv).is_some_and(|b| {
            offset(l)
                .checked_add(b)
                .is_some_and(|end| end <= inp.file_len)
        })
    };
    let exact = |l: &Layout| {
        l.bytes(n_analog, bpv)
            .and_then(|b| offset(l).checked_add(b))
            .is_some_and(|end| end <= inp.file_len && inp.file_len - end < BLOCK)
    };
    if !exact(&primary) {
        let header_frames = (header.last_frame >= header.first_frame && header.last_frame > 0)
            .then(|| header.last_frame - header.first_frame + 1);
        let mut alternatives: Vec<(Layout, String)> = Vec::new();
        if header.n_points != primary.n_points {
            alternatives.push((
                Layout {
                    n_points: header.n_points,
                    ..primary
                },
                format!(
                    "POINT:USED says {} points but the header's {} make the data section match the file's length: {} used",
                    primary.n_points, header.n_points, header.n_points
                ),
            ));
        }
        if let Some(n) = per_frame_from_rate.filter(|&n| n != primary.per_frame) {
            alternatives.push((
                Layout {
                    per_frame: n,
                    ..primary
                },
                format!(
                    "the header announces {} analog values per frame ({} per channel) but ANALOG:RATE gives {n} samples per frame, which match the file's length: {n} used",
                    header.analog_values_per_frame, primary.per_frame
                ),
            ));
        }
        if let Some(n) = params
            .first_count("POINT", "FRAMES")
            .filter(|&n| n > 0 && n != primary.n_frames)
        {
            alternatives.push((
                Layout {
                    n_frames: n,
                    ..primary
                },
                format!(
                    "the header's frame range gives {} frames but POINT:FRAMES says {n}, which matches the file's length: {n} used",
                    primary.n_frames
                ),
            ));
        }
        if let Some(n) = header_frames.filter(|&n| n != primary.n_frames) {
            alternatives.push((
                Layout {
                    n_frames: n,
                    ..primary
                },
                format!(
                    "TRIAL gives {} frames but the header's frame range {n}, which matches the file's length: {n} used",
                    primary.n_frames
                ),
            ));
        }
        if header.data_block != primary.data_block && header.data_block >= inp.param_end_block {
            alternatives.push((
                Layout {
                    data_block: header.data_block,
                    ..primary
                },
                format!(
                    "POINT:DATA_START says block {} but the header's block {} makes the data section match the file's length: {} used",
                    primary.data_block, header.data_block, header.data_block
                ),
            ));
        }
        let exact_alts: Vec<&(Layout, String)> =
            alternatives.iter().filter(|(l, _)| exact(l)).collect();
        // one unambiguous repair; with several, only when the primary layout does not fit
        if let Some((l, why)) = exact_alts.first() {
            if exact_alts.len() == 1 || !fits(&primary) {
                warnings.push(why.clone());
                return Ok(*l);
            }
        }
    }
    if !fits(&primary) {
        let needed = primary
            .bytes(n_analog, bpv)
            .ok_or_else(|| Error::corrupt(path, format!("{} frames overflow", primary.n_frames)))?;
        let data_offset = offset(&primary);
        return Err(Error::truncated(
            path,
            format!(
                "the header announces {} frames of {} points and {n_analog}×{} analog values \
                 ({needed} bytes from byte {data_offset}) but only {} bytes follow",
                primary.n_frames,
                primary.n_points,
                primary.per_frame,
                inp.file_len.saturating_sub(data_offset)
            ),
        ));
    }
    Ok(primary)
}

/// First frame number and frame count. The header holds 16-bit frame numbers; longer trials
/// store 32-bit numbers as two 16-bit words in TRIAL:ACTUAL_START_FIELD / ACTUAL_END_FIELD.
fn frame_range(params: &Parameters, header: &Header) -> (usize, usize) {
    let field = |name: &str| -> Option<usize> {
        let c = params.get("TRIAL", name)?.counts();
        match c.as_slice() {
            [lo, hi, ..] => Some(lo + (hi << 16)),
            [lo] => Some(*lo),
            [] => None,
        }
    };
    if let (Some(s), Some(e)) = (field("ACTUAL_START_FIELD"), field("ACTUAL_END_FIELD")) {
        if e >= s && s > 0 {
            return (s, e - s + 1);
        }
    }
    // A first frame of 0 (c3d.org Sample30) still counts: frames first..=last.
    let first = header.first_frame;
    if header.last_frame == 0xFFFF {
        if let Some(n) = params.first_count("POINT", "FRAMES").filter(|&n| n > 0) {
            return (first, n);
        }
    }
    if header.last_frame >= header.first_frame && header.last_frame > 0 {
        (first, header.last_frame - first + 1)
    } else {
        (first, params.first_count("POINT", "FRAMES").unwrap_or(0))
    }
}

fn read_events(params: &Parameters, first_frame: usize, rate: f64) -> Vec<Event> {
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
fn fill_poses(raw: &[u8], out: &mut [f64], decode: impl Fn([u8; 4]) -> f32) {
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

fn read_rotations(
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
fn read_force_plates(
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
    let types = params
        .get("FORCE_PLATFORM", "TYPE")
        .map(Parameter::floats)
        .unwrap_or_default();
    let corners = params
        .get("FORCE_PLATFORM", "CORNERS")
        .map(Parameter::floats)
        .unwrap_or_default();
    let origins = params
        .get("FORCE_PLATFORM", "ORIGIN")
        .map(Parameter::floats)
        .unwrap_or_default();
    let channel_param = params.get("FORCE_PLATFORM", "CHANNEL");
    let channels = channel_param.map(Parameter::counts).unwrap_or_default();
    let ch_per_plate = channel_param
        .and_then(|p| p.dims.first().copied())
        .unwrap_or(6)
        .max(1);
    let cal = params.get("FORCE_PLATFORM", "CAL_MATRIX");
    let samples = analogs.len().checked_div(n_analog).unwrap_or(0);
    let mut plates = Vec::new();
    for p in 0..used {
        let plate_type = types.get(p).copied().unwrap_or(0.0) as i32;
        let need = if plate_type == 3 { 8 } else { 6 };
        let chans: Vec<usize> = (0..need)
            .map(|k| channels.get(p * ch_per_plate + k).copied().unwrap_or(0))
            .collect();
        if chans.iter().any(|&c| c == 0 || c > n_analog) {
            return Err(Error::corrupt(
                path,
                format!("force plate {} refers to analog channels {chans:?} but the file has {n_analog}", p + 1),
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
                *v = corners.get(p * 12 + k * 3 + a).copied().ok_or_else(|| {
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
        let mut origin = [0, 1, 2].map(|a| origins.get(p * 3 + a).copied().unwrap_or(0.0));
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
        let calm: Option<Vec<f64>> = if plate_type == 4 {
            let v = cal.map(Parameter::floats).unwrap_or_default();
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
        // Moments are in N × (the file's length unit) unless the channel says otherwise.
        let moment_unit = analog_units
            .get(chans[3] - 1)
            .map(|u| u.to_ascii_lowercase().replace(['.', '*', ' ', '·'], ""));
        let moment_to_nm = match moment_unit.as_deref() {
            Some("nm") => Some(1.0),
            Some("nmm") => Some(1.0e-3),
            _ => None,
        };
        let mut force = Vec::with_capacity(samples * 3);
        let mut cop = Vec::with_capacity(samples * 3);
        let mut moment = Vec::with_capacity(samples);
        for s in 0..samples {
            let ch = |k: usize| analogs[s * n_analog + chans[k] - 1];
            let (f, m, direct_cop) = match plate_type {
                1 => (
                    [ch(0), ch(1), ch(2)],
                    [0.0, 0.0, ch(5)],
                    Some([ch(3), ch(4)]),
                ),
                2 => ([ch(0), ch(1), ch(2)], [ch(3), ch(4), ch(5)], None),
                3 => {
                    let (a, b) = (origin[0], origin[1]);
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
                    let m36 = calm.as_deref().unwrap_or(&[]);
                    let raw: [f64; 6] = std::array::from_fn(ch);
                    // CAL_MATRIX is stored with its first index varying fastest (column-major).
                    let out: [f64; 6] = std::array::from_fn(|row| {
                        (0..6).map(|col| m36[col * 6 + row] * raw[col]).sum()
                    });
                    ([out[0], out[1], out[2]], [out[3], out[4], out[5]], None)
                }
            };
            // Depth of the transducer origin below the surface (h > 0). The centre of pressure
            // on the surface is x = (−My − h·Fx)/Fz, y = (Mx − h·Fy)/Fz for every type: AMTI's
            // formula, and Kistler's ax = (Fx·az0 − My)/Fz with az0 = −h for type 3 (ORIGIN is
            // (a, b, az0) there, az0 negative).
            let oz = origin[2].abs();
            let (px, py) = match direct_cop {
                Some([x, y]) => (x, y),
                None => ((-m[1] - f[0] * oz) / f[2], (m[0] - f[1] * oz) / f[2]),
            };
            let tz = m[2] - px * f[1] + py * f[0];
            let fl = [0, 1, 2].map(|a| ex[a] * f[0] + ey[a] * f[1] + ez[a] * f[2]);
            force.extend_from_slice(&fl);
            let loaded = f[2].abs() > 1.0e-6 && px.is_finite() && py.is_finite();
            if loaded {
                let (qx, qy) = if plate_type == 3 || direct_cop.is_some() {
                    (px, py)
                } else {
                    (px - origin[0], py - origin[1])
                };
                cop.extend([0, 1, 2].map(|a| centre[a] + ex[a] * qx + ey[a] * qy));
            } else {
                cop.extend([f64::NAN; 3]);
            }
            // Free moment about the plate normal, stored as a lab vector component later.
            moment.push(if loaded { tz } else { 0.0 });
        }
        plates.push(RawForcePlate {
            plate_type,
            corners: c,
            origin,
            channels: chans,
            rate_hz: rate,
            force_n: force,
            cop,
            free_moment: moment,
            normal: ez,
            moment_to_nm,
        });
    }
    Ok(plates)
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn norm(a: [f64; 3]) -> f64 {
    (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
}
fn unit(a: [f64; 3]) -> [f64; 3] {
    let n = norm(a);
    if n > 0.0 {
        [a[0] / n, a[1] / n, a[2] / n]
    } else {
        [0.0; 3]
    }
}
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
