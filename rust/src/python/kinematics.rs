//! Calibration and angles from markers, landmarks, poses and clusters; rigid gap filling.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::{
    contiguous, points_slice, points_trial, rows_to_array, to_py, v3_rows, DataError,
};
use crate::trial::Trial;

/// Kinematics with every array already flat, ready to hand to numpy without copying.
pub(super) struct FlatKinematics {
    angles: Vec<(char, usize, Vec<f64>)>,
    landmarks: Vec<(String, usize, Vec<f64>)>,
    swaps: Vec<crate::model::qa::Swap>,
    notes: Vec<String>,
    crosstalk: Vec<(crate::model::Side, crate::kinematics::KneeCrosstalk)>,
    static_angles: Vec<(crate::model::Side, [f64; 17])>,
}

/// Flattens (copies) the arrays; call it without the GIL.
pub(super) fn flatten(k: crate::kinematics::Kinematics) -> FlatKinematics {
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

pub(super) fn kinematics_to_dict(py: Python<'_>, k: FlatKinematics) -> PyResult<Bound<'_, PyDict>> {
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

pub(super) fn parse_preset(name: &str) -> PyResult<crate::model::Preset> {
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
        .map_err(to_py)?;
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
        .map_err(to_py)?;
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
        .map_err(to_py)?;
    kinematics_to_dict(py, k)
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
            Ok::<_, crate::error::Error>(crate::model::fill_rigid(&model, &mut dy))
        })
        .map_err(to_py)?;
    let rows = report
        .into_iter()
        .map(|r| (r.marker, r.segment, r.frames))
        .collect();
    Ok((dy.points.into_pyarray(py).reshape(shape)?, rows))
}

/// The pair of a rigid cluster's markers exchanged against its static shape (`local`, (k, 3);
/// `points`, (frames, 3 k)), if any: (a, b, median fit residual before and after, mm).
#[pyfunction]
fn cluster_swap<'py>(
    py: Python<'py>,
    local: PyReadonlyArray2<'py, f64>,
    points: PyReadonlyArray2<'py, f64>,
) -> PyResult<Option<(usize, usize, f64, f64)>> {
    let local = v3_rows(&local, "local")?;
    let flat = points_slice(&points, local.len())?;
    let k = local.len();
    let n_frames = if k == 0 { 0 } else { flat.len() / (3 * k) };
    Ok(py.detach(|| {
        let seen = |f: usize, m: usize| {
            let i = (f * k + m) * 3;
            let p = crate::model::V3::new(flat[i], flat[i + 1], flat[i + 2]);
            p.iter().all(|v| v.is_finite()).then_some(p)
        };
        crate::model::qa::cluster_swap(&local, n_frames, &seen)
    }))
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

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(marker_kinematics, m)?)?;
    m.add_function(wrap_pyfunction!(landmark_kinematics, m)?)?;
    m.add_function(wrap_pyfunction!(pose_kinematics, m)?)?;
    m.add_function(wrap_pyfunction!(fill_rigid, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_poses, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_swap, m)?)?;
    m.add_function(wrap_pyfunction!(sole_points, m)?)?;
    m.add_function(wrap_pyfunction!(heel_from_mtp, m)?)?;
    Ok(())
}
