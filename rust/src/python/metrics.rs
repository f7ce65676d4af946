//! Per-stride metrics and the foot-strike class.

use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::convert::{angles17, contiguous, rows3, vector};

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

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stride_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(strike_class, m)?)?;
    m.add_function(wrap_pyfunction!(segment_strides, m)?)?;
    m.add_function(wrap_pyfunction!(midstance_peak, m)?)?;
    m.add_function(wrap_pyfunction!(midstance_hip_over_ankle, m)?)?;
    Ok(())
}

/// Stride times (n, 4) and reasons, as `segment_strides` returns them.
type SegmentedStrides<'py> = (Bound<'py, numpy::PyArray2<f64>>, Vec<Option<String>>);

/// Strides of one foot (see `strides::segment`): (n, 4) of IC, TO, next IC and the other
/// foot's IC in s (NaN where absent), and each stride's reason for being unusable, or None.
#[pyfunction]
fn segment_strides(
    py: Python<'_>,
    ics: Vec<f64>,
    tos: Vec<f64>,
    other_ics: Vec<f64>,
    min_stride_s: f64,
    max_stride_s: f64,
) -> PyResult<SegmentedStrides<'_>> {
    let strides = crate::strides::segment(&ics, &tos, &other_ics, min_stride_s, max_stride_s);
    let n = strides.len();
    let times: Vec<f64> = strides
        .iter()
        .flat_map(|s| [s.ic, s.to, s.next_ic, s.other_ic])
        .collect();
    let reasons = strides.into_iter().map(|s| s.reason).collect();
    Ok((times.into_pyarray(py).reshape([n, 4])?, reasons))
}

/// Midstance times by the largest value of `series` in each stance (`strides::peak_in_stance`):
/// stances (n, 2) of IC, TO in s.
#[pyfunction]
fn midstance_peak<'py>(
    py: Python<'py>,
    series: PyReadonlyArray1<'py, f64>,
    stances: PyReadonlyArray2<'py, f64>,
    rate_hz: f64,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let s = stance_rows(&stances)?;
    Ok(crate::strides::peak_in_stance(vector(&series)?, &s, rate_hz).into_pyarray(py))
}

/// Midstance times where the hip centre passes over the ankle centre along x
/// (`strides::hip_over_ankle`): stances (n, 2) of IC, TO in s.
#[pyfunction]
fn midstance_hip_over_ankle<'py>(
    py: Python<'py>,
    hip_x: PyReadonlyArray1<'py, f64>,
    ankle_x: PyReadonlyArray1<'py, f64>,
    stances: PyReadonlyArray2<'py, f64>,
    rate_hz: f64,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let (hip, ankle) = (vector(&hip_x)?, vector(&ankle_x)?);
    let times: Vec<f64> = stance_rows(&stances)?
        .into_iter()
        .map(|(ic, to)| crate::strides::hip_over_ankle(hip, ankle, ic, to, rate_hz))
        .collect();
    Ok(times.into_pyarray(py))
}

fn stance_rows(a: &PyReadonlyArray2<'_, f64>) -> PyResult<Vec<(f64, f64)>> {
    if a.shape()[1] != 2 {
        return Err(PyValueError::new_err(
            "stances must be (strides, 2): IC and TO",
        ));
    }
    Ok(contiguous(a)?
        .chunks_exact(2)
        .map(|c| (c[0], c[1]))
        .collect())
}
