"""Normative reference: joint-angle curves of 46 healthy runners (23 from the Running
Biomechanics Data Set, Fukuchi et al. 2017, PeerJ 5:e3298; 23 from the Running Injury Clinic,
University of Calgary; both CC BY 4.0), treadmill running at 2.4–2.6 m/s.

The shipped table holds each runner's mean curve (0–100 % of the gait cycle from initial
contact) in stridelab's angle conventions; the reference is their mean and SD across runners.
How the source axes map to ours, and what the reference can and cannot be used for, is in
``docs/norms.md``. All runners ran near 2.5 m/s, so the reference is speed-aware only in that it
says so: asking for another speed returns the same runners and a warning in ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import polars as pl

__all__ = ["ATTRIBUTION", "NormValue", "curves", "metrics", "runner_curves", "zscore"]

ATTRIBUTION = (
    "Normative curves: 23 runners of the Running Biomechanics Data Set (Fukuchi, Fukuchi & "
    "Duarte 2017, PeerJ 5:e3298) and 23 runners of the Running Injury Clinic, University of "
    "Calgary; CC BY 4.0."
)

#: Gait-cycle windows (percent from IC) used for per-runner summary metrics. Treadmill stance
#: at 2.5 m/s lasts 35-40 % of the cycle, so 0-30 % is inside stance for every runner.
WINDOWS = {"stance": (0, 30), "late_stance": (20, 50)}


@cache
def runner_curves() -> pl.DataFrame:
    """Per-runner mean curves: ``group, runner, speed_m_s, angle, pct, value_deg``."""
    path = resources.files("stridelab") / "data" / "norms_runner_curves.parquet"
    with resources.as_file(path) as p:
        return pl.read_parquet(p)


def _runners_near(speed_m_s: float | None) -> tuple[pl.DataFrame, str]:
    df = runner_curves()
    lo, hi = float(df["speed_m_s"].min()), float(df["speed_m_s"].max())  # type: ignore[arg-type]
    note = f"46 runners at {lo:.2f}-{hi:.2f} m/s"
    if speed_m_s is not None and not lo - 0.3 <= speed_m_s <= hi + 0.3:
        note += f"; asked for {speed_m_s:.2f} m/s, outside the reference's speeds"
    return df, note


def curves(speed_m_s: float | None = None) -> pl.DataFrame:
    """Mean and SD across runners per angle and percent of cycle:
    ``angle, pct, mean_deg, sd_deg, n, note``."""
    df, note = _runners_near(speed_m_s)
    return (
        df.group_by("angle", "pct")
        .agg(
            pl.col("value_deg").mean().alias("mean_deg"),
            pl.col("value_deg").std().alias("sd_deg"),
            pl.len().alias("n"),
        )
        .with_columns(pl.lit(note).alias("note"))
        .sort("angle", "pct")
    )


def _per_runner_metrics() -> pl.DataFrame:
    s0, s1 = WINDOWS["stance"]
    l0, l1 = WINDOWS["late_stance"]
    rows = []
    for (group, runner), df in runner_curves().group_by("group", "runner"):
        c = {a: d.sort("pct")["value_deg"].to_numpy() for (a,), d in df.group_by("angle")}
        rows.append(
            {
                "group": group,
                "runner": runner,
                "knee_flexion_at_ic_deg": c["knee_flexion_deg"][0],
                "peak_stance_knee_flexion_deg": c["knee_flexion_deg"][s0 : s1 + 1].max(),
                "peak_stance_hip_adduction_deg": c["hip_adduction_deg"][s0 : s1 + 1].max(),
                "peak_hip_extension_deg": -c["hip_flexion_deg"][l0 : l1 + 1].min(),
                "ankle_dorsiflexion_at_ic_deg": c["ankle_dorsiflexion_deg"][0],
                "peak_stance_rearfoot_eversion_deg": -c["ankle_inversion_deg"][s0 : s1 + 1].min(),
                "peak_swing_knee_flexion_deg": c["knee_flexion_deg"].max(),
            }
        )
    return pl.DataFrame(rows).sort("group", "runner")


@dataclass(frozen=True)
class NormValue:
    """Normative mean and SD of one metric, with the runners it comes from."""

    metric: str
    mean: float
    sd: float
    n: int
    note: str


def metrics(speed_m_s: float | None = None) -> pl.DataFrame:
    """Per-metric mean and SD across runners: ``metric, mean, sd, n, note``.

    Metrics: knee flexion and ankle dorsiflexion at IC; peak stance knee flexion, hip adduction and
    rearfoot eversion (0–30 % of the cycle); peak hip extension (20–50 %); peak swing knee flexion.
    """
    per = _per_runner_metrics()
    _, note = _runners_near(speed_m_s)
    rows = []
    for m in per.columns[2:]:
        v = per[m].drop_nulls().drop_nans().to_numpy()
        rows.append(
            {
                "metric": m,
                "mean": float(np.mean(v)),
                "sd": float(np.std(v, ddof=1)),
                "n": int(v.size),
                "note": note,
            }
        )
    return pl.DataFrame(rows)


def zscore(metric: str, value: float, speed_m_s: float | None = None) -> tuple[float, NormValue]:
    """``(value − mean) / sd`` against the reference, with the reference used."""
    table = metrics(speed_m_s).filter(pl.col("metric") == metric)
    if table.height == 0:
        raise KeyError(f"no normative value for '{metric}'; have {metrics()['metric'].to_list()}")
    row = table.row(0, named=True)
    ref = NormValue(metric, row["mean"], row["sd"], row["n"], row["note"])
    return (value - ref.mean) / ref.sd, ref
