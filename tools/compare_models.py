"""Compares the kinematic model's options on RBDS001 (against the lab's Visual3D curves) and on
RBDS032 (left/right symmetry), with the knee crosstalk of each side: the figures behind the
choices in docs/kinematics.md.

    python tools/compare_models.py                      # the defaults
    python tools/compare_models.py knee=static_neutral shank=malleoli
    python tools/compare_models.py pelvis=asis_psis hip=harrington

Needs ../shared beside the repository (or STRIDELAB_SHARED).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import polars as pl

import stridelab
from stridelab import events, kinematics, strides

SHARED = Path(os.environ.get("STRIDELAB_SHARED", Path(__file__).resolve().parents[2] / "shared"))
RBDS = SHARED / "data" / "running" / "rbds"
PAIRS = kinematics.RBDS_PROCESSED_ANGLES


def main(options: dict[str, str]) -> None:
    v3d = pl.read_csv(RBDS / "RBDS001processed.txt", separator="\t")
    cases = [
        ("RBDS001 2.5 m/s", "RBDS001static.txt", "RBDS001runT25markers.txt", "25"),
        ("RBDS001 3.5 m/s", "RBDS001static.txt", "RBDS001runT35.c3d", "35"),
        ("RBDS032 3.5 m/s", "RBDS032static.txt", "RBDS032runT35markers.txt", None),
    ]
    for name, static, run, speed in cases:
        t = stridelab.read(RBDS / run)
        k = kinematics.compute(t, stridelab.read(RBDS / static), **options)  # type: ignore[arg-type]
        ev = events.from_force(t, threshold_n=20.0) if t.force_plates else events.from_markers(t)
        st = strides.strides(ev)
        mean = {}
        for side in ("L", "R"):
            s = st.filter(pl.col("side") == side)
            for col, _ in PAIRS:
                cyc = strides.normalise(
                    k.side(side)[col].to_numpy(), t.point_rate_hz, s["ic_s"], s["next_ic_s"]
                )
                mean[side, col] = np.nanmean(cyc, axis=0)
        print(
            f"\n{name}: crosstalk",
            k.crosstalk.select(
                "side",
                "knee_axis_misalignment_deg",
                "knee_adduction_flexion_r",
                "crosstalk_flagged",
            ).to_dicts(),
        )
        if speed:
            rmse = {
                col: float(
                    np.sqrt(np.mean((mean["R", col] - v3d[f"R{ref}{speed}"].to_numpy()) ** 2))
                )
                for col, ref in PAIRS
            }
            print("  RMSE vs Visual3D (right):", {c: round(v, 2) for c, v in rmse.items()})
        sym = {
            col: float(np.sqrt(np.mean((mean["L", col] - mean["R", col]) ** 2))) for col, _ in PAIRS
        }
        print("  left-right RMSE:", {c: round(v, 1) for c, v in sym.items()})


if __name__ == "__main__":
    main(dict(a.split("=", 1) for a in sys.argv[1:]))
