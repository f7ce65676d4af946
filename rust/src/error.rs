//! The one error type of the core, for readers and for every processing stage. Every variant
//! names the file it is about (a stage that works on arrays leaves the path empty; the Python
//! layer, which knows the file, names it once with `stridelab.errors.in_file`), so a batch report
//! can say which input failed and why, and carries a stable machine-readable code
//! ([`Error::code`]) for batch status rows. The Python binding maps each variant to one
//! exception class, with the code as its `reason`.

use std::path::{Path, PathBuf};

/// What went wrong, with the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read at all.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file ends before the data its own header announces.
    #[error("{path}: truncated file: {detail}")]
    Truncated { path: PathBuf, detail: String },
    /// The bytes do not follow the format (bad magic, pointers out of range, absurd sizes).
    #[error("{path}: corrupt file: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    /// A valid file that uses a feature this reader does not handle, or an unknown format.
    #[error("{path}: unsupported: {detail}")]
    Unsupported { path: PathBuf, detail: String },
    /// The file is well-formed but its content cannot be used as asked (missing markers, wrong
    /// units, no contacts, ...), or a stage was given an option it cannot use.
    #[error("{}{detail}", prefix(.path))]
    Data {
        path: PathBuf,
        reason: Reason,
        detail: String,
    },
}

/// `"path: "`, or nothing when the path is not known (a stage working on arrays).
fn prefix(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}: ", path.display())
    }
}

/// Why a file's content or a stage's input could not be used. Each has a stable code
/// ([`Reason::code`]) that batch status rows carry; the list is documented in
/// `docs/architecture.md` and only grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Content that does not make sense as the format promises (units, sizes, labels).
    BadData,
    /// An option out of its range: a filter order, a cutoff above Nyquist, a non-positive rate.
    BadParameter,
    /// No frames or samples, or too few for the stage (under one second of running, ...).
    TooShort,
    /// Markers the stage needs are missing or never tracked.
    MissingMarkers,
    /// Samples missing (NaN) where the stage needs a complete signal.
    MissingSamples,
    /// No segment poses (Theia `ROTATION`) in a trial that must have them.
    NoPoses,
    /// No force plate in a trial whose events must come from force.
    NoForcePlate,
    /// The signal is there but holds no gait events (no contacts, no swing peaks).
    NoEvents,
    /// The static trial cannot calibrate the model.
    Calibration,
    /// Signals that must be paired differ in length.
    LengthMismatch,
}

impl Reason {
    /// Every reason, for checks that the documented list is complete.
    pub const ALL: [Self; 10] = [
        Self::BadData,
        Self::BadParameter,
        Self::TooShort,
        Self::MissingMarkers,
        Self::MissingSamples,
        Self::NoPoses,
        Self::NoForcePlate,
        Self::NoEvents,
        Self::Calibration,
        Self::LengthMismatch,
    ];
    /// The stable code of this reason (snake case), as batch status rows carry it.
    pub const fn code(self) -> &'static str {
        match self {
            Self::BadData => "bad_data",
            Self::BadParameter => "bad_parameter",
            Self::TooShort => "too_short",
            Self::MissingMarkers => "missing_markers",
            Self::MissingSamples => "missing_samples",
            Self::NoPoses => "no_poses",
            Self::NoForcePlate => "no_force_plate",
            Self::NoEvents => "no_events",
            Self::Calibration => "calibration",
            Self::LengthMismatch => "length_mismatch",
        }
    }
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    pub fn truncated(path: &Path, detail: impl Into<String>) -> Self {
        Self::Truncated {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
    pub fn corrupt(path: &Path, detail: impl Into<String>) -> Self {
        Self::Corrupt {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
    pub fn unsupported(path: &Path, detail: impl Into<String>) -> Self {
        Self::Unsupported {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
    pub fn data(path: &Path, detail: impl Into<String>) -> Self {
        Self::Data {
            path: path.to_path_buf(),
            reason: Reason::BadData,
            detail: detail.into(),
        }
    }
    /// A stage's error, about arrays whose file the stage does not know (the path stays empty).
    pub fn stage(reason: Reason, detail: impl Into<String>) -> Self {
        Self::Data {
            path: PathBuf::new(),
            reason,
            detail: detail.into(),
        }
    }
    /// The error's stable code for batch status rows (`file_not_found`, `truncated_file`,
    /// `missing_markers`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => "file_not_found",
                std::io::ErrorKind::PermissionDenied => "permission_denied",
                std::io::ErrorKind::IsADirectory => "not_a_file",
                _ => "io_error",
            },
            Self::Truncated { .. } => "truncated_file",
            Self::Corrupt { .. } => "corrupt_file",
            Self::Unsupported { .. } => "unsupported_format",
            Self::Data { reason, .. } => reason.code(),
        }
    }
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::Truncated { path, .. }
            | Self::Corrupt { path, .. }
            | Self::Unsupported { path, .. }
            | Self::Data { path, .. } => path,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// `Ok` when two signals that must be paired sample by sample have the same length, else a
/// [`Reason::LengthMismatch`] naming both: `("accelerometer", n)`, `("gyroscope", m)`.
pub fn same_length(a: (&str, usize), b: (&str, usize)) -> Result<()> {
    if a.1 == b.1 {
        return Ok(());
    }
    Err(Error::stage(
        Reason::LengthMismatch,
        format!("{} has {} samples, {} {}", a.0, a.1, b.0, b.1),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_errors_name_no_file_and_keep_their_code() {
        let e = Error::stage(Reason::MissingMarkers, "no heel markers");
        assert_eq!(e.to_string(), "no heel markers");
        assert_eq!(e.code(), "missing_markers");
        let e = Error::data(Path::new("a.c3d"), "odd");
        assert_eq!(e.to_string(), "a.c3d: odd");
        assert_eq!(e.code(), "bad_data");
    }

    /// The Python layer documents every code the core can give (`stridelab.errors.REASONS`).
    #[test]
    fn every_code_is_in_the_python_list() {
        let listed = include_str!("../../python/stridelab/errors.py");
        let io = [
            "file_not_found",
            "permission_denied",
            "not_a_file",
            "io_error",
        ];
        let files = ["truncated_file", "corrupt_file", "unsupported_format"];
        for code in Reason::ALL.iter().map(|r| r.code()).chain(io).chain(files) {
            assert!(
                listed.contains(&format!("\"{code}\":")),
                "{code} not in REASONS"
            );
        }
    }
}
