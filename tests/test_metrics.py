"""Per-stride running metrics on RBDS001 (both speeds): values a biomechanist can check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab import events, kinematics, metrics, patterns
from stridelab.errors import DataError


@pytest.fixture(scope="module")
def tables(rbds: Path) -> dict[str, pl.DataFrame]:
    static = stridelab.read(rbds / "RBDS001static.txt")
    standing = kinematics.compute(static, static)
    out = {}
    for name, speed in (("RBDS001runT25markers.txt", 2.5), ("RBDS001runT35.c3d", 3.5)):
        t = stridelab.read(rbds / name)
        k = kinematics.compute(t, static)
        out[name] = metrics.per_stride(
            t, k, events.from_force(t), static_kin=standing, speed_m_s=speed, runner="RBDS001"
        )
    return out


def test_foot_strike_is_forefoot_on_both_sides_as_the_lab_labels_it(
    tables: dict[str, pl.DataFrame],
) -> None:
    """RBDSinfo.txt: RBDS001 strikes forefoot (R and L, 2.5 and 3.5 m/s)."""
    for name, m in tables.items():
        for side in ("L", "R"):
            s = m.filter(pl.col("side") == side)
            mode = s["foot_strike"].mode().to_list()
            assert mode == ["forefoot"], (name, side, s["foot_strike"].value_counts())
            assert float(s["strike_index"].median()) > 2 / 3  # type: ignore[arg-type]


def test_running_metrics_are_plausible(tables: dict[str, pl.DataFrame]) -> None:
    slow, fast = tables["RBDS001runT25markers.txt"], tables["RBDS001runT35.c3d"]
    assert slow.height >= 70
    for m in (slow, fast):
        assert m["leg_length_m"].n_unique() == 2  # one per side
        assert 0.80 < m["leg_length_m"].min() <= m["leg_length_m"].max() < 0.95  # type: ignore[operator]
        assert 5 < m["knee_flexion_at_ic_deg"].median() < 25  # type: ignore[operator]
        assert 30 < m["peak_stance_knee_flexion_deg"].median() < 55  # type: ignore[operator]
        assert 0 < m["contralateral_pelvic_drop_deg"].median() < 8  # type: ignore[operator]
        assert 0.05 < m["vertical_oscillation_m"].median() < 0.13  # type: ignore[operator]
        # the foot lands ahead of the pelvis, and the hip passes over the ankle near midstance
        assert 0 < m["heel_ahead_of_pelvis_pct_leg"].median() < 40  # type: ignore[operator]
        assert -15 < m["hip_ahead_of_ankle_pct_leg"].median() < 15  # type: ignore[operator]
    # faster: longer strides, shorter contacts, higher cadence
    assert fast["stride_length_m"].median() > slow["stride_length_m"].median() + 0.3  # type: ignore[operator]
    assert fast["contact_time_s"].median() < slow["contact_time_s"].median()  # type: ignore[operator]
    assert fast["cadence_steps_per_min"].median() > slow["cadence_steps_per_min"].median()  # type: ignore[operator]
    # stride length on the treadmill = speed × stride time
    np.testing.assert_allclose(slow["stride_length_m"], 2.5 * slow["stride_time_s"])


def test_static_asymmetry_and_step_metrics(tables: dict[str, pl.DataFrame]) -> None:
    m = tables["RBDS001runT25markers.txt"]
    # standing: legs within a centimetre of each other, pelvis within a few degrees of level
    assert abs(m["static_leg_length_difference_mm"][0]) < 10
    assert abs(m["static_pelvic_obliquity_deg"][0]) < 5
    # step length about 1.1 leg lengths at 2.5 m/s; foot well behind the pelvis at toe-off
    assert 0.9 < m["step_length_over_leg_length"].median() < 1.3  # type: ignore[operator]
    assert 20 < m["foot_behind_pelvis_at_to_pct_leg"].median() < 70  # type: ignore[operator]


def test_no_trunk_markers_give_nan_not_zero(tables: dict[str, pl.DataFrame]) -> None:
    m = tables["RBDS001runT25markers.txt"]
    assert m["trunk_flexion_at_midstance_deg"].is_nan().all()


def test_summary_and_symmetry(tables: dict[str, pl.DataFrame]) -> None:
    s = metrics.summary(tables["RBDS001runT25markers.txt"]).filter(
        pl.col("metric") == "cadence_steps_per_min"
    )
    row = s.row(0, named=True)
    assert row["L_n"] >= 35
    assert row["R_n"] >= 35
    assert abs(row["symmetry_index_pct"]) < 2  # steady treadmill running


def test_strike_classes() -> None:
    assert metrics.classify_strike(0.8, 5.0) == "forefoot"  # the strike index decides
    assert metrics.classify_strike(0.1, -5.0) == "rearfoot"
    assert metrics.classify_strike(None, -2.0) == "forefoot"  # Altman & Davis 2012
    assert metrics.classify_strike(float("nan"), 10.0) == "rearfoot"
    assert metrics.classify_strike(None, 3.0) == "midfoot"


def test_whole_stance_hip_ahead_of_ankle_matches_an_independent_computation(rbds: Path) -> None:
    """Recomputed here from the joint-centre trajectories: pelvis centre (mid hip centres) minus
    the stance ankle centre along progression, averaged over 21 instants from IC to TO, in % of
    the mean of both legs' hip-knee-ankle lengths."""
    static = stridelab.read(rbds / "RBDS001static.txt")
    t = stridelab.read(rbds / "RBDS001runT25markers.txt")
    k = kinematics.compute(t, static)
    m = metrics.per_stride(t, k, events.from_force(t), speed_m_s=2.5)
    lm = k.landmarks
    time = np.arange(t.n_frames) / t.point_rate_hz
    pelvis_x = 0.5 * (lm["L_hjc"][:, 0] + lm["R_hjc"][:, 0])
    legs = [
        np.nanmedian(np.linalg.norm(lm[f"{s}_hjc"] - lm[f"{s}_kjc"], axis=1))
        + np.nanmedian(np.linalg.norm(lm[f"{s}_kjc"] - lm[f"{s}_ajc"], axis=1))
        for s in ("L", "R")
    ]
    leg = float(np.mean(legs))
    for row in m.head(20).iter_rows(named=True):
        at = np.linspace(row["ic_s"], row["to_s"], 21)
        ankle_x = np.interp(at, time, lm[f"{row['side']}_ajc"][:, 0])
        expected = 100 * np.mean(np.interp(at, time, pelvis_x) - ankle_x) / leg
        assert abs(row["mean_stance_hip_ahead_of_ankle_pct_leg"] - expected) < 0.05


def test_metrics_equal_an_independent_computation(rbds: Path) -> None:
    """Each metric recomputed here with numpy from the kinematics (angles, joint centres) and the
    force events, by its written definition (module notes of stridelab.metrics), on RBDS001 at
    3.5 m/s: a wrong event, sign, side or stance window in the core shows up as a difference."""
    static = stridelab.read(rbds / "RBDS001static.txt")
    t = stridelab.read(rbds / "RBDS001runT35.c3d")
    k = kinematics.compute(t, static)
    ev = events.from_force(t)
    m = metrics.per_stride(t, k, ev, speed_m_s=3.5)
    rate = t.point_rate_hz
    time = np.arange(t.n_frames) / rate
    lm = k.landmarks
    pelvis = 0.5 * (lm["L_hjc"] + lm["R_hjc"])
    legs = [
        np.nanmedian(np.linalg.norm(lm[f"{s}_hjc"] - lm[f"{s}_kjc"], axis=1))
        + np.nanmedian(np.linalg.norm(lm[f"{s}_kjc"] - lm[f"{s}_ajc"], axis=1))
        for s in ("L", "R")
    ]
    leg = float(np.mean(legs))

    def angle(side: str, col: str) -> np.ndarray:
        return k.side(side)[col].to_numpy()

    def at(x: np.ndarray, s: float) -> float:
        return float(np.interp(s, time, x))

    def stance(x: np.ndarray, a: float, b: float) -> np.ndarray:
        return x[(time >= a) & (time <= b)]

    def stride_of(x: np.ndarray, side: str, ic: float) -> np.ndarray:
        """From this IC to the next IC of the same foot, ends interpolated."""
        b = ic + next_ic[(side, ic)]
        inner = x[(time > ic) & (time < b)]
        return np.concatenate([[at(x, ic)], inner[np.isfinite(inner)], [at(x, b)]])

    ics = {
        s: np.sort(
            ev.filter((pl.col("side") == s) & (pl.col("event") == "IC"))["time_s"].to_numpy()
        )
        for s in ("L", "R")
    }
    next_ic = {
        (s, float(a)): float(b - a)
        for s in ("L", "R")
        for a, b in zip(ics[s][:-1], ics[s][1:], strict=True)
    }
    checked = 0
    for row in m.head(30).iter_rows(named=True):
        side, other = row["side"], "L" if row["side"] == "R" else "R"
        ic, to = row["ic_s"], row["to_s"]
        expect = {
            "knee_flexion_at_ic_deg": at(angle(side, "knee_flexion_deg"), ic),
            "ankle_dorsiflexion_at_ic_deg": at(angle(side, "ankle_dorsiflexion_deg"), ic),
            "shank_angle_at_ic_deg": at(angle(side, "shank_angle_deg"), ic),
            "peak_stance_knee_flexion_deg": np.nanmax(
                stance(angle(side, "knee_flexion_deg"), ic, to)
            ),
            "peak_stance_hip_adduction_deg": np.nanmax(
                stance(angle(side, "hip_adduction_deg"), ic, to)
            ),
            "peak_stance_knee_abduction_deg": -np.nanmin(
                stance(angle(side, "knee_adduction_deg"), ic, to)
            ),
            "contralateral_pelvic_drop_deg": at(angle(other, "pelvis_obliquity_deg"), ic)
            - np.nanmin(stance(angle(other, "pelvis_obliquity_deg"), ic, to)),
            "heel_ahead_of_pelvis_pct_leg": 100
            * (at(lm[f"{side}_heel"][:, 0], ic) - at(pelvis[:, 0], ic))
            / leg,
            # two steps per stride; the stride from this IC to the next IC of the same foot
            "cadence_steps_per_min": 120.0 / next_ic[(side, ic)],
            "contact_time_s": to - ic,
            "duty_factor": (to - ic) / next_ic[(side, ic)],
            "min_stance_knee_flexion_deg": np.nanmin(
                stance(angle(side, "knee_flexion_deg"), ic, to)
            ),
            "min_swing_knee_flexion_deg": np.nanmin(
                stance(angle(side, "knee_flexion_deg"), to, ic + next_ic[(side, ic)])
            ),
            "knee_flexion_at_to_deg": at(angle(side, "knee_flexion_deg"), to),
            "peak_hip_extension_deg": -np.nanmin(stance(angle(side, "hip_flexion_deg"), ic, to)),
            "peak_stance_rearfoot_eversion_deg": -np.nanmin(
                stance(angle(side, "ankle_inversion_deg"), ic, to)
            ),
            "peak_stance_knee_adduction_deg": np.nanmax(
                stance(angle(side, "knee_adduction_deg"), ic, to)
            ),
            "pelvic_tilt_at_ic_deg": at(angle(side, "pelvis_tilt_deg"), ic),
            "peak_stance_pelvic_tilt_deg": np.nanmax(
                stance(angle(side, "pelvis_tilt_deg"), ic, to)
            ),
            "pelvic_obliquity_range_deg": np.ptp(
                stride_of(angle(side, "pelvis_obliquity_deg"), side, ic)
            ),
            "pelvic_rotation_range_deg": np.ptp(
                stride_of(angle(side, "pelvis_rotation_deg"), side, ic)
            ),
            "hip_ahead_of_ankle_pct_leg": 100
            * (
                at(pelvis[:, 0], row["midstance_s"])
                - at(lm[f"{side}_ajc"][:, 0], row["midstance_s"])
            )
            / leg,
            "foot_behind_pelvis_at_to_pct_leg": 100
            * (at(pelvis[:, 0], to) - at(lm[f"{side}_heel"][:, 0], to))
            / leg,
            "vertical_oscillation_m": np.ptp(stride_of(pelvis[:, 2], side, ic)),
            "stride_length_m": 3.5 * next_ic[(side, ic)],
            "step_length_over_leg_length": 3.5 * row["step_time_s"] / leg,
            "leg_length_m": legs[0 if side == "L" else 1],
        }
        for name, value in expect.items():
            # frame-sampled extremes may differ from the core's by the sub-frame refinement
            tol = (
                0.5
                if name.startswith(("peak", "min_")) or "drop" in name or "range" in name
                else 0.005
                if name.endswith("_m")
                else 0.05
            )
            assert abs(row[name] - value) < tol, (name, row[name], value)
            checked += 1
    assert checked == 30 * len(expect)


def test_symmetry_index_only_for_ratio_scale_metrics() -> None:
    """Foot strike angles of +0.9° and −1.0° are nearly symmetric: no 200 % index, a 1.9°
    difference; contact times keep their relative index."""
    t = pl.DataFrame(
        {
            "side": ["L", "R"] * 3,
            "stride": [0, 0, 1, 1, 2, 2],
            "foot_strike_angle_deg": [0.9, -1.0] * 3,
            "contact_time_s": [0.22, 0.20] * 3,
        }
    )
    s = {r["metric"]: r for r in metrics.summary(t).iter_rows(named=True)}
    assert np.isnan(s["foot_strike_angle_deg"]["symmetry_index_pct"])
    assert s["foot_strike_angle_deg"]["left_minus_right"] == pytest.approx(1.9)
    assert s["contact_time_s"]["symmetry_index_pct"] == pytest.approx(100 * 0.02 / 0.21)


@pytest.mark.parametrize(
    ("name", "belt"), [("RBDS001runT25markers.txt", 2.5), ("RBDS001runT35.c3d", 3.5)]
)
def test_speed_is_estimated_when_not_given_and_said_so(rbds: Path, name: str, belt: float) -> None:
    """No belt speed given: it is estimated from the markers (within 5 % of the known belt
    speed; measured −0.8 and −0.6 %), lengths use it, the table says it was estimated, and it
    has the same columns as with a speed, so the two concatenate. Without foot markers lengths
    are NaN (not the heel's −0.8 mm of travel on a treadmill)."""
    static = stridelab.read(rbds / "RBDS001static.txt")
    t = stridelab.read(rbds / name)
    k = kinematics.compute(t, static)
    ev = events.from_force(t)
    without = metrics.per_stride(t, k, ev)
    with_speed = metrics.per_stride(t, k, ev, speed_m_s=belt)
    assert without.columns == with_speed.columns
    assert without["speed_estimated"].all()
    assert not with_speed["speed_estimated"].any()
    estimate = float(without["speed_m_s"][0])
    assert abs(estimate / belt - 1) < 0.05, estimate
    np.testing.assert_allclose(without["stride_length_m"], estimate * without["stride_time_s"])
    assert pl.concat([without, with_speed]).height == 2 * without.height
    bare = t.with_markers([n for n in t.marker_names if not any(w in n for w in ("Heel", "MT"))])
    assert metrics.estimate_speed(bare) is None
    for bad in (35.0, 0.0, float("nan")):
        with pytest.raises(DataError, match=r"outside 0\.5-13\.0 m/s"):
            metrics.per_stride(t, k, ev, speed_m_s=bad)


def test_the_two_leg_lengths_are_what_their_names_say(tables: dict[str, pl.DataFrame]) -> None:
    """``leg_length_m`` is the running trial's tracked hip-knee-ankle length (a normaliser);
    ``static_leg_length_difference_mm`` is the standing trial's L - R (the leg-length
    difference). On RBDS001 they disagree by about 2 mm in L - R (soft-tissue motion of the
    clusters while running), as docs say, and the pelvic-asymmetry evidence uses the standing
    one."""
    m = tables["RBDS001runT25markers.txt"]
    running = 1000 * (
        float(m.filter(pl.col("side") == "L")["leg_length_m"][0])
        - float(m.filter(pl.col("side") == "R")["leg_length_m"][0])
    )
    standing = float(m["static_leg_length_difference_mm"][0])
    assert abs(running - standing) < 5.0
    assert running != pytest.approx(standing, abs=0.5)  # two measurements, not one copied
    rule = patterns.load_thresholds(None)["patterns"]["pelvic_asymmetry"]
    assert "static_leg_length_difference_mm" in [c["metric"] for c in rule["checks"]]
    assert "leg_length_m" not in [c["metric"] for c in rule["checks"]]
