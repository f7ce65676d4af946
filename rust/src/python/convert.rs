//! The one conversion layer: core errors to Python exceptions, numpy arrays to slices and rows.

use std::path::PathBuf;

use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::create_exception;
use pyo3::exceptions::{
    PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError, PyValueError,
};
use pyo3::prelude::*;

use crate::error::Error;
use crate::trial::Trial;

create_exception!(
    _native,
    StridelabError,
    PyValueError,
    "Base class of every stridelab error about an input."
);
create_exception!(
    _native,
    TruncatedFileError,
    StridelabError,
    "The file ends before the data its header announces."
);
create_exception!(
    _native,
    CorruptFileError,
    StridelabError,
    "The bytes do not follow the file format."
);
create_exception!(
    _native,
    UnsupportedFormatError,
    StridelabError,
    "A format or feature stridelab does not read."
);
create_exception!(
    _native,
    DataError,
    StridelabError,
    "Well-formed input whose content cannot be used as asked."
);

/// The one mapping from core errors to Python exceptions; each exception carries the error's
/// stable code as its `reason` attribute (see `Error::code`).
pub(super) fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    let code = e.code();
    let err = match e {
        Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
            std::io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(msg),
            _ => PyOSError::new_err(msg),
        },
        Error::Truncated { .. } => TruncatedFileError::new_err(msg),
        Error::Corrupt { .. } => CorruptFileError::new_err(msg),
        Error::Unsupported { .. } => UnsupportedFormatError::new_err(msg),
        Error::Data { .. } => DataError::new_err(msg),
    };
    Python::attach(|py| {
        // setting an attribute on a fresh exception instance cannot fail in practice; if it
        // did, the exception itself is still the right one to raise
        let _ = err.value(py).setattr("reason", code);
    });
    err
}

pub(super) fn contiguous<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err("array must be C-contiguous float64"))
}

pub(super) fn vector<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err("array must be contiguous float64"))
}

/// Rows of N values as an (n, N) array.
pub(super) fn rows_to_array<const N: usize>(
    py: Python<'_>,
    rows: Vec<[f64; N]>,
) -> PyResult<Bound<'_, numpy::PyArray2<f64>>> {
    let n = rows.len();
    rows.concat().into_pyarray(py).reshape([n, N])
}

/// The points of a (frames, 3 × markers) array, checked, not copied.
pub(super) fn points_slice<'a>(
    points: &'a PyReadonlyArray2<'_, f64>,
    n_names: usize,
) -> PyResult<&'a [f64]> {
    if points.shape()[1] != n_names * 3 {
        return Err(PyValueError::new_err(
            "points must be (frames, 3 × markers)",
        ));
    }
    contiguous(points)
}

pub(super) fn v3_rows(
    a: &PyReadonlyArray2<'_, f64>,
    what: &str,
) -> PyResult<Vec<crate::model::V3>> {
    if a.shape()[1] != 3 {
        return Err(PyValueError::new_err(format!("{what} must be (points, 3)")));
    }
    Ok(contiguous(a)?
        .chunks_exact(3)
        .map(|c| crate::model::V3::new(c[0], c[1], c[2]))
        .collect())
}

/// Poses from rows of a row-major 4×4 matrix (frames, 16).
pub(super) fn pose_rows(a: &PyReadonlyArray2<'_, f64>) -> PyResult<Vec<crate::model::Pose>> {
    if a.shape()[1] != 16 {
        return Err(PyValueError::new_err(
            "poses must be (frames, 16): row-major 4×4",
        ));
    }
    Ok(contiguous(a)?
        .chunks_exact(16)
        .map(|m| crate::model::Pose {
            rot: crate::model::M3::new(m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]),
            origin: crate::model::V3::new(m[3], m[7], m[11]),
        })
        .collect())
}

pub(super) fn rows3<'a>(a: &'a PyReadonlyArray2<'_, f64>, what: &str) -> PyResult<&'a [[f64; 3]]> {
    if a.shape()[1] != 3 {
        return Err(PyValueError::new_err(format!(
            "{what} must have 3 columns, not {}",
            a.shape()[1]
        )));
    }
    // a C-contiguous (n, 3) array is n consecutive [f64; 3]: viewed, not copied
    Ok(contiguous(a)?.as_chunks::<3>().0)
}

pub(super) fn acc_rows(acc: &PyReadonlyArray2<'_, f64>) -> PyResult<Vec<[f64; 3]>> {
    if acc.shape()[1] != 3 {
        return Err(PyValueError::new_err("acc must be (samples, 3)"));
    }
    Ok(contiguous(acc)?
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect())
}

pub(super) fn angles17<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> PyResult<&'a [[f64; 17]]> {
    if a.shape()[1] != 17 {
        return Err(PyValueError::new_err("angles must have 17 columns"));
    }
    Ok(contiguous(a)?.as_chunks::<17>().0)
}

/// Events as (side, event, time_s) rows for Python.
pub(super) fn event_rows(events: Vec<crate::events::GaitEvent>) -> Vec<(String, String, f64)> {
    events
        .into_iter()
        .map(|e| {
            (
                e.side.as_char().to_string(),
                e.kind.as_str().to_string(),
                e.time_s,
            )
        })
        .collect()
}

pub(super) fn points_trial(
    points: &PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    rate_hz: f64,
) -> PyResult<Trial> {
    let flat = points_slice(points, names.len())?.to_vec();
    Ok(Trial::from_points(PathBuf::new(), rate_hz, names, flat))
}

/// Adds the exception classes to the module.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("StridelabError", py.get_type::<StridelabError>())?;
    m.add("TruncatedFileError", py.get_type::<TruncatedFileError>())?;
    m.add("CorruptFileError", py.get_type::<CorruptFileError>())?;
    m.add(
        "UnsupportedFormatError",
        py.get_type::<UnsupportedFormatError>(),
    )?;
    m.add("DataError", py.get_type::<DataError>())?;
    Ok(())
}
