"""Batches of trials: many files, one bad file never stops the rest, memory bounded.

Files are read a chunk at a time in the Rust core (rayon, GIL released); each trial's
kinematics, events and metrics run on a small thread pool (the Rust stages release the GIL), its
per-stride table is written at once (atomically) to ``OUT/metrics/``, and the trial is dropped, so
memory does not grow with the number of files. Every file gets a status row (``ok`` or ``failed``
with the reason). ``run_dask`` runs the same per-file work on a Dask cluster (``stridelab[dask]``).
"""

from __future__ import annotations

import html
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import polars as pl

from stridelab import events, imu, kinematics, pipeline
from stridelab.errors import StridelabError, reason_code
from stridelab.io import Trial, _atomic, read, read_many
from stridelab.provenance import SCHEMA_VERSION, provenance, safe_name

__all__ = ["STATUS_SCHEMA", "Job", "combine", "process", "run", "run_dask"]

Stage = Literal["read", "events", "full"]

STATUS_SCHEMA = {
    "file": pl.String,
    "runner": pl.String,
    "status": pl.String,
    "reason": pl.String,
    "reason_code": pl.String,
    "strides": pl.Int64,
    "seconds": pl.Float64,
    "warnings": pl.String,
    "nan_share": pl.Float64,
    "usable_stride_share": pl.Float64,
}

#: a trial whose metric columns are more than this share entirely NaN is ``partial``
PARTIAL_NAN_SHARE = 0.5
#: a trial with fewer usable strides than this share of what its duration holds is ``partial``
PARTIAL_STRIDE_SHARE = 0.7


@dataclass(frozen=True)
class Job:
    """One trial to process: the file, its runner's static trial and treadmill speed."""

    path: str
    static: str | None = None
    speed_m_s: float | None = None
    runner: str | None = None
    #: the TOML sensor map of an IMU export (locations, axes)
    imu_config: str | None = None

    @property
    def name(self) -> str:
        return self.runner or Path(self.path).stem


@cache
def _static(path: str) -> tuple[Trial, kinematics.Kinematics]:
    s = read(path)
    return s, kinematics.compute(s, s)


def _output(out: Path, job: Job) -> Path:
    return out / "metrics" / f"{safe_name(job.name)}__{safe_name(Path(job.path).name)}.parquet"


def _write(table: pl.DataFrame, out: Path, job: Job) -> None:
    """A trial's per-stride table, atomically (lz4 and no statistics: ``combine`` recompresses),
    with its provenance as Parquet metadata."""
    made = provenance([job.path], static=job.static, speed_m_s=job.speed_m_s)
    with _atomic(_output(out, job)) as tmp:
        table.write_parquet(tmp, compression="lz4", statistics=False, metadata=made)


def process(
    job: Job, out: str | os.PathLike[str], stage: Stage = "full", trial: Trial | None = None
) -> dict[str, Any]:
    """Processes one job and writes its per-stride table; returns its status row. Never raises
    for a bad input: the reason goes into the status."""
    t0 = time.perf_counter()
    row: dict[str, Any] = {
        "file": job.path,
        "runner": job.name,
        "status": "ok",
        "reason": None,
        "reason_code": None,
        "strides": 0,
        "warnings": None,
        "nan_share": None,
        "usable_stride_share": None,
    }
    try:
        if stage == "full":
            static = _static(job.static) if job.static else None
            result = pipeline.process(
                trial if trial is not None else job.path,
                static[0] if static else None,
                static_kin=static[1] if static else None,
                runner=job.name,
                speed_m_s=job.speed_m_s,
                imu_config=job.imu_config,
            )
            row["strides"] = result.table.height
            if result.kinematics is not None and isinstance(result.trial, Trial):
                _quality(row, result.trial, result.table, result.kinematics, result.findings)
            _write(result.table, Path(out), job)
        elif trial is None and imu.looks_like_imu(job.path):
            _read_or_detect_imu(job, stage, row)
        else:
            trial = trial if trial is not None else read(job.path)
            if stage == "events":
                static = _static(job.static) if job.static else None
                ev = events.detect(trial, static=static[0] if static else None)
                row["strides"] = int((ev["event"] == "IC").sum())
    except (StridelabError, OSError, ValueError) as err:
        row.update(status="failed", reason=str(err), reason_code=reason_code(err))
    row["seconds"] = time.perf_counter() - t0
    return row


def _quality(
    row: dict[str, Any],
    trial: Trial,
    table: pl.DataFrame,
    kin: kinematics.Kinematics,
    findings: list[str],
) -> None:
    """QA columns of a status row, and ``partial`` (with the reason) for a trial whose outputs
    are mostly NaN or whose usable strides fall well short of what its duration holds (a
    damaged file reads "ok" otherwise). ``findings`` are the pipeline's (reader, kinematics
    QA, event checks)."""
    qa_warnings = kinematics.warnings(kin)
    row["warnings"] = "; ".join(findings) or None
    skip = {"stride", "ic_s", "to_s", "midstance_s", "strike_index", "event_quality"}
    numeric = [c for c, t in table.schema.items() if t.is_float() and c not in skip]
    empty_row = table.select(pl.col(numeric).is_nan().all()).row(0) if numeric else ()
    n_empty = sum(bool(v) for v in empty_row)
    row["nan_share"] = n_empty / len(numeric) if numeric else 1.0
    reasons = [
        f"the static trial does not fit this runner ({n.split(':')[0]})"
        for n in qa_warnings
        if "this runner's" in n
    ][:1]
    codes = ["static_mismatch"] if reasons else []
    if row["nan_share"] > PARTIAL_NAN_SHARE:
        reasons.append(f"{n_empty} of {len(numeric)} metric columns are entirely NaN")
        codes.append("mostly_nan")
    duration = trial.duration_s
    per_side = table.group_by("side").agg(pl.len(), pl.col("stride_time_s").median())
    shares = [
        n * med / duration
        for n, med in zip(per_side["len"], per_side["stride_time_s"], strict=True)
    ]
    row["usable_stride_share"] = min(shares) if shares else 0.0
    if row["usable_stride_share"] < PARTIAL_STRIDE_SHARE:
        reasons.append(
            f"only {row['usable_stride_share']:.0%} of the strides its {duration:.0f} s could "
            "hold are usable (damaged or gappy data?)"
        )
        codes.append("few_strides")
    if reasons:
        row.update(status="partial", reason="; ".join(reasons), reason_code=",".join(codes))


def _read_or_detect_imu(job: Job, stage: Stage, row: dict[str, Any]) -> None:
    """The ``read`` and ``events`` stages of :func:`process` for an IMU export."""
    cfg = imu.load_config(job.imu_config)
    rec = imu.read_imu(job.path, locations=cfg["locations"], axes=cfg["axes"])
    if stage == "events":
        ev = imu.detect_events(rec)
        row["strides"] = int((ev["event"] == "IC").sum())


def _chunks(items: Sequence[Job], size: int) -> Iterable[Sequence[Job]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _read_part(part: Sequence[Job]) -> list[Trial | Exception | None]:
    """The trials of ``part`` read together in the core (rayon, GIL released); None for IMU
    exports, which :func:`process` reads itself."""
    is_imu = [imu.looks_like_imu(j.path) for j in part]
    read = iter(read_many([j.path for j, i in zip(part, is_imu, strict=True) if not i]))
    return [None if i else next(read) for i in is_imu]


def run(
    jobs: Sequence[Job],
    out: str | os.PathLike[str],
    *,
    stage: Stage = "full",
    workers: int | None = None,
    chunk: int = 4,
    progress: Callable[[int], None] | None = None,
    resume: bool = False,
) -> pl.DataFrame:
    """Processes ``jobs``; writes ``OUT/status.csv`` and, for ``stage="full"``,
    ``OUT/metrics/*.parquet`` and the combined ``OUT/results.parquet``. Returns the status table.

    Files are read ``chunk`` at a time, the next chunk while the current one is processed, so
    at most two chunks of trials are in memory. ``workers`` trials are processed at once (all
    cores by default). With ``resume``, a job whose per-trial table in ``OUT/metrics`` is newer
    than its input and static trial keeps that table and its earlier status row."""
    dest = Path(out)
    dest.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    todo = list(jobs)
    if resume and stage == "full":
        kept = _done_before(todo, dest)
        rows.extend(kept.values())
        todo = [j for j in todo if j.path not in kept]
        if progress is not None and kept:
            progress(len(kept))
    parts = list(_chunks(todo, max(chunk, 1)))
    with (
        ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool,
        ThreadPoolExecutor(max_workers=1) as reader,
    ):
        next_read = reader.submit(_read_part, parts[0]) if parts else None
        for k, part in enumerate(parts):
            assert next_read is not None
            trials = next_read.result()
            next_read = reader.submit(_read_part, parts[k + 1]) if k + 1 < len(parts) else None
            slots: list[Any] = []  # a finished row, or a future that will give one, in job order
            for job, trial in zip(part, trials, strict=True):
                if isinstance(trial, Exception):
                    slots.append(
                        {
                            "file": job.path,
                            "runner": job.name,
                            "status": "failed",
                            "reason": str(trial),
                            "reason_code": reason_code(trial),
                            "strides": 0,
                            "seconds": 0.0,
                        }
                    )
                else:
                    slots.append(pool.submit(process, job, dest, stage, trial))
            rows.extend(s if isinstance(s, dict) else s.result() for s in slots)
            if progress is not None:
                progress(len(part))
            del trials, slots
    return _finish(rows, dest, stage)


def _done_before(jobs: list[Job], dest: Path) -> dict[str, dict[str, Any]]:
    """Status rows of the jobs an earlier run finished: their table is newer than the input and
    the static, and the earlier status.csv has their row."""
    previous = dest / "status.csv"
    if not previous.is_file():
        return {}
    earlier = {
        r["file"]: r
        for r in pl.read_csv(previous, schema_overrides=STATUS_SCHEMA).iter_rows(named=True)
    }
    kept = {}
    for job in jobs:
        table = _output(dest, job)
        row = earlier.get(job.path)
        if row is None or row["status"] == "failed" or not table.is_file():
            continue
        inputs = [Path(job.path), *([Path(job.static)] if job.static else [])]
        if all(p.is_file() and p.stat().st_mtime <= table.stat().st_mtime for p in inputs):
            kept[job.path] = {**row, "seconds": 0.0}
    return kept


def _finish(rows: list[dict[str, Any]], dest: Path, stage: Stage) -> pl.DataFrame:
    status = pl.DataFrame(rows, schema=STATUS_SCHEMA)
    with _atomic(dest / "status.csv") as tmp:
        status.write_csv(tmp)
    if stage == "full":
        combine(dest)
    return status


#: per-trial tables merged at a time; merging all of a large batch at once holds every file's
#: metadata (1000 files: +70 MB)
_MERGE_GROUP = 64


def combine(out: str | os.PathLike[str]) -> Path | None:
    """Concatenates ``OUT/metrics/*.parquet`` into ``OUT/results.parquet`` by streaming, with
    every column of every table (missing ones null), a group of files at a time."""
    dest = Path(out)
    parts = sorted((dest / "metrics").glob("*.parquet"))
    if not parts:
        return None
    schema: dict[str, pl.DataType] = {}
    for p in parts:
        for name, dtype in pl.read_parquet_schema(p).items():
            if name not in schema or schema[name] == pl.Null:
                schema[name] = dtype

    def scan(files: list[Path]) -> pl.LazyFrame:
        return pl.scan_parquet(
            files,
            schema=schema,
            missing_columns="insert",
            cast_options=pl.ScanCastOptions(integer_cast="upcast", float_cast="upcast"),
        )

    made = {
        **provenance([]),
        "inputs": f"{len(parts)} per-trial tables in metrics/ (each with its inputs' SHA-256)",
        "schema_version": SCHEMA_VERSION,
    }
    with _atomic(dest / "results.parquet") as tmp:
        if len(parts) <= _MERGE_GROUP:
            scan(parts).sink_parquet(tmp, metadata=made)
        else:
            with tempfile.TemporaryDirectory(dir=dest, prefix=".merge.") as work:
                merged = []
                for k in range(0, len(parts), _MERGE_GROUP):
                    part = Path(work) / f"{k:08d}.parquet"
                    scan(parts[k : k + _MERGE_GROUP]).sink_parquet(part)
                    merged.append(part)
                scan(merged).sink_parquet(tmp, metadata=made)
    return dest / "results.parquet"


_STATUS_MARK = {"flagged": "flagged", "borderline": "borderline", "clear": "clear"}


def overview(out: str | os.PathLike[str]) -> Path | None:
    """The lab overview of a finished batch (`stridelab batch` writes it after a full run; a
    library caller of :func:`run` calls it when wanted): each runner's patterns evaluated on
    all their
    trials (``OUT/reports/<runner>.html``, the runner report without curves or events, which
    a batch does not keep) and ``OUT/index.html``: one row per runner, one column per pattern
    (flagged / borderline / clear / n.a., the worse side shown), linked to the runner's report,
    sortable by clicking a column heading. Returns the index, or None without results."""
    from stridelab import patterns
    from stridelab.report.html import html_report

    dest = Path(out)
    results_path = dest / "results.parquet"
    if not results_path.exists():
        return None
    results = pl.read_parquet(results_path)
    if results.height == 0 or "runner" not in results.columns:
        return None
    rank = {"flagged": 3, "borderline": 2, "clear": 1, "not_assessable": 0}
    rows: list[tuple[str, str, dict[str, str]]] = []
    names: list[str] = []
    titles: dict[str, str] = {}
    empty_events = pl.DataFrame(schema=events.EVENT_SCHEMA)
    for runner in sorted(set(results["runner"].drop_nulls().to_list())):
        table = results.filter(pl.col("runner") == runner)
        found = patterns.evaluate(table)
        trials = sorted(set(table["trial"].to_list())) if "trial" in table.columns else []
        page = html_report(runner, found, table, {}, empty_events, trials)
        report = f"reports/{safe_name(runner)}.html"
        with _atomic(dest / report) as tmp:
            tmp.write_text(page, encoding="utf-8")
        worst: dict[str, str] = {}
        for r in found.iter_rows(named=True):
            now = worst.get(r["pattern"])
            if now is None or rank[r["status"]] > rank[now]:
                worst[r["pattern"]] = r["status"]
        names = names or list(dict.fromkeys(found["pattern"].to_list()))
        titles = titles or dict(zip(found["pattern"], found["title"], strict=True))
        rows.append((runner, report, worst))
    head = "".join(
        f"<th onclick='sortBy({k + 1})'>{html.escape(titles.get(n, n))}</th>"
        for k, n in enumerate(names)
    )
    body = "".join(
        f"<tr><td><a href='{html.escape(link)}'>{html.escape(runner)}</a></td>"
        + "".join(
            f"<td class='{st}' data-rank='{rank[st]}'>{_STATUS_MARK.get(st, 'n.a.')}</td>"
            for st in (w.get(n, "not_assessable") for n in names)
        )
        + "</tr>"
        for runner, link, w in rows
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>stridelab lab overview</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ddd;padding:3px 6px}}th{{cursor:pointer;background:#f4f4f4}}
td.flagged{{background:#f8d7da}}td.borderline{{background:#fff3cd}}td.clear{{background:#e8f5e9}}
td.not_assessable{{color:#888}}</style>
<script>
function sortBy(col) {{
  const t = document.getElementById('overview'), rows = [...t.rows].slice(1);
  const key = r => col ? Number(r.cells[col].dataset.rank) : r.cells[0].innerText;
  const desc = t.dataset.col == col && t.dataset.dir != 'desc';
  rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (desc ? -1 : 1));
  t.dataset.col = col; t.dataset.dir = desc ? 'desc' : 'asc';
  rows.forEach(r => t.tBodies[0].appendChild(r));
}}
</script></head><body>
<h1>Lab overview</h1>
<p>{len(rows)} runner(s); each cell is the worse side of the pattern over all the runner's
trials. Click a heading to sort. A movement screen with evidence, never a diagnosis.</p>
<table id="overview"><tbody><tr><th onclick='sortBy(0)'>runner</th>{head}</tr>{body}</tbody></table>
</body></html>
"""
    with _atomic(dest / "index.html") as tmp:
        tmp.write_text(page, encoding="utf-8")
    return dest / "index.html"


def run_dask(
    jobs: Sequence[Job], out: str | os.PathLike[str], client: Any, *, stage: Stage = "full"
) -> pl.DataFrame:
    """The same batch on a Dask distributed cluster: one task per file, each writing its own
    table; the status table and ``results.parquet`` as :func:`run` makes them."""
    dest = Path(out)
    dest.mkdir(parents=True, exist_ok=True)
    futures = client.map(process, list(jobs), out=str(dest), stage=stage, pure=False)
    rows = client.gather(futures)
    return _finish(list(rows), dest, stage)
