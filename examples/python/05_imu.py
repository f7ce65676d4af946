"""05 — IMU: a sacrum accelerometer's contacts and step frequency (docs/imu.md)."""

import tempfile
from pathlib import Path

import numpy as np
import polars as pl
from _data import RUNNING

from stridelab import imu

acc = np.loadtxt(RUNNING / "imu_sacrum" / "Accelerometer_one_sub.csv", delimiter=",")
n = acc.shape[1] // 2
csv = Path(tempfile.mkdtemp()) / "sacrum.csv"  # one trial as a generic CSV, in g
pl.DataFrame(
    {"time_s": np.arange(n) / 500.0, "sacrum_acc_x_g": acc[0, n:], "sacrum_acc_z_g": acc[0, :n]}
).write_csv(csv)
trial = imu.read_imu(csv)
ev = imu.detect_events(trial)
print(ev.head(4).select("side", "event", "time_s", "method"))
print(f"step frequency {imu.step_frequency_hz(trial):.2f} Hz")
