"""stridelab: Rust-accelerated batch running biomechanics.

Read motion-capture and force recordings into one canonical :class:`Trial`
(x forward, y left, z up; metres, newtons, seconds).

>>> import stridelab
>>> trial = stridelab.read(stridelab.example_path())
>>> trial.marker_set
'rbds'
"""

from importlib import resources
from pathlib import Path

from stridelab import errors
from stridelab._native import __version__
from stridelab.io import AxisTransform, ForcePlate, Trial, c3d_parameters, read

__all__ = [
    "AxisTransform",
    "ForcePlate",
    "Trial",
    "__version__",
    "c3d_parameters",
    "errors",
    "example_path",
    "read",
]


def example_path(name: str = "running") -> Path:
    """Path of a bundled example trial: ``"running"`` (RBDS001 at 3.5 m/s, 8 s, C3D with treadmill
    force) or ``"static"`` (its standing calibration). Data: Fukuchi et al. 2017, CC BY 4.0."""
    files = {"running": "rbds001_run35_8s.c3d", "static": "rbds001_static.c3d"}
    if name not in files:
        raise ValueError(f"no example '{name}'; choose from {sorted(files)}")
    return Path(str(resources.files("stridelab") / "data" / files[name]))
