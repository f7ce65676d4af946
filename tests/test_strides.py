"""Strides, midstance and spatiotemporal parameters on RBDS001 with force-plate events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab import events, kinematics, strides


@pytest.fixture(scope="module")
def run25(rbds: Path) -> tuple[stridelab.Trial, pl.DataFrame]:
    t = stridelab.read(rbds / "RBDS001runT25markers.txt")
    return t, events.from_force(t)


def test_spatiotemporal_at_2_5_m_s(run25: tuple[stridelab.Trial, pl.DataFrame]) -> None:
    _, ev = run25
    st = strides.strides(ev)
    assert st.filter(pl.col("side") == "L").height >= 36
    assert st.filter(pl.col("side") == "R").height >= 36
    # RBDS001 at 2.5 m/s: about 156 steps/min, contact about 0.26 s, flight about 0.12 s
    cad = float(st["cadence_steps_per_min"].median())  # type: ignore[arg-type]
    assert 145 < cad < 170
    assert 0.20 < float(st["contact_time_s"].median()) < 0.32  # type: ignore[arg-type]
    assert 0.05 < float(st["flight_time_s"].median()) < 0.18  # type: ignore[arg-type]
    assert 0.30 < float(st["duty_factor"].median()) < 0.42  # type: ignore[arg-type]
    # step + step = stride, for every stride
    np.testing.assert_allclose(
        (st["step_time_s"] + (st["next_ic_s"] - st["other_ic_s"])).to_numpy(),
        st["stride_time_s"].to_numpy(),
    )


def test_missing_events_make_invalid_strides_with_reasons(
    run25: tuple[stridelab.Trial, pl.DataFrame],
) -> None:
    _, ev = run25
    r_ic = ev.filter((pl.col("side") == "R") & (pl.col("event") == "IC")).sort("time_s")
    dropped_ic = r_ic["time_s"][10]
    r_to = ev.filter((pl.col("side") == "R") & (pl.col("event") == "TO")).sort("time_s")
    dropped_to = r_to["time_s"][20]
    holed = ev.filter(~pl.col("time_s").is_in([dropped_ic, dropped_to]))
    st = strides.strides(holed, keep_invalid=True)
    bad = st.filter(~pl.col("valid"))
    reasons = set(bad["reason"].to_list())
    assert any("no toe-off" in r or "toe-offs" in r for r in reasons)
    assert any("contralateral" in r or "stride time" in r for r in reasons)
    assert strides.strides(holed).height == st.filter(pl.col("valid")).height


def test_midstance_definitions_agree_roughly(
    rbds: Path, run25: tuple[stridelab.Trial, pl.DataFrame]
) -> None:
    t, ev = run25
    static = stridelab.read(rbds / "RBDS001static.txt")
    k = kinematics.compute(t, static)
    st = strides.strides(ev)
    found = {}
    for d in strides.MIDSTANCE_DEFINITIONS:
        m = strides.midstance(st, k.angles, k.landmarks, t.point_rate_hz, d)
        assert (m["midstance_definition"] == d).all()
        rel = ((m["midstance_s"] - m["ic_s"]) / (m["to_s"] - m["ic_s"])).to_numpy()
        assert np.isfinite(rel).mean() > 0.9, d
        found[d] = float(np.nanmedian(rel))
    # every definition falls in the middle part of stance
    for d, rel in found.items():
        assert 0.3 < rel < 0.65, (d, rel)
    assert found["half_stance"] == pytest.approx(0.5)


def test_normalise_never_bridges_gaps() -> None:
    v = np.arange(100.0)
    v[40:45] = np.nan
    out = strides.normalise(v, 100.0, [0.3, 0.0], [0.6, 0.3])
    assert np.isnan(out[0]).any()
    assert not np.isnan(out[1]).any()
    np.testing.assert_allclose(out[1][[0, -1]], [0.0, 30.0])


def test_one_stride_id_names_a_stride_in_events_strides_and_metrics(rbds: Path) -> None:
    """The k-th IC of a foot starts stride "<side>k": the events, strides and metrics tables
    name the same stride the same way (and its TO carries it too)."""
    from stridelab import metrics

    t = stridelab.read(rbds / "RBDS001runT25markers.txt")
    ev = events.detect(t)
    st = strides.strides(ev)
    m = metrics.per_stride(
        t, kinematics.compute(t, stridelab.read(rbds / "RBDS001static.txt")), ev, speed_m_s=2.5
    )
    ics = ev.filter(pl.col("event") == "IC").select("stride_id", pl.col("time_s").alias("ic_s"))
    joined = st.select("stride_id", "ic_s").join(ics, on="stride_id", suffix="_ev")
    assert joined.height == st.height
    assert (joined["ic_s"] - joined["ic_s_ev"]).abs().max() == 0
    tos = ev.filter(pl.col("event") == "TO").select("stride_id", pl.col("time_s").alias("to"))
    both = st.join(tos, on="stride_id")
    assert ((both["to"] - both["to_s"]).abs() < 1e-9).all()
    assert set(m["stride_id"]) <= set(st["stride_id"])
    assert m.select("side", "stride_id").is_unique().all()


def test_per_stride_curves_as_a_long_table(rbds: Path) -> None:
    """stride × percent rows; each stride's curve equals normalise() of that stride."""
    t = stridelab.read(rbds / "RBDS001runT25markers.txt")
    k = kinematics.compute(t, stridelab.read(rbds / "RBDS001static.txt"))
    st = strides.strides(events.detect(t))
    long = strides.curves(k, st, t.point_rate_hz, ["knee_flexion_deg"])
    assert long.columns == ["side", "stride_id", "angle", "pct", "value_deg"]
    assert long.height == st.height * 101
    one = long.filter(pl.col("stride_id") == "R3").sort("pct")
    row = st.filter(pl.col("stride_id") == "R3")
    expected = strides.normalise(
        k.side("R")["knee_flexion_deg"].to_numpy(), t.point_rate_hz, row["ic_s"], row["next_ic_s"]
    )[0]
    np.testing.assert_allclose(one["value_deg"].to_numpy(), expected)


def test_a_stride_carries_the_lowest_quality_of_its_events(
    run25: tuple[stridelab.Trial, pl.DataFrame],
) -> None:
    """``event_quality`` is the lowest quality of the stride's IC, its TO and the next IC: one
    low-graded IC lowers the stride it starts and the stride it ends, nothing else; a table
    without qualities gives NaN."""
    _, ev = run25
    st0 = strides.strides(ev)
    assert (st0["event_quality"] == 1.0).all()  # force events: every check passed
    r_ic = ev.filter((pl.col("side") == "R") & (pl.col("event") == "IC")).sort("time_s")
    t_low = r_ic["time_s"][10]
    graded = ev.with_columns(
        pl.when(pl.col("time_s") == t_low).then(0.25).otherwise(pl.col("quality")).alias("quality")
    )
    st = strides.strides(graded)
    low = st.filter(pl.col("event_quality") < 1.0)
    assert low["event_quality"].to_list() == [0.25, 0.25]
    assert sorted(low["ic_s"].to_list()) == [r_ic["time_s"][9], t_low]
    assert strides.strides(ev.drop("quality"))["event_quality"].is_nan().all()
