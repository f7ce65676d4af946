"""How far stridelab's hip angles sit from the normative reference's, for RBDS001 (BMC runner 1,
the one runner in both), under each pelvis and hip-joint-centre model stridelab offers.

    PYTHONPATH=python python tools/hip_offset_by_model.py [../shared]

Prints, per model and side, the mean offset (stridelab − reference) and correlation of the
mean hip flexion and adduction curves over the force-plate strides of the 2.5 m/s trial. It
shows how much of the hip-flexion offset is the model's definition (docs/norms.md), so a rule
is not built on it; it does not choose a model (that would fit the reference).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

import stridelab
from stridelab import events, kinematics, norms, strides


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2] / "shared"
    rbds = shared / "data" / "running" / "rbds"
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    static = stridelab.read(rbds / "RBDS001static.txt")
    ref = norms.runner_curves().filter((pl.col("group") == "BMC") & (pl.col("runner") == 1))
    ev = events.from_force(trial, threshold_n=20.0)
    print("| pelvis | hip centres | hip flexion offset L / R (r) | hip adduction offset L / R |")
    print("|---|---|---|---|")
    for pelvis in ("hips_to_crests", "asis_psis"):
        for hip in ("trochanter", "harrington", "bell"):
            k = kinematics.compute(trial, static, pelvis=pelvis, hip=hip)
            cells = []
            for angle in ("hip_flexion_deg", "hip_adduction_deg"):
                parts = []
                for side in "LR":
                    st = strides.strides(ev).filter(pl.col("side") == side)
                    ours = np.nanmean(
                        strides.normalise(
                            k.side(side)[angle].to_numpy(),
                            trial.point_rate_hz,
                            st["ic_s"],
                            st["next_ic_s"],
                        ),
                        axis=0,
                    )
                    theirs = ref.filter(pl.col("angle") == angle).sort("pct")["value_deg"]
                    d = ours - theirs.to_numpy()
                    parts.append((float(np.mean(d)), float(np.corrcoef(ours, theirs)[0, 1])))
                cells.append(
                    f"{parts[0][0]:+.1f} / {parts[1][0]:+.1f}° "
                    f"({parts[0][1]:.3f} / {parts[1][1]:.3f})"
                )
            print(f"| {pelvis} | {hip} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
