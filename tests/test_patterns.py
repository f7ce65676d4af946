"""The twelve movement patterns, each checked on synthetic stride tables whose answer is known
(flagged and clear), plus the not-assessable paths and the RBDS001 screen."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab import events, kinematics, metrics, patterns, pipeline, squat, strides
from stridelab.errors import DataError
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
    "trunk_flexion_rel_pelvis_at_midstance_deg": 3.0,
    "trunk_flexion_at_ic_deg": 8.0,
    "pelvic_tilt_at_ic_deg": 12.0,
    "foot_strike_angle_deg": 10.0,
    "peak_stance_knee_abduction_deg": 2.0,
    "static_knee_flexion_deg": 0.0,
    "static_pelvic_obliquity_deg": 0.5,
    "static_pelvic_rotation_deg": 1.0,
    "static_leg_length_difference_mm": 2.0,
    "thorax_pelvis_rotation_range_deg": 20.0,
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
    # articles 001-003: a heel strike with a straight leg far out in front
    (
        "overstriding",
        {
            "heel_ahead_of_pelvis_pct_leg": 35.0,
            "shank_angle_at_ic_deg": 12.0,
            "knee_flexion_at_ic_deg": 4.0,
        },
        "L",
    ),
    # the articles' own criterion on a forefoot striker: landing far ahead of the pelvis
    (
        "overstriding",
        {
            "heel_ahead_of_pelvis_pct_leg": 33.0,
            "shank_angle_at_ic_deg": 11.0,
            "foot_strike_angle_deg": -6.0,
            "knee_flexion_at_ic_deg": 14.0,
        },
        "L",
    ),
    ("dynamic_knee_valgus", {"contralateral_pelvic_drop_deg": 7.0}, "L"),
    ("dynamic_knee_valgus", {"peak_stance_hip_adduction_deg": 14.0}, "L"),
    (
        "forefoot_calf_overload",
        {"forefoot_strike_share": 1.0, "heel_min_above_standing_mm": 25.0},
        "L",
    ),
    ("flexed_quad_dominant", {"peak_stance_knee_flexion_deg": 54.0}, "L"),
    # hinged at the waist: the trunk bent on the pelvis
    ("trunk_forward_lean", {"trunk_flexion_rel_pelvis_at_midstance_deg": 20.0}, "L"),
    # the low back arched: trunk extended on a forward-tipped pelvis
    ("anterior_pelvic_tilt", {"trunk_flexion_rel_pelvis_at_midstance_deg": -12.0}, "L"),
    ("cross_body_arm_swing", {"wrist_crosses_midline": 1.0}, "L"),
    ("locked_pelvis", {"pelvic_rotation_range_deg": 3.0, "pelvic_obliquity_range_deg": 2.0}, "L"),
    ("pelvic_asymmetry", {"static_pelvic_obliquity_deg": -5.0}, "both"),
    # one knee stands 8 deg short of extension, the other straight
    ("knee_extension_deficit", {"static_knee_flexion_deg": 8.0}, "both"),
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
    evidence = patterns.evidence_items(row["evidence"])
    decided = [e for e in evidence if e["role"] == "decides"]
    assert decided
    assert all(e["source"] for e in evidence)
    assert row["cue"]
    assert row["confidence"] != "high" or not row["provisional"]


LOOK_ALIKES = [
    # leaning from the ankles with the trunk in line with the pelvis: upright on the pelvis
    ("trunk_forward_lean", {"trunk_flexion_at_midstance_deg": 16.5}, "L"),
    # a flexed running knee in late swing is not a standing extension deficit
    ("knee_extension_deficit", {"min_swing_knee_flexion_deg": 12.0}, "both"),
    # a running pelvic-drop asymmetry is evidence, not a standing pelvic asymmetry
    ("pelvic_asymmetry", {"contralateral_pelvic_drop_deg": 7.0}, "both"),
    # peak knee adduction (varus) is not valgus
    ("dynamic_knee_valgus", {"peak_stance_knee_adduction_deg": 12.0}, "L"),
    # a forefoot landing under the body
    ("overstriding", {"foot_strike_angle_deg": -8.0, "heel_ahead_of_pelvis_pct_leg": 12.0}, "L"),
    # a straight knee at contact with the foot under the body is not overstriding
    ("overstriding", {"knee_flexion_at_ic_deg": 4.0}, "L"),
    # a forward shank alone, the foot not far ahead of the pelvis
    ("overstriding", {"shank_angle_at_ic_deg": 12.0}, "L"),
]


@pytest.mark.parametrize(("pattern", "override", "side"), LOOK_ALIKES)
def test_look_alikes_are_not_flagged(pattern: str, override: dict[str, float], side: str) -> None:
    r = patterns.evaluate(table(left=override))
    assert status(r, pattern, side) == "clear"
    row = r.filter((pl.col("pattern") == pattern) & (pl.col("side") == side)).row(0, named=True)
    assert row["cue"] == "", "a cue beside a clear pattern reads as advice to change"


def test_knee_valgus_evidence_is_abduction() -> None:
    r = patterns.evaluate(table(left={"peak_stance_knee_abduction_deg": 9.0}))
    row = r.filter((pl.col("pattern") == "dynamic_knee_valgus") & (pl.col("side") == "L"))
    metrics_shown = [e["metric"] for e in patterns.evidence_items(row["evidence"][0])]
    assert "peak_stance_knee_abduction_deg" in metrics_shown
    assert "peak_stance_knee_adduction_deg" not in metrics_shown


def test_hip_over_ankle_midstance_is_refused_and_midstance_named() -> None:
    t = table(left={"hip_ahead_of_ankle_pct_leg": -4.0})
    named = patterns.evaluate(
        t.with_columns(pl.lit("peak_knee_flexion").alias("midstance_definition"))
    )
    row = named.filter((pl.col("pattern") == "hip_behind_ankle") & (pl.col("side") == "L"))
    assert row["status"][0] == "flagged"
    assert patterns.evidence_items(row["evidence"][0])[0]["midstance"] == "peak_knee_flexion"
    refused = patterns.evaluate(
        t.with_columns(pl.lit("hip_over_ankle").alias("midstance_definition"))
    )
    row = refused.filter((pl.col("pattern") == "hip_behind_ankle") & (pl.col("side") == "L"))
    assert row["status"][0] == "not_assessable"
    assert "zero by construction" in row["reason"][0]


def test_cues_follow_their_articles() -> None:
    """Read against the seeds: no cue advises what its article argues against, none promises
    an outcome, literature outside the seeds is named as such."""
    rules = patterns.load_thresholds()["patterns"]
    hip = rules["hip_behind_ankle"]["cue"].lower()
    assert "twist" in hip
    assert "sidebend" in hip
    assert "land under" not in hip
    assert "lean from the ankles" not in rules["trunk_forward_lean"]["cue"].lower()
    over = rules["overstriding"]["cue"]
    assert "not one of the articles" in over
    assert "usually does this" not in over
    for pid, rule in rules.items():
        cue = rule["cue"].lower()
        for promise in ("will fix", "fixes", "cures", "usually does this by itself"):
            assert promise not in cue, (pid, promise)
        assert "one knee does not straighten" not in cue  # a finding, not a cue


def test_borderline_sits_between() -> None:
    r = patterns.evaluate(
        table(left={"heel_ahead_of_pelvis_pct_leg": 27.0, "shank_angle_at_ic_deg": 11.0})
    )
    assert status(r, "overstriding", "L") == "borderline"


def test_combine_all_needs_every_check() -> None:
    # forefoot but the heel comes down: not calf overload
    r = patterns.evaluate(table(left={"forefoot_strike_share": 1.0}))
    assert status(r, "forefoot_calf_overload", "L") == "clear"


def test_absent_markers_are_not_assessable_with_a_reason() -> None:
    nan = float("nan")
    r = patterns.evaluate(
        table(
            left={"trunk_flexion_rel_pelvis_at_midstance_deg": nan, "wrist_crosses_midline": nan},
            right={"trunk_flexion_rel_pelvis_at_midstance_deg": nan, "wrist_crosses_midline": nan},
        )
    )
    for p, why in (
        ("trunk_forward_lean", "no trunk markers"),
        ("cross_body_arm_swing", "no wrist"),
    ):
        row = r.filter((pl.col("pattern") == p) & (pl.col("side") == "L")).row(0, named=True)
        assert row["status"] == "not_assessable"
        assert why in row["reason"]


def test_strides_with_untrusted_events_are_left_out_of_the_screen() -> None:
    """A stride whose event_quality is 0.5 or less (an event read from a tracking glitch, or
    one that passed at most half its detector's checks) does not count: twenty such right
    strides with the shank reaching 30 deg forward at a misdated IC do not flag overstriding
    next to twelve trusted ones, and the evidence and the summary count the twelve only.
    Ungraded strides (NaN) and strides at 2/3 count."""
    good = table(strides=12).with_columns(pl.lit(1.0).alias("event_quality"))
    bad = table(
        right={"shank_angle_at_ic_deg": 30.0, "heel_ahead_of_pelvis_pct_leg": 40.0}, strides=20
    ).filter(pl.col("side") == "R")

    def graded(q: float) -> pl.DataFrame:
        return pl.concat([good, bad.with_columns(pl.lit(q).alias("event_quality"))])

    assert status(patterns.evaluate(graded(0.5)), "overstriding", "R") == "clear"
    assert status(patterns.evaluate(graded(2 / 3)), "overstriding", "R") == "flagged"
    assert status(patterns.evaluate(graded(float("nan"))), "overstriding", "R") == "flagged"
    row = patterns.evaluate(graded(0.5)).filter(
        (pl.col("pattern") == "overstriding") & (pl.col("side") == "R")
    )
    shank = next(
        e
        for e in patterns.evidence_items(row["evidence"][0])
        if e["metric"] == "shank_angle_at_ic_deg"
    )
    assert shank["R_strides"] == 12
    summary = metrics.summary(graded(0.5)).filter(pl.col("metric") == "shank_angle_at_ic_deg")
    assert summary["R_n"].item() == 12


def test_few_strides_give_low_confidence() -> None:
    r = patterns.evaluate(table(strides=5))
    assert set(r.filter(pl.col("status") != "not_assessable")["confidence"]) == {"low"}


def test_thresholds_can_be_overridden(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        """
[patterns.overstriding]
replace = true
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
    assert patterns.evidence_items(row["evidence"])[0]["score"] == score
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


def test_a_running_trial_is_not_scored_as_a_squat(rbds: Path) -> None:
    static = stridelab.read(rbds / "RBDS001static.txt")
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    row = squat.screen(kinematics.compute(trial, static), kinematics.compute(static, static)).row(
        0, named=True
    )
    assert row["status"] == "not_assessable"
    assert "not a squat trial" in row["reason"]
    assert row["cue"] == ""


def test_a_real_runner_given_a_pelvic_drop_is_flagged_on_that_side_only(rbds: Path) -> None:
    """RBDS001's pelvis markers turned about the forward axis during every right stance so that
    the left side drops a further 8° (half a sine over the stance): contralateral pelvic drop of
    the right stance rises by about 8° and dynamic knee valgus is flagged on the right only."""
    static = stridelab.read(rbds / "RBDS001static.txt")
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    ev = events.from_force(trial)
    pelvis = [i for i, n in enumerate(trial.marker_names) if n.split(".")[-1] in ("ASIS", "PSIS")]
    pelvis += [i for i, n in enumerate(trial.marker_names) if "Iliac" in n]
    pts = trial.points.copy()
    time = np.arange(trial.n_frames) / trial.point_rate_hz
    st = strides.strides(ev).filter(pl.col("side") == "R")
    for ic, to in zip(st["ic_s"].to_list(), st["to_s"].to_list(), strict=True):
        for f in np.flatnonzero((time >= ic) & (time <= to)):
            a = -np.radians(8.0) * np.sin(np.pi * (time[f] - ic) / (to - ic))
            centre = np.nanmean(pts[f, pelvis], axis=0)
            c, s_ = np.cos(a), np.sin(a)
            rot = np.array([[1, 0, 0], [0, c, -s_], [0, s_, c]])
            pts[f, pelvis] = (pts[f, pelvis] - centre) @ rot.T + centre
    dropped = dataclasses.replace(trial, points=pts)
    standing = kinematics.compute(static, static)
    before = metrics.per_stride(trial, kinematics.compute(trial, static), ev, static_kin=standing)
    after = metrics.per_stride(
        dropped, kinematics.compute(dropped, static), ev, static_kin=standing
    )

    def cpd(m: pl.DataFrame, side: str) -> float:
        return float(m.filter(pl.col("side") == side)["contralateral_pelvic_drop_deg"].median())  # type: ignore[arg-type]

    assert 6.5 < cpd(after, "R") - cpd(before, "R") < 9.5
    assert abs(cpd(after, "L") - cpd(before, "L")) < 0.5
    r = patterns.evaluate(after, speed_m_s=2.5)
    assert status(r, "dynamic_knee_valgus", "R") == "flagged"
    assert status(r, "dynamic_knee_valgus", "L") == "clear"
    assert status(patterns.evaluate(before, speed_m_s=2.5), "dynamic_knee_valgus", "R") == "clear"


def test_thresholds_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    bad_key = tmp_path / "typo.toml"
    bad_key.write_text(
        '[[patterns.overstriding.checks]]\nmetric = "shank_angle_at_ic_deg"\nflaged = 12.0\n'
    )
    with pytest.raises(DataError, match=r"typo\.toml.*overstriding.*unknown key.*flaged"):
        patterns.evaluate(table(), thresholds=bad_key)
    broken = tmp_path / "broken.toml"
    broken.write_text("[patterns.overstriding\ncue = 1\n")
    with pytest.raises(DataError, match=r"broken\.toml: not a valid thresholds file.*line 1"):
        patterns.evaluate(table(), thresholds=broken)
    not_number = tmp_path / "text.toml"
    not_number.write_text(
        '[[patterns.overstriding.checks]]\nmetric = "shank_angle_at_ic_deg"\nflagged = "high"\n'
    )
    with pytest.raises(DataError, match="'flagged' must be a number"):
        patterns.evaluate(table(), thresholds=not_number)


def test_one_cut_off_can_be_changed_and_the_rules_used_are_recorded(tmp_path: Path) -> None:
    mine = tmp_path / "lab.toml"
    mine.write_text(
        "[[patterns.overstriding.checks]]\n"
        'metric = "shank_angle_at_ic_deg"\n'
        "flagged = 4.0\nborderline = 3.0\n"
        "[patterns.locked_pelvis]\nenabled = false\n"
    )
    r = patterns.evaluate(table(left={"heel_ahead_of_pelvis_pct_leg": 32.0}), thresholds=mine)
    # only the shank cut-off changed: the heel-ahead check and the source text are ours
    assert status(r, "overstriding", "L") == "flagged"
    assert status(r, "overstriding", "R") == "clear"
    rules = patterns.load_thresholds(mine)["patterns"]["overstriding"]["checks"]
    shank = next(c for c in rules if c["metric"] == "shank_angle_at_ic_deg")
    assert shank["flagged"] == 4.0
    assert "provisional" in shank["source"]
    locked = r.filter(pl.col("pattern") == "locked_pelvis")
    assert locked["status"].to_list() == ["not_assessable"]
    assert "disabled" in locked["reason"][0]
    assert r["rules"].str.contains("lab.toml").all()
    assert r["rules"].str.contains("sha256").all()
    assert set(patterns.evaluate(table())["rules"]) == {"shipped"}


def test_walking_is_recognised_and_not_screened_as_running() -> None:
    """Duty factor above 0.5 (double support): every running pattern is not assessable with the
    reason; a running table (0.35) is screened."""
    walk = table(left={"duty_factor": 0.62}, right={"duty_factor": 0.61})
    r = patterns.evaluate(walk)
    running = r.filter(pl.col("pattern") != "deep_squat_screen")
    assert set(running["status"]) == {"not_assessable"}
    assert running["reason"].str.contains("walking").all()
    assert (running["cue"] == "").all()
    ran = patterns.evaluate(table(left={"duty_factor": 0.35}, right={"duty_factor": 0.36}))
    assert "clear" in set(ran["status"])


def test_evidence_is_a_struct_column() -> None:
    """Pattern evidence is a list of structs (``patterns.EVIDENCE_ITEM``), not a JSON string:
    a data scientist filters and unnests it with polars directly."""
    r = patterns.evaluate(table(left={"peak_stance_knee_abduction_deg": 9.0}))
    assert r.schema["evidence"] == pl.List(patterns.EVIDENCE_ITEM)
    items = r.select("pattern", "side", "evidence").explode("evidence").unnest("evidence")
    valgus = items.filter(
        (pl.col("pattern") == "dynamic_knee_valgus")
        & (pl.col("side") == "L")
        & (pl.col("metric") == "peak_stance_knee_abduction_deg")
    )
    assert valgus.height == 1
    assert valgus["L_median"][0] == pytest.approx(9.0, abs=0.5)  # the table adds stride noise


def test_the_ric_screen_reads_the_strides_its_events_can_be_trusted_for(data_dir: Path) -> None:
    """The RIC file's right shoe cluster leaves its shank next to most right landings
    (docs/events.md): those strides' angles at IC come from the wrong frames (right shank
    angle at IC over all strides: SD 9.5 deg, against 0.7 deg on the left foot). The screen's
    evidence counts the right strides whose events are trusted only: their shank angle at IC
    varies as little as the left foot's (SD 0.2 deg, 4 strides) and its median agrees with the
    left's within 2 deg."""
    ric = data_dir / "ric"
    result = pipeline.process(
        ric / "20140515T133244_run.c3d", stridelab.read(ric / "20140515T133244_static.c3d")
    )
    right = result.table.filter(pl.col("side") == "R")["shank_angle_at_ic_deg"].to_numpy()
    assert np.nanstd(right) > 5.0  # the misdated strides are there
    row = patterns.evaluate(result.table).filter(
        (pl.col("pattern") == "overstriding") & (pl.col("side") == "R")
    )
    shank = next(
        e
        for e in patterns.evidence_items(row["evidence"][0])
        if e["metric"] == "shank_angle_at_ic_deg"
    )
    assert shank["R_strides"] >= 4
    assert shank["R_sd"] < 2.0
    assert shank["L_sd"] < 2.0
    assert abs(shank["R_median"] - shank["L_median"]) < 2.0
