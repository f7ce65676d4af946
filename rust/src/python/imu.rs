//! Inertial sensors: orientation, pelvis angles, events from gyroscopes and accelerometers.

use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::convert::{acc_rows, contiguous, rows3, rows_to_array, to_py, vector};

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
        .map_err(to_py)?;
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
        .map_err(to_py)?;
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
        .map_err(to_py)?;
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
        .map_err(to_py)
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
    .map_err(to_py)
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
        .map_err(to_py)?;
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

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(imu_orientation, m)?)?;
    m.add_function(wrap_pyfunction!(pelvis_angles, m)?)?;
    m.add_function(wrap_pyfunction!(gyro_events, m)?)?;
    m.add_function(wrap_pyfunction!(tibial_axial, m)?)?;
    m.add_function(wrap_pyfunction!(tibial_events, m)?)?;
    m.add_function(wrap_pyfunction!(auvinet_contacts, m)?)?;
    m.add_function(wrap_pyfunction!(sacrum_contacts, m)?)?;
    m.add_function(wrap_pyfunction!(gravity_tilt, m)?)?;
    m.add_function(wrap_pyfunction!(ap_reversed, m)?)?;
    m.add_function(wrap_pyfunction!(step_frequency, m)?)?;
    m.add_function(wrap_pyfunction!(imu_stride_metrics, m)?)?;
    Ok(())
}

/// Per-stride IMU metrics (see `imu::metrics::per_stride`): strides (n, 3) of IC, TO and next
/// IC in s, their sides (0 left, 1 right, -1 unknown), the left and right shank axial specific
/// force, the left and right foot sagittal angular velocity, pelvis angles (samples, 3);
/// list of (column, values).
#[pyfunction]
#[pyo3(signature = (rate_hz, strides, sides, shank_axial, foot_sagittal, pelvis))]
fn imu_stride_metrics<'py>(
    py: Python<'py>,
    rate_hz: f64,
    strides: PyReadonlyArray2<'py, f64>,
    sides: Vec<i64>,
    shank_axial: (
        Option<PyReadonlyArray1<'py, f64>>,
        Option<PyReadonlyArray1<'py, f64>>,
    ),
    foot_sagittal: (
        Option<PyReadonlyArray1<'py, f64>>,
        Option<PyReadonlyArray1<'py, f64>>,
    ),
    pelvis: Option<PyReadonlyArray2<'py, f64>>,
) -> PyResult<Vec<(String, Bound<'py, numpy::PyArray1<f64>>)>> {
    use crate::imu::metrics::{per_stride, ImuMetricInputs, ImuStride};
    let rows = rows3(&strides, "strides")?;
    if rows.len() != sides.len() {
        return Err(PyValueError::new_err("one side per stride"));
    }
    let strides: Vec<ImuStride> = rows
        .iter()
        .zip(&sides)
        .map(|(r, &s)| ImuStride {
            side: usize::try_from(s).ok().filter(|&s| s < 2),
            ic: r[0],
            to: r[1],
            next_ic: r[2],
        })
        .collect();
    let shank = [
        optional_vector(shank_axial.0.as_ref())?,
        optional_vector(shank_axial.1.as_ref())?,
    ];
    let foot = [
        optional_vector(foot_sagittal.0.as_ref())?,
        optional_vector(foot_sagittal.1.as_ref())?,
    ];
    let pelvis_cols: Option<[Vec<f64>; 3]> = match &pelvis {
        Some(p) => {
            let rows = rows3(p, "pelvis")?;
            Some([0, 1, 2].map(|k| rows.iter().map(|r| r[k]).collect()))
        }
        None => None,
    };
    let columns = py.detach(|| {
        per_stride(&ImuMetricInputs {
            rate_hz,
            strides: &strides,
            shank_axial: shank,
            foot_sagittal: foot,
            pelvis: pelvis_cols
                .as_ref()
                .map(|[a, b, c]| [a.as_slice(), b.as_slice(), c.as_slice()]),
        })
    });
    Ok(columns
        .into_iter()
        .map(|(n, v)| (n, v.into_pyarray(py)))
        .collect())
}

fn optional_vector<'a>(a: Option<&'a PyReadonlyArray1<'_, f64>>) -> PyResult<Option<&'a [f64]>> {
    a.map(vector).transpose()
}
