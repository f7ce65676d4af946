"""03 — gait events: force plates, markers, or a tracked foot segment (docs/events.md)."""

import polars as pl
from _data import RUNNING

import stridelab
from stridelab import events

run = stridelab.read(RUNNING / "rbds" / "RBDS001runT25markers.txt")
by_force = events.from_force(run, threshold_n=20.0)
by_markers = events.from_markers(run)
print(by_markers.group_by("side", "event", "method").agg(pl.len(), pl.col("quality").median()))
ric = stridelab.read(RUNNING / "ric" / "20140515T133244_run.c3d")
ric_static = stridelab.read(RUNNING / "ric" / "20140515T133244_static.c3d")
shoe = events.from_segments(ric, ric_static)  # a shoe cluster carries the heel and toe
print(shoe.head(4).select("side", "event", "time_s", "method", "quality"))
print("plausibility warnings:", events.check(shoe, ric.duration_s))
