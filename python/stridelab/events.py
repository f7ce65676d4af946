"""Gait events: initial contact (IC) and toe-off (TO) per side.

Every function returns a polars frame with the columns ``side`` (``L``/``R``), ``event``
(``IC``/``TO``), ``time_s`` (seconds from the first frame), ``frame`` (nearest marker frame),
``source`` (``force``, ``markers``, ``file``, ``imu``), ``method`` (what the event was read
from: ``force 50 N``, ``touchdown R.Heel.Bottom``, ``lift R.MT2``, ``file``, ``imu``) and
``quality`` (0–1: 1 for a force-plate contact; for marker events the share of three checks
passed, see ``docs/events.md``; NaN where the source gives none) and ``stride_id`` (``L0``,
``R12``…: the stride an event belongs to — the k-th IC of a foot starts stride k, a TO belongs
to the stride of the IC before it; the same id names the stride in the strides and metrics
tables; empty for a TO before the foot's first IC).

Force plates: the vertical force is low-passed (second-order zero-lag Butterworth, 30 Hz by
default) and crosses ``threshold_n`` (50 N by default) upward at IC and downward at TO; the
crossing is interpolated between samples. Contacts shorter than 80 ms are dropped and flights
shorter than 30 ms bridged, so sample jitter and a lab's zeroing of low force (RBDS zeroes
everything below 30 N) cannot split or invent a contact. On a plate under both feet
(instrumented treadmill) each contact goes to the foot whose markers are nearest the centre of
pressure in the middle half of the contact.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
import polars as pl

from stridelab import _native
from stridelab.errors import DataError
from stridelab.imu import ImuTrial, detect_events
from stridelab.io import Trial

__all__ = ["EVENT_SCHEMA", "check", "detect", "from_file", "from_force", "from_markers"]

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


def _trial_rate(trial: Trial) -> float:
    return trial.point_rate_hz or trial.rotation_rate_hz or 1.0


def _frame(
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
            "stride_id": _stride_ids(sides, kinds),
        },
        schema=EVENT_SCHEMA,
    )


def _stride_ids(sides: list[str], kinds: list[str]) -> list[str]:
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


def from_force(
    trial: Trial,
    *,
    threshold_n: float = 50.0,
    lowpass_hz: float | None = 30.0,
    min_contact_s: float = 0.08,
    min_flight_s: float = 0.03,
) -> pl.DataFrame:
    """Events from every force plate of ``trial`` (see the module notes)."""
    if not trial.force_plates:
        raise DataError(f"{trial.path}: no force plate")
    rows: list[tuple[str, str, float]] = []
    flat = np.ascontiguousarray(trial.points.reshape(trial.points.shape[0], -1))
    for plate in trial.force_plates:
        try:
            rows += _native.force_events(
                flat,
                list(trial.marker_names),
                trial.point_rate_hz,
                np.ascontiguousarray(plate.force_n),
                np.ascontiguousarray(plate.cop_m),
                plate.rate_hz,
                threshold_n=threshold_n,
                lowpass_hz=lowpass_hz or 0.0,
                min_contact_s=min_contact_s,
                min_flight_s=min_flight_s,
            )
        except DataError as err:
            raise DataError(f"{trial.path}: {err}") from None
    return _frame(rows, _trial_rate(trial), "force", method=f"force {threshold_n:g} N", quality=1.0)


def from_markers(trial: Trial) -> pl.DataFrame:
    """Events from foot markers alone; works for rearfoot and forefoot strikers, overground and
    on treadmills. For Theia3D poses, the foot and toe segment origins serve as markers.

    Method (details in ``docs/events.md``): a foot marker touches down where its fall is stopped
    (the minimum of its vertical velocity next to the moment it reaches its lowest stance
    height) and lifts when it rises 15 mm above its lowest stance height. One landmark per foot
    and trial: IC is the touchdown of the marker that stops first in most stances (the heel of
    a rearfoot striker, a metatarsal head of a forefoot striker), TO the lift of the marker that
    lifts last in most stances; ``method`` names them and ``quality`` grades each event. Only
    stances complete inside the recording give events.
    """
    if trial.n_markers:
        points, names = trial.points, list(trial.marker_names)
    elif trial.rotation_names:
        points = trial.rotations[:, :, :3, 3]
        names = list(trial.rotation_names)
    else:
        raise DataError(f"{trial.path}: no markers or segment poses")
    flat = np.ascontiguousarray(points.reshape(points.shape[0], -1))
    rate = trial.point_rate_hz or trial.rotation_rate_hz
    try:
        found, methods = _native.marker_events(flat, names, rate)
    except DataError as err:
        raise DataError(f"{trial.path}: {err}") from None
    landmark = {(side, "IC"): f"touchdown {ic}" for side, ic, _, _ in methods}
    landmark |= {(side, "TO"): f"lift {to}" for side, _, to, _ in methods}
    return _frame(
        [(r[0], r[1], r[2]) for r in found],
        _trial_rate(trial),
        "markers",
        method=[landmark[(r[0], r[1])] for r in found],
        quality=[r[3] for r in found],
    )


def from_file(trial: Trial) -> pl.DataFrame:
    """Foot strike / foot off events stored in the file (C3D EVENT group)."""
    ev = trial.events.filter(pl.col("side").is_not_null() & pl.col("event").is_not_null())
    rows = [(r["side"], r["event"], r["time_s"]) for r in ev.iter_rows(named=True)]
    return _frame(rows, _trial_rate(trial), "file", method="file")


def detect(
    trial: Trial | ImuTrial,
    *,
    source: Literal["auto", "force", "markers", "file"] = "auto",
    threshold_n: float = 50.0,
    lowpass_hz: float | None = 30.0,
) -> pl.DataFrame:
    """IC and TO events of ``trial``.

    ``source="auto"`` uses force plates when the trial has them, else foot events stored in the
    file, else the foot markers; the ``source`` column says which was used. An IMU recording
    (:class:`stridelab.imu.ImuTrial`) gives ``source="imu"`` events whatever ``source`` says.
    """
    if isinstance(trial, ImuTrial):
        return detect_events(trial)
    if source == "force" or (source == "auto" and trial.force_plates):
        return from_force(trial, threshold_n=threshold_n, lowpass_hz=lowpass_hz)
    if source == "markers":
        return from_markers(trial)
    found = from_file(trial)
    if source == "file" or found.height:
        return found
    return from_markers(trial)


def check(events: pl.DataFrame, duration_s: float | None = None) -> list[str]:
    """Plausibility of an events table, as warnings (empty when it is plausible): each side
    has at least three ICs; ICs alternate between the feet; each IC is followed by that foot's
    TO before its next IC; strides last 0.4–2.0 s (running and walking)."""
    out: list[str] = []
    ics = events.filter(pl.col("event") == "IC").sort("time_s")
    # the feet: L and R, or A and B where a sensor cannot tell left from right
    feet = sorted(set(events["side"].to_list())) if events.height else ["L", "R"]
    feet = feet if len(feet) == 2 else ["L", "R"]
    for side in feet:
        n = ics.filter(pl.col("side") == side).height
        if n < 3:
            out.append(f"only {n} initial contact(s) of the {side} foot: too few for strides")
    sides = ics["side"].to_list()
    repeats = sum(1 for a, b in itertools.pairwise(sides) if a == b)
    if sides and repeats > 0.1 * len(sides):
        out.append(
            f"initial contacts do not alternate between the feet ({repeats} of {len(sides) - 1} "
            "consecutive pairs on the same side): missed or false events"
        )
    for side in feet:
        foot = events.filter(pl.col("side") == side).sort("time_s")["event"].to_list()
        bad = sum(1 for a, b in itertools.pairwise(foot) if a == b)
        if bad:
            out.append(f"{side} foot: {bad} IC/TO out of order (two ICs or two TOs in a row)")
        t = ics.filter(pl.col("side") == side)["time_s"].to_numpy()
        if t.size > 2:
            stride = float(np.median(np.diff(t)))
            if not 0.4 <= stride <= 2.0:
                out.append(f"{side} foot: median stride {stride:.2f} s is outside 0.4-2.0 s")
    if duration_s and ics.height == 0:
        out.append(f"no initial contact in {duration_s:.1f} s")
    return out
