"""Type stub of the native core (Rust, PyO3). Private: use the public ``stridelab`` API."""

from os import PathLike
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CorruptFileError",
    "DataError",
    "StridelabError",
    "TruncatedFileError",
    "UnsupportedFormatError",
    "__version__",
    "butter_lowpass_sos",
    "c3d_parameters",
    "fill_gaps_columns",
    "filtfilt_columns",
    "read_trial",
    "residual_analysis",
]

__version__: str

class StridelabError(ValueError): ...
class TruncatedFileError(StridelabError): ...
class CorruptFileError(StridelabError): ...
class UnsupportedFormatError(StridelabError): ...
class DataError(StridelabError): ...

def read_trial(
    path: str | PathLike[str],
    axes: str = "auto",
    vertical: str | None = None,
    progression: str | None = None,
    force_rate_hz: float | None = None,
    attach_forces: bool = True,
) -> dict[str, Any]: ...
def c3d_parameters(path: str | PathLike[str]) -> dict[str, dict[str, Any]]: ...
def butter_lowpass_sos(order: int, cutoff_hz: float, fs_hz: float) -> npt.NDArray[np.float64]: ...
def filtfilt_columns(
    x: npt.NDArray[np.float64], sos: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...
def residual_analysis(
    x: npt.NDArray[np.float64], fs_hz: float, cutoffs_hz: list[float], tail_fraction: float
) -> dict[str, Any]: ...
def fill_gaps_columns(
    x: npt.NDArray[np.float64], max_gap: int, context: int
) -> tuple[npt.NDArray[np.float64], list[tuple[int, int, int, bool]]]: ...
