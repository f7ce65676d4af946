"""The trials whose outputs ``tests/golden/`` freezes (see ``tools/make_golden.py``): per-stride
metrics, events and angles (every 5th frame) through the public pipeline a user calls."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import polars as pl

from stridelab import analysis

CASES: dict[str, tuple[list[str], str | None, float | None]] = {
    "rbds001_t25": (["rbds/RBDS001runT25markers.txt"], "rbds/RBDS001static.txt", 2.5),
    "rbds001_t35": (["rbds/RBDS001runT35.c3d"], "rbds/RBDS001static.txt", 3.5),
    "ric": (["ric/20140515T133244_run.c3d"], "ric/20140515T133244_static.c3d", None),
    "opencap_walk": (["opencap/walk.trc"], None, None),
    "imu_sacrum_15": (["imu_sacrum/Accelerometer_one_sub.csv#15"], None, 3.33),
}


def _sacrum_csv(data: Path, k: int, dest: Path) -> Path:
    """Trial k of imu_sacrum as a generic IMU CSV (vertical = z, AP = x, in g)."""
    acc = np.loadtxt(data / "imu_sacrum" / "Accelerometer_one_sub.csv", delimiter=",")
    n = acc.shape[1] // 2
    path = dest / f"sacrum_{k:02d}.csv"
    pl.DataFrame(
        {
            "time_s": np.arange(n) / 500.0,
            "sacrum_acc_x_g": acc[k, n:],
            "sacrum_acc_z_g": acc[k, :n],
        }
    ).write_csv(path)
    return path


def run_case(name: str, data: Path) -> dict[str, pl.DataFrame]:
    files, static, speed = CASES[name]
    paths: list[Path] = []
    tmp = Path(tempfile.mkdtemp())
    for f in files:
        if "#" in f:
            paths.append(_sacrum_csv(data, int(f.split("#")[1]), tmp))
        else:
            paths.append(data / f)
    result = analysis.analyze_runner(
        paths,
        data / static if static else None,
        runner=name,
        speed_m_s=speed,
    )
    assert not result.failures, result.failures
    table = result.table
    cycles = pl.DataFrame(
        {
            f"{angle}_{side}": np.asarray(curve, dtype=np.float64)
            for angle, by_side in sorted(result.cycles.items())
            for side, curve in sorted(by_side.items())
        }
    )
    return {"strides": table, "events": result.events, "cycles": cycles}
