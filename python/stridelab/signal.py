"""Signal cleaning: zero-lag Butterworth low-pass, Winter's residual analysis, gap filling.

The low-pass is designed and applied as ``scipy.signal.butter(order, cutoff, fs=fs,
output="sos")`` followed by ``scipy.signal.sosfiltfilt`` (odd padding of the same length, steady
state initial conditions), so results agree with SciPy to round-off. Filtering forward and back
doubles the order: ``order=2`` is the "fourth-order zero-lag" filter of the gait literature.
NaN gaps are never bridged: each run of valid samples is filtered on its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native
from stridelab.io import Trial

__all__ = [
    "butter_lowpass",
    "fill_gaps",
    "filter_trial",
    "lowpass",
    "residual_analysis",
    "suggest_cutoffs",
]

FloatArray = npt.NDArray[np.float64]


def butter_lowpass(cutoff_hz: float, fs_hz: float, order: int = 2) -> FloatArray:
    """Butterworth low-pass as second-order sections, shape (sections, 6)."""
    return _native.butter_lowpass_sos(order, cutoff_hz, fs_hz)


def lowpass(x: npt.ArrayLike, cutoff_hz: float, fs_hz: float, order: int = 2) -> FloatArray:
    """Zero-lag low-pass of ``x`` along axis 0 (time); any trailing shape.

    Parameters
    ----------
    x
        Samples along axis 0, e.g. (frames,), (frames, channels) or (frames, markers, 3).
    cutoff_hz
        -3 dB frequency of each pass.
    fs_hz
        Sampling rate.
    order
        Order of the designed filter (applied twice).
    """
    a = np.asarray(x, dtype=np.float64)
    flat = np.ascontiguousarray(a.reshape(a.shape[0], -1))
    out = _native.filtfilt_columns(flat, butter_lowpass(cutoff_hz, fs_hz, order))
    return out.reshape(a.shape)


def filter_trial(trial: Trial, cutoff_hz: float, order: int = 2) -> Trial:
    """A copy of ``trial`` with every marker low-passed (zero lag); gaps stay NaN."""
    points = lowpass(trial.points, cutoff_hz, trial.point_rate_hz, order)
    note = f"markers low-passed: Butterworth order {order}, {cutoff_hz:g} Hz, zero lag"
    return dataclasses.replace(trial, points=points, metadata={**trial.metadata, "filter": note})


def residual_analysis(
    x: npt.ArrayLike,
    fs_hz: float,
    cutoffs_hz: Sequence[float] | None = None,
    tail_fraction: float = 0.4,
) -> dict[str, Any]:
    """Winter's residual analysis of one signal.

    Returns ``cutoffs_hz``, ``residuals``, ``noise_intercept`` (the intercept of a line fitted to
    the upper ``tail_fraction`` of cutoffs) and ``suggested_cutoff_hz`` (lowest cutoff whose
    residual falls to that intercept). Default cutoffs: 1 Hz to ``fs/4`` in 0.5 Hz steps.
    """
    grid = list(np.arange(1.0, fs_hz / 4.0 + 1e-9, 0.5)) if cutoffs_hz is None else list(cutoffs_hz)
    arr = np.ascontiguousarray(np.asarray(x, dtype=np.float64).ravel())
    return _native.residual_analysis(arr, fs_hz, [float(c) for c in grid], tail_fraction)


def suggest_cutoffs(trial: Trial) -> pl.DataFrame:
    """Residual analysis per marker and axis: ``marker, axis, suggested_cutoff_hz, noise_m``."""
    rows = []
    for i, name in enumerate(trial.marker_names):
        for k, axis in enumerate("xyz"):
            x = trial.points[:, i, k]
            if np.isfinite(x).sum() < 20:
                continue
            r = residual_analysis(x, trial.point_rate_hz)
            rows.append(
                {
                    "marker": name,
                    "axis": axis,
                    "suggested_cutoff_hz": r["suggested_cutoff_hz"],
                    "noise_m": r["noise_intercept"],
                }
            )
    schema = {
        "marker": pl.String,
        "axis": pl.String,
        "suggested_cutoff_hz": pl.Float64,
        "noise_m": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def fill_gaps(
    trial: Trial, max_gap_frames: int = 10, context_frames: int = 6
) -> tuple[Trial, pl.DataFrame]:
    """Fills marker gaps of at most ``max_gap_frames`` with a natural cubic spline through up to
    ``context_frames`` valid frames on each side. Longer gaps and gaps at the ends stay NaN.

    Returns the filled trial and a report with one row per gap:
    ``marker, start_frame, frames, filled``.
    """
    nf, nm = trial.points.shape[0], trial.points.shape[1]
    flat = np.ascontiguousarray(trial.points.reshape(nf, nm * 3))
    filled, gaps = _native.fill_gaps_columns(flat, max_gap_frames, context_frames)
    seen: dict[tuple[int, int], dict[str, Any]] = {}
    for col, start, length, ok in gaps:
        key = (col // 3, start)
        seen.setdefault(
            key,
            {
                "marker": trial.marker_names[col // 3],
                "start_frame": start,
                "frames": length,
                "filled": ok,
            },
        )
    report = pl.DataFrame(
        list(seen.values()),
        schema={
            "marker": pl.String,
            "start_frame": pl.Int64,
            "frames": pl.Int64,
            "filled": pl.Boolean,
        },
    )
    return dataclasses.replace(trial, points=filled.reshape(nf, nm, 3)), report
