"""The twelve movement patterns, each checked on synthetic stride tables whose answer is known
(flagged and clear), plus the not-assessable paths and the RBDS001 screen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab import events, kinematics, metrics, patterns, squat
from stridelab.kinematics import ANGLE_COLUMNS, Kinematics

HEALTHY: dict[str, float] = {
    "pelvic_tilt_at_ic_rel_static_deg": 5.0,
    "peak_stance_pelvic_tilt_deg": 14.0,
    "hip_ahead_of_ankle_pct_leg": 6.0,
    "knee_flexion_at_ic_deg": 12.0,
    "ankle_dorsiflexion_at_ic_deg": 2.0,
    "heel_ahead_of_pelvis_pct_leg": 15.0,
    "shank_angle_at_ic_deg": 5.0,
    "cadence_steps_per_min": 170.0,
    "contralateral_pelvic_drop_deg": 3.5,
    "peak_stance_hip_adduction_deg": 9.0,
    "peak_stance_rearfoot_eversion_deg": 6.0,
    "peak_stance_knee_adduction_deg": 0.0,
    "leg_length_m": 0.88,
    "min_swing_knee_flexion_deg": 5.0,
    "min_stance_knee_flexion_deg": 12.0,
    "forefoot_strike_share": 0.0,
    "heel_min_above_standing_mm": 2.0,
    "peak_stance_knee_flexion_deg": 40.0,
    "peak_hip_extension_deg": 10.0,
    "knee_flexion_at_to_deg": 18.0,
    "trunk_flexion_at_midstance_deg": 9.0,
    "wrist_crosses_midline": 0.0,
    "pelvic_rotation_range_deg": 8.0,
    "pelvic_obliquity_range_deg": 6.0,
}


def table(
    left: dict[str, float] | None = None, right: dict[str, float] | None = None, strides: int = 20
) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    rows: list[dict[str, Any]] = []
    for side, over in (("L", left or {}), ("R", right or {})):
        values = {**HEALTHY, **over}
        for k in range(strides):
            row: dict[str, Any] = {"side": side, "stride": k}
            for name, v in values.items():
                shares = name in {"forefoot_strike_share", "wrist_crosses_midline"}
                row[name] = v if shares or np.isnan(v) else v + rng.normal(0, 0.2)
            rows.append(row)
    return pl.DataFrame(rows)


def status(result: pl.DataFrame, pattern: str, side: str) -> str:
    return str(
        result.filter((pl.col("pattern") == pattern) & (pl.col("side") == side))["status"][0]
    )


def test_healthy_runner_is_clear_everywhere() -> None:
    r = patterns.evaluate(table())
    assert set(r["pattern"]) == set(patterns.load_thresholds()["patterns"])
    assessed = r.filter(pl.col("pattern") != "deep_squat_screen")
    assert set(assessed["status"]) == {"clear"}, assessed.select("pattern", "side", "status")
    assert (r["note"].str.contains("never a diagnosis")).all()


CASES = [
    ("anterior_pelvic_tilt", {"pelvic_tilt_at_ic_rel_static_deg": 13.0}, "L"),
    ("hip_behind_ankle", {"hip_ahead_of_ankle_pct_leg": -4.0}, "L"),
    ("overstriding", {"knee_flexion_at_ic_deg": 4.0}, "L"),
    ("dynamic_knee_valgus", {"contralateral_pelvic_drop_deg": 7.0}, "L"),
    ("dynamic_knee_valgus", {"peak_stance_hip_adduction_deg": 14.0}, "L"),
    (
        "forefoot_calf_overload",
        {"forefoot_strike_share": 1.0, "heel_min_above_standing_mm": 25.0},
        "L",
    ),
    ("flexed_quad_dominant", {"peak_stance_knee_flexion_deg": 54.0}, "L"),
    ("trunk_forward_lean", {"trunk_flexion_at_midstance_deg": 16.5}, "L"),
    ("cross_body_arm_swing", {"wrist_crosses_midline": 1.0}, "L"),
    ("locked_pelvis", {"pelvic_rotation_range_deg": 3.0, "pelvic_obliquity_range_deg": 2.0}, "L"),
    ("pelvic_asymmetry", {"contralateral_pelvic_drop_deg": 7.0}, "both"),
    ("knee_extension_deficit", {"min_swing_knee_flexion_deg": 12.0}, "both"),
]


@pytest.mark.parametrize(("pattern", "override", "side"), CASES)
def test_pattern_flags_its_known_case_and_only_that_side(
    pattern: str, override: dict[str, float], side: str
) -> None:
    r = patterns.evaluate(table(left=override))
    assert status(r, pattern, side) == "flagged"
    if side != "both":
        assert status(r, pattern, "R") == "clear"
    row = r.filter((pl.col("pattern") == pattern) & (pl.col("side") == side)).row(0, named=True)
    evidence = json.loads(row["evidence"])
    decided = [e for e in evidence if e["role"] == "decides"]
    assert decided
    assert all(e["source"] for e in evidence)
    assert row["cue"]


def test_borderline_sits_between() -> None:
    r = patterns.evaluate(table(left={"knee_flexion_at_ic_deg": 7.0}))
    assert status(r, "overstriding", "L") == "borderline"


def test_combine_all_needs_every_check() -> None:
    # forefoot but the heel comes down: not calf overload
    r = patterns.evaluate(table(left={"forefoot_strike_share": 1.0}))
    assert status(r, "forefoot_calf_overload", "L") == "clear"


def test_absent_markers_are_not_assessable_with_a_reason() -> None:
    nan = float("nan")
    r = patterns.evaluate(
        table(
            left={"trunk_flexion_at_midstance_deg": nan, "wrist_crosses_midline": nan},
            right={"trunk_flexion_at_midstance_deg": nan, "wrist_crosses_midline": nan},
        )
    )
    for p, why in (
        ("trunk_forward_lean", "no trunk markers"),
        ("cross_body_arm_swing", "no wrist"),
    ):
        row = r.filter((pl.col("pattern") == p) & (pl.col("side") == "L")).row(0, named=True)
        assert row["status"] == "not_assessable"
        assert why in row["reason"]


def test_few_strides_give_low_confidence() -> None:
    r = patterns.evaluate(table(strides=5))
    assert set(r.filter(pl.col("status") != "not_assessable")["confidence"]) == {"low"}


def test_thresholds_can_be_overridden(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        """
[patterns.overstriding]
title = "Overstriding (our lab)"
cue = "ours"
[[patterns.overstriding.checks]]
metric = "knee_flexion_at_ic_deg"
direction = "below"
flagged = 13.0
borderline = 14.0
source = "our lab's cut-off"
"""
    )
    r = patterns.evaluate(table(), thresholds=mine)
    assert status(r, "overstriding", "L") == "flagged"


def _fake_kinematics(knee: float, hip: float, heel_mm: float) -> tuple[Kinematics, Kinematics]:
    n = 30
    ramp = np.sin(np.linspace(0, np.pi, n))

    def angles(scale: float) -> pl.DataFrame:
        frames = []
        for side in ("L", "R"):
            cols: dict[str, Any] = {
                "frame": np.arange(n),
                "time_s": np.arange(n) / 100,
                "side": [side] * n,
            }
            for c in ANGLE_COLUMNS:
                cols[c] = np.zeros(n)
            cols["knee_flexion_deg"] = knee * ramp * scale
            cols["hip_flexion_deg"] = hip * ramp * scale
            cols["trunk_flexion_deg"] = np.full(n, np.nan)
            frames.append(pl.DataFrame(cols))
        return pl.concat(frames)

    def lm(rise: float) -> dict[str, np.ndarray]:
        out = {}
        for side, y in (("L", 0.1), ("R", -0.1)):
            heel = np.zeros((n, 3))
            heel[:, 2] = 0.05 + rise / 1000 * ramp
            out[f"{side}_heel"] = heel
            out[f"{side}_kjc"] = np.tile([0.1, y, 0.5], (n, 1))
            out[f"{side}_ajc"] = np.tile([0.0, y, 0.1], (n, 1))
        return out

    empty = pl.DataFrame()
    run = Kinematics(angles(1.0), lm(heel_mm), empty, (), "rbds")
    stand = Kinematics(angles(0.0), lm(0.0), empty, (), "rbds")
    return run, stand


@pytest.mark.parametrize(
    ("knee", "hip", "heel_mm", "score"),
    [(125.0, 110.0, 5.0, 3), (125.0, 110.0, 40.0, 2), (70.0, 60.0, 5.0, 1)],
)
def test_deep_squat_scores(knee: float, hip: float, heel_mm: float, score: int) -> None:
    run, stand = _fake_kinematics(knee, hip, heel_mm)
    row = squat.screen(run, stand).row(0, named=True)
    assert json.loads(row["evidence"])[0]["score"] == score
    assert row["status"] == {3: "clear", 2: "borderline", 1: "flagged"}[score]
    r = patterns.evaluate(table(), squat=squat.screen(run, stand))
    assert status(r, "deep_squat_screen", "both") == row["status"]


def test_rbds001_screen(rbds: Path) -> None:
    static = stridelab.read(rbds / "RBDS001static.txt")
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    k = kinematics.compute(trial, static)
    m = metrics.per_stride(
        trial,
        k,
        events.from_force(trial),
        static_kin=kinematics.compute(static, static),
        speed_m_s=2.5,
    )
    r = patterns.evaluate(m, speed_m_s=2.5)
    # a healthy competitive runner: nothing flagged; the marker set has no trunk or wrists
    assert "flagged" not in set(r["status"])
    assert status(r, "trunk_forward_lean", "L") == "not_assessable"
    assert status(r, "overstriding", "R") == "clear"
