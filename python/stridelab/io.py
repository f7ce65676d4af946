"""Reading trials: C3D, OpenSim TRC, wide marker text and force text, into one :class:`Trial`.

Conventions
-----------
After reading, every trial is in the canonical lab frame: **x forward** (direction of
progression), **y left**, **z up**, lengths in **metres**, forces in **newtons**, moments in
**newton-metres**, time in **seconds from the first frame**. Missing samples are NaN, never 0.
The file's own axes and units, and how they were mapped, are kept in :attr:`Trial.axes`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native

__all__ = [
    "AxisTransform",
    "ForcePlate",
    "Trial",
    "c3d_parameters",
    "label_words",
    "read",
    "read_many",
    "read_mot",
]

FloatArray = npt.NDArray[np.float64]


def label_words(label: str) -> set[str]:
    """The lower-case words of a marker or segment label (``L.Heel.Top`` → {l, heel, top},
    ``l_foot_4X4`` → {l, foot, 4x4}), for matching labels by their words."""
    return {w for w in re.split(r"[^a-z0-9]+", label.lower()) if w}


@dataclass(frozen=True)
class AxisTransform:
    """How the file's axes and units were mapped to the canonical frame.

    ``canonical = matrix @ file_vector * scale_to_m`` for positions; forces are only rotated.

    Attributes
    ----------
    matrix : 3×3 signed permutation with determinant +1.
    scale_to_m : factor from the file's length unit to metres.
    file_units : the file's length unit (``"mm"``, ``"m"``, ...).
    units_method : ``"declared"`` or how the unit was detected.
    vertical, progression : file axes that became +z and +x (e.g. ``"+Y"``, ``"+X"``).
    method : in words, how the axes were found.
    """

    matrix: tuple[tuple[float, float, float], ...]
    scale_to_m: float
    file_units: str
    units_method: str
    vertical: str
    progression: str
    method: str


@dataclass(frozen=True, eq=False)
class ForcePlate:
    """One force plate, signals in the canonical lab frame.

    Attributes
    ----------
    plate_type : C3D FORCE_PLATFORM:TYPE (1-4), 0 for a force table in lab coordinates.
    corners_m : (4, 3) plate corners, m (NaN when the file gives none).
    origin : FORCE_PLATFORM:ORIGIN as stored (plate frame, file units).
    channels : 1-based analog channels of the plate.
    rate_hz : sampling rate.
    force_n : (samples, 3) ground reaction force on the body, N.
    cop_m : (samples, 3) centre of pressure, m; NaN while unloaded.
    free_moment_nm : (samples,) free moment about the vertical (+z), N·m.
    """

    plate_type: int
    corners_m: FloatArray
    origin: tuple[float, float, float]
    channels: tuple[int, ...]
    rate_hz: float
    force_n: FloatArray
    cop_m: FloatArray
    free_moment_nm: FloatArray

    @property
    def n_samples(self) -> int:
        """Number of force samples."""
        return int(self.force_n.shape[0])

    def to_polars(self) -> pl.DataFrame:
        """One row per sample: ``time_s``, force (N), centre of pressure (m), free moment (N·m)."""
        n = self.n_samples
        return pl.DataFrame(
            {
                "time_s": np.arange(n) / self.rate_hz,
                "fx_n": self.force_n[:, 0],
                "fy_n": self.force_n[:, 1],
                "fz_n": self.force_n[:, 2],
                "cop_x_m": self.cop_m[:, 0],
                "cop_y_m": self.cop_m[:, 1],
                "cop_z_m": self.cop_m[:, 2],
                "free_moment_nm": self.free_moment_nm,
            }
        )


@dataclass(frozen=True, eq=False)
class Trial:
    """A recording in the canonical lab frame (x forward, y left, z up; metres, seconds).

    Use :func:`read` to make one. Arrays are NumPy arrays handed over from the Rust core
    without a copy.

    Attributes
    ----------
    path : the file read.
    format : ``"c3d"``, ``"trc"``, ``"marker_text"`` or ``"force_text"``.
    point_rate_hz : marker frame rate.
    first_frame : the file's own number of its first frame.
    marker_names : marker labels, in file order.
    points : (frames, markers, 3) marker positions, m; NaN where missing.
    analog_rate_hz, analog_names, analog_units : analog channels.
    analogs : (samples, channels) analog values in ``analog_units``.
    force_plates : force plates with forces in N in the canonical frame.
    events : polars frame of events stored in the file
        (``context, label, description, time_s, side, event``;
        side ``L``/``R``, event ``IC``/``TO``).
    rotation_names, rotation_rate_hz : segment poses (e.g. Theia3D).
    rotations : (frames, segments, 4, 4) homogeneous poses, canonical frame, translation in m.
    axes : how the file's axes and units were mapped.
    marker_set : recognised marker-set preset (``rbds``, ``ric``, ``plugin_gait_lower``, ...).
    missing_percent : percentage of frames each marker is missing.
    metadata : facts from the file; ``warnings`` lists anything the reader had to decide.
    """

    path: Path
    format: str
    point_rate_hz: float
    first_frame: int
    marker_names: tuple[str, ...]
    points: FloatArray
    analog_rate_hz: float
    analog_names: tuple[str, ...]
    analog_units: tuple[str, ...]
    analogs: FloatArray
    force_plates: tuple[ForcePlate, ...]
    events: pl.DataFrame
    rotation_names: tuple[str, ...]
    rotation_rate_hz: float
    rotations: FloatArray
    axes: AxisTransform
    marker_set: str
    marker_set_score: float
    missing_percent: FloatArray
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        rate = self.point_rate_hz or self.rotation_rate_hz
        parts = [
            f"{self.path.name!r}",
            f"format={self.format!r}",
            f"frames={self.n_frames}",
            f"rate_hz={rate:g}",
            f"markers={self.n_markers}",
            f"marker_set={self.marker_set!r}",
        ]
        if self.rotation_names:
            parts.append(f"poses={len(self.rotation_names)}")
        if self.force_plates:
            parts.append(f"force_plates={len(self.force_plates)}")
        if self.warnings:
            parts.append(f"warnings={len(self.warnings)}")
        return f"Trial({', '.join(parts)})"

    @property
    def n_frames(self) -> int:
        """Number of marker (or pose) frames."""
        return int(self.points.shape[0]) if self.points.shape[1] else int(self.rotations.shape[0])

    @property
    def n_markers(self) -> int:
        """Number of markers."""
        return len(self.marker_names)

    @property
    def duration_s(self) -> float:
        """Length of the trial, s."""
        rate = self.point_rate_hz or self.rotation_rate_hz
        return self.n_frames / rate if rate else 0.0

    @property
    def time_s(self) -> FloatArray:
        """Time of each frame, s from the first frame."""
        return np.arange(self.n_frames, dtype=np.float64) / self.point_rate_hz

    def marker(self, name: str) -> FloatArray:
        """(frames, 3) positions of one marker, m.

        Raises
        ------
        KeyError
            If the trial has no marker of that name (the message lists close matches).
        """
        return self.points[:, self._marker_index(name), :]

    def _marker_index(self, name: str) -> int:
        try:
            return self.marker_names.index(name)
        except ValueError:
            close = [m for m in self.marker_names if name.lower() in m.lower()][:5]
            raise KeyError(f"{self.path}: no marker '{name}'; similar: {close}") from None

    def with_markers(self, names: Sequence[str], rename: Mapping[str, str] | None = None) -> Trial:
        """A copy of the trial holding only the markers ``names``, in that order, each renamed
        by ``rename`` where it has an entry (to test what a smaller marker set gives, or to
        rename a set to another lab's labels). Forces, analogs and poses are kept.

        Raises
        ------
        KeyError
            If the trial has no marker of one of the names (the message lists close matches).
        """
        idx = [self._marker_index(name) for name in names]
        return dataclasses.replace(
            self,
            marker_names=tuple((rename or {}).get(n, n) for n in names),
            points=np.ascontiguousarray(self.points[:, idx]),
            missing_percent=self.missing_percent[idx],
        )

    def rotation(self, name: str) -> FloatArray:
        """(frames, 4, 4) poses of one segment."""
        try:
            i = self.rotation_names.index(name)
        except ValueError:
            raise KeyError(f"{self.path}: no segment pose '{name}'") from None
        return self.rotations[:, i]

    def to_polars(self, layout: Literal["long", "wide"] = "long") -> pl.DataFrame:
        """Marker positions as a polars frame.

        Parameters
        ----------
        layout
            ``"long"`` (tidy): one row per frame and marker with columns
            ``frame, time_s, marker, x_m, y_m, z_m``. ``"wide"``: one row per frame with columns
            ``frame, time_s, <marker>_x_m, <marker>_y_m, <marker>_z_m``.
        """
        nf, nm = self.points.shape[0], self.points.shape[1]
        frame = np.arange(nf, dtype=np.int64)
        time = frame / self.point_rate_hz
        if layout == "long":
            flat = self.points.reshape(nf * nm, 3)
            return pl.DataFrame(
                {
                    "frame": np.repeat(frame, nm),
                    "time_s": np.repeat(time, nm),
                    "marker": pl.Series(list(self.marker_names) * nf, dtype=pl.Categorical),
                    "x_m": flat[:, 0],
                    "y_m": flat[:, 1],
                    "z_m": flat[:, 2],
                }
            )
        if layout == "wide":
            cols: dict[str, Any] = {"frame": frame, "time_s": time}
            for i, name in enumerate(self.marker_names):
                for k, axis in enumerate("xyz"):
                    cols[f"{name}_{axis}_m"] = self.points[:, i, k]
            return pl.DataFrame(cols)
        raise ValueError(f"layout must be 'long' or 'wide', not {layout!r}")

    def write(
        self, out: str | os.PathLike[str], *, layout: Literal["long", "wide"] = "long"
    ) -> Path:
        """Writes markers to ``.parquet``, ``.csv`` or ``.trc`` (chosen by suffix), atomically.

        TRC files are written in OpenSim's convention (X forward, Y up, Z right, millimetres).
        The input file is never overwritten.
        """
        dest = Path(out)
        if dest.resolve() == self.path.resolve():
            raise ValueError(f"{dest}: refusing to overwrite the input file")
        suffix = dest.suffix.lower()
        with _atomic(dest) as tmp:
            if suffix == ".parquet":
                self.to_polars(layout).write_parquet(tmp)
            elif suffix == ".csv":
                self.to_polars(layout).write_csv(tmp)
            elif suffix == ".trc":
                _write_trc(self, tmp, dest.name)
            else:
                raise ValueError(
                    f"{dest}: unknown output type '{suffix}' (use .parquet, .csv or .trc)"
                )
        return dest

    def summary(self) -> dict[str, Any]:
        """What ``stridelab inspect`` shows, as plain data."""
        plates = []
        for i, p in enumerate(self.force_plates):
            plates.append(
                {
                    "plate": i + 1,
                    "type": p.plate_type,
                    "rate_hz": p.rate_hz,
                    "samples": p.n_samples,
                    "channels": list(p.channels),
                    "mean_vertical_force_n": float(np.nanmean(p.force_n[:, 2]))
                    if p.n_samples
                    else None,
                    "peak_vertical_force_n": float(np.nanmax(p.force_n[:, 2]))
                    if p.n_samples
                    else None,
                }
            )
        return {
            "path": str(self.path),
            "format": self.format,
            "point_rate_hz": self.point_rate_hz,
            "frames": self.n_frames,
            "first_frame": self.first_frame,
            "duration_s": self.duration_s,
            "markers": list(self.marker_names),
            "marker_set": self.marker_set,
            "marker_set_score": self.marker_set_score,
            "missing_percent": {
                m: round(float(v), 3)
                for m, v in zip(self.marker_names, self.missing_percent, strict=True)
            },
            "analog_rate_hz": self.analog_rate_hz,
            "analogs": [
                {"name": n, "units": u}
                for n, u in zip(self.analog_names, self.analog_units, strict=True)
            ],
            "force_plates": plates,
            "events": self.events.to_dicts(),
            "rotations": list(self.rotation_names),
            "rotation_rate_hz": self.rotation_rate_hz,
            "units": {
                "file_length": self.axes.file_units,
                "method": self.axes.units_method,
                "internal_length": "m",
                "force": "N",
            },
            "axes": {
                "vertical": self.axes.vertical,
                "progression": self.axes.progression,
                "method": self.axes.method,
                "matrix": [list(r) for r in self.axes.matrix],
            },
            "metadata": self.metadata,
            "warnings": list(self.warnings),
        }


_EVENT_SCHEMA = {
    "context": pl.String,
    "label": pl.String,
    "description": pl.String,
    "time_s": pl.Float64,
    "side": pl.String,
    "event": pl.String,
}


def read(
    path: str | os.PathLike[str],
    *,
    axes: Literal["auto", "file"] = "auto",
    vertical: str | None = None,
    progression: str | None = None,
    force_rate_hz: float | None = None,
    attach_forces: bool = True,
    forces: str | os.PathLike[str] | None = None,
) -> Trial:
    """Reads a C3D, TRC, wide marker text or force text file into a :class:`Trial`.

    Parameters
    ----------
    path
        The file. Its format is recognised from its content, then its suffix.
    axes
        ``"auto"`` detects the vertical and progression axes from the data and maps them to the
        canonical frame (x forward, y left, z up); ``"file"`` keeps the file's axes (units are
        still converted to metres).
    vertical, progression
        File axes to use instead of detection, e.g. ``vertical="+Y", progression="+X"``.
    force_rate_hz
        Sampling rate of a force table whose time column is a sample number.
    attach_forces
        For a marker table ``…markers.txt``, also read the matching ``…forces.txt`` (for a
        table ``NAME.txt``, ``NAMEforces.txt``).
    forces
        A force table recorded with this marker table, named explicitly (its rate follows from
        covering the markers' duration when its time column is a sample number).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    stridelab.errors.StridelabError
        Truncated, corrupt or unsupported input; the message names the file and the problem.

    Examples
    --------
    >>> import stridelab
    >>> trial = stridelab.read(stridelab.example_path())
    >>> trial.points.shape[2], trial.axes.vertical
    (3, '+Y')
    """
    from stridelab.errors import CorruptFileError

    try:
        d = _native.read_trial(
            os.fspath(path),
            axes=axes,
            vertical=vertical,
            progression=progression,
            force_rate_hz=force_rate_hz,
            attach_forces=attach_forces,
            forces=os.fspath(forces) if forces is not None else None,
        )
    except CorruptFileError as err:
        hint = _not_a_marker_table(Path(path))
        if hint:
            raise CorruptFileError(f"{err}. {hint}") from None
        raise
    return _trial_from_dict(d)


_SENSOR_WORDS = ("acc", "gyr", "gyro", "imu", "sacrum", "shank", "tibia", "mag")


def _not_a_marker_table(path: Path) -> str | None:
    """Why a text file that failed as a marker table is something else (IMU data), or None."""
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            first = f.readline(4096).strip().lower()  # a cut last cell is dropped below
    except OSError:
        return None
    cells = [c.strip().strip('"') for c in first.replace("\t", ",").replace(";", ",").split(",")]
    if any(w in c for c in cells for w in _SENSOR_WORDS):
        return (
            "It is not a marker table; its columns name sensor signals, so it looks like IMU data: "
            "read it with stridelab.imu.read_imu (or give the CLI --imu-config)"
        )
    whole = [c for c in cells if c][:-1] if len(first) >= 4000 else [c for c in cells if c]
    if whole and all(_is_number(c) for c in whole):
        return (
            "It is not a marker table: it has no header row, only numbers (a bare signal "
            "matrix, as some IMU exports are); give it a Time column and named signals"
        )
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_many(paths: list[str | os.PathLike[str]]) -> list[Trial | Exception]:
    """Reads many files in parallel in the Rust core (GIL released). Each item is a
    :class:`Trial`, or the exception that file raised: a bad file never stops the others."""
    return [
        _trial_from_dict(item) if isinstance(item, dict) else item
        for item in _native.read_many([os.fspath(p) for p in paths])
    ]


def _trial_from_dict(d: dict[str, Any]) -> Trial:
    ax = d["axes"]
    metadata: dict[str, str] = {}
    warnings: list[str] = []
    for key, value in d["metadata"]:
        if key == "warning":
            warnings.append(value)
        else:
            metadata[key] = value
    plates = tuple(
        ForcePlate(
            plate_type=p["plate_type"],
            corners_m=p["corners_m"],
            origin=tuple(p["origin"]),
            channels=tuple(p["channels"]),
            rate_hz=p["rate_hz"],
            force_n=p["force_n"],
            cop_m=p["cop_m"],
            free_moment_nm=p["free_moment_nm"],
        )
        for p in d["force_plates"]
    )
    return Trial(
        path=Path(d["path"]),
        format=d["format"],
        point_rate_hz=d["point_rate_hz"],
        first_frame=d["first_frame"],
        marker_names=tuple(d["marker_names"]),
        points=d["points"],
        analog_rate_hz=d["analog_rate_hz"],
        analog_names=tuple(d["analog_names"]),
        analog_units=tuple(d["analog_units"]),
        analogs=d["analogs"],
        force_plates=plates,
        events=pl.DataFrame(d["events"], schema=_EVENT_SCHEMA),
        rotation_names=tuple(d["rotation_names"]),
        rotation_rate_hz=d["rotation_rate_hz"],
        rotations=d["rotations"],
        axes=AxisTransform(
            matrix=tuple(tuple(r) for r in ax["matrix"]),
            scale_to_m=ax["scale_to_m"],
            file_units=ax["file_units"],
            units_method=ax["units_method"],
            vertical=ax["vertical"],
            progression=ax["progression"],
            method=ax["method"],
        ),
        marker_set=d["marker_set"],
        marker_set_score=d["marker_set_score"],
        missing_percent=d["missing_percent"],
        metadata=metadata,
        warnings=tuple(warnings),
    )


def c3d_parameters(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The whole C3D parameter section: ``{group: {parameter: value}}``.

    Character parameters become strings (one) or lists of strings; numbers become lists of floats
    in the file's storage order (first dimension fastest).
    """
    return _native.c3d_parameters(os.fspath(path))


def read_mot(path: str | os.PathLike[str], *, in_degrees: bool | None = None) -> pl.DataFrame:
    """Reads an OpenSim storage file (``.mot``/``.sto``, e.g. inverse kinematics) as it is:
    ``time_s`` and one column per coordinate, under the file's own names.

    Rotational coordinates are in degrees (converted when the header says ``inDegrees=no``);
    translations (``*_tx``, ``*_ty``, ``*_tz``) stay in the file's unit (metres in OpenSim).
    ``in_degrees`` overrides the header and is needed when the header does not say.
    :func:`stridelab.kinematics.from_mot` maps the coordinates to stridelab's angle columns.

    Raises
    ------
    stridelab.errors.StridelabError
        No ``endheader``, an unknown angle unit, ragged or non-numeric rows, a row count that
        differs from the header's ``nRows``, time that does not increase; the message names the
        file and the line.
    """
    d = _native.read_mot(os.fspath(path), in_degrees)
    cols: dict[str, object] = {"time_s": d["time_s"]}
    for j, name in enumerate(d["columns"]):
        cols[name] = d["values"][:, j]
    return pl.DataFrame(cols)


@contextmanager
def _atomic(dest: Path) -> Iterator[Path]:
    """Yields a temporary path beside ``dest``; renames it over ``dest`` only on success."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes the file 0600; the result gets the mode the user's umask gives
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


# OpenSim: X forward, Y up, Z right. From canonical (x fwd, y left, z up): X=x, Y=z, Z=-y.
_TO_OPENSIM = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


def _write_trc(trial: Trial, tmp: Path, name: str) -> None:
    nf, nm = trial.points.shape[0], trial.points.shape[1]
    mm = np.einsum("ij,fmj->fmi", _TO_OPENSIM, trial.points) * 1000.0
    rate = trial.point_rate_hz
    header = [
        f"PathFileType\t4\t(X/Y/Z)\t{name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate:g}\t{rate:g}\t{nf}\t{nm}\tmm\t{rate:g}\t{trial.first_frame}\t{nf}",
        "Frame#\tTime\t" + "\t\t\t".join(trial.marker_names) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, nm + 1)),
        "",
    ]
    body = np.empty((nf, 2 + nm * 3))
    body[:, 0] = np.arange(1, nf + 1)
    body[:, 1] = np.arange(nf) / rate
    body[:, 2:] = mm.reshape(nf, nm * 3)
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(header) + "\n")
        for row in body:
            cells = [f"{int(row[0])}", f"{row[1]:.6f}"]
            cells += ["" if np.isnan(v) else f"{v:.5f}" for v in row[2:]]
            fh.write("\t".join(cells) + "\n")
