"""Exceptions raised by stridelab.

Every error about an input names the file and the problem. The hierarchy is created in the Rust
core and re-exported here; all classes subclass :class:`ValueError` through
:class:`StridelabError`. Files that cannot be opened raise the builtin :class:`OSError` family
(:class:`FileNotFoundError`, :class:`PermissionError`).
"""

from stridelab._native import (
    CorruptFileError,
    DataError,
    StridelabError,
    TruncatedFileError,
    UnsupportedFormatError,
)

# Created in the native module; shown to users as members of this one.
for _cls in (
    CorruptFileError,
    DataError,
    StridelabError,
    TruncatedFileError,
    UnsupportedFormatError,
):
    _cls.__module__ = __name__

__all__ = [
    "CorruptFileError",
    "DataError",
    "StridelabError",
    "TruncatedFileError",
    "UnsupportedFormatError",
]
