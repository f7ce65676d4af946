"""06 — batch a folder: every run with its static, a status per file, the lab overview."""

import tempfile
from pathlib import Path

import polars as pl
from _data import RUNNING

from stridelab import batch

rbds = RUNNING / "rbds"
jobs = [
    batch.Job(str(run), str(rbds / f"{run.name[:7]}static.txt"), None, run.name[:7])
    for run in sorted(rbds.glob("RBDS*run*"))
    if run.suffix in (".c3d", ".txt") and "forces" not in run.name
]
out = Path(tempfile.mkdtemp())
status = batch.run(jobs, out, workers=2)
print(status.select("file", "runner", "status", "strides"))
print(pl.read_parquet(out / "results.parquet").group_by("runner").len())
print("lab overview:", batch.overview(out))
