"""Every real file in ../shared/data/running reads correctly, checked against values a
biomechanist can look up: frame counts and rates from the data set READMEs, coordinates from the
text exports, body weight from the force plate, and point-for-point agreement with ezc3d."""

from __future__ import annotations

import shutil
from pathlib import Path

import ezc3d
import numpy as np
import pytest

import stridelab

G = 9.81
RBDS001_MASS_KG = 62.0  # RBDSinfo.txt


def _ezc3d_points_m(path: Path, scale: float) -> np.ndarray:
    c = ezc3d.c3d(str(path))
    pts = c["data"]["points"][:3].transpose(2, 1, 0) * scale  # frames, markers, xyz
    return np.asarray(pts)


def test_rbds_run35_c3d(rbds: Path) -> None:
    auto = stridelab.read(rbds / "RBDS001runT35.c3d")
    assert (auto.axes.file_units, auto.axes.vertical, auto.axes.progression) == ("mm", "+Y", "+X")
    # the values below are the file's, in the axes the detection named (the automatic read
    # also turns the lab 0.9 deg onto the feet's line: test_heading_* below)
    t = stridelab.read(rbds / "RBDS001runT35.c3d", vertical="+Y", progression="+X")
    assert (t.format, t.n_frames, t.point_rate_hz, t.n_markers) == ("c3d", 4500, 150.0, 32)
    assert t.marker_names[0] == "L.ASIS"
    assert t.marker_names[-1] == "R.Thigh.Top.Medial"
    assert t.marker_set == "rbds"
    # Lab: +X forward, +Y up, +Z right → canonical x = X, y = −Z, z = Y (metres).
    np.testing.assert_allclose(t.marker("L.ASIS")[0], [2.42026, -0.963925, 0.992218], atol=2e-5)
    assert t.analog_names == ("F1X", "F1Y", "F1Z", "M1X", "M1Y", "M1Z")
    assert t.analog_rate_hz == 300.0
    assert t.analogs.shape == (9000, 6)
    (plate,) = t.force_plates
    assert plate.plate_type == 4
    assert plate.n_samples == 9000
    # Over a whole steady run the mean vertical GRF equals body weight (62 kg → 608 N).
    mean_fz = float(plate.force_n[:, 2].mean())
    assert mean_fz == pytest.approx(RBDS001_MASS_KG * G, rel=0.03)
    # Running: peaks of 2-3 body weights, flight phases near zero.
    assert 2.0 < plate.force_n[:, 2].max() / (RBDS001_MASS_KG * G) < 3.2
    assert np.mean(plate.force_n[:, 2] < 30.0) > 0.2
    # Treadmill corners 1249-3049 mm along X, 733.7-1219.7 mm along Z, at floor height.
    np.testing.assert_allclose(np.sort(plate.corners_m[:, 0]), [1.249, 1.249, 3.049, 3.049])
    np.testing.assert_allclose(plate.corners_m[:, 2], 0.0)
    loaded = plate.force_n[:, 2] > 200
    cop = plate.cop_m[loaded]
    assert np.all((cop[:, 0] > 1.2) & (cop[:, 0] < 3.1))
    assert np.all((cop[:, 1] > -1.25) & (cop[:, 1] < -0.70))


def test_rbds_c3d_matches_ezc3d_everywhere(rbds: Path) -> None:
    path = rbds / "RBDS001runT35.c3d"
    t = stridelab.read(path, axes="file")
    np.testing.assert_allclose(t.points, _ezc3d_points_m(path, 1e-3), atol=1e-9)
    c = ezc3d.c3d(str(path), extract_forceplat_data=True)
    np.testing.assert_allclose(t.analogs, c["data"]["analogs"][0].T, atol=1e-9)
    pf = c["data"]["platform"][0]
    np.testing.assert_allclose(t.force_plates[0].force_n, pf["force"].T, atol=1e-6)
    cop_ref = pf["center_of_pressure"].T * 1e-3
    both = np.isfinite(cop_ref[:, 0]) & np.isfinite(t.force_plates[0].cop_m[:, 0])
    assert both.sum() > 5000
    np.testing.assert_allclose(t.force_plates[0].cop_m[both], cop_ref[both], atol=1e-9)


def test_rbds_static_c3d_matches_its_text_export(rbds: Path) -> None:
    c3d = stridelab.read(rbds / "RBDS001static.c3d")
    txt = stridelab.read(rbds / "RBDS001static.txt")
    assert (c3d.n_frames, c3d.n_markers, txt.n_frames, txt.n_markers) == (150, 48, 150, 48)
    assert c3d.force_plates == ()
    assert any("no analog data" in w for w in c3d.warnings)
    for name in ("R.ASIS", "L.Heel.Top", "R.MT5", "L.Knee.Medial"):
        np.testing.assert_allclose(c3d.marker(name), txt.marker(name), atol=1e-4)


def test_rbds_text_markers_and_matching_forces(rbds: Path) -> None:
    auto = stridelab.read(rbds / "RBDS001runT25markers.txt")
    assert (auto.axes.vertical, auto.axes.progression, auto.axes.file_units) == ("+Y", "+X", "mm")
    t = stridelab.read(rbds / "RBDS001runT25markers.txt", vertical="+Y", progression="+X")
    assert (t.format, t.n_frames, t.point_rate_hz, t.n_markers) == ("marker_text", 4500, 150.0, 32)
    assert t.marker_names[:2] == ("R.ASIS", "L.ASIS")
    # first data row: R.ASIS 2337.84 1041.26 1170.22 (mm, X fwd, Y up, Z right)
    np.testing.assert_allclose(t.marker("R.ASIS")[0], [2.33784, -1.17022, 1.04126], atol=1e-9)
    (plate,) = t.force_plates
    assert (plate.rate_hz, plate.n_samples) == (300.0, 9000)
    # first force row: Fx −184.63, Fy 328.67 (vertical), Fz −72.78 (right); COP 2591.73 0 1134.51
    np.testing.assert_allclose(plate.force_n[0], [-184.63, 72.78, 328.67])
    np.testing.assert_allclose(plate.cop_m[0], [2.59173, -1.13451, 0.0])
    assert float(plate.force_n[:, 2].mean()) == pytest.approx(RBDS001_MASS_KG * G, rel=0.03)
    # zeroed below 30 N by the lab: COP unknown there, force exactly 0
    unloaded = plate.force_n[:, 2] == 0
    assert unloaded.mean() > 0.2
    assert np.isnan(plate.cop_m[unloaded]).all()


def test_force_table_alone_needs_its_rate(rbds: Path) -> None:
    with pytest.raises(stridelab.errors.DataError, match="sample number"):
        stridelab.read(rbds / "RBDS001runT25forces.txt")
    t = stridelab.read(rbds / "RBDS001runT25forces.txt", force_rate_hz=300.0)
    assert t.force_plates[0].n_samples == 9000
    assert t.axes.vertical == "+Y"


def test_ric_run_without_units_or_heel_labels(data_dir: Path) -> None:
    path = data_dir / "ric" / "20140515T133244_run.c3d"
    t = stridelab.read(path)
    assert (t.n_frames, t.point_rate_hz, t.n_markers, t.marker_set) == (5000, 200.0, 28, "ric")
    assert t.axes.file_units == "mm"
    assert t.axes.units_method.startswith("detected")
    # RIC lab: Y up, X to the runner's right, so forward is −Z.
    assert (t.axes.vertical, t.axes.progression) == ("+Y", "-Z")
    ref = _ezc3d_points_m(path, 1e-3)
    m = np.array(t.axes.matrix)
    np.testing.assert_allclose(t.points, np.einsum("ij,fmj->fmi", m, ref), atol=1e-9)
    # left thigh cluster is on the left (+y) of the right one
    left = np.nanmean(
        t.points[:, [i for i, n in enumerate(t.marker_names) if n.startswith("L_")]], axis=(0, 1)
    )
    right = np.nanmean(
        t.points[:, [i for i, n in enumerate(t.marker_names) if n.startswith("R_")]], axis=(0, 1)
    )
    assert left[1] - right[1] > 0.1


def test_ric_static_single_frame(data_dir: Path) -> None:
    t = stridelab.read(data_dir / "ric" / "20140515T133244_static.c3d")
    assert (t.n_frames, t.n_markers) == (1, 38)
    assert "L_lat_ankle" in t.marker_names
    assert (t.axes.vertical, t.axes.progression) == ("+Y", "-Z")
    # standing: knees about 0.5 m up, ankles about 0.1 m up, hips ≈ 0.88 m
    assert t.marker("L_lat_knee")[0, 2] == pytest.approx(0.525, abs=0.01)
    assert t.marker("R_lat_ankle")[0, 2] == pytest.approx(0.0927, abs=0.01)


def test_theia_rotations(data_dir: Path) -> None:
    path = data_dir / "theia" / "pose_filt_2.c3d"
    auto = stridelab.read(path)
    assert (auto.axes.file_units, auto.axes.vertical, auto.axes.progression) == ("m", "+Z", "+X")
    t = stridelab.read(path, vertical="+Z", progression="+X")  # the file's own values
    assert (t.n_frames, t.rotation_rate_hz, t.n_markers) == (1322, 85.0, 0)
    assert len(t.rotation_names) == 19
    assert t.rotation_names[:2] == ("worldbody_4X4", "pelvis_4X4")
    assert t.marker_set == "theia"
    pelvis = t.rotation("pelvis_4X4")
    valid = np.isfinite(pelvis[:, 0, 0])
    assert 0.2 < valid.mean() < 0.25  # the runner is in view for 298 of 1322 frames
    r = pelvis[valid, :3, :3]
    np.testing.assert_allclose(
        np.einsum("fji,fjk->fik", r, r), np.broadcast_to(np.eye(3), r.shape), atol=1e-5
    )
    np.testing.assert_allclose(np.linalg.det(r), 1.0, atol=1e-5)
    assert np.all(pelvis[valid, 3] == [0, 0, 0, 1])
    # pelvis about 1 m above the ground, travelling forward about 16 m across the view
    assert np.nanmedian(pelvis[valid, 2, 3]) == pytest.approx(1.0, abs=0.1)
    x = pelvis[valid, 0, 3]
    assert x[-1] - x[0] > 10
    c = ezc3d.c3d(str(path))
    ref = c["data"]["rotations"]  # 4, 4, segments, frames in the file's axes
    f = int(np.flatnonzero(valid)[0])
    np.testing.assert_allclose(
        pelvis[f], ref[:, :, 1, f], atol=1e-6
    )  # Theia is already x fwd, z up


def test_every_real_c3d_agrees_with_ezc3d(data_dir: Path) -> None:
    for path in sorted(data_dir.rglob("*.c3d")):
        t = stridelab.read(path, axes="file")
        c = ezc3d.c3d(str(path))
        assert (
            t.n_frames
            == c["header"]["points"]["last_frame"] - c["header"]["points"]["first_frame"] + 1
        )
        assert list(t.marker_names) == list(c["parameters"]["POINT"]["LABELS"]["value"]), path
        if t.n_markers:
            np.testing.assert_allclose(
                t.points, _ezc3d_points_m(path, t.axes.scale_to_m), atol=1e-9
            )


def test_forces_are_paired_by_name_or_explicitly(rbds: Path, tmp_path: Path) -> None:
    """`NAME.txt` picks up `NAMEforces.txt`; any force table can be named with forces=."""
    shutil.copy(rbds / "RBDS001runT25markers.txt", tmp_path / "RBDS001runT252.txt")
    shutil.copy(rbds / "RBDS001runT25forces.txt", tmp_path / "RBDS001runT252forces.txt")
    by_name = stridelab.read(tmp_path / "RBDS001runT252.txt")
    assert len(by_name.force_plates) == 1
    shutil.copy(rbds / "RBDS001runT25markers.txt", tmp_path / "session1.txt")
    shutil.copy(rbds / "RBDS001runT25forces.txt", tmp_path / "plate.txt")
    assert not stridelab.read(tmp_path / "session1.txt").force_plates
    explicit = stridelab.read(tmp_path / "session1.txt", forces=tmp_path / "plate.txt")
    reference = stridelab.read(rbds / "RBDS001runT25markers.txt")
    np.testing.assert_array_equal(
        explicit.force_plates[0].force_n, reference.force_plates[0].force_n
    )


def test_a_trial_prints_short(rbds: Path) -> None:
    text = repr(stridelab.read(rbds / "RBDS001runT35.c3d"))
    assert text.startswith("Trial('RBDS001runT35.c3d', format='c3d', frames=4500, rate_hz=150")
    assert "force_plates=1" in text
    assert len(text) < 200


def test_a_trial_keeps_a_subset_of_its_markers_renamed(rbds: Path) -> None:
    """``with_markers`` keeps the named markers in the order given, renamed where asked, with
    their positions and missing percentages; forces stay; an unknown name is refused with the
    close matches."""
    trial = stridelab.read(rbds / "RBDS001runT35.c3d")
    kept = trial.with_markers(["R.MT5", "R.Heel.Top"], {"R.Heel.Top": "R.Foot.Top"})
    assert kept.marker_names == ("R.MT5", "R.Foot.Top")
    assert np.array_equal(kept.points[:, 1], trial.marker("R.Heel.Top"), equal_nan=True)
    i = trial.marker_names.index("R.MT5")
    assert kept.missing_percent[0] == trial.missing_percent[i]
    assert len(kept.force_plates) == len(trial.force_plates)
    with pytest.raises(KeyError, match=r"no marker 'R\.Heel'.*R\.Heel\.Top"):
        trial.with_markers(["R.Heel"])
