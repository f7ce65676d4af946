//! Where the point and analog data of a C3D file lie and how many frames they hold, from the
//! header and the POINT/ANALOG/TRIAL parameters, checked against the file's length.

use super::{Error, Header, Parameters, Path, Result, BLOCK};

/// How the data section is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Layout {
    pub(super) n_points: usize,
    pub(super) per_frame: usize,
    pub(super) n_frames: usize,
    pub(super) first_frame: usize,
    pub(super) data_block: usize,
}

#[derive(Clone, Copy)]
pub(super) struct LayoutInputs {
    pub(super) file_len: usize,
    pub(super) param_block: usize,
    /// First block after the parameter section (its header's block count).
    pub(super) param_end_block: usize,
    pub(super) is_float: bool,
    pub(super) n_analog: usize,
    pub(super) analog_rate: f64,
    pub(super) point_rate: f64,
}

impl Layout {
    /// Bytes of the data section, None on overflow.
    pub(super) fn bytes(&self, n_analog: usize, bpv: usize) -> Option<usize> {
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
pub(super) fn resolve_layout(
    path: &Path,
    params: &Parameters,
    header: &Header,
    inp: LayoutInputs,
    warnings: &mut Vec<String>,
) -> Result<Layout> {
    let (primary, per_frame_from_rate) = primary_layout(path, params, header, &inp, warnings)?;
    let n_analog = inp.n_analog;
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
        let alternatives = alternatives(&primary, params, header, per_frame_from_rate, &inp);
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

/// The layout the parameters describe (POINT:DATA_START checked against the parameter
/// section), and the analog samples per frame ANALOG:RATE implies.
fn primary_layout(
    path: &Path,
    params: &Parameters,
    header: &Header,
    inp: &LayoutInputs,
    warnings: &mut Vec<String>,
) -> Result<(Layout, Option<usize>)> {
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
    Ok((primary, per_frame_from_rate))
}

/// Layouts that take one number from the header instead of the parameters (or the other way),
/// each with the warning that says so.
fn alternatives(
    primary: &Layout,
    params: &Parameters,
    header: &Header,
    per_frame_from_rate: Option<usize>,
    inp: &LayoutInputs,
) -> Vec<(Layout, String)> {
    let header_frames = (header.last_frame >= header.first_frame && header.last_frame > 0)
        .then(|| header.last_frame - header.first_frame + 1);
    let mut alternatives: Vec<(Layout, String)> = Vec::new();
    if header.n_points != primary.n_points {
        alternatives.push((
            Layout {
                n_points: header.n_points,
                ..*primary
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
                ..*primary
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
                ..*primary
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
                ..*primary
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
                ..*primary
            },
            format!(
                "POINT:DATA_START says block {} but the header's block {} makes the data section match the file's length: {} used",
                primary.data_block, header.data_block, header.data_block
            ),
        ));
    }
    alternatives
}

/// First frame number and frame count. The header holds 16-bit frame numbers; longer trials
/// store 32-bit numbers as two 16-bit words in TRIAL:ACTUAL_START_FIELD / ACTUAL_END_FIELD.
pub(super) fn frame_range(params: &Parameters, header: &Header) -> (usize, usize) {
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
