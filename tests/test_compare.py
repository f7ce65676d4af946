"""`stridelab compare`: before/after of two analyses, with verdicts a reader can check by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from stridelab import compare
from stridelab.cli import main


def _report(mean: float, sd: float, n: int, status: str = "clear") -> dict[str, object]:
    row = {"metric": "cadence_steps_per_min", "L_mean": mean, "L_sd": sd, "L_n": n}
    row |= {"R_mean": 170.0, "R_sd": 2.0, "R_n": n}
    return {
        "summary": [row],
        "patterns": [{"pattern": "overstriding", "side": "L", "status": status}],
    }


def test_verdicts_follow_the_standard_error_and_the_effect_size() -> None:
    """Left cadence 170 -> 176 with SD 4 over 40 strides: SE = sqrt(16/40 * 2) = 0.894, so the
    change of 6 is 6.7 SE and d = 1.5: changed. 170 -> 170.8: 0.9 SE: within noise. 170 -> 172
    with SD 8 over 400 strides: 3.5 SE but d = 0.25: within noise (a small effect)."""
    t = compare.compare(_report(170.0, 4.0, 40), _report(176.0, 4.0, 40))
    left = t.filter(pl.col("side") == "L").row(0, named=True)
    assert left["standard_error"] == pytest.approx(math.sqrt(16 / 40 * 2))
    assert left["effect_size_d"] == pytest.approx(1.5)
    assert left["verdict"] == "changed"
    right = t.filter(pl.col("side") == "R").row(0, named=True)
    assert right["verdict"] == "within noise"  # 170 -> 170
    small = compare.compare(_report(170.0, 4.0, 40), _report(170.8, 4.0, 40))
    assert small["verdict"][0] == "within noise"
    tiny_effect = compare.compare(_report(170.0, 8.0, 400), _report(172.0, 8.0, 400))
    assert tiny_effect["verdict"][0] == "within noise"
    status = compare.patterns_change(_report(170, 4, 40), _report(176, 4, 40, "borderline"))
    assert status.row(0) == ("overstriding", "L", "clear", "borderline")


def test_two_speeds_of_rbds001_compare(tmp_path: Path, rbds: Path) -> None:
    """RBDS001 at 2.5 then 3.5 m/s, analysed separately, compared: cadence and stride length
    change on both sides (by about +6 % and +30 %, as between those speeds), HTML and CSV
    written."""
    for name, speed in (("RBDS001runT25markers.txt", "2.5"), ("RBDS001runT35.c3d", "3.5")):
        res = CliRunner().invoke(
            main,
            [
                "analyze",
                str(rbds / name),
                "--static",
                str(rbds / "RBDS001static.txt"),
                "--speed",
                speed,
                "--runner",
                f"r{speed}",
                "--out",
                str(tmp_path / speed),
            ],
        )
        assert res.exit_code == 0, res.output
    res = CliRunner().invoke(
        main,
        [
            "compare",
            str(tmp_path / "2.5" / "r2.5.json"),
            str(tmp_path / "3.5" / "r3.5.json"),
            "--out",
            str(tmp_path / "cmp"),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pl.read_csv(tmp_path / "cmp" / "compare.csv")
    for metric in ("cadence_steps_per_min", "stride_length_m"):
        rows = table.filter(pl.col("metric") == metric)
        assert set(rows["verdict"]) == {"changed"}, rows
        assert (rows["after"] > rows["before"]).all()
    assert "Before / after" in (tmp_path / "cmp" / "compare.html").read_text()


def test_a_file_that_is_not_a_report_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"x": 1}))
    res = CliRunner().invoke(main, ["compare", str(bad), str(bad)])
    assert res.exit_code == 1
    assert "bad.json" in res.output
    assert "not a stridelab analyze report" in res.output
