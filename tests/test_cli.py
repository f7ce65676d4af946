"""The command line: inspect, convert, demo, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

import stridelab
from stridelab.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_inspect_text(runner: CliRunner) -> None:
    res = runner.invoke(main, ["inspect", str(stridelab.example_path())])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "1200 at 150 Hz (8.000 s)" in out
    assert "marker set: rbds" in out
    assert "force plate   1: type 4, 2400 samples at 300 Hz" in out
    assert "file +Y is up, +X is forward" in out
    assert "R.MT5" in out


def test_inspect_json(runner: CliRunner, data_dir: Path) -> None:
    res = runner.invoke(
        main, ["inspect", "--json", str(data_dir / "ric" / "20140515T133244_run.c3d")]
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["frames"] == 5000
    assert s["point_rate_hz"] == 200.0
    assert s["marker_set"] == "ric"
    assert s["units"]["file_length"] == "mm"
    assert s["axes"]["progression"] == "-Z"
    assert set(s["missing_percent"]) == set(s["markers"])
    assert all(0.0 <= v <= 100.0 for v in s["missing_percent"].values())


def test_inspect_bad_file_exits_1_naming_it(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.c3d"
    bad.write_bytes(b"\x02\x50" + b"\x00" * 100)
    res = runner.invoke(main, ["inspect", str(bad)])
    assert res.exit_code == 1
    assert "bad.c3d" in res.output
    assert "shorter than the 512-byte C3D header" in res.output


def test_bad_usage_exits_2(runner: CliRunner) -> None:
    res = runner.invoke(main, ["convert", str(stridelab.example_path()), "out.xlsx"])
    assert res.exit_code == 2


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_convert_parquet(runner: CliRunner, tmp_path: Path, layout: str) -> None:
    out = tmp_path / "m.parquet"
    res = runner.invoke(
        main, ["convert", str(stridelab.example_path()), str(out), "--layout", layout]
    )
    assert res.exit_code == 0, res.output
    df = pl.read_parquet(out)
    t = stridelab.read(stridelab.example_path())
    if layout == "long":
        assert df.columns == ["frame", "time_s", "marker", "x_m", "y_m", "z_m"]
        assert df.height == 1200 * 32
        row = df.filter((pl.col("frame") == 10) & (pl.col("marker") == "R.ASIS"))
        np.testing.assert_allclose(
            row.select("x_m", "y_m", "z_m").to_numpy()[0], t.marker("R.ASIS")[10]
        )
    else:
        assert df.height == 1200
        np.testing.assert_allclose(df["R.ASIS_z_m"].to_numpy(), t.marker("R.ASIS")[:, 2])


def test_convert_trc_round_trips(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "m.trc"
    res = runner.invoke(main, ["convert", str(stridelab.example_path()), str(out)])
    assert res.exit_code == 0, res.output
    back = stridelab.read(out)
    orig = stridelab.read(stridelab.example_path())
    assert back.marker_names == orig.marker_names
    assert (back.axes.vertical, back.axes.progression) == ("+Y", "+X")  # OpenSim axes
    np.testing.assert_allclose(back.points, orig.points, atol=1e-8)


def test_convert_refuses_to_overwrite_input(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("Time,AX,AY,AZ\n0,1,2,3\n0.01,1,2,3\n")
    before = src.read_bytes()
    res = runner.invoke(main, ["convert", str(src), str(src)])
    assert res.exit_code == 2
    assert src.read_bytes() == before


def test_demo_runs_the_whole_screen_on_the_bundled_trial(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(main, ["demo", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "RBDS001: 10 left and 10 right strides" in res.output
    assert "overstriding" in res.output
    assert "never a diagnosis" in res.output
    for name in ("results.parquet", "RBDS001.json", "RBDS001.html"):
        assert (tmp_path / name).is_file(), name


def test_angles_command(runner: CliRunner, tmp_path: Path, rbds: Path) -> None:
    out = tmp_path / "angles.parquet"
    res = runner.invoke(
        main,
        [
            "angles",
            str(rbds / "RBDS001runT25markers.txt"),
            "--static",
            str(rbds / "RBDS001static.txt"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "R.MT1 and R.MT5 are swapped" in res.output
    df = pl.read_parquet(out)
    assert df.height == 2 * 4500
    assert {"frame", "time_s", "side", "knee_flexion_deg"} <= set(df.columns)
    peak = df.filter(pl.col("side") == "R")["knee_flexion_deg"].max()
    assert 70 < peak < 100  # type: ignore[operator]


def test_angles_needs_static_for_markers(runner: CliRunner, rbds: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        main, ["angles", str(rbds / "RBDS001runT25markers.txt"), "--out", str(tmp_path / "a.csv")]
    )
    assert res.exit_code == 1
    assert "need a static calibration trial" in res.output


def test_events_command_writes_the_contract_columns(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    res = runner.invoke(main, ["events", str(stridelab.example_path()), "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pl.read_csv(out)
    assert df.columns == [
        "side", "event", "time_s", "frame", "source", "method", "quality", "stride_id"
    ]  # fmt: skip
    assert set(df["side"]) == {"L", "R"}
    assert set(df["event"]) == {"IC", "TO"}
    assert set(df["source"]) == {"force"}
    # 8 s at 3.5 m/s: about 2.8 steps per second
    ics = df.filter(pl.col("event") == "IC")
    assert 18 <= ics.height <= 26


def test_events_command_from_markers_with_strides(
    runner: CliRunner, tmp_path: Path, rbds: Path
) -> None:
    out, st = tmp_path / "events.csv", tmp_path / "strides.csv"
    res = runner.invoke(
        main,
        [
            "events",
            str(rbds / "RBDS001runT35.c3d"),
            "--source",
            "markers",
            "--out",
            str(out),
            "--strides",
            str(st),
        ],
    )
    assert res.exit_code == 0, res.output
    ev = pl.read_csv(out)
    assert set(ev["source"]) == {"markers"}
    strides = pl.read_csv(st)
    assert {"stride_time_s", "contact_time_s", "flight_time_s", "duty_factor", "reason"} <= set(
        strides.columns
    )
    cadence = strides.filter(pl.col("valid"))["cadence_steps_per_min"].median()
    assert 160 < cadence < 180  # type: ignore[operator]


def test_a_speed_typo_is_refused_before_any_work(rbds: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main,
        [
            "analyze",
            str(rbds / "RBDS001runT25markers.txt"),
            "--static",
            str(rbds / "RBDS001static.txt"),
            "--speed",
            "35",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 2
    assert "outside 0.5-13.0 m/s" in res.output
    assert not list(tmp_path.iterdir())


def test_events_with_an_explicit_force_table(rbds: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copy(rbds / "RBDS001runT25markers.txt", tmp_path / "session1.txt")
    shutil.copy(rbds / "RBDS001runT25forces.txt", tmp_path / "plate.txt")
    res = CliRunner().invoke(
        main, ["events", str(tmp_path / "session1.txt"), "--forces", str(tmp_path / "plate.txt")]
    )
    assert res.exit_code == 0, res.output
    assert "force 50 N" in res.output


def test_a_project_toml_gives_the_settings(rbds: Path, tmp_path: Path) -> None:
    """static, speed and out from one file (paths relative to it); the command line wins;
    an unknown key names the file and the key."""
    project = tmp_path / "project.toml"
    project.write_text(
        f'static = "{rbds / "RBDS001static.txt"}"\nspeed = 3.5\nout = "screen"\nrunner = "P01"\n'
    )
    res = CliRunner().invoke(
        main, ["analyze", str(rbds / "RBDS001runT35.c3d"), "--config", str(project)]
    )
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "screen" / "P01.json").read_text())
    assert report["provenance"]["speed_m_s"] == "3.5"
    assert report["provenance"]["static"].endswith("RBDS001static.txt")
    typo = tmp_path / "typo.toml"
    typo.write_text("sped = 3.5\n")
    res = CliRunner().invoke(
        main, ["analyze", str(rbds / "RBDS001runT35.c3d"), "--config", str(typo)]
    )
    assert res.exit_code == 2
    assert "typo.toml: unknown key(s) sped" in res.output


def test_inspect_mot(runner: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    mot = data_dir / "opencap" / "walk_ik.mot"
    res = runner.invoke(main, ["inspect", str(mot)])
    assert res.exit_code == 0, res.output
    assert "222 at 60 Hz" in res.output
    assert "coordinates   41:" in res.output  # the header's nColumns minus time
    res = runner.invoke(main, ["inspect", "--json", str(mot)])
    info = json.loads(res.output)
    # the walking knee flexes to about 60 deg in swing (Perry & Burnfield 2010), positive
    lo, hi = info["angle_ranges_deg"]["knee_flexion_deg"]["R"]
    assert lo > -5.0
    assert 55.0 < hi < 70.0
    assert "knee_adduction_deg" not in info["angle_ranges_deg"]  # not in the model: not shown
    bad = tmp_path / "bad.mot"
    bad.write_text(mot.read_text().replace("inDegrees=yes", ""))
    res = runner.invoke(main, ["inspect", str(bad)])
    assert res.exit_code == 1
    assert "bad.mot" in res.output
    assert "inDegrees" in res.output


def test_squat_screen_of_opensim_coordinates_needs_no_static(
    runner: CliRunner, data_dir: Path
) -> None:
    """`stridelab squat squats_ik.mot`: the deepest frame's angles are the file's own (its
    knee_angle columns read here as plain text), the score is explained criterion by criterion,
    and a walk's coordinates are refused as not a squat (the pelvis travels)."""
    mot = data_dir / "opencap" / "squats_ik.mot"
    res = runner.invoke(main, ["squat", str(mot), "--json"])
    assert res.exit_code == 0, res.output
    row = json.loads(res.output)
    ev = row["evidence"][0]
    _, body = mot.read_text().split("endheader\n", 1)
    names, *lines = body.splitlines()
    cols = names.split("\t")
    table = np.array([[float(v) for v in ln.split()] for ln in lines])
    knees = (table[:, cols.index("knee_angle_r")] + table[:, cols.index("knee_angle_l")]) / 2
    assert ev["knee_flexion_deg"] == pytest.approx(knees.max(), abs=1e-6)
    # 87 deg of knee flexion does not reach the FMS depth (thighs below horizontal): score 1
    assert ev["score"] == 1
    assert ev["criteria"]["depth"] is False
    assert ev["criteria"]["heels_down"] is None  # no standing trial: not assessed
    res = runner.invoke(main, ["squat", str(mot)])
    assert "FAILED       depth" in res.output
    assert "not assessed heels down" in res.output
    res = runner.invoke(main, ["squat", str(data_dir / "opencap" / "walk_ik.mot")])
    assert "not a squat trial: the pelvis travels" in res.output
