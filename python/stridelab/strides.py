"""Strides: IC-to-IC segmentation per side with rejection reasons, midstance by several named
definitions, spatiotemporal parameters, and time normalisation to the gait cycle.

Definitions (per side, times in seconds):

- stride: from an initial contact (IC) to the next IC of the same foot; it holds that foot's
  toe-off (TO), and the other foot's IC in between starts the next step;
- stride_time_s = next IC − IC; step_time_s = other foot's IC − IC;
- contact_time_s = TO − IC; flight_time_s = other foot's IC − this TO (negative values mean
  double support, i.e. walking);
- duty_factor = contact time / stride time; cadence_steps_per_min = 60 × 2 / stride time;
- event_quality = the lowest ``quality`` of the stride's IC, TO and next IC (NaN where the
  events table has none): how far the stride's times can be trusted (``docs/events.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native

if TYPE_CHECKING:
    from stridelab.kinematics import Kinematics

__all__ = ["MIDSTANCE_DEFINITIONS", "curves", "midstance", "normalise", "strides"]

FloatArray = npt.NDArray[np.float64]

_LR = (("L", "R"), ("R", "L"))

MIDSTANCE_DEFINITIONS = ("peak_knee_flexion", "lowest_pelvis", "half_stance", "hip_over_ankle")

_STRIDE_SCHEMA = {
    "side": pl.String,
    "stride": pl.Int64,
    "stride_id": pl.String,
    "ic_s": pl.Float64,
    "to_s": pl.Float64,
    "next_ic_s": pl.Float64,
    "other_ic_s": pl.Float64,
    "stride_time_s": pl.Float64,
    "step_time_s": pl.Float64,
    "contact_time_s": pl.Float64,
    "flight_time_s": pl.Float64,
    "duty_factor": pl.Float64,
    "cadence_steps_per_min": pl.Float64,
    "event_quality": pl.Float64,
    "valid": pl.Boolean,
    "reason": pl.String,
}


def strides(
    events: pl.DataFrame,
    *,
    min_stride_s: float = 0.4,
    max_stride_s: float = 2.0,
    keep_invalid: bool = False,
) -> pl.DataFrame:
    """Strides of both sides from an events table (``side, event, time_s``).

    Each stride gets ``valid`` and, when invalid, a ``reason``: no toe-off inside it, more than
    one toe-off, no contralateral IC inside it, a stride time outside
    [``min_stride_s``, ``max_stride_s``] (a missed or a false event), or a contact longer than
    the stride. Invalid strides are dropped unless ``keep_invalid``.
    """
    present = set(events["side"].unique().to_list())
    # sides "A"/"B": alternate feet whose left/right is unknown (a sacrum sensor without a
    # mediolateral axis); "A" is the foot of the first contact
    pairs = (("A", "B"), ("B", "A")) if present and present <= {"A", "B"} else _LR
    side_col = events["side"].to_numpy()
    event_col = events["event"].to_numpy()
    time_col = events["time_s"].to_numpy().astype(np.float64)

    quality_col = (
        events["quality"].to_numpy().astype(np.float64)
        if "quality" in events.columns
        else np.full(events.height, np.nan)
    )

    def times(side: str, event: str) -> list[float]:
        return [float(x) for x in time_col[(side_col == side) & (event_col == event)]]

    def quality_of(side: str, event: str) -> dict[float, float]:
        sel = (side_col == side) & (event_col == event)
        return dict(zip(time_col[sel].tolist(), quality_col[sel].tolist(), strict=True))

    parts: dict[str, list[object]] = {k: [] for k in _STRIDE_SCHEMA}
    for side, other in pairs:
        # pairing and checks in the core (``strides::segment``)
        found, reasons = _native.segment_strides(
            times(side, "IC"), times(side, "TO"), times(other, "IC"), min_stride_s, max_stride_s
        )
        if not reasons:
            continue
        a, to, b, oic = found.T
        stride_time = b - a
        ic_q, to_q = quality_of(side, "IC"), quality_of(side, "TO")
        grades = np.array(
            [
                [ic_q.get(x, np.nan), to_q.get(y, np.nan), ic_q.get(z, np.nan)]
                for x, y, z in zip(a.tolist(), to.tolist(), b.tolist(), strict=True)
            ],
            dtype=np.float64,
        ).reshape(-1, 3)
        # the lowest grade of the three, ungraded (NaN) events left out
        graded = np.isfinite(grades)
        lowest = np.where(graded, grades, np.inf).min(axis=1)
        event_quality = np.where(graded.any(axis=1), lowest, np.nan)
        columns: dict[str, object] = {
            "side": [side] * a.size,
            "stride": np.arange(a.size),
            "stride_id": [f"{side}{k}" for k in range(a.size)],
            "ic_s": a,
            "to_s": to,
            "next_ic_s": b,
            "other_ic_s": oic,
            "stride_time_s": stride_time,
            "step_time_s": oic - a,
            "contact_time_s": to - a,
            "flight_time_s": oic - to,
            "duty_factor": (to - a) / stride_time,
            "cadence_steps_per_min": 120.0 / stride_time,
            "event_quality": event_quality,
            "valid": [r is None for r in reasons],
            "reason": reasons,
        }
        for k, v in columns.items():
            parts[k].append(v)
    if not parts["ic_s"]:
        df = pl.DataFrame(schema=_STRIDE_SCHEMA)
        return df
    ic_all = np.concatenate([np.asarray(x, dtype=np.float64) for x in parts["ic_s"]])
    valid = np.concatenate([np.asarray(x, dtype=np.bool_) for x in parts["valid"]])
    order = np.argsort(ic_all, kind="stable")
    if not keep_invalid:
        order = order[valid[order]]
    data: dict[str, object] = {}
    for k, v in parts.items():
        if k in ("side", "reason", "valid"):
            flat = [y for x in v for y in x]  # type: ignore[attr-defined]
            data[k] = [flat[i] for i in order]
        else:
            data[k] = np.concatenate([np.asarray(x) for x in v])[order]
    return pl.DataFrame(data, schema=_STRIDE_SCHEMA)


def midstance(
    stride_table: pl.DataFrame,
    angles: pl.DataFrame,
    landmarks: dict[str, FloatArray],
    rate_hz: float,
    definition: Literal[
        "peak_knee_flexion", "lowest_pelvis", "half_stance", "hip_over_ankle"
    ] = "peak_knee_flexion",
) -> pl.DataFrame:
    """Midstance time of each stride's stance (IC → TO), by a named definition:

    - ``peak_knee_flexion`` (default): the frame of peak knee flexion in stance (≈ lowest
      centre of mass);
    - ``lowest_pelvis``: the lowest pelvis origin in stance;
    - ``half_stance``: halfway between IC and TO;
    - ``hip_over_ankle``: the hip joint centre passes over the ankle joint centre along the
      direction of progression.

    Returns the stride table with ``midstance_s`` and ``midstance_definition`` added.
    """
    if definition not in MIDSTANCE_DEFINITIONS:
        raise ValueError(f"midstance definition must be one of {MIDSTANCE_DEFINITIONS}")
    knee_by_side = {}
    if definition == "peak_knee_flexion":
        for part in angles.sort("frame").partition_by("side", maintain_order=True):
            knee_by_side[str(part["side"][0])] = part["knee_flexion_deg"].to_numpy()
    times = _midstance_times(stride_table, knee_by_side, landmarks, rate_hz, definition)
    return stride_table.with_columns(
        pl.Series("midstance_s", times, dtype=pl.Float64),
        pl.lit(definition).alias("midstance_definition"),
    )


def _midstance_times(
    stride_table: pl.DataFrame,
    knee_by_side: dict[str, FloatArray],
    landmarks: dict[str, FloatArray],
    rate_hz: float,
    definition: str,
) -> FloatArray:
    """Midstance times of :func:`midstance`, knee flexion given per side (indexed by frame);
    found in the core (``strides::peak_in_stance``, ``strides::hip_over_ankle``)."""
    n = stride_table.height
    sides = stride_table["side"].to_numpy()
    ics = stride_table["ic_s"].to_numpy().astype(np.float64)
    tos = stride_table["to_s"].to_numpy().astype(np.float64)
    times = np.full(n, np.nan)
    if definition == "half_stance":
        times = (ics + tos) / 2
    elif definition in ("peak_knee_flexion", "lowest_pelvis"):
        for side in ("L", "R"):
            m = np.flatnonzero(sides == side)
            if m.size == 0:
                continue
            if definition == "peak_knee_flexion":
                series = knee_by_side.get(side)
                if series is None:
                    continue
            else:
                z = landmarks.get("pelvis_origin")
                if z is None:
                    continue
                series = -np.asarray(z[:, 2], dtype=np.float64)  # lowest = max of minus height
            stances = np.column_stack([ics[m], tos[m]])
            times[m] = _native.midstance_peak(
                np.ascontiguousarray(series, dtype=np.float64), stances, rate_hz
            )
    else:
        for side in ("L", "R"):
            m = np.flatnonzero(sides == side)
            hip, ankle = landmarks.get(f"{side}_hjc"), landmarks.get(f"{side}_ajc")
            if m.size == 0 or hip is None or ankle is None:
                continue
            times[m] = _native.midstance_hip_over_ankle(
                np.ascontiguousarray(hip[:, 0], dtype=np.float64),
                np.ascontiguousarray(ankle[:, 0], dtype=np.float64),
                np.column_stack([ics[m], tos[m]]),
                rate_hz,
            )
    return times


def normalise(
    values: npt.ArrayLike,
    rate_hz: float,
    starts_s: npt.ArrayLike,
    ends_s: npt.ArrayLike,
    n: int = 101,
) -> FloatArray:
    """Each stride of ``values`` (sampled at ``rate_hz`` from t = 0) resampled to ``n`` points
    from 0 to 100 % by linear interpolation: (strides, n). A stride that spans a NaN sample is
    NaN at the points next to it (interpolation never bridges a gap)."""
    v = np.asarray(values, dtype=np.float64)
    t = np.arange(v.shape[0]) / rate_hz
    finite = np.isfinite(v)
    out = []
    for a, b in zip(np.asarray(starts_s), np.asarray(ends_s), strict=True):
        x = np.linspace(a, b, n)
        y = np.interp(x, t[finite], v[finite])
        lo = np.clip(np.floor(x * rate_hz).astype(int), 0, v.size - 1)
        hi = np.clip(np.ceil(x * rate_hz).astype(int), 0, v.size - 1)
        y[~(finite[lo] & finite[hi])] = np.nan
        out.append(y)
    return np.array(out).reshape(len(out), n)


def curves(
    kin: Kinematics,
    stride_table: pl.DataFrame,
    rate_hz: float,
    angles: Sequence[str] | None = None,
    n: int = 101,
) -> pl.DataFrame:
    """Every stride's time-normalised angle curves as one long table: ``side, stride_id,
    angle, pct, value_deg`` (``n`` points, 0–100 % from IC to the next IC of the same foot; see
    :func:`normalise`). ``angles`` defaults to every angle column of ``kin``."""
    from stridelab.kinematics import ANGLE_COLUMNS

    names = list(angles) if angles is not None else list(ANGLE_COLUMNS)
    pct = np.linspace(0.0, 100.0, n)
    parts = []
    for side in ("L", "R"):
        st = stride_table.filter(pl.col("side") == side)
        if st.height == 0:
            continue
        arrays = kin.side_arrays(side)
        for name in names:
            cyc = normalise(arrays[name], rate_hz, st["ic_s"], st["next_ic_s"], n)
            parts.append(
                pl.DataFrame(
                    {
                        "side": side,
                        "stride_id": np.repeat(st["stride_id"].to_numpy(), n),
                        "angle": name,
                        "pct": np.tile(pct, st.height),
                        "value_deg": cyc.ravel(),
                    }
                )
            )
    if not parts:
        return pl.DataFrame(
            schema={
                "side": pl.String,
                "stride_id": pl.String,
                "angle": pl.String,
                "pct": pl.Float64,
                "value_deg": pl.Float64,
            }
        )
    return pl.concat(parts)
