//! Readers for delimited text: wide marker tables (`Time`, then `<Marker>X <Marker>Y <Marker>Z`,
//! as the RBDS data set ships them), treadmill force tables (`Time Fx Fy Fz COPx COPy COPz Ty`)
//! and OpenSim TRC files.

use std::path::Path;

use crate::error::{Error, Result};
use crate::trial::Format;

use super::raw::{RawForcePlate, RawTrial};

/// Splits a line on the delimiter chosen for the file.
#[derive(Clone, Copy)]
enum Delim {
    Tab,
    Comma,
    Space,
}

impl Delim {
    fn of(header: &str) -> Self {
        if header.contains('\t') {
            Self::Tab
        } else if header.contains(',') {
            Self::Comma
        } else {
            Self::Space
        }
    }
    fn split<'a>(self, line: &'a str) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        match self {
            Self::Tab => Box::new(line.split('\t').map(str::trim)),
            Self::Comma => Box::new(line.split(',').map(str::trim)),
            Self::Space => Box::new(line.split_whitespace()),
        }
    }
}

fn parse_value(path: &Path, tok: &str, line_no: usize, col: usize) -> Result<f64> {
    if tok.is_empty() || tok.eq_ignore_ascii_case("nan") || tok.eq_ignore_ascii_case("na") {
        return Ok(f64::NAN);
    }
    fast_float(tok).ok_or_else(|| {
        let shown: String = tok.chars().take(24).collect();
        Error::corrupt(
            path,
            format!(
                "line {line_no}, column {}: '{shown}' is not a number",
                col + 1
            ),
        )
    })
}

#[inline]
fn fast_float(tok: &str) -> Option<f64> {
    tok.parse::<f64>().ok()
}

fn as_text<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str> {
    if bytes.is_empty() {
        return Err(Error::truncated(path, "empty file"));
    }
    if bytes.contains(&0) {
        return Err(Error::corrupt(
            path,
            "binary data (NUL bytes) in a text file",
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| Error::corrupt(path, format!("not UTF-8 text: {e}")))
}

/// A rectangular numeric table under one header line.
struct Table {
    columns: Vec<String>,
    /// rows × columns, NaN where empty.
    values: Vec<f64>,
    n_rows: usize,
}

fn read_table(path: &Path, text: &str) -> Result<Table> {
    read_table_at(path, text, 0)
}

/// [`read_table`] of a text that starts after `skipped` lines of its file (for line numbers).
fn read_table_at(path: &Path, text: &str, skipped: usize) -> Result<Table> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + skipped, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| Error::truncated(path, "no header line"))?;
    let delim = Delim::of(header);
    let columns: Vec<String> = delim.split(header).map(str::to_string).collect();
    let nc = columns.len();
    if nc < 2 {
        return Err(Error::corrupt(
            path,
            "the header has fewer than two columns",
        ));
    }
    let mut values = Vec::with_capacity(text.len() / 8);
    let mut n_rows = 0;
    for (i, line) in lines {
        let start = values.len();
        for (c, tok) in delim.split(line).enumerate() {
            if c >= nc {
                if tok.is_empty() {
                    continue;
                }
                return Err(Error::corrupt(
                    path,
                    format!("line {} has more than the header's {nc} columns", i + 1),
                ));
            }
            values.push(parse_value(path, tok, i + 1, c)?);
        }
        let got = values.len() - start;
        if got < nc {
            return Err(Error::truncated(
                path,
                format!("line {} has {got} of {nc} values", i + 1),
            ));
        }
        n_rows += 1;
    }
    if n_rows == 0 {
        return Err(Error::truncated(path, "a header but no data rows"));
    }
    Ok(Table {
        columns,
        values,
        n_rows,
    })
}

/// An OpenSim storage file (`.mot`, `.sto`): coordinates over time.
#[derive(Debug, Clone)]
pub struct MotTable {
    /// Column names after `time`, as the file spells them.
    pub columns: Vec<String>,
    /// Time stamps, s.
    pub time_s: Vec<f64>,
    /// rows × columns (without time); rotations in degrees, translations as the file has them.
    pub values: Vec<f64>,
    pub rate_hz: f64,
    /// True when the file said `inDegrees=no` and rotations were converted from radians.
    pub converted_from_radians: bool,
}

/// True for an OpenSim translational coordinate (`pelvis_tx`, `…_ty`, `…_tz`), which no degree
/// conversion touches.
pub fn is_translation(column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    c.ends_with("_tx") || c.ends_with("_ty") || c.ends_with("_tz")
}

/// Reads an OpenSim storage file: `key=value` header lines up to `endheader`, one line of column
/// names starting with `time`, then rows (OpenSim's documented `.mot` layout). The header's
/// `inDegrees` decides the angle unit; `in_degrees` overrides it and is required when the header
/// has none. Declared `nRows`/`nColumns` are checked against the data, never used to allocate.
pub fn parse_mot(path: &Path, bytes: &[u8], in_degrees: Option<bool>) -> Result<MotTable> {
    let text = as_text(path, bytes)?;
    let mut header_degrees = None;
    let mut declared_rows: Option<usize> = None;
    let mut declared_cols: Option<usize> = None;
    let mut body_start = None;
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        offset += line.len();
        let l = line.trim();
        if l.eq_ignore_ascii_case("endheader") {
            body_start = Some((i + 1, offset));
            break;
        }
        if let Some((k, v)) = l.split_once('=') {
            let (k, v) = (k.trim(), v.trim());
            if k.eq_ignore_ascii_case("inDegrees") {
                header_degrees = match v.to_ascii_lowercase().as_str() {
                    "yes" => Some(true),
                    "no" => Some(false),
                    _ => {
                        return Err(Error::corrupt(
                            path,
                            format!("line {}: inDegrees={v} is neither yes nor no", i + 1),
                        ))
                    }
                };
            } else if k.eq_ignore_ascii_case("nRows") {
                declared_rows = v.parse().ok();
            } else if k.eq_ignore_ascii_case("nColumns") {
                declared_cols = v.parse().ok();
            }
        }
    }
    let Some((skipped, start)) = body_start else {
        return Err(Error::corrupt(
            path,
            "no 'endheader' line: not an OpenSim .mot/.sto file",
        ));
    };
    let Some(degrees) = in_degrees.or(header_degrees) else {
        return Err(Error::data(
            path,
            "the header has no inDegrees line: the angle unit is unknown (pass in_degrees)",
        ));
    };
    let table = read_table_at(path, &text[start..], skipped)?;
    if !table.columns[0].eq_ignore_ascii_case("time") {
        return Err(Error::corrupt(
            path,
            format!(
                "the first column is '{}', not time",
                table.columns[0].chars().take(24).collect::<String>()
            ),
        ));
    }
    let nc = table.columns.len();
    if let Some(r) = declared_rows {
        if r != table.n_rows {
            return Err(Error::truncated(
                path,
                format!(
                    "the header says nRows={r} but the file has {} rows",
                    table.n_rows
                ),
            ));
        }
    }
    if let Some(c) = declared_cols {
        if c != nc {
            return Err(Error::corrupt(
                path,
                format!("the header says nColumns={c} but the names line has {nc}"),
            ));
        }
    }
    let time_s: Vec<f64> = table.values.iter().step_by(nc).copied().collect();
    if time_s.iter().any(|t| !t.is_finite()) {
        return Err(Error::data(path, "a time stamp is missing"));
    }
    let rate_hz = rate_from_time(path, &time_s)?;
    let columns: Vec<String> = table.columns[1..].to_vec();
    let convert: Vec<bool> = columns
        .iter()
        .map(|c| !degrees && !is_translation(c))
        .collect();
    let mut values = Vec::with_capacity(table.n_rows * (nc - 1));
    for row in table.values.chunks_exact(nc) {
        for (v, &conv) in row[1..].iter().zip(&convert) {
            values.push(if conv { v.to_degrees() } else { *v });
        }
    }
    Ok(MotTable {
        columns,
        time_s,
        values,
        rate_hz,
        converted_from_radians: !degrees,
    })
}

/// Sampling rate from a time column: exact count over span, snapped to a whole number of Hz when
/// the file's rounding of time stamps (e.g. 0.007 for 1/150 s) is the only difference.
fn rate_from_time(path: &Path, time: &[f64]) -> Result<f64> {
    let (Some(&t0), Some(&t1)) = (time.first(), time.last()) else {
        return Err(Error::data(path, "no time stamps"));
    };
    if time.len() < 2 || t1.partial_cmp(&t0) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::data(
            path,
            "time does not increase: the sampling rate cannot be found",
        ));
    }
    if time
        .windows(2)
        .any(|w| w[1].partial_cmp(&w[0]) != Some(std::cmp::Ordering::Greater))
    {
        return Err(Error::data(path, "time stamps are not strictly increasing"));
    }
    let rate = (time.len() - 1) as f64 / (t1 - t0);
    let whole = rate.round();
    Ok(if (rate - whole).abs() / whole < 2.0e-3 {
        whole
    } else {
        rate
    })
}

/// True when the time column is the sample number 1, 2, 3 … rather than seconds.
fn is_sample_index(time: &[f64]) -> bool {
    time.len() > 2
        && time
            .iter()
            .enumerate()
            .all(|(i, &t)| (t - (time[0] + i as f64)).abs() < 1e-9)
        && time[0].fract() == 0.0
}

fn strip_axis(col: &str) -> Option<(&str, usize)> {
    let last = col.chars().last()?;
    let k = match last.to_ascii_uppercase() {
        'X' => 0,
        'Y' => 1,
        'Z' => 2,
        _ => return None,
    };
    let base = col[..col.len() - 1].trim_end_matches(['_', '.', ' ', ':']);
    (!base.is_empty()).then_some((base, k))
}

/// Wide marker table: `Time`, then X, Y, Z columns per marker.
pub fn parse_marker_table(path: &Path, bytes: &[u8]) -> Result<RawTrial> {
    let text = as_text(path, bytes)?;
    let table = read_table(path, text)?;
    let nc = table.columns.len();
    if !table.columns[0].to_ascii_lowercase().starts_with("time")
        && !table.columns[0].to_ascii_lowercase().starts_with("frame")
    {
        return Err(Error::corrupt(
            path,
            format!("first column is '{}', expected Time", table.columns[0]),
        ));
    }
    if (nc - 1) % 3 != 0 {
        return Err(Error::corrupt(
            path,
            format!("{} coordinate columns is not a multiple of 3", nc - 1),
        ));
    }
    let mut names = Vec::new();
    for m in 0..(nc - 1) / 3 {
        let mut base = None;
        for k in 0..3 {
            let col = &table.columns[1 + 3 * m + k];
            match strip_axis(col) {
                Some((b, kk)) if kk == k && base.is_none_or(|prev| prev == b) => base = Some(b),
                _ => {
                    return Err(Error::corrupt(
                        path,
                        format!(
                            "column {} is '{col}', expected <marker>{}",
                            2 + 3 * m + k,
                            ['X', 'Y', 'Z'][k]
                        ),
                    ))
                }
            }
        }
        names.push(base.unwrap_or_default().to_string());
    }
    let time: Vec<f64> = (0..table.n_rows).map(|r| table.values[r * nc]).collect();
    let rate = rate_from_time(path, &time)?;
    let mut points = Vec::with_capacity(table.n_rows * (nc - 1));
    for r in 0..table.n_rows {
        points.extend_from_slice(&table.values[r * nc + 1..(r + 1) * nc]);
    }
    let mut raw = RawTrial::empty(path.to_path_buf(), Format::MarkerText);
    raw.point_rate_hz = rate;
    raw.n_frames = table.n_rows;
    raw.marker_names = names;
    raw.points = points;
    Ok(raw)
}

/// Treadmill or plate force table. Columns are found by name: `Fx Fy Fz` (N), `COPx COPy COPz`
/// (file length unit) and an optional free moment `T<axis>` or `M<axis>` about the vertical.
/// Where a force table's sampling rate comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ForceRate {
    /// Stated by the caller, Hz.
    Given(f64),
    /// From a time column in seconds.
    FromTime,
    /// The table covers this many seconds (it was recorded together with a marker table).
    Covers(f64),
}

pub fn parse_force_table(path: &Path, bytes: &[u8], rate: ForceRate) -> Result<RawTrial> {
    let text = as_text(path, bytes)?;
    let table = read_table(path, text)?;
    let nc = table.columns.len();
    let find = |name: &str| {
        table
            .columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    };
    let f: Vec<usize> = ["Fx", "Fy", "Fz"]
        .iter()
        .map(|n| {
            find(n)
                .ok_or_else(|| Error::corrupt(path, format!("no '{n}' column in the force table")))
        })
        .collect::<Result<_>>()?;
    let cop: Option<Vec<usize>> = ["COPx", "COPy", "COPz"].iter().map(|n| find(n)).collect();
    let time: Vec<f64> = (0..table.n_rows).map(|r| table.values[r * nc]).collect();
    let n = table.n_rows;
    let rate = match rate {
        ForceRate::Given(r) if r > 0.0 && r.is_finite() => r,
        ForceRate::Given(r) => return Err(Error::data(path, format!("force rate {r} Hz is not positive"))),
        ForceRate::Covers(seconds) if seconds > 0.0 && is_sample_index(&time) => (n as f64 / seconds).round(),
        ForceRate::Covers(_) | ForceRate::FromTime if is_sample_index(&time) => {
            return Err(Error::data(
                path,
                "the Time column is a sample number, not seconds: give the sampling rate (rate_hz), or read the matching marker file",
            ))
        }
        ForceRate::Covers(_) | ForceRate::FromTime => rate_from_time(path, &time)?,
    };
    let col = |r: usize, c: usize| table.values[r * nc + c];
    let mut mean = [0.0; 3];
    for r in 0..n {
        for k in 0..3 {
            // NaN and negative samples count as 0 (f64::max drops NaN).
            mean[k] += col(r, f[k]).max(0.0) / n as f64;
        }
    }
    // The vertical axis carries the body weight: the largest mean positive force.
    let vertical = (0..3)
        .max_by(|&a, &b| mean[a].total_cmp(&mean[b]))
        .unwrap_or(1);
    let free = find(&format!("T{}", ['x', 'y', 'z'][vertical]))
        .or_else(|| find(&format!("M{}", ['x', 'y', 'z'][vertical])));
    let mut force_n = Vec::with_capacity(n * 3);
    let mut cop_v = Vec::with_capacity(n * 3);
    let mut free_moment = Vec::with_capacity(n);
    let mut max_cop: f64 = 0.0;
    for r in 0..n {
        let fv = [col(r, f[0]), col(r, f[1]), col(r, f[2])];
        force_n.extend(fv.map(|v| if v.is_nan() { 0.0 } else { v }));
        let loaded = fv[vertical].abs() > 1.0e-9;
        match &cop {
            Some(c) if loaded => {
                let p = [col(r, c[0]), col(r, c[1]), col(r, c[2])];
                max_cop = p.iter().fold(max_cop, |m, v| m.max(v.abs()));
                cop_v.extend(p);
            }
            _ => cop_v.extend([f64::NAN; 3]),
        }
        free_moment.push(free.map_or(0.0, |c| col(r, c)));
    }
    let mut normal = [0.0; 3];
    normal[vertical] = 1.0;
    let mut raw = RawTrial::empty(path.to_path_buf(), Format::ForceText);
    raw.n_frames = n;
    raw.point_rate_hz = rate;
    raw.analog_rate_hz = rate;
    raw.analog_names = table.columns[1..].to_vec();
    raw.analog_units = raw
        .analog_names
        .iter()
        .map(|c| match c.to_ascii_lowercase().chars().next() {
            Some('f') => "N".to_string(),
            _ => String::new(),
        })
        .collect();
    raw.analogs = (0..n)
        .flat_map(|r| table.values[r * nc + 1..(r + 1) * nc].to_vec())
        .collect();
    // Centre-of-pressure coordinates of a lab are metres below 10 and millimetres above.
    let units = if max_cop > 10.0 { "mm" } else { "m" };
    raw.point_units = Some(units.to_string());
    raw.warnings.push(format!(
        "force table: length unit {units} inferred from centre-of-pressure magnitudes"
    ));
    raw.vertical_hint = Some(format!("+{}", ['X', 'Y', 'Z'][vertical]));
    raw.force_plates.push(RawForcePlate {
        plate_type: 0,
        corners: [[f64::NAN; 3]; 4],
        origin: [0.0; 3],
        channels: Vec::new(),
        rate_hz: rate,
        force_n,
        cop: cop_v,
        free_moment,
        normal,
        moment_to_nm: None,
    });
    Ok(raw)
}

/// OpenSim TRC (PathFileType 4): header lines, marker names, then Frame#, Time, X Y Z per marker.
pub fn parse_trc(path: &Path, bytes: &[u8]) -> Result<RawTrial> {
    let text = as_text(path, bytes)?;
    let mut lines = text.lines().enumerate();
    let mut take = |what: &str| {
        lines
            .next()
            .map(|(i, l)| (i + 1, l))
            .ok_or_else(|| Error::truncated(path, format!("ends before the {what} line")))
    };
    let (_, first) = take("PathFileType")?;
    if !first.starts_with("PathFileType") {
        return Err(Error::corrupt(
            path,
            "TRC file does not start with PathFileType",
        ));
    }
    let (_, keys) = take("DataRate header")?;
    let (vline, vals) = take("DataRate values")?;
    let keys: Vec<&str> = keys.split('\t').map(str::trim).collect();
    let vals: Vec<&str> = vals.split('\t').map(str::trim).collect();
    let get = |k: &str| {
        keys.iter()
            .position(|x| x.eq_ignore_ascii_case(k))
            .and_then(|i| vals.get(i).copied())
    };
    let rate: f64 = get("DataRate")
        .and_then(|v| v.parse().ok())
        .filter(|r: &f64| *r > 0.0 && r.is_finite())
        .ok_or_else(|| Error::corrupt(path, format!("line {vline}: no valid DataRate")))?;
    let declared_frames: Option<usize> = get("NumFrames").and_then(|v| v.parse().ok());
    let declared_markers: Option<usize> = get("NumMarkers").and_then(|v| v.parse().ok());
    let units = get("Units").map(str::to_string);
    let first_frame: u32 = get("OrigDataStartFrame")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let (nline, names_line) = take("marker names")?;
    let names: Vec<String> = names_line
        .split('\t')
        .skip(2)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        return Err(Error::corrupt(
            path,
            format!("line {nline}: no marker names"),
        ));
    }
    if let Some(m) = declared_markers {
        if m != names.len() {
            return Err(Error::corrupt(
                path,
                format!(
                    "header says {m} markers but line {nline} names {}",
                    names.len()
                ),
            ));
        }
    }
    let _ = take("X1 Y1 Z1 labels")?;
    let nm = names.len();
    let mut points = Vec::new();
    let mut n = 0usize;
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut toks = line.split('\t').map(str::trim);
        let _frame = toks.next();
        let _time = toks.next();
        let start = points.len();
        for (c, tok) in toks.enumerate().take(nm * 3) {
            points.push(parse_value(path, tok, i + 1, c + 2)?);
        }
        // Trailing markers missing in a row may be left off entirely.
        points.resize(start + nm * 3, f64::NAN);
        n += 1;
    }
    if let Some(d) = declared_frames {
        if d != n {
            return Err(Error::truncated(
                path,
                format!("header says {d} frames but {n} rows follow"),
            ));
        }
    }
    if n == 0 {
        return Err(Error::truncated(path, "no data rows"));
    }
    let mut raw = RawTrial::empty(path.to_path_buf(), Format::Trc);
    raw.point_rate_hz = rate;
    raw.first_frame = first_frame;
    raw.n_frames = n;
    raw.marker_names = names;
    raw.points = points;
    raw.point_units = units;
    Ok(raw)
}
