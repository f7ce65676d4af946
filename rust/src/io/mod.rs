//! Readers: every format ends as a [`Trial`] in the canonical frame.

pub mod axes;
pub mod c3d;
pub mod c3d_write;
mod canonical;
pub mod raw;
pub mod text;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::trial::Trial;

pub use canonical::AxisMode;

/// Longest file read into memory; larger inputs are refused rather than exhausting memory.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// Options of [`read`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    pub axes: AxisMode,
    /// Sampling rate of a force table whose time column is a sample number.
    pub force_rate_hz: Option<f64>,
    /// Attach the matching force table of a marker table (`…markers.txt` → `…forces.txt`, or
    /// `NAME.txt` → `NAMEforces.txt`).
    pub attach_forces: bool,
    /// A force table to attach to a marker table, named explicitly (overrides the naming rule).
    pub force_file: Option<PathBuf>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            axes: AxisMode::Auto,
            force_rate_hz: None,
            attach_forces: true,
            force_file: None,
        }
    }
}

/// The file kinds [`read`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    C3d,
    Trc,
    MarkerTable,
    ForceTable,
}

/// The whole file, refused when larger than [`MAX_FILE_BYTES`] or a directory.
pub fn load(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::data(path, "is a directory, not a file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::unsupported(
            path,
            format!(
                "{} bytes is larger than the {} bytes read at once",
                meta.len(),
                MAX_FILE_BYTES
            ),
        ));
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Decides the format from the content first (C3D magic, TRC's first word, force column names),
/// then from the extension.
pub fn sniff(path: &Path, bytes: &[u8]) -> Result<Kind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if bytes.len() >= 2 && bytes[1] == 0x50 && !bytes[..2].iter().all(u8::is_ascii_graphic) {
        return Ok(Kind::C3d);
    }
    if ext == "c3d" {
        // The C3D parser gives the precise complaint (empty, truncated, wrong magic).
        return Ok(Kind::C3d);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    if head.starts_with("PathFileType") {
        return Ok(Kind::Trc);
    }
    let first = head.lines().next().unwrap_or("");
    let cols: Vec<String> = first
        .split(['\t', ',', ' '])
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    if ["fx", "fy", "fz"]
        .iter()
        .all(|c| cols.iter().any(|x| x == c))
    {
        return Ok(Kind::ForceTable);
    }
    match ext.as_str() {
        "trc" => Ok(Kind::Trc),
        "txt" | "tsv" | "csv" => Ok(Kind::MarkerTable),
        "mot" | "sto" => Err(Error::unsupported(
            path,
            "an OpenSim storage file holds coordinates, not a trial: read it with \
             stridelab.io.read_mot or stridelab.kinematics.from_mot",
        )),
        _ => Err(Error::unsupported(
            path,
            format!("unknown file type '.{ext}' (C3D, TRC, marker or force text are read)"),
        )),
    }
}

/// Reads any supported file into a canonical [`Trial`].
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trial> {
    let bytes = load(path)?;
    read_bytes(path, &bytes, opts)
}

/// As [`read`], from bytes already in memory (`path` names them in errors).
pub fn read_bytes(path: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<Trial> {
    let mut raw = match sniff(path, bytes)? {
        Kind::C3d => c3d::parse(path, bytes)?.0,
        Kind::Trc => text::parse_trc(path, bytes)?,
        Kind::ForceTable => text::parse_force_table(
            path,
            bytes,
            opts.force_rate_hz
                .map_or(text::ForceRate::FromTime, text::ForceRate::Given),
        )?,
        Kind::MarkerTable => {
            let mut raw = text::parse_marker_table(path, bytes)?;
            let paired = match &opts.force_file {
                Some(fp) => Some(fp.clone()),
                None if opts.attach_forces => matching_force_file(path),
                None => None,
            };
            if let Some(fp) = paired {
                attach_force_table(&mut raw, &fp, opts.force_rate_hz)?;
            }
            raw
        }
    };
    if raw.n_frames == 0 && raw.rotations.is_empty() && raw.analogs.is_empty() {
        raw.warnings.push("the file holds no frames".into());
    }
    canonical::finish(raw, &opts.axes)
}

/// `…markers.txt` has its forces in `…forces.txt` beside it (the RBDS naming); a marker table
/// `NAME.txt` without "markers" in its name, in `NAMEforces.txt`.
pub fn matching_force_file(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let candidate = if let Some(at) = lower.rfind("markers") {
        path.with_file_name(format!(
            "{}forces{}",
            &name[..at],
            &name[at + "markers".len()..]
        ))
    } else {
        let stem = path.file_stem()?.to_str()?;
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("txt");
        path.with_file_name(format!("{stem}forces.{ext}"))
    };
    candidate.is_file().then_some(candidate)
}

/// Adds a force table recorded together with a marker table. When its time column is a sample
/// number, its rate follows from covering the same duration as the markers.
fn attach_force_table(
    raw: &mut raw::RawTrial,
    force_path: &Path,
    rate_hz: Option<f64>,
) -> Result<()> {
    let bytes = load(force_path)?;
    let duration = raw.n_frames as f64 / raw.point_rate_hz;
    let mut forces = text::parse_force_table(
        force_path,
        &bytes,
        rate_hz.map_or(text::ForceRate::Covers(duration), text::ForceRate::Given),
    )?;
    let rate = forces.point_rate_hz;
    raw.metadata
        .push(("force_file".into(), force_path.display().to_string()));
    if rate_hz.is_none() {
        raw.warnings.push(format!(
            "force rate {rate} Hz from {} samples over the markers' {duration:.3} s",
            forces.n_frames
        ));
    }
    raw.analog_rate_hz = rate;
    raw.analog_names = std::mem::take(&mut forces.analog_names);
    raw.analog_units = std::mem::take(&mut forces.analog_units);
    raw.analogs = std::mem::take(&mut forces.analogs);
    raw.force_plates.append(&mut forces.force_plates);
    Ok(())
}

#[cfg(test)]
mod tests;
