"""Inertial sensor (IMU) recordings: readers, orientation, running events and per-stride metrics.

Conventions (the Rust core states and tests the same ones)
----------------------------------------------------------
- Every sensor's signals are expressed in its **segment frame**: x anterior, y left, z up
  (proximal) when the runner stands, the axes of the lab frame. A reader maps the sensor's own
  axes into it with an axis map such as ``"+z,-y,+x"``: the sensor axes that point anterior,
  left and up. Without a map the sensor is taken as already aligned.
- Acceleration is specific force in m/s² (gravity included: still and upright, a sensor reads
  +9.81 along z); angular velocity in rad/s, right-handed.
- **Sagittal angular velocity** ``−ω_y`` is positive counter-clockwise when the runner is seen
  from the right moving to the right: the shank swinging forward, the toes rising.
- Locations: ``left_foot``, ``right_foot``, ``left_shank``, ``right_shank``, ``sacrum``.

Formats read by :func:`read_imu`
--------------------------------
- **generic CSV/TSV**: a time column (``time``, ``time_s``, ``timestamp``, ``t``; seconds, or
  milliseconds when its step is ≥ 0.5) and, per sensor, ``[<sensor>_]acc_x|y|z``,
  ``[<sensor>_]gyro_x|y|z`` (``gyr``, ``ax``/``gx`` also) and optionally ``mag_x|y|z``. Several
  sensors in one file are told apart by the prefix. Units are read from a suffix (``_g``,
  ``_m_s2``, ``_deg_s``, ``_rad_s``) or detected: acceleration whose median norm is near 1 is in
  g, angular velocity above 40 in magnitude is in deg/s. Missing axes (a biaxial sensor) are NaN.
- **Xsens / Movella MT Manager** text export (``//`` header lines with ``Update Rate``, columns
  ``PacketCounter``, ``SampleTimeFine``, ``Acc_X``…, ``Gyr_X``…, ``Mag_X``…; m/s², rad/s), one
  file per sensor; the sensor is named by the last ``_``-part of the file name (its device ID).
- **Shimmer Consensys** CSV export (optional ``sep=`` line, then signal names such as
  ``Shimmer_8A3C_Accel_WR_X_CAL``, a ``CAL`` line and a units line), several sensors per file
  told apart by the ``Shimmer_XXXX`` prefix; the wide-range accelerometer is preferred (running
  impacts exceed the low-noise range).
"""

from stridelab.imu._config import load_config
from stridelab.imu._events import detect_events, orientation, step_frequency_hz
from stridelab.imu._metrics import per_stride
from stridelab.imu._model import LOCATIONS, G, ImuTrial, Sensor, guess_location
from stridelab.imu._readers import looks_like_imu, read_imu

# Defined in the submodules (readers, configuration, model, events, metrics); shown to users,
# pickled and documented as members of this one.
for _obj in (
    ImuTrial,
    Sensor,
    detect_events,
    guess_location,
    load_config,
    looks_like_imu,
    orientation,
    per_stride,
    read_imu,
    step_frequency_hz,
):
    _obj.__module__ = __name__

__all__ = [
    "LOCATIONS",
    "G",
    "ImuTrial",
    "Sensor",
    "detect_events",
    "guess_location",
    "load_config",
    "looks_like_imu",
    "orientation",
    "per_stride",
    "read_imu",
    "step_frequency_hz",
]
