//! Inertial sensors: orientation, running events and contacts.
//!
//! Conventions (stated once, tested in `tests`):
//! - A sensor's samples are given in its *segment frame*: x anterior, y left, z up (proximal)
//!   when the runner stands, the same axes as the lab frame. Readers map a sensor's own axes
//!   into it.
//! - Accelerometers give specific force (gravity included: a sensor lying still reads +1 g
//!   along its upward axis), in m/s² inside the core. Gyroscopes give rad/s, right-handed.
//! - **Sagittal angular velocity** is the rotation rate about the mediolateral axis, positive
//!   counter-clockwise when the runner is seen from the right moving to the right: the shank's
//!   distal end swinging forward, the foot's toes rising. With y pointing left it is −ω_y.
//! - Orientations are unit quaternions (w, x, y, z) rotating segment-frame vectors into a
//!   gravity-aligned world frame (z up); heading (yaw) is free.

pub mod align;
pub mod events;
pub mod metrics;
pub mod orientation;
pub mod tibial;

pub use events::{gyro_events, sacrum_contacts, step_frequency_hz, GyroSegment, SacrumOptions};
pub use orientation::{gravity_alignment, madgwick, pelvis_angles_deg};

/// Standard gravity, m/s².
pub const G: f64 = 9.806_65;

/// Sagittal angular velocity (see the module notes) from a segment-frame gyroscope sample.
#[must_use]
pub fn sagittal_rate(gyro: [f64; 3]) -> f64 {
    -gyro[1]
}
