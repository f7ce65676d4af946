"""The TOML sensor map (locations and axis maps) and axis-map parsing."""

import logging
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from stridelab.errors import DataError, data_error

FloatArray = npt.NDArray[np.float64]
log = logging.getLogger("stridelab")


def _axis_matrix(spec: str, where: str) -> FloatArray:
    """Rows: the segment axes (anterior, left, up) as signed sensor axes, e.g. ``"+z,-y,+x"``."""
    parts = [p.strip().lower() for p in spec.split(",")]
    m = np.zeros((3, 3))
    try:
        if len(parts) != 3:
            raise ValueError
        for row, p in enumerate(parts):
            sign = -1.0 if p.startswith("-") else 1.0
            m[row, "xyz".index(p.lstrip("+-"))] = sign
    except ValueError:
        raise DataError(
            f"{where}: axis map {spec!r} must be three signed sensor axes such as '+z,-y,+x'"
        ) from None
    det = np.linalg.det(m)
    if abs(abs(det) - 1) > 1e-9:
        raise data_error(f"{where}: axis map {spec!r} uses a sensor axis twice", "bad_config")
    if det < 0:
        raise DataError(
            f"{where}: axis map {spec!r} is left-handed (a mirror image); sensors are "
            "right-handed, so one of its signs is wrong"
        )
    return m


def load_config(path: str | os.PathLike[str] | None) -> dict[str, dict[str, str]]:
    """Sensor locations and axis maps from a TOML file::

        [sensors.00B42B4E]
        location = "left_shank"
        axes = "+z,-y,+x"     # sensor axes pointing anterior, left, up

    Returns ``{"locations": {...}, "axes": {...}}`` for :func:`read_imu`.
    """
    out: dict[str, dict[str, str]] = {"locations": {}, "axes": {}}
    if path is None:
        return out
    import tomllib

    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise data_error(f"{path}: not a TOML sensor map ({err})", "bad_config") from None
    for name, spec in doc.get("sensors", {}).items():
        if not isinstance(spec, dict):
            raise data_error(f"{path}: [sensors.{name}] must be a table", "bad_config")
        if "location" in spec:
            out["locations"][name] = str(spec["location"])
        if "axes" in spec:
            out["axes"][name] = str(spec["axes"])
    return out
