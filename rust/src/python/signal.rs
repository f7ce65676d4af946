//! Filtering, residual analysis and gap filling of (samples, channels) arrays.

use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{contiguous, to_py, vector};
use crate::signal;

/// Butterworth low-pass as second-order sections (rows of b0 b1 b2 a0 a1 a2).
#[pyfunction]
fn butter_lowpass_sos(
    py: Python<'_>,
    order: usize,
    cutoff_hz: f64,
    fs_hz: f64,
) -> PyResult<Bound<'_, numpy::PyArray2<f64>>> {
    let sos = signal::butter_lowpass_sos(order, cutoff_hz, fs_hz).map_err(to_py)?;
    let n = sos.len();
    sos.concat().into_pyarray(py).reshape([n, 6])
}

/// Zero-lag filtering of every column of a (samples, channels) array; NaN runs are kept apart.
#[pyfunction]
fn filtfilt_columns<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    sos: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let (n, m) = (x.shape()[0], x.shape()[1]);
    if sos.shape()[1] != 6 {
        return Err(PyValueError::new_err("sos must have 6 columns"));
    }
    let sections: Vec<signal::Sos> = contiguous(&sos)?
        .chunks_exact(6)
        .map(|c| [c[0], c[1], c[2], c[3], c[4], c[5]])
        .collect();
    let data = contiguous(&x)?.to_vec();
    let out = py.detach(move || signal::filtfilt_matrix(&sections, data, n, m));
    out.into_pyarray(py).reshape([n, m])
}

/// Winter's residual analysis of one signal.
#[pyfunction]
fn residual_analysis<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    fs_hz: f64,
    cutoffs_hz: Vec<f64>,
    tail_fraction: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let data = vector(&x)?.to_vec();
    let r = py
        .detach(move || signal::residual_analysis(&data, fs_hz, &cutoffs_hz, tail_fraction))
        .map_err(to_py)?;
    let d = PyDict::new(py);
    d.set_item("cutoffs_hz", r.cutoffs_hz.into_pyarray(py))?;
    d.set_item("residuals", r.residuals.into_pyarray(py))?;
    d.set_item("noise_intercept", r.noise_intercept)?;
    d.set_item("suggested_cutoff_hz", r.suggested_cutoff_hz)?;
    Ok(d)
}

/// (column, start, length, filled)
type GapRow = (usize, usize, usize, bool);

/// Cubic-spline filling of short gaps in every column; returns the array and the gaps
/// as (column, start, length, filled).
#[pyfunction]
fn fill_gaps_columns<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    max_gap: usize,
    context: usize,
) -> PyResult<(Bound<'py, numpy::PyArray2<f64>>, Vec<GapRow>)> {
    let (n, m) = (x.shape()[0], x.shape()[1]);
    let mut data = contiguous(&x)?.to_vec();
    let mut gaps = Vec::new();
    for j in 0..m {
        let mut col: Vec<f64> = (0..n).map(|i| data[i * m + j]).collect();
        for g in signal::fill_gaps_spline(&mut col, max_gap, context) {
            gaps.push((j, g.start, g.len, g.filled));
        }
        for (i, v) in col.into_iter().enumerate() {
            data[i * m + j] = v;
        }
    }
    Ok((data.into_pyarray(py).reshape([n, m])?, gaps))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(butter_lowpass_sos, m)?)?;
    m.add_function(wrap_pyfunction!(filtfilt_columns, m)?)?;
    m.add_function(wrap_pyfunction!(residual_analysis, m)?)?;
    m.add_function(wrap_pyfunction!(fill_gaps_columns, m)?)?;
    Ok(())
}
