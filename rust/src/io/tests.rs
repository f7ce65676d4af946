//! Reader tests on files whose content is known because they are written here, in every
//! processor and storage format, and on corrupted variants of them.

use std::path::Path;

use super::c3d_write::{char_param, float_param, int_param, write, C3dSpec, Processor};
use super::{read_bytes, AxisMode, ReadOptions};
use crate::error::Error;

fn keep_axes() -> ReadOptions {
    ReadOptions {
        axes: AxisMode::Keep,
        ..ReadOptions::default()
    }
}

/// Two markers moving in mm, three analog channels at 2 samples per frame.
fn sample_spec(processor: Processor, int_scale: Option<f32>) -> C3dSpec {
    let n = 20;
    let mut points = Vec::new();
    for f in 0..n {
        let t = f as f64;
        points.extend([100.0 + t, 200.0 - t, 900.0 + 0.5 * t]);
        if f == 7 {
            points.extend([f64::NAN; 3]);
        } else {
            points.extend([-50.0 + 2.0 * t, 10.0, 1000.0]);
        }
    }
    let mut analogs = Vec::new();
    for s in 0..2 * n {
        analogs.extend([s as f64, -(s as f64), 4.0]);
    }
    C3dSpec {
        processor,
        int_scale,
        point_rate_hz: 100.0,
        n_frames: n,
        labels: vec!["LASI".into(), "RASI".into()],
        points,
        analog_labels: vec!["A".into(), "B".into(), "C".into()],
        analog_per_frame: 2,
        analogs,
        analog_scale: vec![0.5, 0.25, 1.0],
        analog_offset: vec![0, 4, -2],
        gen_scale: 2.0,
        extra: vec![("POINT".into(), char_param("UNITS", &["mm".into()]))],
        ..C3dSpec::default()
    }
}

#[test]
fn round_trip_every_processor_and_storage() {
    for processor in [Processor::Intel, Processor::Dec, Processor::Mips] {
        for int_scale in [None, Some(0.1f32)] {
            let spec = sample_spec(processor, int_scale);
            let bytes = write(&spec);
            let t = read_bytes(Path::new("mem.c3d"), &bytes, &keep_axes()).unwrap();
            let what = format!("{processor:?} {int_scale:?}");
            assert_eq!(t.n_frames, 20, "{what}");
            assert_eq!(t.marker_names, vec!["LASI", "RASI"], "{what}");
            assert!((t.point_rate_hz - 100.0).abs() < 1e-9, "{what}");
            let tol = if int_scale.is_some() { 0.05e-3 } else { 1e-6 };
            for f in 0..20 {
                let p = t.point(f, 0);
                let want = [
                    0.1 + f as f64 * 1e-3,
                    0.2 - f as f64 * 1e-3,
                    0.9 + 0.5e-3 * f as f64,
                ];
                for k in 0..3 {
                    assert!(
                        (p[k] - want[k]).abs() < tol,
                        "{what} frame {f}: {p:?} vs {want:?}"
                    );
                }
            }
            assert!(
                t.point(7, 1).iter().all(|v| v.is_nan()),
                "{what}: invalid point must be NaN"
            );
            assert!((t.point(8, 1)[0] - (-0.034)).abs() < tol, "{what}");
            assert_eq!(t.n_analog_samples(), 40, "{what}");
            for s in 0..40 {
                let row = &t.analogs[s * 3..s * 3 + 3];
                let want = [s as f64, -(s as f64), 4.0];
                for c in 0..3 {
                    assert!(
                        (row[c] - want[c]).abs() < 1e-3,
                        "{what} sample {s} ch {c}: {row:?} vs {want:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn frame_counts_beyond_65535_use_trial_fields() {
    let n = 70_000;
    let spec = C3dSpec {
        n_frames: n,
        first_frame: 5,
        labels: vec!["M".into()],
        points: (0..n).flat_map(|f| [f as f64, 0.0, 1000.0]).collect(),
        extra: vec![("POINT".into(), char_param("UNITS", &["mm".into()]))],
        ..C3dSpec::default()
    };
    let t = read_bytes(Path::new("long.c3d"), &write(&spec), &keep_axes()).unwrap();
    assert_eq!(t.n_frames, n);
    assert_eq!(t.first_frame, 5);
    assert!((t.point(n - 1, 0)[0] - (n - 1) as f64 * 1e-3).abs() < 1e-9);
}

#[test]
fn labels_continue_in_labels2() {
    let n_markers = 300;
    let spec = C3dSpec {
        n_frames: 1,
        labels: (0..n_markers).map(|i| format!("M{i}")).collect(),
        points: (0..n_markers).flat_map(|i| [i as f64, 0.0, 0.0]).collect(),
        extra: vec![("POINT".into(), char_param("UNITS", &["m".into()]))],
        ..C3dSpec::default()
    };
    let t = read_bytes(Path::new("many.c3d"), &write(&spec), &keep_axes()).unwrap();
    assert_eq!(t.marker_names.len(), n_markers);
    assert_eq!(t.marker_names[299], "M299");
    assert_eq!(t.marker_names[255], "M255");
}

#[test]
fn events_are_read_with_side_and_kind_relative_to_first_frame() {
    let mut spec = sample_spec(Processor::Intel, None);
    spec.first_frame = 101; // the trial starts 1 s into the capture at 100 Hz
    spec.extra.extend([
        ("EVENT".into(), int_param("USED", vec![], vec![2])),
        (
            "EVENT".into(),
            char_param("CONTEXTS", &["Left".into(), "Right".into()]),
        ),
        (
            "EVENT".into(),
            char_param("LABELS", &["Foot Strike".into(), "Foot Off".into()]),
        ),
        (
            "EVENT".into(),
            float_param("TIMES", vec![2, 2], vec![0.0, 1.05, 0.0, 1.12]),
        ),
    ]);
    let t = read_bytes(Path::new("ev.c3d"), &write(&spec), &keep_axes()).unwrap();
    assert_eq!(t.events.len(), 2);
    assert!((t.events[0].time_s - 0.05).abs() < 1e-6);
    assert_eq!(
        (t.events[0].side(), t.events[0].kind()),
        (Some('L'), Some("IC"))
    );
    assert_eq!(
        (t.events[1].side(), t.events[1].kind()),
        (Some('R'), Some("TO"))
    );
}

#[test]
fn multi_dimensional_char_arrays_split_by_first_dimension() {
    let mut spec = sample_spec(Processor::Intel, None);
    let mut p = char_param("GRID", &[]);
    p.dims = vec![3, 2, 2];
    p.data = super::c3d::ParamData::Char(b"ab cd ef gh ".to_vec());
    spec.extra.push(("CUSTOM".into(), p));
    let (_, params) = super::c3d::parse(Path::new("g.c3d"), &write(&spec)).unwrap();
    assert_eq!(
        params.get("CUSTOM", "GRID").unwrap().strings(),
        vec!["ab", "cd", "ef", "gh"]
    );
}

/// A 400 × 600 mm plate whose axes align with the lab but z points down, plate type
/// `plate_type` with six channels labelled `labels` carrying `one_sample` in each of 20 frames.
fn one_plate_spec(plate_type: i16, labels: [&str; 6], one_sample: [f64; 6]) -> C3dSpec {
    let mut spec = sample_spec(Processor::Intel, None);
    spec.analog_labels = labels.map(String::from).to_vec();
    spec.analog_scale = vec![1.0; 6];
    spec.analog_offset = vec![0; 6];
    spec.gen_scale = 1.0;
    spec.analog_per_frame = 1;
    spec.analogs = (0..20).flat_map(|_| one_sample).collect();
    spec.extra.extend([
        ("FORCE_PLATFORM".into(), int_param("USED", vec![], vec![1])),
        (
            "FORCE_PLATFORM".into(),
            int_param("TYPE", vec![1], vec![plate_type]),
        ),
        (
            "FORCE_PLATFORM".into(),
            int_param("CHANNEL", vec![6, 1], vec![1, 2, 3, 4, 5, 6]),
        ),
        (
            "FORCE_PLATFORM".into(),
            float_param("ORIGIN", vec![3, 1], vec![0.0, 0.0, 0.0]),
        ),
        (
            "FORCE_PLATFORM".into(),
            // corners (+x+y, −x+y, −x−y, +x−y) of a plate with x = lab x, y = lab −y, z = lab −z
            float_param(
                "CORNERS",
                vec![3, 4, 1],
                vec![
                    200.0, -300.0, 0.0, -200.0, -300.0, 0.0, -200.0, 300.0, 0.0, 200.0, 300.0, 0.0,
                ],
            ),
        ),
    ]);
    spec
}

/// 700 N down on the plate at (+50, −20) mm from its centre: the lab's vertical force on the body
/// is +700 N and the centre of pressure (0.050, 0.020) m (plate y = lab −y).
fn assert_700_n_at_50_20(path: &str, spec: &C3dSpec) {
    let t = read_bytes(Path::new(path), &write(spec), &keep_axes()).unwrap();
    let p = &t.force_plates[0];
    assert!(
        (p.force_n[2] - 700.0).abs() < 1e-6,
        "vertical force on the body is up: {:?}",
        &p.force_n[..3]
    );
    assert!(
        (p.cop_m[0] - 0.050).abs() < 1e-9 && (p.cop_m[1] - 0.020).abs() < 1e-9,
        "{:?}",
        &p.cop_m[..3]
    );
}

#[test]
fn force_plate_type1_reads_the_centre_of_pressure_channels() {
    // Type 1 gives Fx, Fy, Fz, COPx, COPy (plate frame, mm) and Tz directly: the load is known by
    // construction, not computed by the reader's formula.
    let spec = one_plate_spec(
        1,
        ["Fx", "Fy", "Fz", "COPx", "COPy", "Tz"],
        [0.0, 0.0, -700.0, 50.0, -20.0, 0.0],
    );
    assert_700_n_at_50_20("fp1.c3d", &spec);
}

#[test]
fn force_plate_type2_gives_force_and_cop_in_lab() {
    // Moments about the plate origin for force (0, 0, fz) applied at (px, py, 0): M = r × F.
    let (fz, px, py) = (-700.0, 50.0, -20.0);
    let spec = one_plate_spec(
        2,
        ["Fx", "Fy", "Fz", "Mx", "My", "Mz"],
        [0.0, 0.0, fz, py * fz, -px * fz, 0.0],
    );
    assert_700_n_at_50_20("fp.c3d", &spec);
}

fn assert_rejects(name: &str, bytes: &[u8], want: &str) {
    assert_rejects_with(name, bytes, want, &keep_axes());
}

fn assert_rejects_with(name: &str, bytes: &[u8], want: &str, opts: &ReadOptions) {
    let err = read_bytes(Path::new(name), bytes, opts).expect_err(name);
    let msg = err.to_string();
    assert!(
        msg.starts_with(name),
        "{name}: message must name the file: {msg}"
    );
    assert!(msg.contains(want), "{name}: expected '{want}' in: {msg}");
    assert!(!matches!(err, Error::Io { .. }));
}

#[test]
fn corrupted_c3d_variants_give_clear_errors() {
    let good = write(&sample_spec(Processor::Intel, None));
    assert_rejects("empty.c3d", &[], "empty file");
    assert_rejects(
        "short.c3d",
        &good[..300],
        "shorter than the 512-byte C3D header",
    );
    let mut magic = good.clone();
    magic[1] = 0x51;
    assert_rejects("magic.c3d", &magic, "not a C3D file");
    let mut zero_ptr = good.clone();
    zero_ptr[0] = 0;
    assert_rejects("zeroptr.c3d", &zero_ptr, "parameter section pointer is 0");
    let mut far_ptr = good.clone();
    far_ptr[0] = 200;
    assert_rejects("farptr.c3d", &far_ptr, "truncated");
    let mut proc_byte = good.clone();
    proc_byte[512 + 3] = 99;
    assert_rejects("proc.c3d", &proc_byte, "unknown processor type 99");
    let header_only = &good[..1024];
    assert_rejects("headeronly.c3d", header_only, "truncated");
    assert_rejects("cut.c3d", &good[..good.len() - 700], "announces 20 frames");
    // first parameter record (group POINT): make its next-record offset point backwards
    let mut backwards = good.clone();
    let off = 512 + 4 + 2 + 5;
    backwards[off..off + 2].copy_from_slice(&(-40i16).to_le_bytes());
    assert_rejects("backwards.c3d", &backwards, "points backwards");
    // huge frame count claimed by the header: refused before any allocation, unless the
    // parameters' own count (POINT:FRAMES) fits the file exactly, which is then read with a
    // warning naming the field
    let mut huge = good.clone();
    huge[8..10].copy_from_slice(&0xFFFEu16.to_le_bytes());
    let (t, _) = crate::io::c3d::parse(Path::new("huge.c3d"), &huge).unwrap();
    let (orig, _) = crate::io::c3d::parse(Path::new("good.c3d"), &good).unwrap();
    assert_eq!(t.n_frames, orig.n_frames);
    assert!(t
        .points
        .iter()
        .zip(&orig.points)
        .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())));
    assert!(
        t.warnings.iter().any(|w| w.contains("POINT:FRAMES")),
        "{:?}",
        t.warnings
    );
    let truncated = &huge[..huge.len() - 700];
    assert_rejects("huge.c3d", truncated, "announces 65534 frames");
    // a parameter with absurd dimensions
    let mut spec = sample_spec(Processor::Intel, None);
    let mut p = int_param("BIG", vec![255, 255, 255], vec![]);
    p.dims = vec![255, 255, 255];
    spec.extra.push(("CUSTOM".into(), p));
    let mut bytes = write(&spec);
    bytes.truncate(bytes.len().min(4096));
    assert_rejects("bigparam.c3d", &bytes, "parameter 'BIG'");
    // a NaN point scale
    let mut spec = sample_spec(Processor::Intel, None);
    spec.extra
        .push(("POINT".into(), float_param("SCALE", vec![], vec![f32::NAN])));
    assert_rejects("nanscale.c3d", &write(&spec), "POINT:SCALE is NaN");
    // a zero point rate
    let mut spec = sample_spec(Processor::Intel, None);
    spec.point_rate_hz = 0.0;
    assert_rejects("norate.c3d", &write(&spec), "point rate is 0 Hz");
    // force plate pointing at channels the file does not have
    let mut spec = sample_spec(Processor::Intel, None);
    spec.extra.extend([
        ("FORCE_PLATFORM".into(), int_param("USED", vec![], vec![1])),
        ("FORCE_PLATFORM".into(), int_param("TYPE", vec![1], vec![2])),
        (
            "FORCE_PLATFORM".into(),
            int_param("CHANNEL", vec![6, 1], vec![1, 2, 3, 4, 5, 60]),
        ),
    ]);
    assert_rejects("fpchan.c3d", &write(&spec), "refers to analog channels");
    // rotation data announced beyond the end of the file
    let mut spec = sample_spec(Processor::Intel, None);
    spec.extra.extend([
        ("ROTATION".into(), int_param("USED", vec![], vec![3])),
        (
            "ROTATION".into(),
            int_param("DATA_START", vec![], vec![4000]),
        ),
    ]);
    assert_rejects("rot.c3d", &write(&spec), "ROTATION data");
}

/// Every prefix of a valid file and thousands of random byte flips: an error or a trial, never a
/// panic, and never a runaway allocation (the test would abort).
#[test]
fn no_panic_on_truncations_and_flips() {
    let good = write(&sample_spec(Processor::Intel, Some(0.1)));
    for len in 0..good.len() {
        let _ = read_bytes(
            Path::new("prefix.c3d"),
            &good[..len],
            &ReadOptions::default(),
        );
    }
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..5000 {
        let mut bytes = good.clone();
        for _ in 0..=(rand() % 4) {
            let at = (rand() as usize) % bytes.len().min(2048);
            bytes[at] = rand() as u8;
        }
        let _ = read_bytes(Path::new("flip.c3d"), &bytes, &ReadOptions::default());
    }
}

#[test]
fn marker_table_reads_and_reports_bad_cells() {
    let text = "Time\tAX\tAY\tAZ\tBX\tBY\tBZ\n0\t1\t2\t3\t4\t5\t6\n0.01\t1.5\t\t3\t4\t5\t6\n0.02\t1\t2\t3\t4\t5\t6\n";
    let t = read_bytes(Path::new("m.txt"), text.as_bytes(), &keep_axes()).unwrap();
    assert_eq!(t.marker_names, vec!["A", "B"]);
    assert!((t.point_rate_hz - 100.0).abs() < 1e-9);
    assert!(t.point(1, 0)[1].is_nan(), "empty cell is missing, not 0");
    let bad = text.replace("1.5", "1.5x");
    assert_rejects(
        "bad.txt",
        bad.as_bytes(),
        "line 3, column 2: '1.5x' is not a number",
    );
    let cut = &text[..text.len() - 6];
    assert_rejects("cut.txt", cut.as_bytes(), "line 4 has 5 of 7 values");
    assert_rejects(
        "cols.txt",
        b"Time\tAX\tAY\n0\t1\t2\n",
        "not a multiple of 3",
    );
    assert_rejects(
        "names.txt",
        b"Time\tAX\tAQ\tAZ\n0\t1\t2\t3\n",
        "expected <marker>Y",
    );
    assert_rejects("bin.txt", b"Time\tA\0X\n", "binary data");
}

#[test]
fn force_table_needs_a_rate_for_sample_numbers() {
    let text = "Time\tFx\tFy\tFz\tCOPx\tCOPy\tCOPz\tTy\n1\t0\t700\t0\t1000\t0\t500\t0\n2\t0\t710\t0\t1001\t0\t500\t0\n3\t0\t0\t0\t0\t0\t0\t0\n";
    assert_rejects("f.txt", text.as_bytes(), "sample number");
    let opts = ReadOptions {
        force_rate_hz: Some(300.0),
        axes: AxisMode::Keep,
        ..ReadOptions::default()
    };
    let t = read_bytes(Path::new("f.txt"), text.as_bytes(), &opts).unwrap();
    let p = &t.force_plates[0];
    assert!((p.rate_hz - 300.0).abs() < 1e-12);
    assert!((p.force_n[1] - 700.0).abs() < 1e-12);
    assert!((p.cop_m[0] - 1.0).abs() < 1e-12, "COP in mm becomes m");
    assert!(p.cop_m[6].is_nan(), "unloaded COP is NaN");
}

#[test]
fn trc_reads_and_checks_its_header() {
    let trc = "PathFileType\t4\t(X/Y/Z)\tx.trc\nDataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n100\t100\t2\t2\tmm\t100\t1\t2\nFrame#\tTime\tA\t\t\tB\t\t\n\t\tX1\tY1\tZ1\tX2\tY2\tZ2\n\n1\t0\t1\t2\t3\t4\t5\t6\n2\t0.01\t1\t2\t3\n";
    let t = read_bytes(Path::new("x.trc"), trc.as_bytes(), &keep_axes()).unwrap();
    assert_eq!(t.marker_names, vec!["A", "B"]);
    assert!((t.point(0, 1)[2] - 0.006).abs() < 1e-12);
    assert!(t.point(1, 1)[0].is_nan(), "trailing missing marker is NaN");
    let short = trc.replace("\t2\t2\tmm", "\t5\t2\tmm");
    assert_rejects(
        "short.trc",
        short.as_bytes(),
        "header says 5 frames but 2 rows follow",
    );
}

#[test]
fn axes_given_by_name_must_differ() {
    let bytes = write(&sample_spec(Processor::Intel, None));
    let opts = ReadOptions {
        axes: AxisMode::Given {
            vertical: "+Y".into(),
            progression: "-Y".into(),
        },
        ..ReadOptions::default()
    };
    assert_rejects_with("same.c3d", &bytes, "same axis", &opts);
    let opts_ok = ReadOptions {
        axes: AxisMode::Given {
            vertical: "+Y".into(),
            progression: "-Z".into(),
        },
        ..ReadOptions::default()
    };
    let t = read_bytes(Path::new("ok.c3d"), &bytes, &opts_ok).unwrap();
    // file +Y up, −Z forward: canonical y (left) = up × forward = −X (right-handed)
    assert_eq!(
        t.axes.matrix,
        [[0.0, 0.0, -1.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    );
}

/// Inputs the fuzzer (cargo fuzz, fuzz/) found crashing, kept so they never come back.
#[test]
fn fuzz_regressions_give_errors_not_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rust/src/io/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = if path.to_string_lossy().contains("c3d") {
            "regression.c3d"
        } else {
            "regression.txt"
        };
        let _ = read_bytes(Path::new(name), &bytes, &ReadOptions::default());
        n += 1;
    }
    assert!(n >= 1);
}

#[test]
fn parameter_dimensions_that_overflow_are_corrupt() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rust/src/io/fuzz_regressions/c3d-dims-overflow.bin"),
    )
    .unwrap();
    let err = read_bytes(Path::new("dims.c3d"), &bytes, &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("dims.c3d"), "{err}");
}

const MOT: &str = "Coordinates\nversion=1\nnRows=3\nnColumns=4\ninDegrees=no\nendheader\n\
time\tknee_angle_r\tpelvis_tx\thip_flexion_r\n\
0.00\t0.5\t1.25\t-0.1\n0.01\t0.6\t1.26\t-0.2\n0.02\t0.7\t1.27\t-0.3\n";

#[test]
fn mot_radians_become_degrees_but_translations_stay() {
    let t = super::text::parse_mot(Path::new("ik.mot"), MOT.as_bytes(), None).unwrap();
    assert_eq!(t.columns, ["knee_angle_r", "pelvis_tx", "hip_flexion_r"]);
    assert!(t.converted_from_radians);
    assert!((t.rate_hz - 100.0).abs() < 1e-9);
    assert!((t.values[0] - 0.5_f64.to_degrees()).abs() < 1e-12);
    assert!((t.values[1] - 1.25).abs() < 1e-12);
    assert!((t.values[8] - (-0.3_f64).to_degrees()).abs() < 1e-12);
    // the caller's unit wins over the header's
    let d = super::text::parse_mot(Path::new("ik.mot"), MOT.as_bytes(), Some(true)).unwrap();
    assert!((d.values[0] - 0.5).abs() < 1e-12);
}

#[test]
fn mot_damage_is_named() {
    let p = Path::new("ik.mot");
    let cut = &MOT[..MOT.len() - 12];
    let e = super::text::parse_mot(p, cut.as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ik.mot") && e.contains("line 10"), "{e}");
    let short = MOT.replace("0.02\t0.7\t1.27\t-0.3\n", "");
    let e = super::text::parse_mot(p, short.as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("nRows=3"), "{e}");
    let e = super::text::parse_mot(p, MOT.replace("endheader", "").as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("endheader"), "{e}");
    let e = super::text::parse_mot(p, MOT.replace("inDegrees=no\n", "").as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("inDegrees"), "{e}");
}
