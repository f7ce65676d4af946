//! Signal cleaning: zero-lag Butterworth low-pass (designed and applied as scipy's
//! `butter(..., output="sos")` + `sosfiltfilt` do, so results agree to round-off), Winter's
//! residual analysis for choosing a cutoff, and cubic-spline filling of short gaps.

mod butter;
mod gaps;
mod matrix;
mod residual;

pub use butter::{
    butter_lowpass_sos, filtfilt_segments, sosfilt, sosfiltfilt, sosfiltfilt_block, Sos,
};
pub use gaps::{fill_gaps_spline, Gap};
pub use matrix::filtfilt_matrix;
pub use residual::{residual_analysis, ResidualAnalysis};
