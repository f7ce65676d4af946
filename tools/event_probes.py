"""Copies of the shared recordings whose events are known by construction, and how far the
event detectors move on them: the figures behind "Copies with known truth" in docs/events.md.

    python tools/event_probes.py            # every probe (about two minutes)
    python tools/event_probes.py stretch    # one of: stretch, scale, crop, noise

- stretch: the same frames read at a rate k times lower (every speed 1/k times the original);
  the true events are the original's times k.
- scale: every position times k (a smaller or larger runner and shoe); the same events.
- crop: the first frames cut; the same events, shifted.
- noise: white noise on every marker of the RIC file (which the lab low-passed); the clean
  file's events.

Needs ../shared beside the repository (or STRIDELAB_SHARED).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

import numpy as np
import polars as pl

import stridelab
from stridelab import events
from stridelab.io import Trial

SHARED = Path(os.environ.get("STRIDELAB_SHARED", Path(__file__).resolve().parents[2] / "shared"))
RUNNING = SHARED / "data" / "running"
HEEL = ("Heel.Top", "Heel.Bottom", "Heel.Lateral")

Detector = Callable[[Trial], pl.DataFrame]


def _cluster_events(
    trial: Trial, static: Trial, names: list[str], rename: dict[str, str] | None = None
) -> pl.DataFrame:
    """Segment-route events from the markers ``names`` of ``trial`` only (renamed)."""
    return events.from_segments(trial.with_markers(names, rename), static)


@cache
def _detectors() -> list[tuple[str, Trial, Detector]]:
    """(label, trial, detector): the full RBDS marker set, the RBDS heel cluster with the
    static's foot markers (route b) and in the RIC layout (route d), and the RIC file."""
    out: list[tuple[str, Trial, Detector]] = []
    rbds = RUNNING / "rbds"
    for run, static_name in (
        ("RBDS001runT25markers.txt", "RBDS001static.txt"),
        ("RBDS001runT35.c3d", "RBDS001static.c3d"),
        ("RBDS032runT35markers.txt", "RBDS032static.txt"),
    ):
        trial, static = stridelab.read(rbds / run), stridelab.read(rbds / static_name)
        heel = [f"{s}.{h}" for s in "LR" for h in HEEL]
        rename = {n: n.replace("Heel.", "Foot.") for n in heel}
        ric_layout = [n for n in static.marker_names if "Heel" in n or "Ankle" in n or "GTR" in n]
        label = f"{run[:7]} {run[10:13]}"
        out.append((f"{label} markers", trial, events.from_markers))
        out.append((f"{label} (b)", trial, partial(_cluster_events, static=static, names=heel)))
        ric_static = static.with_markers(ric_layout, rename)
        out.append(
            (
                f"{label} (d)",
                trial,
                partial(_cluster_events, static=ric_static, names=heel, rename=rename),
            )
        )
    ric = RUNNING / "ric"
    out.append(
        (
            "RIC segments",
            stridelab.read(ric / "20140515T133244_run.c3d"),
            partial(
                events.from_segments, static=stridelab.read(ric / "20140515T133244_static.c3d")
            ),
        )
    )
    return out


def _line(label: str, table: pl.DataFrame) -> str:
    parts = []
    for row in table.iter_rows(named=True):
        extra = (
            f" missed {row['missed']} false {row['false']}" if row["missed"] or row["false"] else ""
        )
        parts.append(
            f"{row['side']} {row['event']} {row['mae_ms']:4.1f}/{row['max_abs_ms']:5.1f}{extra}"
        )
    return f"{label:32s} " + " | ".join(parts)


def _times_scaled(table: pl.DataFrame, k: float, shift_s: float = 0.0) -> pl.DataFrame:
    return table.with_columns(pl.col("time_s") * k - shift_s)


def stretch() -> None:
    print("== read k times slower (MAE / max ms against the original times k)")
    for label, trial, detect in _detectors():
        base = detect(trial)
        for k in (0.8, 0.9, 1.1, 1.2, 1.3):
            slower = dataclasses.replace(trial, point_rate_hz=trial.point_rate_hz / k)
            found = events.agreement(_times_scaled(base, k), detect(slower))
            print(_line(f"{label} x{k}", found))


def scale() -> None:
    print("== every position times k (MAE / max ms against the original)")
    for label, trial, detect in _detectors():
        if "markers" not in label:
            continue
        base = detect(trial)
        for k in (0.85, 0.9, 1.1, 1.15):
            larger = dataclasses.replace(trial, points=np.ascontiguousarray(trial.points * k))
            print(_line(f"{label} x{k}", events.agreement(base, detect(larger))))


def crop() -> None:
    print("== first frames cut (MAE / max ms against the original, shifted; edges left out)")
    for label, trial, detect in _detectors():
        base = detect(trial)
        for cut in (37, 101):
            shift = cut / trial.point_rate_hz
            cropped = dataclasses.replace(trial, points=np.ascontiguousarray(trial.points[cut:]))
            inside = (pl.col("time_s") > 0.15) & (pl.col("time_s") < cropped.duration_s - 0.15)
            ref = _times_scaled(base, 1.0, shift).filter(inside)
            print(_line(f"{label} -{cut}", events.agreement(ref, detect(cropped).filter(inside))))


def noise() -> None:
    print("== white noise on the RIC file (MAE / max ms against the clean file)")
    label, trial, detect = _detectors()[-1]
    base = detect(trial)
    for sigma_mm in (0.05, 0.1, 0.2, 0.5):
        for seed in (0, 1):
            rng = np.random.default_rng(seed)
            noisy = dataclasses.replace(
                trial, points=trial.points + rng.normal(0.0, sigma_mm / 1000, trial.points.shape)
            )
            print(_line(f"{label} {sigma_mm} mm s{seed}", events.agreement(base, detect(noisy))))


PROBES = {"stretch": stretch, "scale": scale, "crop": crop, "noise": noise}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(PROBES):
        PROBES[name]()
