"""Strides: IC-to-IC segmentation per side and time normalisation to the gait cycle."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["normalise", "strides"]

FloatArray = npt.NDArray[np.float64]


def strides(events: pl.DataFrame, max_stride_s: float = 2.0) -> pl.DataFrame:
    """Strides from consecutive ICs of the same side: ``side, stride, ic_s, next_ic_s, to_s``.

    A stride longer than ``max_stride_s`` (a gap in the events) is left out; ``to_s`` is the
    first TO of that side within the stride (NaN if none).
    """
    rows = []
    for side in ("L", "R"):
        ev = events.filter(pl.col("side") == side).sort("time_s")
        ics = ev.filter(pl.col("event") == "IC")["time_s"].to_numpy()
        tos = ev.filter(pl.col("event") == "TO")["time_s"].to_numpy()
        k = 0
        for a, b in itertools.pairwise(ics):
            if b - a > max_stride_s:
                continue
            inside = tos[(tos > a) & (tos < b)]
            rows.append(
                {
                    "side": side,
                    "stride": k,
                    "ic_s": float(a),
                    "next_ic_s": float(b),
                    "to_s": float(inside[0]) if inside.size else float("nan"),
                }
            )
            k += 1
    schema = {
        "side": pl.String,
        "stride": pl.Int64,
        "ic_s": pl.Float64,
        "next_ic_s": pl.Float64,
        "to_s": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def normalise(
    values: npt.ArrayLike,
    rate_hz: float,
    starts_s: npt.ArrayLike,
    ends_s: npt.ArrayLike,
    n: int = 101,
) -> FloatArray:
    """Each stride of ``values`` (sampled at ``rate_hz`` from t = 0) resampled to ``n`` points
    from 0 to 100 % by linear interpolation: (strides, n). Strides touching NaN stay NaN there."""
    v = np.asarray(values, dtype=np.float64)
    t = np.arange(v.shape[0]) / rate_hz
    out = []
    for a, b in zip(np.asarray(starts_s), np.asarray(ends_s), strict=True):
        x = np.linspace(a, b, n)
        y = np.interp(x, t, v)
        i0, i1 = int(np.floor(a * rate_hz)), int(np.ceil(b * rate_hz)) + 1
        if np.isnan(v[max(i0, 0) : i1]).any():
            nan_t = t[np.isnan(v)]
            y[np.isin(np.round(x * rate_hz), np.round(nan_t * rate_hz))] = np.nan
        out.append(y)
    return np.array(out).reshape(len(out), n)
