//! The in-memory trial every reader produces and every later stage consumes.
//!
//! Conventions (stated once, tested in `tests/test_conventions.py` and `io::axes`):
//! - canonical lab frame after import: x forward (direction of progression), y left, z up;
//! - lengths in metres, forces in newtons, moments in newton-metres, time in seconds from the
//!   first frame of the trial;
//! - a missing sample is NaN, never 0.

use std::path::PathBuf;

/// Which reader produced a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    C3d,
    Trc,
    MarkerText,
    ForceText,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::C3d => "c3d",
            Self::Trc => "trc",
            Self::MarkerText => "marker_text",
            Self::ForceText => "force_text",
        }
    }
}

/// How the file's axes and units were mapped to the canonical frame.
///
/// `matrix` is a signed permutation with determinant +1: `canonical = matrix · file`; lengths are
/// then multiplied by `scale_to_m`.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisTransform {
    pub matrix: [[f64; 3]; 3],
    pub scale_to_m: f64,
    /// Units of lengths in the file, as declared or detected ("mm", "m", "cm").
    pub file_units: String,
    /// How the units were found: "declared" or a sentence on the detection.
    pub units_method: String,
    /// File axis that became +z (up), e.g. "+Y".
    pub vertical: String,
    /// File axis that became +x (forward), e.g. "-Z".
    pub progression: String,
    /// How the axes were found, in words, for the report.
    pub method: String,
}

impl AxisTransform {
    pub fn identity(file_units: &str, scale_to_m: f64) -> Self {
        Self {
            matrix: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            scale_to_m,
            file_units: file_units.to_string(),
            units_method: "declared".to_string(),
            vertical: "+Z".to_string(),
            progression: "+X".to_string(),
            method: "none applied".to_string(),
        }
    }

    /// Maps one file-frame vector (already in metres, or a force) to the canonical frame.
    #[inline]
    pub fn rotate(&self, v: [f64; 3]) -> [f64; 3] {
        let m = &self.matrix;
        [
            m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
            m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
            m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
        ]
    }
}

/// One force plate, with its signals already in the canonical lab frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ForcePlate {
    /// C3D FORCE_PLATFORM:TYPE (1–4), or 0 for forces given directly in lab coordinates (text files).
    pub plate_type: i32,
    /// Corners of the plate surface, canonical frame, metres (C3D order).
    pub corners_m: [[f64; 3]; 4],
    /// FORCE_PLATFORM:ORIGIN as stored (plate frame, file units), for reference.
    pub origin: [f64; 3],
    /// 1-based analog channels feeding this plate (empty for text files).
    pub channels: Vec<usize>,
    pub rate_hz: f64,
    /// Ground reaction force acting on the body, canonical frame, N (samples × 3).
    pub force_n: Vec<f64>,
    /// Centre of pressure, canonical frame, m (samples × 3); NaN while unloaded.
    pub cop_m: Vec<f64>,
    /// Free moment about the vertical axis, N·m (samples).
    pub free_moment_nm: Vec<f64>,
}

impl ForcePlate {
    pub fn n_samples(&self) -> usize {
        self.free_moment_nm.len()
    }
}

/// An event stored in the file (C3D EVENT group).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub context: String,
    pub label: String,
    pub description: String,
    /// Seconds from the first frame of the trial.
    pub time_s: f64,
}

impl Event {
    /// `L`, `R` or `None` from the event context ("Left", "Right", "General").
    pub fn side(&self) -> Option<char> {
        let c = self.context.trim().to_ascii_lowercase();
        if c.starts_with('l') {
            Some('L')
        } else if c.starts_with('r') {
            Some('R')
        } else {
            None
        }
    }

    /// `IC` for a foot strike, `TO` for a foot off, else `None`.
    pub fn kind(&self) -> Option<&'static str> {
        let l = self
            .label
            .trim()
            .to_ascii_lowercase()
            .replace(['_', '-'], " ");
        if l.contains("strike") || l.contains("contact") || l == "ic" || l == "hs" {
            Some("IC")
        } else if l.contains("off") || l == "to" || l.contains("toe off") {
            Some("TO")
        } else {
            None
        }
    }
}

/// A recording: markers, analogs, force plates, events and segment poses.
#[derive(Debug, Clone)]
pub struct Trial {
    pub path: PathBuf,
    pub format: Format,
    pub point_rate_hz: f64,
    /// The file's own number of the first frame (1 for text files).
    pub first_frame: u32,
    pub n_frames: usize,
    pub marker_names: Vec<String>,
    /// frames × markers × 3, metres, canonical frame, NaN where missing.
    pub points: Vec<f64>,
    pub analog_rate_hz: f64,
    pub analog_names: Vec<String>,
    pub analog_units: Vec<String>,
    /// samples × channels, scaled to the units in `analog_units`.
    pub analogs: Vec<f64>,
    pub force_plates: Vec<ForcePlate>,
    pub events: Vec<Event>,
    pub rotation_names: Vec<String>,
    pub rotation_rate_hz: f64,
    /// frames × segments × 4 × 4 (row-major homogeneous matrices), canonical frame, translation in m.
    pub rotations: Vec<f64>,
    pub axes: AxisTransform,
    /// Free-form facts from the file (manufacturer, software, subject...).
    pub metadata: Vec<(String, String)>,
}

impl Trial {
    pub fn n_markers(&self) -> usize {
        self.marker_names.len()
    }
    pub fn n_analog_samples(&self) -> usize {
        if self.analog_names.is_empty() {
            0
        } else {
            self.analogs.len() / self.analog_names.len()
        }
    }
    pub fn n_rotations(&self) -> usize {
        self.rotation_names.len()
    }
    /// Index of a marker by exact label.
    pub fn marker_index(&self, name: &str) -> Option<usize> {
        self.marker_names.iter().position(|m| m == name)
    }
    /// Position of marker `m` at frame `f` (metres, canonical).
    pub fn point(&self, f: usize, m: usize) -> [f64; 3] {
        let i = (f * self.n_markers() + m) * 3;
        [self.points[i], self.points[i + 1], self.points[i + 2]]
    }
    /// Percentage of frames in which each marker is missing.
    pub fn missing_percent(&self) -> Vec<f64> {
        let nm = self.n_markers();
        let mut missing = vec![0usize; nm];
        for f in 0..self.n_frames {
            for (m, count) in missing.iter_mut().enumerate() {
                if self.points[(f * nm + m) * 3].is_nan() {
                    *count += 1;
                }
            }
        }
        missing
            .into_iter()
            .map(|c| {
                if self.n_frames == 0 {
                    100.0
                } else {
                    100.0 * c as f64 / self.n_frames as f64
                }
            })
            .collect()
    }
}

impl Trial {
    /// A marker-only trial from arrays already in the canonical frame (metres).
    pub fn from_points(
        path: PathBuf,
        point_rate_hz: f64,
        marker_names: Vec<String>,
        points: Vec<f64>,
    ) -> Self {
        let n_frames = if marker_names.is_empty() {
            0
        } else {
            points.len() / 3 / marker_names.len()
        };
        Self {
            path,
            format: Format::C3d,
            point_rate_hz,
            first_frame: 1,
            n_frames,
            marker_names,
            points,
            analog_rate_hz: 0.0,
            analog_names: Vec::new(),
            analog_units: Vec::new(),
            analogs: Vec::new(),
            force_plates: Vec::new(),
            events: Vec::new(),
            rotation_names: Vec::new(),
            rotation_rate_hz: 0.0,
            rotations: Vec::new(),
            axes: AxisTransform::identity("m", 1.0),
            metadata: Vec::new(),
        }
    }
}
