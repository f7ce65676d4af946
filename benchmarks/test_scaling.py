"""Scaling: 1 to 1000 trials through the whole batch (read, events, angles, metrics, outputs),
each trial the bundled example with its markers perturbed by 0.5 mm noise (written with ezc3d),
in a fresh process per size so peak memory is that batch's own. Memory should stay flat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ezc3d
import numpy as np

import stridelab
from benchmarks.conftest import RATIOS

SIZES = [1, 10, 100, 1000]
CHILD = """
import json, sys, time
from stridelab import batch
def peak_mb():
    # VmHWM starts afresh at exec; ru_maxrss would include the parent's size at fork
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
paths, static, out = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
t = time.perf_counter()
status = batch.run([batch.Job(p, static, 3.5) for p in paths], out)
print(json.dumps({"seconds": time.perf_counter() - t,
                  "ok": int((status["status"] == "ok").sum()),
                  "peak_rss_mb": peak_mb()}))
"""


def _trials(tmp: Path, n: int) -> list[str]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        c = ezc3d.c3d(str(stridelab.example_path()))
        pts = c["data"]["points"]
        pts[:3] += rng.normal(0.0, 0.5, pts[:3].shape)  # mm
        c["data"]["points"] = pts
        path = tmp / f"trial{i:04d}.c3d"
        c.write(str(path))
        out.append(str(path))
    return out


def test_scaling_and_memory(tmp_path: Path) -> None:
    paths = _trials(tmp_path, max(SIZES))
    static = str(stridelab.example_path("static"))
    results = {}
    for n in SIZES:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(paths[:n]), static, str(tmp_path / f"out{n}")],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ},
        )
        results[n] = json.loads(proc.stdout.strip().splitlines()[-1])
        assert results[n]["ok"] == n
    print("\nscaling:", json.dumps(results, indent=1))
    for n in SIZES:
        r = results[n]
        RATIOS.append(
            (
                f"batch of {n} trials",
                f"{1000 * r['seconds'] / n:.0f} ms/trial, peak {r['peak_rss_mb']:.0f} MB",
                r["seconds"] * 1000,
                r["seconds"] * 1000,
            )
        )
    # flat memory: 1000 trials need less than twice the memory of 10
    assert results[1000]["peak_rss_mb"] < 2 * results[10]["peak_rss_mb"]
