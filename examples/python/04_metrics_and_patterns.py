"""04 — per-stride metrics and the movement patterns (a screen, never a diagnosis)."""

import polars as pl
from _data import RUNNING

import stridelab
from stridelab import events, kinematics, metrics, patterns

run = stridelab.read(RUNNING / "rbds" / "RBDS001runT35.c3d")
static = stridelab.read(RUNNING / "rbds" / "RBDS001static.c3d")
k, k_static = kinematics.compute(run, static), kinematics.compute(static, static)
table = metrics.per_stride(run, k, events.detect(run), static_kin=k_static, speed_m_s=3.5)
print(table.group_by("side").agg(pl.col("cadence_steps_per_min", "contact_time_s").median()))
found = patterns.evaluate(table)
print(found.select("pattern", "side", "status", "confidence"))
evidence = found.select("pattern", "side", "evidence").explode("evidence").unnest("evidence")
print(evidence.select("pattern", "side", "metric", "L_median", "R_median").head(6))
