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

mod groups;
mod layout;
mod params;

use groups::{read_events, read_force_plates, read_rotations};
use layout::{resolve_layout, Layout, LayoutInputs};
use params::read_parameters;
pub use params::{Group, ParamData, Parameter, Parameters};

const BLOCK: usize = 512;
/// No real file has more parameter records than this; the bound stops a crafted loop.
const MAX_PARAMETER_RECORDS: usize = 1 << 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Processor {
    Intel,
    Dec,
    Mips,
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

/// Parses a whole C3D file held in memory. Lengths stay in file units and axes; `io::finish`
/// converts them.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<(RawTrial, Parameters)> {
    let (processor, param_block) = check_start(path, bytes)?;
    let pstart = (param_block - 1) * BLOCK;
    let r = Reader {
        bytes,
        path,
        processor,
    };
    let header = read_header(&r)?;
    debug_assert_eq!(header.param_block, param_block);
    let params = read_parameters(&r, pstart)?;

    let mut warnings: Vec<String> = params.warnings.clone();
    let (scale, point_rate) = point_scale_and_rate(path, &params, &header)?;
    let is_float = scale < 0.0;
    let n_analog = params.first_count("ANALOG", "USED").unwrap_or(0);
    let declared_analog_rate = params.first_f64("ANALOG", "RATE").unwrap_or(0.0);
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
            analog_rate: declared_analog_rate,
            point_rate,
        },
        &mut warnings,
    )?;
    let analog_rate = analog_rate(
        declared_analog_rate,
        point_rate,
        n_analog,
        layout.per_frame,
        &mut warnings,
    );
    let storage = Storage {
        processor,
        is_float,
        unsigned: params
            .first_string("ANALOG", "FORMAT")
            .is_some_and(|f| f.eq_ignore_ascii_case("UNSIGNED")),
        point_scale: if is_float { 1.0 } else { scale },
    };
    let (points, analogs) = read_data(path, bytes, &params, &layout, n_analog, &storage)?;
    let Layout {
        n_points,
        n_frames,
        first_frame,
        ..
    } = layout;
    let marker_names = labels(&params, "POINT", n_points, 'M');
    let analog_names = labels(&params, "ANALOG", n_analog, 'A');
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
    let metadata = metadata(&params, processor, is_float);
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

/// The file is long enough for a header, says it is a C3D file, and names a processor type in
/// its parameter section: (processor, block of the parameter section).
fn check_start(path: &Path, bytes: &[u8]) -> Result<(Processor, usize)> {
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
    let probe = Reader {
        bytes,
        path,
        processor: Processor::Intel,
    };
    let ptype = probe.u8((param_block - 1) * BLOCK + 3, "parameter section header")?;
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
    Ok((processor, param_block))
}

/// POINT:SCALE (negative: float storage) and the point rate in Hz, checked.
fn point_scale_and_rate(path: &Path, params: &Parameters, header: &Header) -> Result<(f64, f64)> {
    let scale = params.first_f64("POINT", "SCALE").unwrap_or(header.scale);
    if !scale.is_finite() || scale == 0.0 {
        return Err(Error::corrupt(path, format!("POINT:SCALE is {scale}")));
    }
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
    Ok((scale, point_rate))
}

/// The analog rate the data hold: ANALOG:RATE unless it contradicts the samples per frame
/// (then the data win, with a warning).
fn analog_rate(
    declared: f64,
    point_rate: f64,
    n_analog: usize,
    per_frame: usize,
    warnings: &mut Vec<String>,
) -> f64 {
    let actual = point_rate * per_frame as f64;
    if n_analog > 0 && declared > 0.0 && (declared - actual).abs() > 0.005 * declared {
        warnings.push(format!(
            "ANALOG:RATE says {declared} Hz but the data hold {per_frame} samples per {point_rate} Hz frame: {actual} Hz used"
        ));
        actual
    } else if declared > 0.0 {
        declared
    } else {
        actual
    }
}

/// How the data section's numbers are stored.
struct Storage {
    processor: Processor,
    is_float: bool,
    /// ANALOG:FORMAT is UNSIGNED (integer files).
    unsigned: bool,
    /// Metres (or the file's units) per stored point value: POINT:SCALE for integer files.
    point_scale: f64,
}

/// Points (frames × points × 3, NaN where the residual marks them invalid) and analogs
/// (samples × channels, scaled by ANALOG:SCALE × GEN_SCALE after ANALOG:OFFSET).
fn read_data(
    path: &Path,
    bytes: &[u8],
    params: &Parameters,
    layout: &Layout,
    n_analog: usize,
    st: &Storage,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let &Layout {
        n_points,
        per_frame,
        n_frames,
        data_block,
        ..
    } = layout;
    let data_offset = (data_block - 1) * BLOCK;
    let bpv = if st.is_float { 4 } else { 2 };
    let values_per_frame = n_points * 4 + n_analog * per_frame;
    let needed = values_per_frame * bpv * n_frames;
    let (ch_scale, ch_offset) = analog_calibration(params, n_analog, st.unsigned);
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
    let vals: Vec<f64> = if st.is_float {
        decode_f32s(st.processor, data)
    } else if st.unsigned {
        decode_u16s(st.processor, data)
            .into_iter()
            .map(f64::from)
            .collect()
    } else {
        decode_u16s(st.processor, data)
            .into_iter()
            .map(|v| f64::from(v as i16))
            .collect()
    };
    // Integer files store the point values and residual word as i16; the unsigned analog
    // reading above must not turn them positive.
    let signed = |v: f64| {
        if st.is_float || !st.unsigned {
            v
        } else {
            f64::from(v as u16 as i16)
        }
    };
    for (f, frame) in vals
        .chunks_exact(values_per_frame.max(1))
        .take(n_frames)
        .enumerate()
    {
        let (pts, ana) = frame.split_at(n_points * 4);
        for (m, p) in pts.chunks_exact(4).enumerate() {
            // Residual word: negative marks an invalid point.
            if signed(p[3]) >= 0.0 && p[0].is_finite() && p[1].is_finite() && p[2].is_finite() {
                let i = (f * n_points + m) * 3;
                points[i] = signed(p[0]) * st.point_scale;
                points[i + 1] = signed(p[1]) * st.point_scale;
                points[i + 2] = signed(p[2]) * st.point_scale;
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
    Ok((points, analogs))
}

/// Per analog channel: scale (ANALOG:SCALE × GEN_SCALE) and offset (unsigned when the format
/// is, so −1 reads 65535).
fn analog_calibration(
    params: &Parameters,
    n_analog: usize,
    unsigned: bool,
) -> (Vec<f64>, Vec<f64>) {
    let analog_scale = params.floats_continued("ANALOG", "SCALE");
    let analog_offset = params.floats_continued("ANALOG", "OFFSET");
    let gen_scale = params.first_f64("ANALOG", "GEN_SCALE").unwrap_or(1.0);
    let scale = (0..n_analog)
        .map(|c| analog_scale.get(c).copied().unwrap_or(1.0) * gen_scale)
        .collect();
    let offset = (0..n_analog)
        .map(|c| match analog_offset.get(c).copied() {
            Some(o) if unsigned && o < 0.0 => o + 65536.0,
            Some(o) => o,
            None => 0.0,
        })
        .collect();
    (scale, offset)
}

/// `group:LABELS` (with LABELS2… continuations) for `n` channels, blanks named `M001`, `A002`….
fn labels(params: &Parameters, group: &str, n: usize, prefix: char) -> Vec<String> {
    let mut names = params.strings_continued(group, "LABELS");
    names.resize(n, String::new());
    for (i, name) in names.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("{prefix}{:03}", i + 1);
        }
    }
    names
}

/// Facts about the recording worth keeping (manufacturer, software, subject, camera rate,
/// processor type, storage).
fn metadata(params: &Parameters, processor: Processor, is_float: bool) -> Vec<(String, String)> {
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
    metadata
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
