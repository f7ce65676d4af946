//! The last step of every reader: units to metres and the file's axes to the canonical frame
//! (x forward, y left, z up), as the caller asks ([`AxisMode`]).

use super::axes;
use super::raw::RawTrial;
use crate::trial::{ForcePlate, Format, Trial};

/// How the caller wants axes handled.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum AxisMode {
    /// Detect vertical and progression from the data (labels, motion, file hints).
    #[default]
    Auto,
    /// Keep the file's axes (units are still converted to metres).
    Keep,
    /// Use the given file axes, e.g. vertical "+Y", progression "+X".
    Given {
        vertical: String,
        progression: String,
    },
}

/// The axis matrix of a file already in the canonical frame.
const IDENTITY: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// Units to metres, axes to canonical: the last step of every reader.
pub fn finish(mut raw: RawTrial, mode: &AxisMode) -> crate::error::Result<Trial> {
    let (scale, units, units_method) = axes::resolve_units(&raw)?;
    let mut t = match mode {
        AxisMode::Keep => crate::trial::AxisTransform::identity(&units, scale),
        AxisMode::Auto => {
            let (t, warnings) = axes::detect(&raw, scale);
            raw.warnings.extend(warnings);
            t
        }
        AxisMode::Given {
            vertical,
            progression,
        } => axes::from_names(&raw.path, vertical, progression)?,
    };
    t.scale_to_m = scale;
    t.file_units = units;
    t.units_method = units_method;
    if t.units_method.starts_with("declared")
        && raw.point_units.is_none()
        && raw.format != Format::ForceText
    {
        raw.warnings
            .push(format!("no length unit declared; {}", t.units_method));
    }

    let mut points = raw.points;
    let mut rotations = raw.rotations;
    // the common case of a file already in the canonical frame and in metres needs no pass
    #[allow(clippy::float_cmp)]
    if scale != 1.0 || t.matrix != IDENTITY {
        for p in points.chunks_exact_mut(3) {
            p.copy_from_slice(&t.rotate([p[0] * scale, p[1] * scale, p[2] * scale]));
        }
        // Poses: rotate each axis column and the translation; the bottom row stays [0 0 0 1].
        for m in rotations.chunks_exact_mut(16) {
            for col in 0..3 {
                let r = t.rotate([m[col], m[4 + col], m[8 + col]]);
                for row in 0..3 {
                    m[row * 4 + col] = r[row];
                }
            }
            let tr = t.rotate([m[3] * scale, m[7] * scale, m[11] * scale]);
            for row in 0..3 {
                m[row * 4 + 3] = tr[row];
            }
        }
    }
    let force_plates = raw
        .force_plates
        .into_iter()
        .map(|p| {
            let moment_to_nm = p.moment_to_nm.unwrap_or(scale);
            let normal_up = t.rotate(p.normal)[2];
            let mut force_n: Vec<f64> = p.force_n.chunks_exact(3).flat_map(|f| t.rotate([f[0], f[1], f[2]])).collect();
            // A ground reaction force on a running or standing body points up on average; plates
            // that report the force on the plate instead are flipped, and the trial says so.
            let n = force_n.len() / 3;
            let mean_up = if n > 0 { force_n.iter().skip(2).step_by(3).sum::<f64>() / n as f64 } else { 0.0 };
            let flip = mean_up < -1.0;
            if flip {
                for v in &mut force_n {
                    *v = -*v;
                }
                raw.warnings.push("force plate reported force on the plate; sign flipped to ground reaction on the body".into());
            }
            let sign = if flip { -1.0 } else { 1.0 };
            ForcePlate {
                plate_type: p.plate_type,
                corners_m: p.corners.map(|c| t.rotate([c[0] * scale, c[1] * scale, c[2] * scale])),
                origin: p.origin,
                channels: p.channels,
                rate_hz: p.rate_hz,
                force_n,
                cop_m: p.cop.chunks_exact(3).flat_map(|c| t.rotate([c[0] * scale, c[1] * scale, c[2] * scale])).collect(),
                free_moment_nm: p.free_moment.iter().map(|m| sign * m * moment_to_nm * normal_up).collect(),
            }
        })
        .collect();
    let mut metadata = raw.metadata;
    metadata.extend(raw.warnings.into_iter().map(|w| ("warning".to_string(), w)));
    Ok(Trial {
        path: raw.path,
        format: raw.format,
        point_rate_hz: raw.point_rate_hz,
        first_frame: raw.first_frame,
        n_frames: raw.n_frames,
        marker_names: raw.marker_names,
        points,
        analog_rate_hz: raw.analog_rate_hz,
        analog_names: raw.analog_names,
        analog_units: raw.analog_units,
        analogs: raw.analogs,
        force_plates,
        events: raw.events,
        rotation_names: raw.rotation_names,
        rotation_rate_hz: raw.rotation_rate_hz,
        rotations,
        axes: t,
        metadata,
    })
}
