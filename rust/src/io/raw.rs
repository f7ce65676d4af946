//! What a reader hands over before units and axes are settled: everything in the file's own
//! length unit and lab axes. `finish` turns it into a canonical [`Trial`].

use std::path::PathBuf;

use crate::trial::{Event, Format};

#[derive(Debug, Clone)]
pub struct RawForcePlate {
    pub plate_type: i32,
    pub corners: [[f64; 3]; 4],
    pub origin: [f64; 3],
    pub channels: Vec<usize>,
    pub rate_hz: f64,
    /// Force on the body in the file's lab axes, N.
    pub force_n: Vec<f64>,
    /// Centre of pressure in the file's lab axes and length unit.
    pub cop: Vec<f64>,
    /// Free moment about the plate's own z axis, in N × (moment unit).
    pub free_moment: Vec<f64>,
    /// The plate's z axis in the file's lab axes (points into the plate for C3D plates).
    pub normal: [f64; 3],
    /// Conversion of moments to N·m when the channel units say; otherwise the file's length unit.
    pub moment_to_nm: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct RawTrial {
    pub path: PathBuf,
    pub format: Format,
    pub point_rate_hz: f64,
    pub first_frame: u32,
    pub n_frames: usize,
    pub marker_names: Vec<String>,
    /// frames × markers × 3 in file units and axes.
    pub points: Vec<f64>,
    /// Declared unit of lengths ("mm", "m", "cm"), if the file says.
    pub point_units: Option<String>,
    pub analog_rate_hz: f64,
    pub analog_names: Vec<String>,
    pub analog_units: Vec<String>,
    pub analogs: Vec<f64>,
    pub force_plates: Vec<RawForcePlate>,
    pub events: Vec<Event>,
    pub rotation_names: Vec<String>,
    pub rotation_rate_hz: f64,
    /// frames × segments × 16, row-major 4×4, file units and axes.
    pub rotations: Vec<f64>,
    /// The axis the file says is up on screen (C3D POINT:Y_SCREEN), a fallback for axis detection.
    pub vertical_hint: Option<String>,
    pub metadata: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

impl RawTrial {
    /// Starting point for readers: no data, given path and format.
    pub fn empty(path: PathBuf, format: Format) -> Self {
        Self {
            path,
            format,
            point_rate_hz: 0.0,
            first_frame: 1,
            n_frames: 0,
            marker_names: Vec::new(),
            points: Vec::new(),
            point_units: None,
            analog_rate_hz: 0.0,
            analog_names: Vec::new(),
            analog_units: Vec::new(),
            analogs: Vec::new(),
            force_plates: Vec::new(),
            events: Vec::new(),
            rotation_names: Vec::new(),
            rotation_rate_hz: 0.0,
            rotations: Vec::new(),
            vertical_hint: None,
            metadata: Vec::new(),
            warnings: Vec::new(),
        }
    }
}
