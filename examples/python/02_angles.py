"""02 — joint angles from a static calibration (published definitions, docs/kinematics.md)."""

import polars as pl
from _data import RUNNING

import stridelab
from stridelab import kinematics

run = stridelab.read(RUNNING / "rbds" / "RBDS001runT25markers.txt")
static = stridelab.read(RUNNING / "rbds" / "RBDS001static.txt")
k = kinematics.compute(run, static)
print(k)
print(k.static_angles.select("side", "knee_flexion_deg", "hip_adduction_deg"))
knee = k.angles.filter(pl.col("side") == "R")["knee_flexion_deg"]
print(f"right knee flexion {knee.min():.0f} to {knee.max():.0f} deg")
print(k.crosstalk)  # knee flexion-adduction crosstalk QA per side
