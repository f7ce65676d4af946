//! The thin PyO3 layer: converts arguments, calls the core with the GIL released, converts results.
//! No biomechanics here. One file per domain, each registering its functions on the flat
//! `stridelab._native` module; `convert` is the one conversion layer (errors, arrays).

// PyO3 extracts arguments as owned values; taking them by reference is not an option here.
#![allow(clippy::needless_pass_by_value)]

mod convert;
mod events;
mod imu;
mod io;
mod kinematics;
mod metrics;
mod signal;

use pyo3::prelude::*;

/// mimalloc for every allocation of the extension (see Cargo.toml): a trial's arrays are freed
/// and allocated again at the same sizes, and reusing their pages saves ~5 ms per 30 s trial.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    convert::register(m)?;
    io::register(m)?;
    signal::register(m)?;
    kinematics::register(m)?;
    events::register(m)?;
    imu::register(m)?;
    metrics::register(m)?;
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
