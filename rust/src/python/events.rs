//! Gait events from force plates, markers, segment poses and the pelvis (Zeni).

use numpy::{PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use super::convert::{contiguous, event_rows, points_trial, pose_rows, to_py, v3_rows};

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
        .map_err(to_py)?;
    Ok(event_rows(events))
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
        .map_err(to_py)?;
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
        .map_err(to_py)?;
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

/// Events of one foot from its segment's poses (frames, 16), points of the foot in the
/// segment's frame (k, 3) and, for points on the sole, a point of the tracked body (its
/// cluster's centroid, the pose's origin) that shows whether the data were low-passed, and per
/// point how its touchdown is timed (`timing`, empty: all `carried`): `rearfoot` for a marker
/// on the tracked rearfoot (change-point fit), `cluster` for a marker of the tracked cluster
/// (the same, left out of the coarse stances), `carried` for a point carried across the foot
/// (velocity minimum). Returns the list of (event, time_s, quality), the index of the IC
/// point and of the TO point, and the share of stances in which the IC point stopped first.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn segment_events<'py>(
    py: Python<'py>,
    poses: PyReadonlyArray2<'py, f64>,
    points: PyReadonlyArray2<'py, f64>,
    probe: Option<[f64; 3]>,
    rate_hz: f64,
    timing: Vec<String>,
) -> PyResult<(Vec<(String, f64, f64)>, Option<usize>, Option<usize>, f64)> {
    use crate::events::markers::Touchdown;
    let how = timing
        .iter()
        .map(|t| match t.as_str() {
            "rearfoot" => Ok(Touchdown::AccelerationJump),
            "cluster" => Ok(Touchdown::ClusterMarker),
            "carried" => Ok(Touchdown::VelocityMinimum),
            other => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown touchdown timing {other:?} (rearfoot, cluster or carried)"
            ))),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let poses = pose_rows(&poses)?;
    let points = v3_rows(&points, "points")?;
    let probe = probe.map(|p| crate::model::V3::new(p[0], p[1], p[2]));
    let fe = py
        .detach(|| {
            crate::events::segment::foot_events_from_segment(
                &poses,
                &points,
                &how,
                probe.as_ref(),
                rate_hz,
                &crate::events::MarkerEventOptions::default(),
            )
        })
        .map_err(to_py)?;
    let mut rows: Vec<(String, f64, f64)> = fe
        .events
        .into_iter()
        .map(|(k, t, q)| (k.as_str().to_string(), t, q))
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok((rows, fe.ic_marker, fe.to_marker, fe.ic_marker_share))
}

/// Per frame, whether a distal segment's pose (frames, 16) leaves the joint centre `joint` it
/// shares with its proximal segment's pose by more than `max_m` (see
/// `events::segment::joint_breaks`; `None`: `MAX_JOINT_GAP_M`).
#[pyfunction]
#[pyo3(signature = (distal, proximal, joint, max_m=None))]
fn joint_breaks<'py>(
    py: Python<'py>,
    distal: PyReadonlyArray2<'py, f64>,
    proximal: PyReadonlyArray2<'py, f64>,
    joint: [f64; 3],
    max_m: Option<f64>,
) -> PyResult<Bound<'py, numpy::PyArray1<bool>>> {
    let (distal, proximal) = (pose_rows(&distal)?, pose_rows(&proximal)?);
    if distal.len() != proximal.len() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{} distal poses for {} proximal ones",
            distal.len(),
            proximal.len()
        )));
    }
    let joint = crate::model::V3::new(joint[0], joint[1], joint[2]);
    let max_m = max_m.unwrap_or(crate::events::segment::MAX_JOINT_GAP_M);
    let broken =
        py.detach(|| crate::events::segment::joint_breaks(&distal, &proximal, &joint, max_m));
    Ok(numpy::PyArray1::from_vec(py, broken))
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

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(force_events, m)?)?;
    m.add_function(wrap_pyfunction!(zeni_events, m)?)?;
    m.add_function(wrap_pyfunction!(marker_events, m)?)?;
    m.add_function(wrap_pyfunction!(segment_events, m)?)?;
    m.add_function(wrap_pyfunction!(joint_breaks, m)?)?;
    m.add_function(wrap_pyfunction!(foot_label_roles, m)?)?;
    Ok(())
}
