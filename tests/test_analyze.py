"""`stridelab analyze`: tables and reports on real data, and the HTML report rendered in headless
Chromium (Debian's `chromium`, installed by .ci/run)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import stridelab
from stridelab.cli import main


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory, rbds: Path) -> Path:
    out = tmp_path_factory.mktemp("analysis")
    res = CliRunner().invoke(
        main,
        [
            "analyze",
            str(rbds / "RBDS001runT25markers.txt"),
            str(rbds / "RBDS001runT35.c3d"),
            "--static",
            str(rbds / "RBDS001static.txt"),
            "--runner",
            "RBDS001",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    return out


def test_results_table_holds_every_stride_of_both_trials(analysed: Path) -> None:
    t = pl.read_parquet(analysed / "results.parquet")
    assert set(t["trial"]) == {"RBDS001runT25markers.txt", "RBDS001runT35.c3d"}
    assert t.height > 150
    assert {"runner", "trial", "side", "stride", "knee_flexion_at_ic_deg", "foot_strike"} <= set(
        t.columns
    )
    assert set(t["runner"]) == {"RBDS001"}


def test_json_report_follows_the_output_contract(analysed: Path) -> None:
    report = json.loads((analysed / "RBDS001.json").read_text())
    assert "never a diagnosis" in report["note"]
    assert "CC BY 4.0" in report["normative_reference"]
    assert len(report["kinematics_qa"]) == 4
    assert not any(r["crosstalk_flagged"] for r in report["kinematics_qa"])
    ids = {p["pattern"] for p in report["patterns"]}
    assert len(ids) == 12
    for p in report["patterns"]:
        assert p["status"] in {"flagged", "borderline", "clear", "not_assessable"}
        assert p["side"] in {"L", "R", "both"}
        assert p["confidence"] in {"high", "moderate", "low"}
        # a cue only where the pattern is flagged or borderline
        assert bool(p["cue"]) == (p["status"] in {"flagged", "borderline"})
        if p["provisional"]:
            assert p["confidence"] != "high"
        if p["status"] == "not_assessable":
            assert p["reason"]
        else:
            assert any(e["role"] == "decides" for e in p["evidence"])


def test_bad_file_in_a_batch_is_reported_and_the_rest_analysed(tmp_path: Path, rbds: Path) -> None:
    bad = tmp_path / "broken.c3d"
    bad.write_bytes(b"\x02\x50" + bytes(100))
    res = CliRunner().invoke(
        main,
        [
            "analyze",
            str(stridelab.example_path()),
            str(bad),
            "--static",
            str(stridelab.example_path("static")),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert res.exit_code == 1  # partial failure
    assert "broken.c3d" in res.output
    assert (tmp_path / "out" / "results.parquet").is_file()


def test_html_report_renders_in_headless_chromium(analysed: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Debian's chromium is needed for this test (installed by .ci/run)"
    page = (analysed / "RBDS001.html").resolve().as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Running movement screen: RBDS001" in dom
    # header + 9 patterns per side + 3 judged on both sides together
    patterns_table = dom.split('id="patterns"')[1].split("</table>")[0]
    assert patterns_table.count("<tr") == 1 + 9 * 2 + 3
    # the kinematics QA: header + one row per side of each of the two trials, no crosstalk
    qa_table = dom.split('id="kinematics-qa"')[1].split("</table>")[0]
    assert qa_table.count("<tr") == 1 + 2 * 2
    assert qa_table.count("no crosstalk above the level") == 4
    assert dom.count("<svg") >= 8
    assert "never a diagnosis" in dom
    # the norms' speeds are stated; a reason is printed once
    assert 'id="norms-note"' in dom
    assert "46 runners at" in dom
    assert "marker setno trunk" not in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, *flags, "--window-size=1200,1600", f"--screenshot={shot}", page],
        capture_output=True,
        timeout=120,
        check=True,
    )
    # a rendered page with text, tables and plots, not a blank canvas
    assert shot.stat().st_size > 50_000


def test_ric_shoe_clusters_screen_end_to_end(tmp_path: Path, data_dir: Path) -> None:
    """The Running Injury Clinic protocol (shoe clusters, no heel or toe markers) goes through
    `stridelab analyze` with its static: events from the foot segment (docs/events.md), 34
    complete strides a side, heel and toe placed from the static (model::sole) so overstriding
    and the forefoot pattern decide, and every other pattern decided or n/a with its reason:
    the standing pelvic obliquity is n/a because the RIC pelvis (trochanters, no iliac crest or
    ASIS/PSIS markers) is levelled to the lab in the static trial itself."""
    ric = data_dir / "ric"
    res = CliRunner().invoke(
        main,
        [
            "analyze",
            str(ric / "20140515T133244_run.c3d"),
            "--static",
            str(ric / "20140515T133244_static.c3d"),
            "--runner",
            "RIC",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pl.read_parquet(tmp_path / "results.parquet")
    for side in ("L", "R"):
        assert table.filter(pl.col("side") == side).height >= 30, side
    report = json.loads((tmp_path / "RIC.json").read_text())
    statuses = {(p["pattern"], p["side"]): p for p in report["patterns"]}
    decided = {"clear", "borderline", "flagged"}
    for pattern in ("dynamic_knee_valgus", "overstriding", "forefoot_calf_overload"):
        assert statuses[(pattern, "L")]["status"] in decided, pattern
    assert statuses[("pelvic_asymmetry", "both")]["status"] == "not_assessable"
    for p in statuses.values():
        if p["status"] == "not_assessable":
            assert p["reason"], p


def test_theia_poses_screen_end_to_end(tmp_path: Path, data_dir: Path) -> None:
    """A markerless Theia3D export (foot and toes poses, no static) goes through `stridelab
    analyze`: events from the foot poses, the segment origins taken as the joint centres
    (Theia's thigh, shank and foot origins are the hip, knee and ankle centres), heel and toe
    from the foot and toes poses, so the heel-based patterns decide; the static-trial patterns
    are n/a with their reason."""
    res = CliRunner().invoke(
        main,
        [
            "analyze",
            str(data_dir / "theia/pose_filt_2.c3d"),
            "--runner",
            "theia",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pl.read_parquet(tmp_path / "results.parquet")
    assert table.filter(pl.col("side") == "L").height >= 4
    assert table["heel_ahead_of_pelvis_pct_leg"].is_not_nan().sum() >= 8
    report = json.loads((tmp_path / "theia.json").read_text())
    statuses = {(p["pattern"], p["side"]): p for p in report["patterns"]}
    for side in ("L", "R"):
        assert statuses[("overstriding", side)]["status"] in {"clear", "borderline", "flagged"}
        assert statuses[("hip_behind_ankle", side)]["status"] in {"clear", "borderline", "flagged"}
    assert statuses[("knee_extension_deficit", "both")]["status"] == "not_assessable"


def test_report_starts_with_a_summary_and_speaks_in_words(analysed: Path) -> None:
    """The runner report opens with a summary card (speed, cadence, foot strike per side,
    strides, flagged and borderline patterns in words), names metrics in words with units
    (no raw column names in the evidence) and numbers its plot axes."""
    page = (analysed / "RBDS001.html").read_text(encoding="utf-8")
    card = page.split('id="summary">')[1].split("</div>")[0]
    assert "Speed 3." in card or "Speed 2." in card
    assert "steps/min" in card
    assert "foot strike left forefoot, right forefoot" in card
    assert page.index('id="summary"') < page.index('id="patterns"')
    patterns_table = page.split('<table id="patterns">')[1].split("</table>")[0]
    assert "knee flexion at initial contact (°)" in page or "(°)" in patterns_table
    assert "_deg" not in patterns_table
    assert "% gait cycle from initial contact" in page
    assert page.count("A movement screen with evidence, never a diagnosis") == 1


def test_pdf_report_is_printed_by_chromium(tmp_path: Path, rbds: Path) -> None:
    """`analyze --pdf` prints the HTML report to RUNNER.pdf with headless Chromium (installed by
    .ci/run); the file is a PDF of at least one page."""
    assert shutil.which("chromium") or shutil.which("chromium-browser")
    res = CliRunner().invoke(
        main,
        [
            "analyze",
            str(rbds / "RBDS001runT35.c3d"),
            "--static",
            str(rbds / "RBDS001static.c3d"),
            "--runner",
            "RBDS001",
            "--pdf",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    pdf = (tmp_path / "RBDS001.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/Type /Page" in pdf or b"/Type/Page" in pdf


@pytest.mark.parametrize(
    ("trial", "static", "per_side"),
    [
        ("rbds/RBDS001runT25markers.txt", "rbds/RBDS001static.txt", 10),
        ("rbds/RBDS032runT35markers.txt", "rbds/RBDS032static.txt", 10),
        ("theia/pose_filt_2.c3d", None, 2),
    ],
)
def test_every_protocol_screens_without_a_typed_speed(
    tmp_path: Path, data_dir: Path, trial: str, static: str | None, per_side: int
) -> None:
    """`stridelab analyze` with no `--speed`: strides on both sides (every complete stride of
    the Theia file's 3.5 s in view, at least 2 a side), the speed estimated and said so, and
    every pattern decided or not assessable with its reason. (RIC and the OpenCap walk have
    their own tests.)"""
    args = ["analyze", str(data_dir / trial), "--runner", "r", "--out", str(tmp_path)]
    if static:
        args += ["--static", str(data_dir / static)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    table = pl.read_parquet(tmp_path / "results.parquet")
    for side in ("L", "R"):
        assert table.filter(pl.col("side") == side).height >= per_side, side
    assert table["speed_estimated"].all()
    report = json.loads((tmp_path / "r.json").read_text())
    for p in report["patterns"]:
        assert p["status"] != "not_assessable" or p["reason"], p
