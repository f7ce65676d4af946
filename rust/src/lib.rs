//! stridelab core: batch running biomechanics in pure Rust.
//!
//! Stages: [`io`] reads files into a canonical [`trial::Trial`]; later stages (signal, model,
//! kinematics, events, strides, metrics) consume it. The PyO3 binding lives in `python` behind
//! the `python` feature, so this crate builds and tests without libpython.

pub mod error;
pub mod events;
pub mod imu;
pub mod io;
pub mod kinematics;
pub mod markerset;
pub mod metrics;
pub mod model;
pub mod signal;
pub mod strides;
pub mod trial;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
pub use trial::Trial;
