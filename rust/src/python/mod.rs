//! The thin PyO3 layer: converts arguments, calls the core with the GIL released, converts results.
//! No biomechanics here.

// PyO3 extracts arguments as owned values; taking them by reference is not an option here.
#![allow(clippy::needless_pass_by_value)]

use std::path::PathBuf;

use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::create_exception;
use pyo3::exceptions::{
    PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;

use crate::error::Error;
use crate::io::{self, AxisMode, ReadOptions};
use crate::signal;
use crate::trial::Trial;

/// mimalloc for every allocation of the extension (see Cargo.toml): a trial's arrays are freed
/// and allocated again at the same sizes, and reusing their pages saves ~5 ms per 30 s trial.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// The one mapping from core errors to Python exceptions.
fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
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
    }
}

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
/// `read_trial`, or `(error class name, message)` when that file fails: one bad file never stops
/// the others.
#[pyfunction]
fn read_many(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<Vec<Py<PyAny>>> {
    let opts = ReadOptions::default();
    let results: Vec<Result<Trial, Error>> =
        py.detach(|| paths.par_iter().map(|p| io::read(p, &opts)).collect());
    results
        .into_iter()
        .map(|r| match r {
            Ok(t) => trial_to_dict(py, t).map(|d| d.into_any().unbind()),
            Err(e) => {
                let err = to_py(e);
                let name = err
                    .get_type(py)
                    .name()
                    .map_or_else(|_| "StridelabError".to_string(), |n| n.to_string());
                Ok((name, err.value(py).to_string())
                    .into_pyobject(py)?
                    .into_any()
                    .unbind())
            }
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

fn contiguous<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err("array must be C-contiguous float64"))
}

/// Butterworth low-pass as second-order sections (rows of b0 b1 b2 a0 a1 a2).
#[pyfunction]
fn butter_lowpass_sos(
    py: Python<'_>,
    order: usize,
    cutoff_hz: f64,
    fs_hz: f64,
) -> PyResult<Bound<'_, numpy::PyArray2<f64>>> {
    let sos = signal::butter_lowpass_sos(order, cutoff_hz, fs_hz).map_err(PyValueError::new_err)?;
    let n = sos.len();
    sos.concat().into_pyarray(py).reshape([n, 6])
}

/// Zero-lag filtering of a row-major (n × m) matrix: gap-free columns go through the block filter
/// in parallel chunks, columns with NaN run by run.
fn filtfilt_matrix(sections: &[signal::Sos], mut data: Vec<f64>, n: usize, m: usize) -> Vec<f64> {
    let (clean, gappy): (Vec<usize>, Vec<usize>) =
        (0..m).partition(|&j| (0..n).all(|i| data[i * m + j].is_finite()));
    // Blocks of at most 32 columns keep a block's working set in cache (a 96-column block of a
    // 4500-frame trial was 4x slower per column than two of 48).
    let chunk = clean
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .clamp(1, 32);
    // Clean columns are filtered in contiguous runs, one block per thread, copied row by row.
    let blocks: Vec<(&[usize], Vec<f64>)> = clean
        .par_chunks(chunk)
        .map(|cols| {
            let k = cols.len();
            let mut block = vec![0.0; n * k];
            let contiguous = cols.windows(2).all(|w| w[1] == w[0] + 1);
            for i in 0..n {
                let dst = &mut block[i * k..(i + 1) * k];
                if contiguous {
                    dst.copy_from_slice(&data[i * m + cols[0]..i * m + cols[0] + k]);
                } else {
                    for (q, &j) in cols.iter().enumerate() {
                        dst[q] = data[i * m + j];
                    }
                }
            }
            signal::sosfiltfilt_block(sections, &mut block, n, k);
            (cols, block)
        })
        .collect();
    let columns: Vec<(usize, Vec<f64>)> = gappy
        .par_iter()
        .map(|&j| {
            let mut c: Vec<f64> = (0..n).map(|i| data[i * m + j]).collect();
            signal::filtfilt_segments(sections, &mut c);
            (j, c)
        })
        .collect();
    for (cols, block) in blocks {
        let k = cols.len();
        for i in 0..n {
            for (q, &j) in cols.iter().enumerate() {
                data[i * m + j] = block[i * k + q];
            }
        }
    }
    for (j, c) in columns {
        for (i, v) in c.into_iter().enumerate() {
            data[i * m + j] = v;
        }
    }
    data
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
    let out = py.detach(move || filtfilt_matrix(&sections, data, n, m));
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
        .map_err(PyValueError::new_err)?;
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

/// Kinematics with every array already flat, ready to hand to numpy without copying.
struct FlatKinematics {
    angles: Vec<(char, usize, Vec<f64>)>,
    landmarks: Vec<(String, usize, Vec<f64>)>,
    swaps: Vec<crate::model::qa::Swap>,
    notes: Vec<String>,
    crosstalk: Vec<(crate::model::Side, crate::kinematics::KneeCrosstalk)>,
    static_angles: Vec<(crate::model::Side, [f64; 17])>,
}

/// Flattens (copies) the arrays; call it without the GIL.
fn flatten(k: crate::kinematics::Kinematics) -> FlatKinematics {
    FlatKinematics {
        angles: k
            .angles
            .into_iter()
            .map(|s| (s.side.as_char(), s.values.len(), s.values.concat()))
            .collect(),
        landmarks: k
            .landmarks
            .into_iter()
            .map(|(name, t)| (name, t.len(), t.concat()))
            .collect(),
        swaps: k.swaps,
        notes: k.notes,
        crosstalk: k.crosstalk,
        static_angles: k.static_angles,
    }
}

fn kinematics_to_dict(py: Python<'_>, k: FlatKinematics) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("columns", crate::kinematics::COLUMNS.to_vec())?;
    for (side, n, flat) in k.angles {
        d.set_item(side.to_string(), flat.into_pyarray(py).reshape([n, 17])?)?;
    }
    let lm = PyDict::new(py);
    for (name, n, flat) in k.landmarks {
        lm.set_item(name, flat.into_pyarray(py).reshape([n, 3])?)?;
    }
    d.set_item("landmarks", lm)?;
    let swaps = PyList::empty(py);
    for s in k.swaps {
        let sd = PyDict::new(py);
        sd.set_item("segment", s.segment)?;
        sd.set_item("a", s.a)?;
        sd.set_item("b", s.b)?;
        sd.set_item("residual_before_mm", s.residual_before_mm)?;
        sd.set_item("residual_after_mm", s.residual_after_mm)?;
        swaps.append(sd)?;
    }
    d.set_item("swaps", swaps)?;
    d.set_item("notes", k.notes)?;
    let crosstalk = PyList::empty(py);
    for (side, c) in k.crosstalk {
        let cd = PyDict::new(py);
        cd.set_item("side", side.as_char().to_string())?;
        cd.set_item("knee_adduction_on_flexion_slope", c.slope)?;
        cd.set_item("knee_adduction_flexion_r", c.r)?;
        cd.set_item("knee_axis_misalignment_deg", c.axis_misalignment_deg)?;
        cd.set_item("frames", c.n_frames)?;
        cd.set_item("crosstalk_flagged", c.flagged)?;
        crosstalk.append(cd)?;
    }
    d.set_item("crosstalk", crosstalk)?;
    let statics = PyDict::new(py);
    for (side, row) in k.static_angles {
        statics.set_item(side.as_char().to_string(), row.to_vec())?;
    }
    d.set_item("static_angles", statics)?;
    Ok(d)
}

/// Events as (side, event, time_s) rows for Python.
fn event_rows(events: Vec<crate::events::GaitEvent>) -> Vec<(String, String, f64)> {
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

fn parse_preset(name: &str) -> PyResult<crate::model::Preset> {
    use crate::model::Preset;
    match name {
        "rbds" => Ok(Preset::Rbds),
        "ric" => Ok(Preset::Ric),
        "plugin_gait" => Ok(Preset::PluginGait),
        "opencap" => Ok(Preset::OpenCap),
        other => Err(PyValueError::new_err(format!(
            "marker set '{other}' is not one of rbds, ric, plugin_gait, opencap"
        ))),
    }
}

/// The points of a (frames, 3 × markers) array, checked, not copied.
fn points_slice<'a>(points: &'a PyReadonlyArray2<'_, f64>, n_names: usize) -> PyResult<&'a [f64]> {
    if points.shape()[1] != n_names * 3 {
        return Err(PyValueError::new_err(
            "points must be (frames, 3 × markers)",
        ));
    }
    contiguous(points)
}

fn points_trial(
    points: &PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    rate_hz: f64,
) -> PyResult<Trial> {
    let flat = points_slice(points, names.len())?.to_vec();
    Ok(Trial::from_points(PathBuf::new(), rate_hz, names, flat))
}

/// Calibrates on a static trial and computes angles of a dynamic trial (points flattened to
/// (frames, 3 × markers), metres, canonical frame).
#[pyfunction]
#[pyo3(signature = (static_points, static_names, points, names, rate_hz, preset, pelvis = "hips_to_crests", hip = "trochanter", knee = "epicondyles", shank = "knee_aligned", foot = "lab_neutral", fix_swaps = true, knee_width_m = None, ankle_width_m = None))]
#[allow(clippy::too_many_arguments)]
fn marker_kinematics<'py>(
    py: Python<'py>,
    static_points: PyReadonlyArray2<'py, f64>,
    static_names: Vec<String>,
    points: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    rate_hz: f64,
    preset: &str,
    pelvis: &str,
    hip: &str,
    knee: &str,
    shank: &str,
    foot: &str,
    fix_swaps: bool,
    knee_width_m: Option<(f64, f64)>,
    ankle_width_m: Option<(f64, f64)>,
) -> PyResult<Bound<'py, PyDict>> {
    use crate::model::{FootModel, HipModel, KneeAxis, ModelOptions, PelvisModel, ShankModel};
    let bad = |what: &str, v: &str, ok: &str| {
        PyValueError::new_err(format!("{what} '{v}' is not one of {ok}"))
    };
    let preset = parse_preset(preset)?;
    let options = ModelOptions {
        pelvis: match pelvis {
            "hips_to_crests" => PelvisModel::HipsToCrests,
            "asis_psis" => PelvisModel::AsisPsis,
            o => return Err(bad("pelvis model", o, "hips_to_crests, asis_psis")),
        },
        hip: match hip {
            "trochanter" => HipModel::Trochanter,
            "harrington" => HipModel::Harrington,
            "bell" => HipModel::Bell,
            o => return Err(bad("hip model", o, "trochanter, harrington, bell")),
        },
        knee: match knee {
            "static_neutral" => KneeAxis::StaticNeutral,
            "epicondyles" => KneeAxis::Epicondyles,
            o => return Err(bad("knee axis", o, "epicondyles, static_neutral")),
        },
        shank: match shank {
            "knee_aligned" => ShankModel::KneeAligned,
            "malleoli" => ShankModel::Malleoli,
            o => return Err(bad("shank model", o, "knee_aligned, malleoli")),
        },
        foot: match foot {
            "lab_neutral" => FootModel::LabNeutral,
            "shank_neutral" => FootModel::ShankNeutral,
            "heel_toe" => FootModel::HeelToToe,
            o => return Err(bad("foot model", o, "lab_neutral, shank_neutral, heel_toe")),
        },
        knee_width_m: knee_width_m.map_or([None; 2], |(l, r)| [Some(l), Some(r)]),
        ankle_width_m: ankle_width_m.map_or([None; 2], |(l, r)| [Some(l), Some(r)]),
        ..ModelOptions::default()
    };
    let st_points = points_slice(&static_points, static_names.len())?;
    let dy_points = points_slice(&points, names.len())?;
    let k = py
        .detach(move || {
            let st = Trial::from_points(PathBuf::new(), rate_hz, static_names, st_points.to_vec());
            let dy = Trial::from_points(PathBuf::new(), rate_hz, names, dy_points.to_vec());
            crate::kinematics::from_markers(&st, &dy, preset, options, fix_swaps).map(flatten)
        })
        .map_err(DataError::new_err)?;
    kinematics_to_dict(py, k)
}

/// Angles from anatomical landmarks tracked in every frame (OpenCap), no static trial: each
/// frame's segments built from its own landmarks (ASIS/PSIS pelvis, tracked hip centres,
/// epicondyle thigh, ISB malleolar shank, heel-to-toe foot).
#[pyfunction]
fn landmark_kinematics<'py>(
    py: Python<'py>,
    points: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    rate_hz: f64,
    preset: &str,
) -> PyResult<Bound<'py, PyDict>> {
    use crate::model::{FootModel, ModelOptions, PelvisModel, ShankModel};
    let preset = parse_preset(preset)?;
    let options = ModelOptions {
        pelvis: PelvisModel::AsisPsis,
        shank: ShankModel::Malleoli,
        foot: FootModel::HeelToToe,
        ..ModelOptions::default()
    };
    let flat = points_slice(&points, names.len())?;
    let k = py
        .detach(move || {
            let t = Trial::from_points(PathBuf::new(), rate_hz, names, flat.to_vec());
            crate::kinematics::from_landmarks(&t, preset, options).map(flatten)
        })
        .map_err(DataError::new_err)?;
    kinematics_to_dict(py, k)
}

/// Angles from 4×4 segment poses (frames, segments × 16), canonical frame.
#[pyfunction]
fn pose_kinematics<'py>(
    py: Python<'py>,
    rotations: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let flat = contiguous(&rotations)?;
    let n_frames = rotations.shape()[0];
    let k = py
        .detach(move || {
            let mut t = Trial::from_points(PathBuf::new(), 0.0, Vec::new(), Vec::new());
            t.rotations = flat.to_vec();
            t.n_frames = n_frames;
            t.rotation_names = names;
            crate::kinematics::from_rotations(&t).map(flatten)
        })
        .map_err(DataError::new_err)?;
    kinematics_to_dict(py, k)
}

/// Contacts on one force plate with the side of each, from foot markers and the centre of
/// pressure: list of (side, event, time_s).
#[pyfunction]
#[pyo3(signature = (points, names, point_rate_hz, force_n, cop_m, plate_rate_hz, threshold_n = 50.0, lowpass_hz = 30.0, min_contact_s = 0.08, min_flight_s = 0.03))]
#[allow(clippy::too_many_arguments)]
fn force_events<'py>(
    py: Python<'py>,
    points: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    point_rate_hz: f64,
    force_n: PyReadonlyArray2<'py, f64>,
    cop_m: PyReadonlyArray2<'py, f64>,
    plate_rate_hz: f64,
    threshold_n: f64,
    lowpass_hz: f64,
    min_contact_s: f64,
    min_flight_s: f64,
) -> PyResult<Vec<(String, String, f64)>> {
    let trial = points_trial(&points, names, point_rate_hz)?;
    let n = force_n.shape()[0];
    let plate = crate::trial::ForcePlate {
        plate_type: 0,
        corners_m: [[f64::NAN; 3]; 4],
        origin: [0.0; 3],
        channels: Vec::new(),
        rate_hz: plate_rate_hz,
        force_n: contiguous(&force_n)?.to_vec(),
        cop_m: contiguous(&cop_m)?.to_vec(),
        free_moment_nm: vec![0.0; n],
    };
    let opts = crate::events::ForceEventOptions {
        threshold_n,
        // 0 Hz means no low-pass
        lowpass_hz: (lowpass_hz > 0.0).then_some(lowpass_hz),
        min_contact_s,
        min_flight_s,
    };
    let events = py
        .detach(move || crate::events::force::plate_events(&trial, &plate, &opts))
        .map_err(DataError::new_err)?;
    Ok(event_rows(events))
}

/// (marker, segment, frames filled)
type FillRow = (String, String, Vec<usize>);

/// Rigid-body gap filling from each segment's other cluster markers: the filled points and
/// (marker, segment, frames filled).
#[pyfunction]
#[pyo3(signature = (static_points, static_names, points, names, rate_hz, preset))]
fn fill_rigid<'py>(
    py: Python<'py>,
    static_points: PyReadonlyArray2<'py, f64>,
    static_names: Vec<String>,
    points: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    rate_hz: f64,
    preset: &str,
) -> PyResult<(Bound<'py, numpy::PyArray2<f64>>, Vec<FillRow>)> {
    let preset = parse_preset(preset)?;
    let st = points_trial(&static_points, static_names, rate_hz)?;
    let mut dy = points_trial(&points, names, rate_hz)?;
    let shape = [points.shape()[0], points.shape()[1]];
    let report = py
        .detach(|| {
            let model =
                crate::model::calibrate(&st, preset, crate::model::ModelOptions::default())?;
            Ok::<_, String>(crate::model::fill_rigid(&model, &mut dy))
        })
        .map_err(DataError::new_err)?;
    let rows = report
        .into_iter()
        .map(|r| (r.marker, r.segment, r.frames))
        .collect();
    Ok((dy.points.into_pyarray(py).reshape(shape)?, rows))
}

/// Zeni et al. (2008) events from the heel and toe relative to the pelvis (walking): (list of
/// (side, event, time_s), the pelvis's median rise in mid-contact in m — positive: walking).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn zeni_events(
    py: Python<'_>,
    points: PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    rate_hz: f64,
) -> PyResult<(Vec<(String, String, f64)>, Option<f64>)> {
    let trial = points_trial(&points, names, rate_hz)?;
    let (found, vault) = py
        .detach(move || crate::events::zeni::trial_events(&trial))
        .map_err(DataError::new_err)?;
    let rows = found
        .into_iter()
        .map(|e| {
            (
                e.side.as_char().to_string(),
                e.kind.as_str().to_string(),
                e.time_s,
            )
        })
        .collect();
    Ok((rows, vault))
}

/// Initial contacts and toe-offs from foot markers (see `events::markers`): (list of (side,
/// event, time_s, quality), list of (side, IC marker, TO marker, share of stances the IC
/// marker stopped first)).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn marker_events<'py>(
    py: Python<'py>,
    points: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    rate_hz: f64,
) -> PyResult<(
    Vec<(String, String, f64, f64)>,
    Vec<(String, String, String, f64)>,
)> {
    let trial = points_trial(&points, names, rate_hz)?;
    let found = py
        .detach(move || {
            crate::events::markers::trial_events(
                &trial,
                &crate::events::MarkerEventOptions::default(),
            )
        })
        .map_err(DataError::new_err)?;
    let rows = found
        .events
        .into_iter()
        .map(|(e, q)| {
            (
                e.side.as_char().to_string(),
                e.kind.as_str().to_string(),
                e.time_s,
                q,
            )
        })
        .collect();
    let methods = found
        .methods
        .into_iter()
        .map(|m| {
            (
                m.side.as_char().to_string(),
                m.ic_marker,
                m.to_marker,
                m.ic_marker_share,
            )
        })
        .collect();
    Ok((rows, methods))
}

fn v3_rows(a: &PyReadonlyArray2<'_, f64>, what: &str) -> PyResult<Vec<crate::model::V3>> {
    if a.shape()[1] != 3 {
        return Err(PyValueError::new_err(format!("{what} must be (points, 3)")));
    }
    Ok(contiguous(a)?
        .chunks_exact(3)
        .map(|c| crate::model::V3::new(c[0], c[1], c[2]))
        .collect())
}

/// Poses from rows of a row-major 4×4 matrix (frames, 16).
fn pose_rows(a: &PyReadonlyArray2<'_, f64>) -> PyResult<Vec<crate::model::Pose>> {
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

/// Poses (frames, 16: row-major 4×4, NaN where not tracked) of a rigid cluster: its points in
/// the static trial (k, 3) fitted onto its markers in each frame (frames, 3 k).
#[pyfunction]
fn cluster_poses<'py>(
    py: Python<'py>,
    local: PyReadonlyArray2<'py, f64>,
    points: PyReadonlyArray2<'py, f64>,
    max_rms_m: f64,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let local = v3_rows(&local, "local")?;
    let flat = points_slice(&points, local.len())?;
    let frames: Vec<Vec<crate::model::V3>> = flat
        .chunks_exact(3 * local.len().max(1))
        .map(|f| {
            f.chunks_exact(3)
                .map(|c| crate::model::V3::new(c[0], c[1], c[2]))
                .collect()
        })
        .collect();
    let poses = py.detach(|| crate::events::segment::track_cluster(&local, &frames, max_rms_m));
    let rows: Vec<[f64; 16]> = poses
        .iter()
        .map(|p| {
            let (r, o) = (p.rot, p.origin);
            [
                r[(0, 0)],
                r[(0, 1)],
                r[(0, 2)],
                o[0],
                r[(1, 0)],
                r[(1, 1)],
                r[(1, 2)],
                o[1],
                r[(2, 0)],
                r[(2, 1)],
                r[(2, 2)],
                o[2],
                0.0,
                0.0,
                0.0,
                1.0,
            ]
        })
        .collect();
    rows_to_array(py, rows)
}

/// Events of one foot from its segment's poses (frames, 16), points of the foot in the
/// segment's frame (k, 3) and, for points on the sole, a point of the tracked body (its
/// cluster's centroid, the pose's origin) that shows whether the data were low-passed: (list of (event, time_s, quality), index of the IC point, index of
/// the TO point, share of stances the IC point stopped first).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn segment_events<'py>(
    py: Python<'py>,
    poses: PyReadonlyArray2<'py, f64>,
    points: PyReadonlyArray2<'py, f64>,
    probe: Option<[f64; 3]>,
    rate_hz: f64,
) -> PyResult<(Vec<(String, f64, f64)>, Option<usize>, Option<usize>, f64)> {
    let poses = pose_rows(&poses)?;
    let points = v3_rows(&points, "points")?;
    let probe = probe.map(|p| crate::model::V3::new(p[0], p[1], p[2]));
    let fe = py
        .detach(|| {
            crate::events::segment::foot_events_from_segment(
                &poses,
                &points,
                probe.as_ref(),
                rate_hz,
                &crate::events::MarkerEventOptions::default(),
            )
        })
        .map_err(DataError::new_err)?;
    let mut rows: Vec<(String, f64, f64)> = fe
        .events
        .into_iter()
        .map(|(k, t, q)| (k.as_str().to_string(), t, q))
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok((rows, fe.ic_marker, fe.to_marker, fe.ic_marker_share))
}

/// Sole points of a foot tracked by a shoe cluster without heel or toe markers, from both
/// malleoli, a greater trochanter and the cluster (k, 3) as seen in the static trial
/// (`model::sole`): (points (n, 3) on the static's floor, their labels).
#[pyfunction]
fn sole_points<'py>(
    py: Python<'py>,
    malleolus_a: [f64; 3],
    malleolus_b: [f64; 3],
    trochanter: [f64; 3],
    cluster: PyReadonlyArray2<'py, f64>,
    side: &str,
) -> PyResult<(Bound<'py, numpy::PyArray2<f64>>, Vec<String>)> {
    let side = match side {
        "L" => crate::model::Side::L,
        "R" => crate::model::Side::R,
        other => {
            return Err(PyValueError::new_err(format!(
                "side must be 'L' or 'R', not {other:?}"
            )))
        }
    };
    let v = |a: [f64; 3]| crate::model::V3::new(a[0], a[1], a[2]);
    let cluster = v3_rows(&cluster, "cluster")?;
    let sole = crate::model::sole::from_static(v(malleolus_a), v(malleolus_b), v(trochanter), &cluster, side)
        .ok_or_else(|| {
            DataError::new_err(
                "the malleoli, trochanter and foot cluster of the static trial do not place a sole \
                 (malleoli on one vertical line, trochanter not 0.2 m above the ankle, or no cluster)",
            )
        })?;
    let (labels, rows): (Vec<String>, Vec<[f64; 3]>) = sole
        .event_points()
        .into_iter()
        .map(|(name, p)| {
            (
                format!("{} {name} (virtual)", side.as_char()),
                [p[0], p[1], p[2]],
            )
        })
        .unzip();
    Ok((rows_to_array(py, rows)?, labels))
}

/// The heel of a foot segment in its own frame from its toes segment's origin (the MTP joint)
/// and the index of its axis nearest the vertical (`model::sole::heel_from_mtp`).
#[pyfunction]
fn heel_from_mtp(mtp: [f64; 3], up: usize) -> PyResult<[f64; 3]> {
    if up > 2 {
        return Err(PyValueError::new_err("up must be 0, 1 or 2"));
    }
    let h = crate::model::sole::heel_from_mtp(crate::model::V3::new(mtp[0], mtp[1], mtp[2]), up);
    Ok([h[0], h[1], h[2]])
}

/// Per label: its side (`L`, `R` or empty) and foot role (`heel`, `forefoot`, `foot` for another
/// foot marker, or empty), by the same rules the marker event detector uses.
#[pyfunction]
fn foot_label_roles(names: Vec<String>) -> Vec<(String, String)> {
    use crate::io::axes::{is_foot_label, is_forefoot_label, is_heel_label, side_of_label};
    names
        .iter()
        .map(|n| {
            let side = side_of_label(n).map_or(String::new(), |c| c.to_string());
            let role = if is_heel_label(n) {
                "heel"
            } else if is_forefoot_label(n) {
                "forefoot"
            } else if is_foot_label(n) {
                "foot"
            } else {
                ""
            };
            (side, role.to_string())
        })
        .collect()
}

/// The marker-set preset recognised from labels: (name, share of its labels found).
#[pyfunction]
fn detect_marker_set(markers: Vec<String>, rotations: Vec<String>) -> (String, f64) {
    let (set, score) = crate::markerset::detect(&markers, &rotations);
    (set.as_str().to_string(), score)
}

fn vector<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err("array must be contiguous float64"))
}

/// Rows of N values as an (n, N) array.
fn rows_to_array<const N: usize>(
    py: Python<'_>,
    rows: Vec<[f64; N]>,
) -> PyResult<Bound<'_, numpy::PyArray2<f64>>> {
    let n = rows.len();
    rows.concat().into_pyarray(py).reshape([n, N])
}

/// Orientation per sample (w, x, y, z) from a Madgwick filter (see `imu::orientation`).
#[pyfunction]
#[pyo3(signature = (acc_m_s2, gyro_rad_s, rate_hz, beta = 0.1, gate = 0.2, init_s = 0.5))]
fn imu_orientation<'py>(
    py: Python<'py>,
    acc_m_s2: PyReadonlyArray2<'py, f64>,
    gyro_rad_s: PyReadonlyArray2<'py, f64>,
    rate_hz: f64,
    beta: f64,
    gate: f64,
    init_s: f64,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let acc = rows3(&acc_m_s2, "acceleration")?;
    let gyro = rows3(&gyro_rad_s, "angular velocity")?;
    let opts = crate::imu::orientation::MadgwickOptions { beta, gate, init_s };
    let q = py
        .detach(|| crate::imu::madgwick(acc, gyro, rate_hz, &opts))
        .map_err(DataError::new_err)?;
    rows_to_array(py, q)
}

/// Pelvis (tilt, obliquity, rotation) in degrees from orientations (n, 4).
#[pyfunction]
fn pelvis_angles<'py>(
    py: Python<'py>,
    quaternions: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    if quaternions.shape()[1] != 4 {
        return Err(PyValueError::new_err("quaternions must have 4 columns"));
    }
    let q: Vec<[f64; 4]> = contiguous(&quaternions)?
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    rows_to_array(py, crate::imu::pelvis_angles_deg(&q))
}

/// IC/TO events from a shank or foot sagittal angular velocity: list of (event, time_s).
#[pyfunction]
fn gyro_events<'py>(
    py: Python<'py>,
    sagittal_rad_s: PyReadonlyArray1<'py, f64>,
    rate_hz: f64,
    segment: &str,
) -> PyResult<Vec<(String, f64)>> {
    let seg = match segment {
        "shank" => crate::imu::GyroSegment::Shank,
        "foot" => crate::imu::GyroSegment::Foot,
        other => {
            return Err(PyValueError::new_err(format!(
                "segment must be 'shank' or 'foot', not {other:?}"
            )))
        }
    };
    let w = vector(&sagittal_rad_s)?;
    let ev = py
        .detach(|| crate::imu::gyro_events(w, rate_hz, seg))
        .map_err(DataError::new_err)?;
    Ok(ev
        .into_iter()
        .map(|(k, t)| (k.as_str().to_string(), t))
        .collect())
}

/// The axial specific force of a shank or ankle sensor (`imu::tibial::axial`): (samples,),
/// and how its long axis was found.
#[pyfunction]
fn tibial_axial<'py>(
    py: Python<'py>,
    acc: PyReadonlyArray2<'py, f64>,
    rate_hz: f64,
) -> PyResult<(Bound<'py, numpy::PyArray1<f64>>, String)> {
    let rows = acc_rows(&acc)?;
    let (x, how) = py.detach(move || crate::imu::tibial::axial(&rows, rate_hz));
    Ok((x.into_pyarray(py), how.to_string()))
}

fn acc_rows(acc: &PyReadonlyArray2<'_, f64>) -> PyResult<Vec<[f64; 3]>> {
    if acc.shape()[1] != 3 {
        return Err(PyValueError::new_err("acc must be (samples, 3)"));
    }
    Ok(contiguous(acc)?
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect())
}

/// Strides from a shank or ankle accelerometer without a gyroscope (`imu::tibial`): acc is
/// (samples, 3) in the segment frame, m/s². Returns (list of (IC s, TO s or None, impact peak
/// m/s², margin of the impact peak 0–1), how the long axis was found).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn tibial_events(
    py: Python<'_>,
    acc: PyReadonlyArray2<'_, f64>,
    rate_hz: f64,
) -> PyResult<(Vec<(f64, Option<f64>, f64, f64)>, String)> {
    let rows = acc_rows(&acc)?;
    let (strides, how) = py
        .detach(move || {
            let (x, how) = crate::imu::tibial::axial(&rows, rate_hz);
            crate::imu::tibial::tibial_events(&x, rate_hz).map(|s| (s, how))
        })
        .map_err(DataError::new_err)?;
    Ok((
        strides
            .into_iter()
            .map(|s| (s.ic_s, s.to_s, s.peak_m_s2, s.margin))
            .collect(),
        how.to_string(),
    ))
}

/// Contacts (IC, TO in s) from a lower-back accelerometer by Auvinet et al. 2002
/// (`imu::events::auvinet_contacts`); vertical and AP specific force in m/s².
#[pyfunction]
fn auvinet_contacts(
    py: Python<'_>,
    vertical: PyReadonlyArray1<'_, f64>,
    ap: PyReadonlyArray1<'_, f64>,
    rate_hz: f64,
) -> PyResult<Vec<(f64, f64)>> {
    let (v, a) = (vector(&vertical)?, vector(&ap)?);
    py.detach(|| crate::imu::events::auvinet_contacts(v, a, rate_hz))
        .map_err(DataError::new_err)
}

/// Contacts (IC, TO in s) from a sacrum sensor's vertical and anteroposterior acceleration.
#[pyfunction]
#[pyo3(signature = (vertical, ap, rate_hz))]
fn sacrum_contacts<'py>(
    py: Python<'py>,
    vertical: PyReadonlyArray1<'py, f64>,
    ap: Option<PyReadonlyArray1<'py, f64>>,
    rate_hz: f64,
) -> PyResult<Vec<(f64, f64)>> {
    let v = vector(&vertical)?;
    let a = match &ap {
        Some(a) => vector(a)?,
        None => &[],
    };
    py.detach(|| {
        crate::imu::sacrum_contacts(v, a, rate_hz, &crate::imu::events::SacrumOptions::default())
    })
    .map_err(DataError::new_err)
}

/// A trunk sensor's mounting tilt from gravity (`imu::align::gravity_tilt`): (3×3 rotation to
/// apply to its samples, tilt in degrees). DataError when the mean specific force is not 1 g.
#[pyfunction]
fn gravity_tilt<'py>(
    py: Python<'py>,
    acc_m_s2: PyReadonlyArray2<'py, f64>,
) -> PyResult<(Bound<'py, numpy::PyArray2<f64>>, f64)> {
    if acc_m_s2.shape()[1] != 3 {
        return Err(PyValueError::new_err("acc_m_s2 must be (samples, 3)"));
    }
    let acc: Vec<[f64; 3]> = contiguous(&acc_m_s2)?
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let (rot, tilt) = py
        .detach(|| crate::imu::align::gravity_tilt(&acc))
        .map_err(DataError::new_err)?;
    let rows: Vec<[f64; 3]> = (0..3)
        .map(|i| [rot[(i, 0)], rot[(i, 1)], rot[(i, 2)]])
        .collect();
    Ok((rows_to_array(py, rows)?, tilt))
}

/// Whether a trunk sensor's anteroposterior axis is reversed, from the braking that opens each
/// contact (`imu::align::ap_reversed`); None when the contacts do not tell.
#[pyfunction]
fn ap_reversed(
    ap: PyReadonlyArray1<'_, f64>,
    contacts: Vec<(f64, f64)>,
    rate_hz: f64,
) -> PyResult<Option<bool>> {
    Ok(crate::imu::align::ap_reversed(
        vector(&ap)?,
        &contacts,
        rate_hz,
    ))
}

/// Step frequency (Hz) from a periodic signal's autocorrelation, or None.
#[pyfunction]
fn step_frequency(x: PyReadonlyArray1<'_, f64>, rate_hz: f64) -> PyResult<Option<f64>> {
    Ok(crate::imu::step_frequency_hz(vector(&x)?, rate_hz))
}

fn rows3<'a>(a: &'a PyReadonlyArray2<'_, f64>, what: &str) -> PyResult<&'a [[f64; 3]]> {
    if a.shape()[1] != 3 {
        return Err(PyValueError::new_err(format!(
            "{what} must have 3 columns, not {}",
            a.shape()[1]
        )));
    }
    // a C-contiguous (n, 3) array is n consecutive [f64; 3]: viewed, not copied
    Ok(contiguous(a)?.as_chunks::<3>().0)
}

fn angles17<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> PyResult<&'a [[f64; 17]]> {
    if a.shape()[1] != 17 {
        return Err(PyValueError::new_err("angles must have 17 columns"));
    }
    Ok(contiguous(a)?.as_chunks::<17>().0)
}

/// A force plate for `stride_metrics`: (rate_hz, centre of pressure (n, 3), force (n, 3)).
type PlateArgs<'py> = (f64, PyReadonlyArray2<'py, f64>, PyReadonlyArray2<'py, f64>);

/// Per-stride metrics (see `metrics::per_stride`): list of (column, values).
#[pyfunction]
#[pyo3(signature = (rate_hz, angles_left, angles_right, landmarks, strides, plates, wrists, standing_tilt_deg, standing_heel_m, speed_m_s, constants))]
#[allow(clippy::too_many_arguments)]
fn stride_metrics<'py>(
    py: Python<'py>,
    rate_hz: f64,
    angles_left: PyReadonlyArray2<'py, f64>,
    angles_right: PyReadonlyArray2<'py, f64>,
    landmarks: Vec<(String, PyReadonlyArray2<'py, f64>)>,
    strides: PyReadonlyArray2<'py, f64>,
    plates: Vec<PlateArgs<'py>>,
    wrists: (
        Option<PyReadonlyArray2<'py, f64>>,
        Option<PyReadonlyArray2<'py, f64>>,
    ),
    standing_tilt_deg: Option<f64>,
    standing_heel_m: (Option<f64>, Option<f64>),
    speed_m_s: Option<f64>,
    constants: Vec<(String, f64)>,
) -> PyResult<Vec<(String, Bound<'py, numpy::PyArray1<f64>>)>> {
    // the borrows below live as long as the arguments; nothing is copied
    let (left, right) = (angles17(&angles_left)?, angles17(&angles_right)?);
    if strides.shape()[1] != 7 {
        return Err(PyValueError::new_err(
            "strides must have 7 columns: side, ic, to, next_ic, midstance, stride_time, step_time",
        ));
    }
    let stride_rows = contiguous(&strides)?;
    let lms: Vec<(&str, &[[f64; 3]])> = landmarks
        .iter()
        .map(|(n, a)| Ok((n.as_str(), rows3(a, "a landmark")?)))
        .collect::<PyResult<_>>()?;
    let plate_signals: Vec<crate::metrics::PlateSignals<'_>> = plates
        .iter()
        .map(|(rate, cop, force)| {
            Ok(crate::metrics::PlateSignals {
                rate_hz: *rate,
                cop_m: rows3(cop, "centre of pressure")?,
                force_n: rows3(force, "force")?,
            })
        })
        .collect::<PyResult<_>>()?;
    let wl = wrists.0.as_ref().map(|a| rows3(a, "wrist")).transpose()?;
    let wr = wrists.1.as_ref().map(|a| rows3(a, "wrist")).transpose()?;
    let consts: Vec<(&str, f64)> = constants.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let columns = py.detach(|| {
        let rows: Vec<crate::metrics::StrideTimes> = stride_rows
            .chunks_exact(7)
            .map(|c| crate::metrics::StrideTimes {
                side: usize::from(c[0] > 0.5),
                ic: c[1],
                to: c[2],
                next_ic: c[3],
                midstance: c[4],
                stride_time: c[5],
                step_time: c[6],
            })
            .collect();
        crate::metrics::per_stride(&crate::metrics::MetricInputs {
            rate_hz,
            angles: [left, right],
            landmarks: &lms,
            strides: &rows,
            plates: &plate_signals,
            wrists: [wl, wr],
            standing_tilt_deg,
            standing_heel_m: [standing_heel_m.0, standing_heel_m.1],
            speed_m_s,
            constants: &consts,
        })
    });
    Ok(columns
        .into_iter()
        .map(|(n, v)| (n, v.into_pyarray(py)))
        .collect())
}

/// Foot strike class index into `STRIKE_CLASSES` (see `metrics::classify_strike`).
#[pyfunction]
fn strike_class(strike_index: f64, strike_angle_deg: f64) -> usize {
    crate::metrics::classify_strike(strike_index, strike_angle_deg)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("StridelabError", py.get_type::<StridelabError>())?;
    m.add("TruncatedFileError", py.get_type::<TruncatedFileError>())?;
    m.add("CorruptFileError", py.get_type::<CorruptFileError>())?;
    m.add(
        "UnsupportedFormatError",
        py.get_type::<UnsupportedFormatError>(),
    )?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add_function(wrap_pyfunction!(read_trial, m)?)?;
    m.add_function(wrap_pyfunction!(c3d_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(read_mot, m)?)?;
    m.add_function(wrap_pyfunction!(read_many, m)?)?;
    m.add_function(wrap_pyfunction!(butter_lowpass_sos, m)?)?;
    m.add_function(wrap_pyfunction!(filtfilt_columns, m)?)?;
    m.add_function(wrap_pyfunction!(residual_analysis, m)?)?;
    m.add_function(wrap_pyfunction!(fill_gaps_columns, m)?)?;
    m.add_function(wrap_pyfunction!(marker_kinematics, m)?)?;
    m.add_function(wrap_pyfunction!(zeni_events, m)?)?;
    m.add_function(wrap_pyfunction!(landmark_kinematics, m)?)?;
    m.add_function(wrap_pyfunction!(pose_kinematics, m)?)?;
    m.add_function(wrap_pyfunction!(force_events, m)?)?;
    m.add_function(wrap_pyfunction!(detect_marker_set, m)?)?;
    m.add_function(wrap_pyfunction!(fill_rigid, m)?)?;
    m.add_function(wrap_pyfunction!(marker_events, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_poses, m)?)?;
    m.add_function(wrap_pyfunction!(segment_events, m)?)?;
    m.add_function(wrap_pyfunction!(foot_label_roles, m)?)?;
    m.add_function(wrap_pyfunction!(sole_points, m)?)?;
    m.add_function(wrap_pyfunction!(heel_from_mtp, m)?)?;
    m.add_function(wrap_pyfunction!(imu_orientation, m)?)?;
    m.add_function(wrap_pyfunction!(pelvis_angles, m)?)?;
    m.add_function(wrap_pyfunction!(gyro_events, m)?)?;
    m.add_function(wrap_pyfunction!(gravity_tilt, m)?)?;
    m.add_function(wrap_pyfunction!(tibial_events, m)?)?;
    m.add_function(wrap_pyfunction!(auvinet_contacts, m)?)?;
    m.add_function(wrap_pyfunction!(tibial_axial, m)?)?;
    m.add_function(wrap_pyfunction!(ap_reversed, m)?)?;
    m.add_function(wrap_pyfunction!(sacrum_contacts, m)?)?;
    m.add_function(wrap_pyfunction!(step_frequency, m)?)?;
    m.add_function(wrap_pyfunction!(stride_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(strike_class, m)?)?;
    m.add(
        "STRIKE_CLASSES",
        crate::metrics::STRIKE_CLASSES
            .iter()
            .map(|s| (*s).to_string())
            .collect::<Vec<_>>(),
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ANGLE_COLUMNS", crate::kinematics::COLUMNS.to_vec())?;
    Ok(())
}
