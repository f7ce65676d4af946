"""01 — read a trial: any format, canonical axes (x forward, y left, z up), metres."""

from _data import RUNNING

import stridelab

trial = stridelab.read(RUNNING / "rbds" / "RBDS001runT35.c3d")
print(trial)  # format, frames, rate, markers, marker set, force plates
print(trial.axes.method)  # how the file's axes and units were mapped
heel = trial.marker("R.Heel.Bottom")  # (frames, 3) m
print(f"right heel lowest {heel[:, 2].min() * 1000:.0f} mm above the floor")
print(trial.to_polars().head(3))  # a long table: frame, time_s, marker, x_m, y_m, z_m
