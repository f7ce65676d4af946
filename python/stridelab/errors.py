"""Exceptions raised by stridelab, and the stable reason codes batch status rows carry.

Every error about an input names the file and the problem. The hierarchy is created in the Rust
core and re-exported here; all classes subclass :class:`ValueError` through
:class:`StridelabError`. Files that cannot be opened raise the builtin :class:`OSError` family
(:class:`FileNotFoundError`, :class:`PermissionError`).

Errors raised by the core carry a ``reason`` attribute: a stable snake-case code
(:data:`REASONS` lists them with their meaning). :func:`reason_code` gives the code of any
exception, so a script can branch on why a file failed without parsing the message.
"""

from __future__ import annotations

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

#: Every reason code, with what it means. Codes are stable: new ones may be added, none is
#: renamed or reused.
REASONS: dict[str, str] = {
    "file_not_found": "the file does not exist",
    "permission_denied": "the file cannot be read with these permissions",
    "not_a_file": "the path is a directory",
    "io_error": "the file could not be read (another operating-system error)",
    "truncated_file": "the file ends before the data its header announces",
    "corrupt_file": "the bytes do not follow the format",
    "unsupported_format": "a format or format feature the readers do not handle",
    "bad_data": "well-formed content that cannot be used as asked (units, sizes, labels)",
    "bad_parameter": "an option out of its range (filter order, cutoff, rate)",
    "too_short": "no frames or samples, or too few for the stage",
    "missing_markers": "markers the stage needs are missing or never tracked",
    "missing_samples": "samples missing where the stage needs a complete signal",
    "no_poses": "no segment poses in a trial that must have them",
    "no_force_plate": "no force plate where events must come from force",
    "no_events": "the signal holds no gait events (no contacts, no swing peaks)",
    "no_strides": "events were found but no complete stride",
    "calibration": "the static trial cannot calibrate the model, or does not fit the trial",
    "length_mismatch": "signals that must be paired differ in length",
    "bad_config": "a sensor map or configuration that is missing or cannot be used",
    "invalid_value": "a value error without a more specific code",
    # batch status rows only: the trial ran but its outputs are doubtful
    "static_mismatch": "partial: the static trial does not fit this runner",
    "mostly_nan": "partial: most metric columns are entirely NaN",
    "few_strides": "partial: far fewer usable strides than the recording holds",
}


def data_error(message: str, reason: str = "bad_data") -> DataError:
    """A :class:`DataError` with ``message`` and the reason code ``reason`` (one of
    :data:`REASONS`)."""
    if reason not in REASONS:
        raise KeyError(f"unknown reason code {reason!r}")
    err = DataError(message)
    err.reason = reason
    return err


def in_file(err: StridelabError, path: object) -> StridelabError:
    """``err`` (from a stage that worked on arrays) as an error of the same class about
    ``path``, keeping its reason code."""
    new = type(err)(f"{path}: {err}")
    new.reason = reason_code(err)
    return new


def reason_code(err: BaseException) -> str:
    """The stable reason code of any exception stridelab raises (see :data:`REASONS`)."""
    code = getattr(err, "reason", None)
    if isinstance(code, str) and code in REASONS:
        return code
    for cls, fallback in (
        (TruncatedFileError, "truncated_file"),
        (CorruptFileError, "corrupt_file"),
        (UnsupportedFormatError, "unsupported_format"),
        (DataError, "bad_data"),
        (FileNotFoundError, "file_not_found"),
        (PermissionError, "permission_denied"),
        (IsADirectoryError, "not_a_file"),
        (OSError, "io_error"),
    ):
        if isinstance(err, cls):
            return fallback
    return "invalid_value"


__all__ = [
    "REASONS",
    "CorruptFileError",
    "DataError",
    "StridelabError",
    "TruncatedFileError",
    "UnsupportedFormatError",
    "data_error",
    "in_file",
    "reason_code",
]
