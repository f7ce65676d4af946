//! Gait events: initial contact (IC) and toe-off (TO) per side.
//!
//! From force plates: the vertical force, low-passed, crosses a threshold (default 50 N) upward
//! at IC and downward at TO; crossing times are interpolated between samples. Contacts and
//! flights shorter than a minimum are merged away, so ±30 N sample jitter or a lab's zeroing
//! of force below 30 N cannot split a contact. On a plate under both feet (instrumented
//! treadmill) each contact is given to the foot nearest the centre of pressure.

pub mod force;
pub mod markers;

pub use force::{contacts, ForceEventOptions};
pub use markers::MarkerEventOptions;

/// Which foot.
pub use crate::model::Side;

/// IC or TO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ic,
    To,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ic => "IC",
            Self::To => "TO",
        }
    }
}

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Force,
    Markers,
    File,
    Imu,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Force => "force",
            Self::Markers => "markers",
            Self::File => "file",
            Self::Imu => "imu",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaitEvent {
    pub side: Side,
    pub kind: Kind,
    /// Seconds from the first frame of the trial.
    pub time_s: f64,
    pub source: Source,
}
