//! Gait events from a tracked foot segment: a rigid cluster on the shoe (Running Injury Clinic,
//! RBDS heel markers) or a segment pose in every frame (markerless, e.g. Theia3D).
//!
//! Points of the foot located once in the segment's frame (from the static trial, or from the
//! segment's own geometry) are carried into every frame by the segment's pose — the calibrated
//! anatomical system technique (Cappozzo et al. 1995, Clin Biomech 10:171) — and the marker
//! detector ([`super::markers::foot_events`]) reads touchdown and lift from these virtual
//! points exactly as it does from real markers. One detector thus serves markers, clusters and
//! poses; where a point is virtual, its accuracy is that of the rigid-foot assumption (the
//! forefoot bends against a heel cluster by a few millimetres at impact).

use super::markers::{
    foot_events_each, settle_window_s, FootEvents, MarkerEventOptions, Touchdown,
};
use crate::model::{fit_gated, Pose, M3, V3};

/// Poses of a rigid cluster in every frame: least-squares fits (Söderkvist & Wedin 1993) of the
/// cluster as it was in the static trial (`local`, one point per marker) onto the markers in
/// each frame (`frames[f][k]`, NaN where missing), warm-started from the previous frame. A frame
/// with fewer than three markers seen, or whose fit leaves more than `max_rms_m` RMS residual
/// (the cluster is not rigid there: a swapped or knocked marker), has no pose ([`Pose::nan`]).
pub fn track_cluster(local: &[V3], frames: &[Vec<V3>], max_rms_m: f64) -> Vec<Pose> {
    let mut previous: Option<M3> = None;
    let (mut loc, mut lab) = (
        Vec::with_capacity(local.len()),
        Vec::with_capacity(local.len()),
    );
    frames
        .iter()
        .map(|seen| {
            loc.clear();
            lab.clear();
            for (l, p) in local.iter().zip(seen) {
                if l.iter().chain(p.iter()).all(|v| v.is_finite()) {
                    loc.push(*l);
                    lab.push(*p);
                }
            }
            let (pose, _) = fit_gated(&loc, &lab, previous.as_ref(), max_rms_m);
            previous = pose.is_valid().then_some(pose.rot);
            pose
        })
        .collect()
}

/// A foot segment turning faster than this (rad/s) between two frames is a tracking glitch,
/// not a foot: the foot's sagittal angular velocity peaks at 12.5–13.3 rad/s in running at
/// 3.5 m/s (`shared/data/running/imu_cycle`, Dorschky et al. 2019) and the RBDS001 and RIC
/// heel/shoe clusters turn at 12 rad/s at their 99th percentile; the RIC right shoe cluster has
/// runs of frames where all four markers jump together at 13 m/s and the fitted foot turns at
/// 50–125 rad/s.
pub const MAX_FOOT_TURN_RAD_S: f64 = 50.0;

/// `poses` with tracking glitches removed (NaN): a frame reached by a turn faster than
/// `max_rad_s` starts a glitch, which ends at the next such turn within `max_glitch_s` (the
/// pose jumps away and back) or, with none, at that frame alone.
pub fn drop_glitches(poses: &[Pose], rate_hz: f64, max_rad_s: f64, max_glitch_s: f64) -> Vec<Pose> {
    let turn = |a: &Pose, b: &Pose| -> f64 {
        let rel = a.rot.transpose() * b.rot;
        ((rel.trace() - 1.0) / 2.0).clamp(-1.0, 1.0).acos() * rate_hz
    };
    let jumps: Vec<usize> = (1..poses.len())
        .filter(|&f| {
            poses[f - 1].is_valid()
                && poses[f].is_valid()
                && turn(&poses[f - 1], &poses[f]) > max_rad_s
        })
        .collect();
    let span = (max_glitch_s * rate_hz).round() as usize;
    let mut out = poses.to_vec();
    let mut k = 0;
    while k < jumps.len() {
        let a = jumps[k];
        match jumps.get(k + 1) {
            Some(&b) if b - a <= span => {
                out[a..b].iter_mut().for_each(|p| *p = Pose::nan());
                k += 2;
            }
            _ => {
                out[a] = Pose::nan();
                k += 1;
            }
        }
    }
    out
}

/// Two adjacent segments tracked by skin clusters agree on their joint's centre within the
/// soft-tissue artefact of both and the joint's own play: 10–17 mm at most over whole running
/// trials of RBDS001 and RBDS032 (ankle centre, the static's malleoli midpoint, carried by the
/// heel cluster and by the shank cluster), 9 mm at the 95th percentile in the RIC file. A foot
/// cluster that leaves its shank by more than this is not tracking the foot (the RIC file's
/// shoe clusters: 28 runs of 65–225 ms on the right, 5 on the left, 125–531 mm apart at their
/// peak, most in late swing). The level is twice the largest disagreement of clean tracking
/// seen. The joint constraint is the premise of global-optimisation inverse kinematics (Lu &
/// O'Connor 1999, J Biomech 32:129).
pub const MAX_JOINT_GAP_M: f64 = 0.035;

/// Frames where a distal segment's pose does not keep the joint it shares with its proximal
/// segment: the joint centre `joint` (a point of the static trial; both poses map the static
/// onto each frame, so it is a local point of both) carried by `distal` lies more than `max_m`
/// from the same centre carried by `proximal`. Each such run is widened on both sides while
/// the gap keeps closing away from it, to its nearest local minimum: a lab's low-pass spreads
/// a tracking jump into a ramp, and the ramp's frames are no more the segment than the jump's.
/// Frames where either pose is missing are not flagged (nothing to compare).
pub fn joint_breaks(distal: &[Pose], proximal: &[Pose], joint: &V3, max_m: f64) -> Vec<bool> {
    let gap: Vec<f64> = distal
        .iter()
        .zip(proximal)
        .map(|(d, p)| {
            if d.is_valid() && p.is_valid() {
                (d.to_lab(joint) - p.to_lab(joint)).norm()
            } else {
                f64::NAN
            }
        })
        .collect();
    let mut broken: Vec<bool> = gap.iter().map(|g| *g > max_m).collect();
    let seeds: Vec<usize> = (0..gap.len()).filter(|&f| broken[f]).collect();
    for f in seeds {
        let mut k = f;
        while k > 0 && !broken[k - 1] && gap[k - 1] < gap[k] {
            k -= 1;
            broken[k] = true;
        }
        let mut k = f;
        while k + 1 < gap.len() && !broken[k + 1] && gap[k + 1] < gap[k] {
            k += 1;
            broken[k] = true;
        }
    }
    broken
}

/// Heights (lab z, m) of `points` (given in the segment's frame) carried by `poses`: one row per
/// point, one value per frame, NaN where the pose is missing.
pub fn carried_heights(poses: &[Pose], points: &[V3]) -> Vec<Vec<f64>> {
    points
        .iter()
        .map(|p| {
            poses
                .iter()
                .map(|pose| {
                    if pose.is_valid() {
                        pose.to_lab(p)[2]
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect()
}

/// Events of one foot from its segment's poses and points of the foot in the segment's frame
/// (heel, metatarsal heads, toe: whichever are known). `FootEvents` indices refer to `points`.
///
/// # Errors
/// No points, a bad rate, or fewer than a second of frames with a pose.
///
/// `how[k]` says how point `k`'s touchdown is timed: [`Touchdown::AccelerationJump`] for a
/// marker on the tracked rearfoot itself (a heel marker of the static carried by a heel
/// cluster or a foot pose), timed as the marker route times it, by the change-point fit;
/// [`Touchdown::ClusterMarker`] for a marker of the tracked cluster (timed the same way, left
/// out of the coarse stances); [`Touchdown::VelocityMinimum`] for a point carried across the
/// foot. An empty slice: every point is carried across the foot.
///
/// `probe`, when given, is a point of the tracked body itself, in the segment's frame (a
/// cluster's centroid, a pose's origin): its height tells whether the lab low-passed the data
/// before export. If it did (see [`super::markers::settle_window_s`]), a carried point is given
/// longer to be seen standing after touchdown, the smoothing having spread its stop. Carried
/// points themselves cannot tell: the fit's rotation noise, multiplied by their distance from
/// the cluster, makes them look unfiltered. Give it only for points on the sole: a marker on
/// the heel counter of a forefoot striker, still descending since late swing, would pass the
/// longer window and date IC 20–40 ms early (RBDS001 low-passed at 15–20 Hz).
pub fn foot_events_from_segment(
    poses: &[Pose],
    points: &[V3],
    how: &[Touchdown],
    probe: Option<&V3>,
    rate_hz: f64,
    opts: &MarkerEventOptions,
) -> crate::error::Result<FootEvents> {
    if points.is_empty() || points.iter().any(|p| p.iter().any(|v| !v.is_finite())) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::MissingMarkers,
            "no finite foot points to carry with the segment",
        ));
    }
    if !how.is_empty() && how.len() != points.len() {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            format!(
                "{} touchdown timings for {} foot points",
                how.len(),
                points.len()
            ),
        ));
    }
    if !(rate_hz.is_finite() && rate_hz > 0.0) {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            format!("frame rate {rate_hz} Hz is not a rate"),
        ));
    }
    let tracked = poses.iter().filter(|p| p.is_valid()).count();
    if (tracked as f64) < rate_hz {
        return Err(crate::error::Error::stage(
            crate::error::Reason::TooShort,
            format!(
                "the foot segment has a pose in {tracked} frames, under a second at {rate_hz} Hz"
            ),
        ));
    }
    let poses = drop_glitches(poses, rate_hz, MAX_FOOT_TURN_RAD_S, 0.05);
    let poses = poses.as_slice();
    let settle = probe.map_or(opts.carried_stop_within_s, |p| {
        settle_window_s(&carried_heights(poses, &[*p]), rate_hz, opts)
    });
    // a point carried across the foot has its stop read at its velocity minimum, not by the
    // change-point fit of markers on the shoe: the shoe bends between the tracked rearfoot and
    // the point, so its arrest is spread (on RBDS001 the fit dated such points' contacts 3–9 ms
    // late). A marker on the tracked rearfoot itself has no bend in between and is timed as
    // the marker route times it (tests/test_events_segments.py)
    let opts = MarkerEventOptions {
        carried_stop_within_s: settle,
        ..*opts
    };
    let carried = vec![Touchdown::VelocityMinimum; points.len()];
    let how = if how.is_empty() { &carried } else { how };
    Ok(foot_events_each(
        &carried_heights(poses, points),
        rate_hz,
        &opts,
        how,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Kind;

    fn rot_y(a: f64) -> M3 {
        let (s, c) = a.sin_cos();
        M3::new(c, 0.0, s, 0.0, 1.0, 0.0, -s, 0.0, c)
    }

    /// A rigid cluster turned and moved is tracked to 1e-9 m, a missing marker is tolerated
    /// while three remain, and a knocked marker (30 mm off) makes the frame's pose NaN.
    #[test]
    fn cluster_tracking_recovers_poses_and_refuses_a_deformed_cluster() {
        let local = vec![
            V3::new(0.0, 0.0, 0.05),
            V3::new(0.03, 0.02, 0.06),
            V3::new(-0.02, 0.03, 0.08),
            V3::new(0.01, -0.03, 0.07),
        ];
        let truth: Vec<Pose> = (0..50)
            .map(|f| Pose {
                rot: rot_y(0.02 * f as f64),
                origin: V3::new(0.01 * f as f64, 0.2, 0.1),
            })
            .collect();
        let mut frames: Vec<Vec<V3>> = truth
            .iter()
            .map(|p| local.iter().map(|l| p.to_lab(l)).collect())
            .collect();
        frames[10][2] = V3::from_element(f64::NAN);
        frames[20][1] += V3::new(0.0, 0.0, 0.03);
        let poses = track_cluster(&local, &frames, 0.005);
        for (f, (p, t)) in poses.iter().zip(&truth).enumerate() {
            if f == 20 {
                assert!(!p.is_valid());
                continue;
            }
            assert!((p.origin - t.origin).norm() < 1e-9, "{f}");
            assert!((p.rot - t.rot).norm() < 1e-9, "{f}");
        }
    }

    /// A foot cluster that jumps 20 cm away from its shank for six frames, with a ramp in and
    /// out as a lab's low-pass leaves it, is flagged over the jump and the ramp down to the
    /// first frame back at the normal gap; the frames where foot and shank keep the joint
    /// within soft-tissue play (8 mm here) are not, nor a frame without a foot pose.
    #[test]
    fn a_foot_that_leaves_its_shank_is_flagged_with_its_ramp() {
        let joint = V3::new(0.0, 0.0, 0.1);
        let shank: Vec<Pose> = (0..40)
            .map(|f| Pose {
                rot: rot_y(0.01 * f as f64),
                origin: V3::new(0.02 * f as f64, 0.0, 0.0),
            })
            .collect();
        // the foot keeps the joint but for 8 mm of soft-tissue play, then jumps and comes back
        let away = [
            0.0, 0.0, 0.01, 0.05, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.05, 0.01, 0.0,
        ];
        let foot: Vec<Pose> = shank
            .iter()
            .enumerate()
            .map(|(f, s)| {
                let jump = if (10..23).contains(&f) {
                    away[f - 10]
                } else {
                    0.0
                };
                let rot = s.rot * rot_y(0.3 * (f as f64 * 0.2).sin());
                let at = s.to_lab(&joint) + V3::new(0.008 + jump, 0.0, 0.0);
                Pose {
                    rot,
                    origin: at - rot * joint,
                }
            })
            .collect();
        let broken = joint_breaks(&foot, &shank, &joint, MAX_JOINT_GAP_M);
        let flagged: Vec<usize> = (0..40).filter(|&f| broken[f]).collect();
        assert_eq!(flagged, (11..23).collect::<Vec<_>>(), "{flagged:?}");
        let mut missing = foot.clone();
        missing[15] = Pose::nan();
        assert!(!joint_breaks(&missing, &shank, &joint, MAX_JOINT_GAP_M)[15]);
    }

    /// A foot pose whose heel point lands first and whose toe point lifts last, both known by
    /// construction: the carried points give IC at the heel's touchdown (the heel is the IC
    /// point, the toe the TO point) and TO after the toe leaves the floor and before it is 25 mm
    /// up (at 0.6 m/s, 42 ms later), on every stride.
    #[test]
    fn carried_points_give_the_events_of_the_foot() {
        let rate = 200.0;
        let period = 0.7;
        let (ic, to) = (0.25, 0.50);
        // the foot's origin is the heel point; the toe is 0.2 m ahead. Before IC the foot is
        // dorsiflexed (toe up) and falls; after IC it rotates down to flat about the heel; at
        // heel-off it rotates about the toe; after TO it rises.
        let press = |dt: f64| -0.004 * (1.0 - (-dt / 0.005).exp());
        let pose_at = |t: f64| -> Pose {
            let tt = t.rem_euclid(period);
            let flat = ic + 0.04;
            let heel_off = to - 0.12;
            let (pitch, heel_z) = if tt < ic {
                let x = (ic - tt).min(0.2);
                (-0.25, 0.8 * x - 2.0 * x * x)
            } else if tt < flat {
                // the shoe compresses 4 mm with a 5 ms time constant (velocity continuous)
                (-0.25 * (1.0 - (tt - ic) / 0.04), press(tt - ic))
            } else if tt < heel_off {
                (0.0, press(tt - ic))
            } else if tt < to {
                // heel rises as the foot turns about the toe
                let a = 0.6 * (tt - heel_off) / 0.12;
                (a, press(heel_off - ic) + 0.2 * a.sin())
            } else {
                (
                    0.6,
                    press(heel_off - ic) + 0.2 * 0.6_f64.sin() + (tt - to) * 0.6,
                )
            };
            Pose {
                rot: rot_y(pitch),
                origin: V3::new(0.0, 0.0, heel_z),
            }
        };
        let n = 1400;
        let poses: Vec<Pose> = (0..n).map(|f| pose_at(f as f64 / rate)).collect();
        let points = [V3::new(0.0, 0.0, 0.0), V3::new(0.2, 0.0, 0.0)];
        let fe = foot_events_from_segment(
            &poses,
            &points,
            &[],
            Some(&V3::zeros()),
            rate,
            &MarkerEventOptions::default(),
        )
        .unwrap();
        assert_eq!(fe.ic_marker, Some(0));
        assert_eq!(fe.to_marker, Some(1));
        let ics: Vec<f64> = fe
            .events
            .iter()
            .filter(|e| e.0 == Kind::Ic)
            .map(|e| e.1)
            .collect();
        let tos: Vec<f64> = fe
            .events
            .iter()
            .filter(|e| e.0 == Kind::To)
            .map(|e| e.1)
            .collect();
        assert!(ics.len() >= 8 && tos.len() >= 8, "{ics:?} {tos:?}");
        for t in ics {
            let err = (t - ic).rem_euclid(period).min((ic - t).rem_euclid(period));
            // within 1.5 frames (7.5 ms): a stop sharper than a frame puts the velocity
            // minimum on the frame before contact (the detector's known limit, docs/events.md)
            assert!(err < 0.0075, "IC {t}");
        }
        for t in tos {
            let after = (t - to).rem_euclid(period);
            assert!((0.0..0.042).contains(&after), "TO {t}");
        }
    }

    /// A pose that jumps away for three frames and back is dropped; a foot turning at
    /// 20 rad/s is kept.
    #[test]
    fn glitches_are_dropped_and_real_turns_kept() {
        let rate = 200.0;
        let mut poses: Vec<Pose> = (0..40)
            .map(|f| Pose {
                rot: rot_y(20.0 * f as f64 / rate),
                origin: V3::zeros(),
            })
            .collect();
        for p in &mut poses[10..13] {
            p.rot = rot_y(2.0) * p.rot;
        }
        let out = drop_glitches(&poses, rate, MAX_FOOT_TURN_RAD_S, 0.05);
        let dropped: Vec<usize> = (0..40).filter(|&f| !out[f].is_valid()).collect();
        assert_eq!(dropped, vec![10, 11, 12]);
    }

    #[test]
    fn too_few_poses_or_no_points_are_errors() {
        let poses = vec![Pose::nan(); 300];
        let pts = [V3::zeros()];
        assert!(foot_events_from_segment(
            &poses,
            &pts,
            &[],
            Some(&V3::zeros()),
            200.0,
            &MarkerEventOptions::default()
        )
        .unwrap_err()
        .to_string()
        .contains("under a second"));
        assert!(foot_events_from_segment(
            &poses,
            &[],
            &[],
            Some(&V3::zeros()),
            200.0,
            &MarkerEventOptions::default()
        )
        .is_err());
        // one timing per point, or none
        assert!(foot_events_from_segment(
            &poses,
            &pts,
            &[Touchdown::AccelerationJump, Touchdown::VelocityMinimum],
            Some(&V3::zeros()),
            200.0,
            &MarkerEventOptions::default()
        )
        .unwrap_err()
        .to_string()
        .contains("touchdown timings"));
    }
}
