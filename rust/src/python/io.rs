//! Readers: trials, OpenSim tables, C3D parameters, marker-set recognition.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;

use super::convert::to_py;
use crate::error::Error;
use crate::io::{self, AxisMode, ReadOptions};
use crate::trial::Trial;

fn axis_mode(
    axes: &str,
    vertical: Option<String>,
    progression: Option<String>,
) -> PyResult<AxisMode> {
    match (axes, vertical, progression) {
        (_, Some(vertical), Some(progression)) => Ok(AxisMode::Given {
            vertical,
            progression,
        }),
        (_, Some(_), None) | (_, None, Some(_)) => Err(PyValueError::new_err(
            "give both vertical and progression, or neither",
        )),
        ("auto", None, None) => Ok(AxisMode::Auto),
        ("file", None, None) => Ok(AxisMode::Keep),
        (other, None, None) => Err(PyValueError::new_err(format!(
            "axes must be 'auto' or 'file', not '{other}'"
        ))),
    }
}

/// Reads a trial; see `stridelab.read` for the documented Python API.
#[pyfunction]
#[pyo3(signature = (path, axes = "auto", vertical = None, progression = None, force_rate_hz = None, attach_forces = true, forces = None))]
#[allow(clippy::too_many_arguments)]
fn read_trial<'py>(
    py: Python<'py>,
    path: PathBuf,
    axes: &str,
    vertical: Option<String>,
    progression: Option<String>,
    force_rate_hz: Option<f64>,
    attach_forces: bool,
    forces: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = ReadOptions {
        axes: axis_mode(axes, vertical, progression)?,
        force_rate_hz,
        attach_forces,
        force_file: forces,
    };
    let trial = py.detach(|| io::read(&path, &opts)).map_err(to_py)?;
    trial_to_dict(py, trial)
}

fn trial_to_dict(py: Python<'_>, t: Trial) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let (set, score) = crate::markerset::detect(&t.marker_names, &t.rotation_names);
    d.set_item("marker_set", set.as_str())?;
    d.set_item("marker_set_score", score)?;
    d.set_item("missing_percent", t.missing_percent().into_pyarray(py))?;
    d.set_item("path", t.path.display().to_string())?;
    d.set_item("format", t.format.as_str())?;
    d.set_item("point_rate_hz", t.point_rate_hz)?;
    d.set_item("first_frame", t.first_frame)?;
    d.set_item("n_frames", t.n_frames)?;
    let nm = t.marker_names.len();
    d.set_item(
        "points",
        t.points.into_pyarray(py).reshape([t.n_frames, nm, 3])?,
    )?;
    d.set_item("marker_names", t.marker_names)?;
    d.set_item("analog_rate_hz", t.analog_rate_hz)?;
    let nch = t.analog_names.len();
    let ns = t.analogs.len().checked_div(nch).unwrap_or(0);
    d.set_item("analogs", t.analogs.into_pyarray(py).reshape([ns, nch])?)?;
    d.set_item("analog_names", t.analog_names)?;
    d.set_item("analog_units", t.analog_units)?;
    let plates = PyList::empty(py);
    for p in t.force_plates {
        let pd = PyDict::new(py);
        let n = p.free_moment_nm.len();
        pd.set_item("plate_type", p.plate_type)?;
        pd.set_item(
            "corners_m",
            p.corners_m.concat().into_pyarray(py).reshape([4, 3])?,
        )?;
        pd.set_item("origin", p.origin.to_vec())?;
        pd.set_item("channels", p.channels)?;
        pd.set_item("rate_hz", p.rate_hz)?;
        pd.set_item("force_n", p.force_n.into_pyarray(py).reshape([n, 3])?)?;
        pd.set_item("cop_m", p.cop_m.into_pyarray(py).reshape([n, 3])?)?;
        pd.set_item("free_moment_nm", p.free_moment_nm.into_pyarray(py))?;
        plates.append(pd)?;
    }
    d.set_item("force_plates", plates)?;
    let events = PyList::empty(py);
    for e in &t.events {
        let ed = PyDict::new(py);
        ed.set_item("context", &e.context)?;
        ed.set_item("label", &e.label)?;
        ed.set_item("description", &e.description)?;
        ed.set_item("time_s", e.time_s)?;
        ed.set_item("side", e.side().map(String::from))?;
        ed.set_item("event", e.kind())?;
        events.append(ed)?;
    }
    d.set_item("events", events)?;
    let nr = t.rotation_names.len();
    let nrf = (t.rotations.len() / 16).checked_div(nr).unwrap_or(0);
    d.set_item(
        "rotations",
        t.rotations.into_pyarray(py).reshape([nrf, nr, 4, 4])?,
    )?;
    d.set_item("rotation_names", t.rotation_names)?;
    d.set_item("rotation_rate_hz", t.rotation_rate_hz)?;
    let ax = PyDict::new(py);
    ax.set_item(
        "matrix",
        t.axes.matrix.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
    )?;
    ax.set_item("scale_to_m", t.axes.scale_to_m)?;
    ax.set_item("file_units", t.axes.file_units)?;
    ax.set_item("units_method", t.axes.units_method)?;
    ax.set_item("vertical", t.axes.vertical)?;
    ax.set_item("progression", t.axes.progression)?;
    ax.set_item("method", t.axes.method)?;
    d.set_item("axes", ax)?;
    d.set_item("metadata", t.metadata)?;
    Ok(d)
}

/// Reads many files in parallel (rayon, GIL released). Each item is the trial dict of
/// `read_trial`, or the exception (with its `reason`) when that file fails: one bad file never
/// stops the others.
#[pyfunction]
fn read_many(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<Vec<Py<PyAny>>> {
    let opts = ReadOptions::default();
    let results: Vec<Result<Trial, Error>> =
        py.detach(|| paths.par_iter().map(|p| io::read(p, &opts)).collect());
    results
        .into_iter()
        .map(|r| match r {
            Ok(t) => trial_to_dict(py, t).map(|d| d.into_any().unbind()),
            Err(e) => Ok(to_py(e).into_value(py).into_any()),
        })
        .collect()
}

/// An OpenSim `.mot`/`.sto` file as {columns, time_s, values (rows × columns), rate_hz,
/// converted_from_radians}.
#[pyfunction]
#[pyo3(signature = (path, in_degrees=None))]
fn read_mot(
    py: Python<'_>,
    path: PathBuf,
    in_degrees: Option<bool>,
) -> PyResult<Bound<'_, PyDict>> {
    let t = py
        .detach(|| {
            let bytes = io::load(&path)?;
            io::text::parse_mot(&path, &bytes, in_degrees)
        })
        .map_err(to_py)?;
    let d = PyDict::new(py);
    let (n, nc) = (t.time_s.len(), t.columns.len());
    d.set_item("columns", t.columns)?;
    d.set_item("time_s", t.time_s.into_pyarray(py))?;
    d.set_item("values", t.values.into_pyarray(py).reshape([n, nc])?)?;
    d.set_item("rate_hz", t.rate_hz)?;
    d.set_item("converted_from_radians", t.converted_from_radians)?;
    Ok(d)
}

/// The whole C3D parameter section as {group: {parameter: value}} (strings, or lists of numbers).
#[pyfunction]
fn c3d_parameters(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyDict>> {
    let params = py
        .detach(|| {
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            io::c3d::parse(&path, &bytes).map(|(_, p)| p)
        })
        .map_err(to_py)?;
    let out = PyDict::new(py);
    for g in params.groups {
        let gd = PyDict::new(py);
        for p in g.parameters {
            match p.data {
                io::c3d::ParamData::Char(_) => {
                    let s = p.strings();
                    if p.dims.len() <= 1 {
                        gd.set_item(&p.name, s.into_iter().next().unwrap_or_default())?;
                    } else {
                        gd.set_item(&p.name, s)?;
                    }
                }
                _ => gd.set_item(&p.name, p.floats())?,
            }
        }
        out.set_item(g.name, gd)?;
    }
    Ok(out)
}

/// The marker-set preset recognised from labels: (name, share of its labels found).
#[pyfunction]
fn detect_marker_set(markers: Vec<String>, rotations: Vec<String>) -> (String, f64) {
    let (set, score) = crate::markerset::detect(&markers, &rotations);
    (set.as_str().to_string(), score)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_trial, m)?)?;
    m.add_function(wrap_pyfunction!(read_many, m)?)?;
    m.add_function(wrap_pyfunction!(read_mot, m)?)?;
    m.add_function(wrap_pyfunction!(c3d_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(detect_marker_set, m)?)?;
    Ok(())
}
