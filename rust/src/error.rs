//! The one error type of the core. Every variant names the file it is about, so a batch report
//! can say which input failed and why; the Python binding maps each variant to one exception class.

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
    /// The file is well-formed but its content cannot be used as asked (missing markers, wrong units, ...).
    #[error("{path}: {detail}")]
    Data { path: PathBuf, detail: String },
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
            detail: detail.into(),
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
