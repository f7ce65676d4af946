//! The C3D parameter section: groups and parameters of every data type, read record by record
//! with every pointer checked against the file.

use super::{decode_f32, decode_u16, Error, Reader, Result, BLOCK, MAX_PARAMETER_RECORDS};

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

pub(super) fn trim_label(b: &[u8]) -> String {
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
    pub(super) fn first_f64(&self, group: &str, name: &str) -> Option<f64> {
        self.get(group, name)
            .and_then(|p| p.floats().first().copied())
    }
    pub(super) fn first_count(&self, group: &str, name: &str) -> Option<usize> {
        self.get(group, name)
            .and_then(|p| p.counts().first().copied())
    }
    pub(super) fn first_string(&self, group: &str, name: &str) -> Option<String> {
        self.get(group, name)
            .and_then(|p| p.strings().into_iter().next())
    }
    /// `NAME`, then `NAME2`, `NAME3`… concatenated: the spec's way past 255 entries.
    fn continued<T>(&self, group: &str, name: &str, values: fn(&Parameter) -> Vec<T>) -> Vec<T> {
        let mut out = Vec::new();
        if let Some(p) = self.get(group, name) {
            out.extend(values(p));
        }
        for k in 2.. {
            match self.get(group, &format!("{name}{k}")) {
                Some(p) => out.extend(values(p)),
                None => break,
            }
        }
        out
    }
    /// The strings of `NAME`, `NAME2`, … (see [`Self::continued`]).
    pub(super) fn strings_continued(&self, group: &str, name: &str) -> Vec<String> {
        self.continued(group, name, Parameter::strings)
    }
    /// The numbers of `NAME`, `NAME2`, … (see [`Self::continued`]).
    pub(super) fn floats_continued(&self, group: &str, name: &str) -> Vec<f64> {
        self.continued(group, name, Parameter::floats)
    }
}

pub(super) fn read_parameters(r: &Reader<'_>, start: usize) -> Result<Parameters> {
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
        let next = next_record(r, pos, off_pos, section_end, &name, &mut warnings)?;
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
            loose.push((id, read_parameter(r, off_pos, name)?));
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

/// Where the record after the one at `pos` starts (None at the last), checked: forwards, inside
/// the file. An offset in the other byte order is taken when only it lands on a record.
fn next_record(
    r: &Reader<'_>,
    pos: usize,
    off_pos: usize,
    section_end: usize,
    name: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<usize>> {
    let path = r.path;
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
    Ok(next)
}

/// The parameter record whose name ends at `off_pos` (type, dimensions, data, description).
fn read_parameter(r: &Reader<'_>, off_pos: usize, name: String) -> Result<Parameter> {
    let path = r.path;
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
    let nbytes = count
        .checked_mul(elem)
        .ok_or_else(|| Error::corrupt(path, format!("parameter '{name}' size overflows")))?;
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
    Ok(Parameter {
        name,
        description,
        dims,
        data,
    })
}

/// Whether a parameter or group record starts at `at`: a non-zero name length and a name of
/// printable ASCII.
pub(super) fn record_name_ok(r: &Reader<'_>, at: usize) -> bool {
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
