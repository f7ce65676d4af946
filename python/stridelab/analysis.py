"""The whole pipeline for one runner: read → kinematics → events → strides → metrics → patterns
→ reports. ``stridelab analyze`` and ``stridelab demo`` call :func:`analyze_runner`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import events, imu, kinematics, metrics, norms, patterns, pipeline, squat, strides
from stridelab.io import Trial, _atomic, read
from stridelab.provenance import log, provenance, safe_name
from stridelab.report import html_report, terminal_summary

__all__ = ["RunnerResult", "analyze_runner"]

_CURVES = (
    "hip_flexion_deg",
    "hip_adduction_deg",
    "knee_flexion_deg",
    "ankle_dorsiflexion_deg",
    "ankle_inversion_deg",
    "pelvis_obliquity_deg",
)


_QA_SCHEMA = {"trial": pl.String, **kinematics.CROSSTALK_SCHEMA}


@dataclass
class RunnerResult:
    """What an analysis produced for one runner."""

    runner: str
    table: pl.DataFrame
    patterns: pl.DataFrame
    summary: pl.DataFrame
    events: pl.DataFrame
    cycles: dict[str, dict[str, npt.NDArray[np.float64]]]
    trials: list[str]
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: kinematics QA per trial and side: ``trial`` and the columns of
    #: :data:`stridelab.kinematics.CROSSTALK_SCHEMA` (knee flexion–adduction crosstalk)
    qa: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_QA_SCHEMA))
    #: how it was made (:func:`stridelab.provenance.provenance`), in every output
    provenance: dict[str, str] = field(default_factory=dict)
    #: the QA findings of each trial in words (reader warnings, label swaps, non-rigid
    #: clusters, gaps, event plausibility): (trial, finding)
    findings: list[tuple[str, str]] = field(default_factory=list)

    def terminal(self) -> str:
        n = {s: self.table.filter(pl.col("side") == s).height for s in ("L", "R")}
        return terminal_summary(self.runner, self.patterns, n)

    def write(self, out: Path) -> list[Path]:
        """``<runner>.json`` and ``<runner>.html`` in ``out`` (atomically)."""
        out.mkdir(parents=True, exist_ok=True)
        report = {
            "runner": self.runner,
            "trials": self.trials,
            "failures": [{"file": f, "error": e} for f, e in self.failures],
            "note": self.patterns["note"][0] if self.patterns.height else "",
            "normative_reference": norms.ATTRIBUTION,
            "patterns": [
                {**r, "evidence": patterns.evidence_items(r["evidence"])}
                for r in self.patterns.iter_rows(named=True)
            ],
            "summary": self.summary.to_dicts(),
            "kinematics_qa": self.qa.to_dicts(),
            "provenance": self.provenance,
        }
        name = safe_name(self.runner)
        paths = [out / f"{name}.json", out / f"{name}.html"]
        with _atomic(paths[0]) as tmp:
            tmp.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        speed = self.provenance.get("speed_m_s") or None
        page = html_report(
            self.runner,
            self.patterns,
            self.table,
            self.cycles,
            self.events,
            self.trials,
            self.qa,
            float(speed) if speed else None,
            self.findings,
        )
        with _atomic(paths[1]) as tmp:
            tmp.write_text(page, encoding="utf-8")
        return paths


def _cycles(
    trial: Trial, kin: kinematics.Kinematics, stride_table: pl.DataFrame
) -> dict[str, dict[str, npt.NDArray[np.float64]]]:
    out: dict[str, dict[str, npt.NDArray[np.float64]]] = {}
    rate = trial.point_rate_hz or trial.rotation_rate_hz
    for angle in _CURVES:
        out[angle] = {}
        for side in ("L", "R"):
            st = stride_table.filter(pl.col("side") == side)
            if st.height == 0:
                continue
            cyc = strides.normalise(
                kin.side(side)[angle].to_numpy(), rate, st["ic_s"], st["next_ic_s"]
            )
            finite = np.isfinite(cyc).any(axis=0)
            if finite.all():
                out[angle][side] = np.nanmean(cyc, axis=0)
    return out


def analyze_runner(
    paths: list[str | os.PathLike[str]],
    static_path: str | os.PathLike[str] | None,
    *,
    runner: str,
    speed_m_s: float | None = None,
    thresholds: str | os.PathLike[str] | None = None,
    squat_path: str | os.PathLike[str] | None = None,
    imu_config: str | os.PathLike[str] | None = None,
) -> RunnerResult:
    """Analyse a runner's trials; a trial that fails is recorded in ``failures`` and the others
    go on. Raises only when the static trial cannot be read.

    IMU exports (see :mod:`stridelab.imu`; ``imu_config`` is its TOML sensor map) go through
    the IMU events and metrics into the same table; the patterns that need markers are then
    ``not_assessable``."""
    cfg = imu.load_config(imu_config)
    static = read(static_path) if static_path is not None else None
    static_kin = kinematics.compute(static, static) if static is not None else None
    tables, all_events, failures, done, qa = [], [], [], [], []
    findings: list[tuple[str, str]] = []
    cycles: dict[str, dict[str, npt.NDArray[np.float64]]] = {}
    for p in paths:
        try:
            result = pipeline.process(
                p,
                static,
                static_kin=static_kin,
                runner=runner,
                speed_m_s=speed_m_s,
                imu_config=cfg,
            )
        except (ValueError, OSError) as err:
            failures.append((str(p), str(err)))
            continue
        for w in result.findings:
            log.warning("%s: %s", result.name, w)
        for n in result.notes:
            log.info("%s: %s", result.name, n)
        findings += [(result.name, w) for w in result.findings]
        tables.append(result.table)
        all_events.append(result.events.with_columns(pl.lit(result.name).alias("trial")))
        done.append(result.name)
        kin = result.kinematics
        if kin is not None:
            qa.append(kin.crosstalk.select(pl.lit(result.name).alias("trial"), pl.all()))
            if not cycles and isinstance(result.trial, Trial):
                # the mean curves of the strides the screen reads (metrics.trusted)
                cycles = _cycles(result.trial, kin, metrics.trusted(strides.strides(result.events)))
    table = pl.concat(tables, how="diagonal_relaxed") if tables else pl.DataFrame()
    squat_result = None
    if squat_path is not None:
        try:
            if str(squat_path).lower().endswith((".mot", ".sto")):
                sq_kin = kinematics.mot_kinematics(squat_path)
            else:
                sq_kin = kinematics.compute(read(squat_path), static)
            squat_result = squat.screen(sq_kin, static_kin)
        except (ValueError, OSError) as err:
            failures.append((str(squat_path), str(err)))
    if table.height:
        found = patterns.evaluate(
            table, thresholds=thresholds, speed_m_s=speed_m_s, squat=squat_result
        )
        summary = metrics.summary(table)
    else:
        found, summary = pl.DataFrame(schema=patterns.RESULT_SCHEMA), pl.DataFrame()
    ev_all = pl.concat(all_events) if all_events else pl.DataFrame(schema=events.EVENT_SCHEMA)
    qa_all = pl.concat(qa) if qa else pl.DataFrame(schema=_QA_SCHEMA)
    rules = str(found["rules"][0]) if found.height else "shipped"
    made = provenance([str(p) for p in paths], static=static_path, speed_m_s=speed_m_s, rules=rules)
    return RunnerResult(
        runner, table, found, summary, ev_all, cycles, done, failures, qa_all, made, findings
    )
