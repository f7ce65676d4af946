"""The events table all event sources return (columns and stride ids, see
:mod:`stridelab.events`) and the timing quality of events whose detector grades nothing itself.
Shared by :mod:`stridelab.events` and :mod:`stridelab.imu`, which import it and not each other."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl

EVENT_SCHEMA = {
    "side": pl.String,
    "event": pl.String,
    "time_s": pl.Float64,
    "frame": pl.Int64,
    "source": pl.String,
    "method": pl.String,
    "quality": pl.Float64,
    "stride_id": pl.String,
}


def frame(
    rows: list[tuple[str, str, float]],
    rate: float,
    source: str,
    *,
    method: str | list[str] | None = None,
    quality: float | list[float] = float("nan"),
) -> pl.DataFrame:
    """The events table of (side, event, time_s) rows, sorted by time; ``frame`` is the nearest
    sample at ``rate``; ``method`` and ``quality`` per row or for all rows."""
    times = np.array([float(r[2]) for r in rows], dtype=np.float64)
    order = np.argsort(times, kind="stable")
    methods = method if isinstance(method, list) else [method or source] * len(rows)
    qualities = quality if isinstance(quality, list) else [quality] * len(rows)
    sides = [rows[i][0] for i in order]
    kinds = [rows[i][1] for i in order]
    return pl.DataFrame(
        {
            "side": sides,
            "event": kinds,
            "time_s": times[order],
            "frame": np.round(times[order] * rate).astype(np.int64),
            "source": [source] * len(rows),
            "method": [methods[i] for i in order],
            "quality": [qualities[i] for i in order],
            "stride_id": stride_ids(sides, kinds),
        },
        schema=EVENT_SCHEMA,
    )


def stride_ids(sides: list[str], kinds: list[str]) -> list[str]:
    """Per event in time order: its foot and the index of that foot's stride (see the module
    notes)."""
    count: dict[str, int] = {}
    out = []
    for side, kind in zip(sides, kinds, strict=True):
        if kind == "IC":
            count[side] = count.get(side, -1) + 1
        k = count.get(side)
        out.append("" if k is None else f"{side}{k}")
    return out


def timing_quality(rows: list[tuple[str, str, float]]) -> list[float]:
    """Per event: mean of (strides either side within 15 % of the side's median stride) and
    (its contact within 15 % of the side's median contact). Used for Zeni's and the IMU
    events, whose detectors grade nothing themselves."""
    out = [float("nan")] * len(rows)
    for side in {r[0] for r in rows}:
        idx = sorted((i for i, r in enumerate(rows) if r[0] == side), key=lambda i: rows[i][2])
        ic = [i for i in idx if rows[i][1] == "IC"]
        t_ic = np.array([rows[i][2] for i in ic])
        strides = np.diff(t_ic)
        med_stride = float(np.median(strides)) if strides.size else float("nan")
        contact: dict[int, float] = {}
        for a, b in itertools.pairwise(idx):
            if rows[a][1] == "IC" and rows[b][1] == "TO":
                contact[a] = contact[b] = rows[b][2] - rows[a][2]
        med_contact = float(np.median(list(contact.values()))) if contact else float("nan")

        def near(x: float, ref: float) -> float:
            return float(abs(x - ref) <= 0.15 * ref) if np.isfinite(ref) else 0.0

        for i in idx:
            t = rows[i][2]
            before = t_ic[t_ic <= t + 1e-9]
            after = t_ic[t_ic > t + 1e-9]
            around = []
            if before.size >= 2 or (before.size and after.size):
                prev = before[-2] if rows[i][1] == "IC" and before.size >= 2 else None
                if rows[i][1] == "IC" and prev is not None:
                    around.append(near(t - prev, med_stride))
                if after.size and before.size:
                    around.append(near(after[0] - before[-1], med_stride))
            stride_ok = min(around) if around else 0.0
            contact_ok = near(contact[i], med_contact) if i in contact else 0.0
            out[i] = 0.5 * (stride_ok + contact_ok)
    return out
