"""Type stub of the native core (Rust, PyO3). Private: use the public ``stridelab`` API."""

from os import PathLike
from typing import Any

__all__ = [
    "CorruptFileError",
    "DataError",
    "StridelabError",
    "TruncatedFileError",
    "UnsupportedFormatError",
    "__version__",
    "c3d_parameters",
    "read_trial",
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
