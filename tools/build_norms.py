"""Builds the normative reference shipped in python/stridelab/data/ from the 46 runners of
../shared/data/running/norms (Fukuchi et al. 2017 RBDS runners as group BMC; Running Injury
Clinic, University of Calgary, as group RIC; CC BY 4.0).

    python tools/build_norms.py

Axis mapping to stridelab's conventions (worked out against our own kinematics of RBDS001, who is
BMC runner 1; see docs/norms.md): hip_flexion = -Hip_Z, hip_adduction = -Hip_X,
hip_rotation = -Hip_Y, knee_flexion = Knee_Z, knee_adduction = -Knee_X, knee_rotation = Knee_Y,
ankle_dorsiflexion = -Ankle_Z, ankle_inversion = -Ankle_X, ankle_rotation = -Ankle_Y.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

SRC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "running" / "norms"
OUT = Path(__file__).resolve().parents[1] / "python" / "stridelab" / "data"

MAPPING = {
    "hip_flexion_deg": ("Hip_Z", -1.0),
    "hip_adduction_deg": ("Hip_X", -1.0),
    "hip_rotation_deg": ("Hip_Y", -1.0),
    "knee_flexion_deg": ("Knee_Z", 1.0),
    "knee_adduction_deg": ("Knee_X", -1.0),
    "knee_rotation_deg": ("Knee_Y", 1.0),
    "ankle_dorsiflexion_deg": ("Ankle_Z", -1.0),
    "ankle_inversion_deg": ("Ankle_X", -1.0),
    "ankle_rotation_deg": ("Ankle_Y", -1.0),
}


def runner_curves(path: Path) -> dict[str, np.ndarray]:
    """Mean 101-point curve of each angle over a runner's cycles, in stridelab's conventions."""
    d = pl.read_csv(path, separator="\t")
    out = {}
    for ours, (theirs, sign) in MAPPING.items():
        cols = [c for c in d.columns if c.rsplit("_", 1)[0] == theirs]
        out[ours] = sign * np.nanmean(np.stack([d[c].to_numpy() for c in cols]), axis=0)
    return out


def main() -> None:
    meta = pl.read_csv(SRC / "metadata.txt", separator="\t")
    runners = (
        meta.group_by("Group", "Subject")
        .agg(pl.col("Speed").mean().alias("speed_m_s"), pl.len().alias("cycles"))
        .sort("Group", "Subject")
    )
    rows = []
    for r in runners.iter_rows(named=True):
        path = SRC / f"{r['Group']}{r['Subject']:02d}angs.txt"
        curves = runner_curves(path)
        for angle, curve in curves.items():
            for pct, value in enumerate(curve):
                rows.append(
                    {
                        "group": r["Group"],
                        "runner": int(r["Subject"]),
                        "speed_m_s": float(r["speed_m_s"]),
                        "angle": angle,
                        "pct": pct,
                        "value_deg": float(value),
                    }
                )
    per_runner = pl.DataFrame(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    per_runner.write_parquet(OUT / "norms_runner_curves.parquet", compression="zstd")
    n = per_runner.select("group", "runner").unique().height
    print(f"wrote {OUT / 'norms_runner_curves.parquet'}: {n} runners")


if __name__ == "__main__":
    main()
