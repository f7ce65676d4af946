"""The IMU data model: sensors, trials, locations."""

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
log = logging.getLogger("stridelab")


G = 9.80665


LOCATIONS = ("left_foot", "right_foot", "left_shank", "right_shank", "sacrum")


_LOCATION_WORDS = {
    "foot": ("foot", "feet", "toe", "shoe", "instep"),
    "shank": ("shank", "tibia", "shin", "leg", "calf", "ankle"),
    "sacrum": ("sacrum", "sacral", "pelvis", "lowback", "lower_back", "waist", "hip", "l5"),
}


@dataclass(frozen=True, eq=False)
class Sensor:
    """One sensor's signals in its segment frame (see the module notes)."""

    name: str
    location: str | None
    acc_m_s2: FloatArray
    gyro_rad_s: FloatArray
    mag: FloatArray | None = None

    @property
    def sagittal_rad_s(self) -> FloatArray:
        """Sagittal angular velocity, + shank swinging forward / toes rising."""
        return np.ascontiguousarray(-self.gyro_rad_s[:, 1])

    @property
    def has_gyro(self) -> bool:
        return bool(np.isfinite(self.gyro_rad_s).any())


@dataclass(frozen=True, eq=False)
class ImuTrial:
    """An IMU recording: sensors sampled together at ``rate_hz``, time in s from the start."""

    path: Path
    rate_hz: float
    time_s: FloatArray
    sensors: dict[str, Sensor]
    format: str
    units: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return int(self.time_s.size)

    def at(self, location: str) -> Sensor | None:
        """The sensor at ``location`` (one of :data:`LOCATIONS`), if any."""
        for s in self.sensors.values():
            if s.location == location:
                return s
        return None

    def summary(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "format": self.format,
            "rate_hz": self.rate_hz,
            "duration_s": self.n_samples / self.rate_hz,
            "sensors": {k: s.location for k, s in self.sensors.items()},
            "units": self.units,
            "notes": self.notes,
        }


def guess_location(name: str) -> str | None:
    """A location from a sensor's name (``LeftShank``, ``tibia_r``, ``R_foot``, ``sacrum``)."""
    low = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    words = set(re.split(r"[^a-z0-9]+", low))
    kind = next(
        (k for k, ws in _LOCATION_WORDS.items() if any(w in low for w in ws)),
        None,
    )
    if kind is None:
        return None
    if kind == "sacrum":
        return "sacrum"
    if words & {"l", "left", "lt"} or low.startswith("left"):
        return f"left_{kind}"
    if words & {"r", "right", "rt"} or low.startswith("right"):
        return f"right_{kind}"
    return None
