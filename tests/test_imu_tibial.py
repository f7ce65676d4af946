"""Shank/ankle accelerometers without a gyroscope (tibial acceleration): events after Mercer et
al. 2003 and a perturbation suite with known truth.

The recording is built from the real averaged stride of ``imu_cycle`` (Dorschky et al. 2019:
right and left tibia accelerometers in OpenSim segment frames, x anterior, y up, z right, with
the right foot's force) repeated 12 times, after 2 s of quiet standing (the shank upright: 1 g
along its long axis) as a runner records before setting off. Truth: the right force onset at
5 % body weight. Every perturbation of the same recording — resampled to 100/128/200/500 Hz, in
g instead of m/s², the sensor turned ±40° about each axis, its axes permuted and sign-flipped,
noise, a clock that does not start at 0 — must give the same events within one sample plus
5 ms, or say why not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from stridelab import events, imu
from stridelab.cli import main

PERIOD_S = 0.7335
RATE = 100 / PERIOD_S
QUIET_S = 2.0
STRIDES = 12


def _rot(axis: int, deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    i, j = [k for k in range(3) if k != axis]
    r = np.eye(3)
    r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
    return r


@pytest.fixture(scope="module")
def cycle(data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(data_dir / "imu_cycle/P01_normrunning_cycle.csv")


def _truth_ic_s(d: pl.DataFrame) -> float:
    """Right force onset (5 % body weight, interpolated) within the cycle, s."""
    grf = d["GRF_GRF_y_r_mean"].to_numpy()
    i = int(np.flatnonzero((grf[:-1] < 0.05) & (grf[1:] >= 0.05))[0])
    return (i + (0.05 - grf[i]) / (grf[i + 1] - grf[i])) / RATE


def _shank_signals(d: pl.DataFrame, side: str) -> np.ndarray:
    """(samples, 3) specific force of one tibia in its own frame (x ant, y up, z right): quiet
    standing, then the stride repeated."""
    a = np.column_stack([d[f"acc_tibia_{side}_{k}_mean"].to_numpy() for k in "xyz"])
    quiet = np.tile([0.0, imu.G, 0.0], (int(QUIET_S * RATE), 1))
    return np.vstack([quiet, np.tile(a, (STRIDES, 1))])


def _write(
    path: Path,
    d: pl.DataFrame,
    *,
    rate: float = RATE,
    turn: np.ndarray | None = None,
    order: tuple[int, int, int] = (0, 1, 2),
    signs: tuple[float, float, float] = (1.0, 1.0, 1.0),
    unit: str = "m_s2",
    noise: float = 0.0,
    t0: float = 0.0,
) -> Path:
    cols: dict[str, np.ndarray] = {}
    t_src = None
    for side, loc in (("r", "right_shank"), ("l", "left_shank")):
        a = _shank_signals(d, side)
        t_src = np.arange(a.shape[0]) / RATE
        if turn is not None:
            a = a @ turn  # the sensor turned by `turn`: its axes see R^T a
        a = a[:, list(order)] * np.array(signs)
        t = np.arange(0, t_src[-1], 1 / rate)
        a = np.column_stack([np.interp(t, t_src, a[:, k]) for k in range(3)])
        if noise:
            a = a + np.random.default_rng(7).normal(0, noise, a.shape)
        if unit == "g":
            a = a / imu.G
        for k, name in enumerate("xyz"):
            cols[f"{loc}_acc_{name}_{unit}"] = a[:, k]
    assert t_src is not None
    time = t0 + np.arange(len(next(iter(cols.values())))) / rate
    pl.DataFrame({"time_s": time, **cols}).write_csv(path)
    return path


def _ics(path: Path, side: str = "R") -> np.ndarray:
    ev = events.detect(imu.read_imu(path))
    assert set(ev["source"]) == {"imu"}
    assert ev["method"].str.contains("Mercer 2003").all()
    return ev.filter((pl.col("side") == side) & (pl.col("event") == "IC"))["time_s"].to_numpy()


def test_tibial_ic_against_the_force_plate(cycle: pl.DataFrame, tmp_path: Path) -> None:
    """Right IC from the shank accelerometer alone against the force onset: +2.6 ms on the
    real averaged stride (its impact is blunted by averaging), TO +25 ms; every stride found,
    none twice; quiet standing gives the long axis."""
    path = _write(tmp_path / "base.csv", cycle)
    ev = events.detect(imu.read_imu(path))
    assert ev["method"].str.contains("quiet standing").all()
    ic = _ics(path)
    truth = QUIET_S + _truth_ic_s(cycle) + PERIOD_S * np.arange(STRIDES)
    matched = [ic[np.argmin(np.abs(ic - t))] - t for t in truth]
    err = np.array([e for e in matched if abs(e) < 0.1])
    print(f"\ntibial IC error {1e3 * err.mean():+.1f} ms over {err.size} strides")
    assert err.size >= STRIDES - 2
    assert ic.size <= STRIDES
    assert np.abs(err).max() < 0.005  # measured +2.6 ms
    # TO: the minimum after the push-off peak, measured +25 ms against the force's end
    grf = cycle["GRF_GRF_y_r_mean"].to_numpy()
    i = int(np.flatnonzero((grf[:-1] >= 0.05) & (grf[1:] < 0.05))[0])
    to_true = (i + (0.05 - grf[i]) / (grf[i + 1] - grf[i])) / RATE
    to = ev.filter((pl.col("side") == "R") & (pl.col("event") == "TO"))["time_s"].to_numpy()
    to_err = (to - QUIET_S - to_true + 0.3) % PERIOD_S - 0.3
    assert np.all((to_err > 0.015) & (to_err < 0.035))
    # the left side alternates with the right, half a stride apart
    left = _ics(path, "L")
    assert left.size >= STRIDES - 2
    phase = np.median((left[:, None] - ic[None, :]) % PERIOD_S)
    assert 0.25 < phase < 0.5


@pytest.mark.parametrize(
    "how",
    [
        {"rate": 128.0},
        {"rate": 200.0},
        {"rate": 500.0},
        {"unit": "g"},
        {"turn": _rot(0, 40.0)},
        {"turn": _rot(1, -40.0)},
        {"turn": _rot(2, 40.0)},
        {"turn": _rot(2, -40.0)},
        {"order": (2, 0, 1), "signs": (-1.0, 1.0, -1.0)},
        {"noise": 0.3},
        {"t0": 1234.5},
    ],
    ids=lambda h: ",".join(f"{k}" for k in h),
)
def test_perturbed_copies_give_the_same_events(
    cycle: pl.DataFrame, tmp_path: Path, how: dict[str, object]
) -> None:
    base = _ics(_write(tmp_path / "base.csv", cycle))
    rate = float(how.get("rate", RATE))  # type: ignore[arg-type]
    other = _ics(_write(tmp_path / "perturbed.csv", cycle, **how))  # type: ignore[arg-type]
    assert other.size == base.size, how
    assert np.abs(other - base).max() <= 1 / rate + 1 / RATE + 0.005, how


def test_at_100_hz_an_unclear_impact_is_said(cycle: pl.DataFrame, tmp_path: Path) -> None:
    """Why 100 Hz is not in the suite above: on this averaged stride the impact peak (45 m/s²)
    stands only 6 % above the next peak, 75 ms later; sampled at 100 Hz the impact's 20 ms
    transient loses its top in 2 of 12 strides, and those take the later peak (IC +94 ms).
    Every event says so: quality (the impact's margin over the next peak) is under 0.15 on
    every stride of this recording at every rate, against over 0.7 on the clear impacts built in
    ``imu::tibial``'s own tests."""
    base = events.detect(imu.read_imu(_write(tmp_path / "base.csv", cycle)))
    low = events.detect(imu.read_imu(_write(tmp_path / "low.csv", cycle, rate=100.0)))
    pick = (pl.col("side") == "R") & (pl.col("event") == "IC")
    a, b = base.filter(pick), low.filter(pick)
    assert a.height == b.height
    diff = np.abs(b["time_s"].to_numpy() - a["time_s"].to_numpy())
    assert (diff <= 0.01 + 1 / RATE + 0.005).sum() >= a.height - 2
    assert np.all((diff < 0.025) | ((diff > 0.08) & (diff < 0.11)))
    assert a["quality"].max() < 0.15
    assert b["quality"].max() < 0.15


def test_without_quiet_standing_the_axis_map_is_used_and_said(
    cycle: pl.DataFrame, tmp_path: Path
) -> None:
    """No standing period: the long axis is the axis map's proximal axis, and `method` says so
    (a sensor mounted off its map then shifts the events — the reason quiet standing is asked
    for in docs/imu.md)."""
    a = _shank_signals(cycle, "r")[int(QUIET_S * RATE) :]
    p = tmp_path / "noquiet.csv"
    pl.DataFrame(
        {
            "time_s": np.arange(a.shape[0]) / RATE,
            **{f"right_shank_acc_{k}": a[:, j] for j, k in enumerate("xyz")},
        }
    ).write_csv(p)
    trial = imu.read_imu(p, axes={"right_shank": "+x,-z,+y"}, acc_unit="m/s2")
    ev = events.detect(trial)
    assert ev["method"].str.contains("axis map").all()
    ic = ev.filter(pl.col("event") == "IC")["time_s"].to_numpy()
    truth = _truth_ic_s(cycle) + PERIOD_S * np.arange(STRIDES)
    err = [ic[np.argmin(np.abs(ic - t))] - t for t in truth[1:-1]]
    assert np.abs(err).max() < 0.010


def test_tibial_files_run_through_events_analyze_and_batch(
    cycle: pl.DataFrame, tmp_path: Path
) -> None:
    path = _write(tmp_path / "tibial.csv", cycle)
    runner = CliRunner()
    res = runner.invoke(main, ["events", str(path)])
    assert res.exit_code == 0, res.output
    assert "Mercer 2003" in res.output
    res = runner.invoke(main, ["analyze", str(path), "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    table = pl.read_parquet(tmp_path / "a" / "results.parquet")
    for side in ("L", "R"):
        assert table.filter(pl.col("side") == side).height >= STRIDES - 3
    # the averaged stride blunts the impact: 4-6 g (5-10 g in single strides)
    assert 3.0 < table["peak_tibial_acceleration_g"].median() < 8.0
    res = runner.invoke(main, ["batch", str(path), "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    status = pl.read_csv(tmp_path / "b" / "status.csv")
    assert set(status["status"]) == {"ok"}
