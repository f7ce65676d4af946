"""One road for every trial: read → (kinematics) → events → strides → per-stride metrics.

:func:`process` is what ``stridelab analyze``, ``stridelab batch``, the Dask runner and
:func:`stridelab.analysis.analyze_runner` call for each file. It chooses the route from the
trial's content — IMU export, marker trial (with a static trial, or OpenCap landmarks tracked
in every frame), 4×4 segment poses (Theia3D) — and takes the same options everywhere: the static
trial, the treadmill speed, the IMU sensor map.

>>> from stridelab import pipeline
>>> result = pipeline.process("run.c3d", static=stridelab.read("static.c3d"))  # doctest: +SKIP
>>> result.route, result.table.height  # doctest: +SKIP
('markers', 75)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from stridelab import events, imu, kinematics, metrics
from stridelab.errors import data_error
from stridelab.io import Trial, read

__all__ = ["Route", "TrialResult", "process", "route_of"]

#: How a trial was processed: an IMU export, markers, or segment poses.
Route = Literal["imu", "markers", "poses"]


@dataclass
class TrialResult:
    """What :func:`process` made of one trial."""

    #: the file's name (``Trial.path.name``)
    name: str
    route: Route
    trial: Trial | imu.ImuTrial
    events: pl.DataFrame
    #: per-stride metrics (:func:`stridelab.metrics.per_stride` or :func:`imu.per_stride`)
    table: pl.DataFrame
    #: None for IMU trials
    kinematics: kinematics.Kinematics | None = None
    #: what needs a human's look, in words, in this order: the reader's warnings, the
    #: kinematics QA warnings (crosstalk, swaps, non-rigid clusters, a static of another
    #: runner), the event plausibility checks
    findings: list[str] = field(default_factory=list)
    #: the kinematic model's other notes (what it decided)
    notes: list[str] = field(default_factory=list)


def route_of(source: str | os.PathLike[str] | Trial | imu.ImuTrial) -> Route:
    """The route a trial takes, from its content (a file is not read for this beyond the IMU
    sniff of :func:`stridelab.imu.looks_like_imu`)."""
    if isinstance(source, imu.ImuTrial):
        return "imu"
    if isinstance(source, Trial):
        return "poses" if source.n_markers == 0 and source.rotation_names else "markers"
    return "imu" if imu.looks_like_imu(source) else "markers"


def process(
    source: str | os.PathLike[str] | Trial | imu.ImuTrial,
    static: Trial | None = None,
    *,
    static_kin: kinematics.Kinematics | None = None,
    runner: str = "",
    speed_m_s: float | None = None,
    imu_config: str | os.PathLike[str] | dict[str, dict[str, str]] | None = None,
) -> TrialResult:
    """Processes one trial (a path, a read :class:`~stridelab.io.Trial` or an
    :class:`~stridelab.imu.ImuTrial`) to its per-stride table.

    ``static`` is the runner's standing trial (markers on clusters need it; poses and OpenCap
    landmarks do not); ``static_kin`` its kinematics when already computed (the standing
    measures), computed here otherwise. ``imu_config`` is the IMU sensor map (a TOML path or
    :func:`stridelab.imu.load_config`'s dict). ``speed_m_s`` None: estimated where the route
    can (markers), said so in ``speed_estimated``.

    Raises
    ------
    stridelab.errors.StridelabError, OSError, ValueError
        A file that cannot be read or processed, with the file named, or no complete stride.
    """
    if isinstance(source, imu.ImuTrial) or (
        not isinstance(source, Trial) and route_of(source) == "imu"
    ):
        return _process_imu(source, runner=runner, speed_m_s=speed_m_s, imu_config=imu_config)
    trial = source if isinstance(source, Trial) else read(source)
    if static is not None and static_kin is None:
        static_kin = kinematics.compute(static, static)
    kin = kinematics.compute(trial, static)
    qa_warnings = kinematics.warnings(kin)
    # events read the markers with every label the kinematics found swapped against the
    # static put right, so the marker route's landmark names and heel group agree with the
    # kinematics (the segment route also checks its own foot cluster, for events on their own)
    ev = events.detect(_unswapped(trial, kin), static=static)
    findings = [*trial.warnings, *qa_warnings, *events.check(ev, trial.duration_s)]
    table = metrics.per_stride(
        trial, kin, ev, static_kin=static_kin, speed_m_s=speed_m_s, runner=runner
    )
    if table.height == 0:
        raise data_error(f"{trial.path}: no complete strides", "no_strides")
    return TrialResult(
        name=trial.path.name,
        route=route_of(trial),
        trial=trial,
        events=ev,
        table=table,
        kinematics=kin,
        findings=findings,
        notes=[n for n in kin.notes if n not in qa_warnings],
    )


def _unswapped(trial: Trial, kin: kinematics.Kinematics) -> Trial:
    """``trial`` with the label pairs ``kin`` found swapped relative to the static trial
    exchanged back (the kinematics already fixed them for itself)."""
    if kin.swaps.height == 0:
        return trial
    mapping: dict[str, str] = {}
    for a, b in kin.swaps.select("a", "b").iter_rows():
        mapping[a], mapping[b] = b, a
    return kinematics.relabel(trial, mapping)


def _process_imu(
    source: str | os.PathLike[str] | imu.ImuTrial,
    *,
    runner: str,
    speed_m_s: float | None,
    imu_config: str | os.PathLike[str] | dict[str, dict[str, str]] | None,
) -> TrialResult:
    if isinstance(source, imu.ImuTrial):
        rec = source
    else:
        cfg = imu_config if isinstance(imu_config, dict) else imu.load_config(imu_config)
        rec = imu.read_imu(source, locations=cfg["locations"], axes=cfg["axes"])
    ev = imu.detect_events(rec)
    table = imu.per_stride(rec, ev, runner=runner, speed_m_s=speed_m_s)
    if table.height == 0:
        raise data_error(f"{rec.path}: no complete strides", "no_strides")
    return TrialResult(
        name=Path(rec.path).name,
        route="imu",
        trial=rec,
        events=ev,
        table=table,
        findings=list(events.check(ev)),
    )
