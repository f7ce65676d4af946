"""The shipped normative reference: built from all 46 runners, mapped to stridelab's axes (checked
on RBDS001, who is in both the reference and the test data), with plausible healthy values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab import events, kinematics, norms, strides


def test_reference_holds_46_runners_near_2_5_m_s() -> None:
    df = norms.runner_curves()
    assert df.select("group", "runner").unique().height == 46
    assert set(df["group"]) == {"BMC", "RIC"}
    assert df["pct"].min() == 0
    assert df["pct"].max() == 100
    assert 2.4 < df["speed_m_s"].min() <= df["speed_m_s"].max() < 2.6  # type: ignore[operator]
    assert "CC BY 4.0" in norms.ATTRIBUTION


def test_healthy_values_match_the_literature() -> None:
    m = {r["metric"]: r for r in norms.metrics().iter_rows(named=True)}
    # Bramah et al. 2018, healthy runners: knee flexion at IC 10.2 ± 4.8°
    assert m["knee_flexion_at_ic_deg"]["mean"] == pytest.approx(10.2, abs=2.5)
    assert 3 < m["knee_flexion_at_ic_deg"]["sd"] < 7
    assert 30 < m["peak_stance_knee_flexion_deg"]["mean"] < 50
    assert 4 < m["peak_stance_hip_adduction_deg"]["mean"] < 13
    assert 75 < m["peak_swing_knee_flexion_deg"]["mean"] < 110
    assert all(r["n"] == 46 for r in m.values())


def test_zscore_and_speed_note() -> None:
    z, ref = norms.zscore("knee_flexion_at_ic_deg", 11.0 + 2 * 4.674)
    assert z == pytest.approx(2.0, abs=0.01)
    assert ref.n == 46
    _, far = norms.zscore("knee_flexion_at_ic_deg", 10.0, speed_m_s=4.5)
    assert "outside the reference's speeds" in far.note
    with pytest.raises(KeyError):
        norms.zscore("no_such_metric", 1.0)


def test_axis_mapping_on_the_shared_runner(rbds: Path) -> None:
    """BMC runner 1 is RBDS001: mapped reference curves must follow our own kinematics."""
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    k = kinematics.compute(trial, stridelab.read(rbds / "RBDS001static.txt"))
    st = strides.strides(events.from_force(trial, threshold_n=20.0)).filter(pl.col("side") == "R")
    ref = norms.runner_curves().filter((pl.col("group") == "BMC") & (pl.col("runner") == 1))
    for angle in ("hip_flexion_deg", "knee_flexion_deg", "ankle_dorsiflexion_deg"):
        ours = np.nanmean(
            strides.normalise(
                k.side("R")[angle].to_numpy(), trial.point_rate_hz, st["ic_s"], st["next_ic_s"]
            ),
            axis=0,
        )
        theirs = ref.filter(pl.col("angle") == angle).sort("pct")["value_deg"].to_numpy()
        assert np.corrcoef(ours, theirs)[0, 1] > 0.99, angle


def test_z_scores_at_another_speed_carry_the_caveat_in_the_report() -> None:
    """A runner at 3.5 m/s compared with 2.5 m/s norms: the pattern evidence says so in the
    HTML row, and no hip-flexion band is drawn (the reference's pelvis differs)."""
    import polars as pl

    from stridelab import patterns
    from stridelab.report.html import _pattern_row, html_report

    rows = []
    for side in ("L", "R"):
        for k in range(12):
            rows.append({"side": side, "stride": k, "peak_stance_knee_flexion_deg": 44.0 + 0.1 * k})
    table = pl.DataFrame(rows)
    r = patterns.evaluate(table, speed_m_s=3.5)
    row = r.filter((pl.col("pattern") == "flexed_quad_dominant") & (pl.col("side") == "L")).row(
        0, named=True
    )
    assert "norms from other speeds" in _pattern_row(row)
    from stridelab.events import EVENT_SCHEMA

    page = html_report("x", r, table, {}, pl.DataFrame(schema=EVENT_SCHEMA), ["t"], None, 3.5)
    assert "outside the reference" in page
