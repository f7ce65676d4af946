"""Calibrated kinematics on real data: agreement with the RBDS lab's Visual3D output, plausible
running ranges on the Running Injury Clinic and Theia3D trials, label QA and missing markers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab import events, kinematics, strides
from stridelab.errors import DataError

PAIRS = [
    ("hip_flexion_deg", "hipAngZ", 2.0),
    ("hip_adduction_deg", "hipAngX", 4.0),
    ("hip_rotation_deg", "hipAngY", 4.0),
    ("knee_flexion_deg", "kneeAngZ", 2.0),
    ("knee_adduction_deg", "kneeAngX", 4.0),
    ("knee_rotation_deg", "kneeAngY", 4.0),
    ("ankle_dorsiflexion_deg", "ankleAngZ", 2.0),
    ("ankle_inversion_deg", "ankleAngX", 4.0),
    ("ankle_rotation_deg", "ankleAngY", 4.0),
]


@pytest.fixture(scope="module")
def rbds_static(rbds: Path) -> stridelab.Trial:
    return stridelab.read(rbds / "RBDS001static.txt")


def _rmse_against_visual3d(
    trial: stridelab.Trial, static: stridelab.Trial, visual3d: pl.DataFrame, speed: str
) -> dict[str, float]:
    k = kinematics.compute(trial, static)
    ev = events.from_force(trial, threshold_n=20.0)
    st = strides.strides(ev).filter(pl.col("side") == "R")
    assert st.height > 30
    right = k.side("R")
    out = {}
    for ours, theirs, _ in PAIRS:
        cycles = strides.normalise(
            right[ours].to_numpy(), trial.point_rate_hz, st["ic_s"], st["next_ic_s"]
        )
        mean = np.nanmean(cycles, axis=0)
        ref = visual3d[f"R{theirs}{speed}"].to_numpy()
        out[ours] = float(np.sqrt(np.mean((mean - ref) ** 2)))
    return out


def test_visual3d_agreement_right_side_2_5_m_s(rbds: Path, rbds_static: stridelab.Trial) -> None:
    v3d = pl.read_csv(rbds / "RBDS001processed.txt", separator="\t")
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    rmse = _rmse_against_visual3d(trial, rbds_static, v3d, "25")
    print("\nRMSE vs Visual3D, right, 2.5 m/s:", {k: round(v, 2) for k, v in rmse.items()})
    for ours, _, limit in PAIRS:
        assert rmse[ours] <= limit, (ours, rmse[ours])


def test_visual3d_agreement_right_side_3_5_m_s_c3d(
    rbds: Path, rbds_static: stridelab.Trial
) -> None:
    v3d = pl.read_csv(rbds / "RBDS001processed.txt", separator="\t")
    trial = stridelab.read(rbds / "RBDS001runT35.c3d")
    rmse = _rmse_against_visual3d(trial, rbds_static, v3d, "35")
    print("\nRMSE vs Visual3D, right, 3.5 m/s:", {k: round(v, 2) for k, v in rmse.items()})
    assert rmse["hip_flexion_deg"] <= 2.0
    assert rmse["knee_flexion_deg"] <= 2.0
    assert rmse["ankle_dorsiflexion_deg"] <= 2.5
    for ours, _, limit in PAIRS:
        if limit == 4.0:
            assert rmse[ours] <= limit, (ours, rmse[ours])


def test_swapped_metatarsal_labels_are_found_and_fixed(
    rbds: Path, rbds_static: stridelab.Trial
) -> None:
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    k = kinematics.compute(trial, rbds_static)
    assert k.swaps.select("a", "b").rows() == [("R.MT1", "R.MT5")]
    assert k.swaps["residual_before_mm"][0] > 20
    assert k.swaps["residual_after_mm"][0] < 3
    kept = kinematics.compute(trial, rbds_static, fix_swaps=False)
    assert any("left as they are" in n for n in kept.notes)
    # uncorrected, the right foot frame is flipped about its long axis: ankle inversion is off
    diff = np.nanmean(
        np.abs(kept.side("R")["ankle_inversion_deg"] - k.side("R")["ankle_inversion_deg"])
    )
    assert diff > 5


def test_static_trial_angles_are_neutral_where_defined(rbds_static: stridelab.Trial) -> None:
    k = kinematics.compute(rbds_static, rbds_static)
    r = k.side("R")
    # by construction: knee rotation and the foot are zero in standing
    assert abs(float(r["knee_rotation_deg"].mean())) < 0.5  # type: ignore[arg-type]
    assert abs(float(r["foot_angle_deg"].mean())) < 0.5  # type: ignore[arg-type]
    # standing: hips and knees nearly straight
    assert abs(float(r["hip_flexion_deg"].mean())) < 10  # type: ignore[arg-type]
    assert abs(float(r["knee_flexion_deg"].mean())) < 10  # type: ignore[arg-type]


def _range(k: kinematics.Kinematics, col: str) -> tuple[float, float]:
    v = k.angles[col].to_numpy()
    return float(np.nanpercentile(v, 1)), float(np.nanpercentile(v, 99))


def test_ric_running_ranges(data_dir: Path) -> None:
    static = stridelab.read(data_dir / "ric" / "20140515T133244_static.c3d")
    trial = stridelab.read(data_dir / "ric" / "20140515T133244_run.c3d")
    k = kinematics.compute(trial, static)
    assert k.model == "ric"
    knee = _range(k, "knee_flexion_deg")
    hip = _range(k, "hip_flexion_deg")
    ankle = _range(k, "ankle_dorsiflexion_deg")
    # treadmill running: knee from near straight to 70-130° in swing; hip -25..60°; ankle ±35°
    assert -10 < knee[0] < 25, knee
    assert 70 < knee[1] < 130, knee
    assert -30 < hip[0] < 5, hip
    assert 20 < hip[1] < 65, hip
    assert -45 < ankle[0] < -5, ankle
    assert 5 < ankle[1] < 40, ankle
    assert k.swaps.height == 0


def test_theia_pose_angles_in_running_ranges(data_dir: Path) -> None:
    trial = stridelab.read(data_dir / "theia" / "pose_filt_2.c3d")
    k = kinematics.compute(trial)
    assert k.model == "theia"
    valid = k.angles.filter(pl.col("knee_flexion_deg").is_not_nan())
    # the runner is in view for about 298 of 1322 frames
    assert 250 * 2 < valid.height < 320 * 2
    knee = _range(k, "knee_flexion_deg")
    hip = _range(k, "hip_flexion_deg")
    trunk = _range(k, "trunk_flexion_deg")
    assert -10 < knee[0] < 25, knee
    assert 70 < knee[1] < 140, knee
    assert -35 < hip[0] < 5, hip
    assert 20 < hip[1] < 75, hip
    # forward trunk lean of a distance runner: a few degrees to about 20°
    assert 0 < np.nanmedian(k.angles["trunk_flexion_deg"].to_numpy()) < 20, trunk
    # out of view: NaN, never a made-up angle
    assert k.angles.filter(pl.col("frame") == 0)["knee_flexion_deg"].is_nan().all()


def test_untracked_segment_gives_nan_only_where_needed(
    rbds: Path, rbds_static: stridelab.Trial
) -> None:
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    pts = trial.points.copy()
    thigh = [i for i, n in enumerate(trial.marker_names) if n.startswith("R.Thigh")]
    pts[100:120, thigh[:2]] = np.nan  # 2 of 4 thigh markers left: cannot fit
    k = kinematics.compute(dataclasses.replace(trial, points=pts), rbds_static)
    r = k.side("R").filter(pl.col("frame").is_between(100, 119))
    assert r["hip_flexion_deg"].is_nan().all()
    assert r["knee_flexion_deg"].is_nan().all()
    assert not r["ankle_dorsiflexion_deg"].is_nan().any()
    assert not r["pelvis_tilt_deg"].is_nan().any()
    before = k.side("R").filter(pl.col("frame") == 99)["hip_flexion_deg"]
    assert not before.is_nan().any()


def test_unit_mistake_between_static_and_dynamic_is_refused(
    rbds: Path, rbds_static: stridelab.Trial
) -> None:
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    wrong = dataclasses.replace(trial, points=trial.points * 1000.0)
    with pytest.raises(DataError, match="disagree on units"):
        kinematics.compute(wrong, rbds_static)


def test_unknown_marker_set_needs_a_label_map(
    tmp_path: Path, rbds: Path, rbds_static: stridelab.Trial
) -> None:
    renamed = kinematics.relabel(
        rbds_static, {n: n.replace(".", "_") for n in rbds_static.marker_names}
    )
    with pytest.raises(DataError, match="no kinematic model"):
        kinematics.compute(renamed, renamed)
    toml = tmp_path / "labels.toml"
    toml.write_text(
        "[labels]\n"
        + "".join(f'"{n.replace(".", "_")}" = "{n}"\n' for n in rbds_static.marker_names)
    )
    back = kinematics.relabel(renamed, toml)
    assert back.marker_names == rbds_static.marker_names
    k = kinematics.compute(back, back, marker_set="rbds")
    assert k.angles.height == 2 * back.n_frames


def test_rigid_fill_restores_a_long_gap(rbds: Path, rbds_static: stridelab.Trial) -> None:
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    i = trial.marker_names.index("R.Shank.Top.Lateral")
    truth = trial.points[:, i].copy()
    pts = trial.points.copy()
    pts[1000:1300, i] = np.nan  # 2 s: far too long for a spline
    holed = dataclasses.replace(trial, points=pts)
    filled, report = kinematics.fill_rigid(holed, rbds_static)
    row = report.filter(pl.col("marker") == "R.Shank.Top.Lateral")
    assert row.select("frames_filled", "first_frame", "last_frame").row(0) == (300, 1000, 1299)
    err_mm = np.linalg.norm(filled.points[1000:1300, i] - truth[1000:1300], axis=1) * 1000
    # skin-mounted clusters deform a little while running: a few millimetres
    assert np.median(err_mm) < 5
    assert err_mm.max() < 15
