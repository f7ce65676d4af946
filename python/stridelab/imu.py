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

from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native
from stridelab._event_table import frame as _frame
from stridelab._event_table import timing_quality as _timing_quality
from stridelab.errors import DataError, UnsupportedFormatError, data_error, in_file

log = logging.getLogger("stridelab")

__all__ = [
    "LOCATIONS",
    "G",
    "ImuTrial",
    "Sensor",
    "detect_events",
    "load_config",
    "looks_like_imu",
    "orientation",
    "per_stride",
    "read_imu",
    "step_frequency_hz",
]

FloatArray = npt.NDArray[np.float64]
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


_SUFFIX_UNITS = {
    "g": "g",
    "m_s2": "m/s2",
    "ms2": "m/s2",
    "mps2": "m/s2",
    "m_s_2": "m/s2",
    "deg_s": "deg/s",
    "dps": "deg/s",
    "rad_s": "rad/s",
    "rps": "rad/s",
}
_GENERIC = re.compile(
    r"^(?:(?P<sensor>.+?)[_.\s-])?(?P<kind>acc|accel|acceleration|a|gyro|gyr|g|angvel|mag|m)"
    r"[_.\s-]?(?P<axis>[xyz])(?:[_.\s-]?\(?(?P<unit>[a-z0-9_/^()]+?)\)?)?$"
)


# kind first, then the location, then an axis letter or an anatomical axis word, then a unit
# and a statistic: acc_sacrum_vertical_g, gyro_tibia_r_z, acc_pelvis_x_mean
_NAMED = re.compile(
    r"^(?P<kind>acc|accel|gyro|gyr)_(?P<sensor>[a-z0-9]+(?:_[lr])?)_"
    r"(?P<axis>x|y|z|vertical|vert|ap|ml)(?:_(?P<unit>g|ms2|m_s2|mps2|dps|deg_s|rad_s))?"
    r"(?:_mean)?$"
)
# anatomical axis words onto the segment frame (x anterior, y left, z up)
_AXIS_WORDS = {"vertical": "z", "vert": "z", "ap": "x", "ml": "y"}


def _kind(k: str) -> str:
    if k in ("acc", "accel", "acceleration", "a"):
        return "acc"
    if k in ("gyro", "gyr", "g", "angvel"):
        return "gyro"
    return "mag"


def _unit_of(raw: str | None) -> str | None:
    if not raw:
        return None
    key = re.sub(r"[/^()]+", "_", raw.lower()).strip("_").replace("__", "_")
    return _SUFFIX_UNITS.get(key)


def _read_table(path: Path, skip: int = 0) -> pl.DataFrame:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[skip:]
    if not text:
        raise DataError(f"{path}: no data")
    head = text[0]
    sep = max(("\t", ",", ";"), key=head.count)
    try:
        return pl.read_csv(
            "\n".join(text).encode(),
            separator=sep,
            infer_schema_length=10000,
            null_values=["", "NaN", "nan", "NA"],
        )
    except pl.exceptions.PolarsError as err:
        raise DataError(f"{path}: not a readable table ({err})") from None


def _column(df: pl.DataFrame, name: str, path: Path) -> FloatArray:
    col = df[name]
    num = col.cast(pl.Float64, strict=False)
    if num.null_count() > col.null_count():
        raise DataError(f"{path}: column {name!r} is not numeric")
    return num.fill_null(np.nan).to_numpy().copy()


def _time(t: FloatArray, path: Path, rate_hz: float | None) -> tuple[FloatArray, float]:
    if rate_hz is not None:
        return np.arange(t.size) / rate_hz, rate_hz
    ok = t[np.isfinite(t)]
    if ok.size < 2:
        raise DataError(f"{path}: the time column has fewer than two values")
    dt = float(np.median(np.diff(ok)))
    if not dt > 0:
        raise DataError(f"{path}: time does not increase")
    scale = 1e-3 if dt >= 0.5 else 1.0  # a step of 0.5 or more is milliseconds
    rate = 1.0 / (dt * scale)
    if abs(rate - round(rate)) < 1e-4 * rate:
        rate = float(round(rate))
    return (t - ok[0]) * scale, rate


def _detect_units(
    acc: FloatArray, gyro: FloatArray, acc_unit: str | None, gyro_unit: str | None
) -> tuple[str, str, str]:
    how = "declared"
    if acc_unit is None:
        rows = np.isfinite(acc).any(axis=1)
        if not rows.any():
            raise DataError("no finite acceleration sample")
        med = float(np.median(np.linalg.norm(np.nan_to_num(acc[rows]), axis=1)))
        acc_unit = "g" if med < 3.0 else "m/s2"
        how = "detected from magnitude"
    if gyro_unit is None:
        peak = float(np.nanmax(np.abs(gyro))) if np.isfinite(gyro).any() else 0.0
        gyro_unit = "deg/s" if peak > 40.0 else "rad/s"
        how = "detected from magnitude"
    return acc_unit, gyro_unit, how


def _to_si(a: FloatArray, unit: str, kind: str, path: Path) -> FloatArray:
    factors = {"g": G, "m/s2": 1.0, "deg/s": math.pi / 180, "rad/s": 1.0}
    if unit not in factors:
        raise DataError(f"{path}: unknown {kind} unit {unit!r}")
    return a * factors[unit]


def _generic(
    path: Path, df: pl.DataFrame, notes: list[str] | None = None, trial: object = None
) -> tuple[FloatArray, dict[str, dict[str, FloatArray]], dict[str, str]]:
    lower = {c: c.strip().lower().replace(" ", "_") for c in df.columns}
    if "cycle_sample" in lower.values() and not any(
        lc in ("time", "time_s", "timestamp", "t", "time(s)") for lc in lower.values()
    ):
        raise UnsupportedFormatError(
            f"{path}: holds one time-normalised gait cycle (cycle_sample), not a recording: "
            "it has no sampling rate or strides to detect events in"
        )
    tcol_trial = next((c for c, lc in lower.items() if lc == "trial"), None)
    if tcol_trial is not None:
        trials = df[tcol_trial].unique(maintain_order=True).to_list()
        chosen = trial if trial is not None else trials[0]
        if chosen not in trials:
            raise DataError(f"{path}: no trial {chosen!r} (trials {trials})")
        if len(trials) > 1 and notes is not None:
            notes.append(
                f"the file holds {len(trials)} trials ({', '.join(map(str, trials[:8]))}"
                f"{'…' if len(trials) > 8 else ''}); read trial {chosen} (choose with trial=)"
            )
        df = df.filter(pl.col(tcol_trial) == chosen)
    tcol = next(
        (c for c, lc in lower.items() if lc in ("time", "time_s", "timestamp", "t", "time(s)")),
        None,
    )
    found: dict[str, dict[str, dict[str, str]]] = {}
    declared: dict[str, str] = {}
    for c, lc in lower.items():
        m = _GENERIC.match(lc) or _NAMED.match(lc)
        if not m:
            continue
        sensor = m.group("sensor") or "imu"
        kind = _kind(m.group("kind"))
        axis = _AXIS_WORDS.get(m.group("axis"), m.group("axis"))
        found.setdefault(sensor, {}).setdefault(kind, {})[axis] = c
        unit = _unit_of(m.group("unit"))
        if unit:
            declared[kind] = unit
    found = {s: k for s, k in found.items() if "acc" in k or "gyro" in k}
    if tcol is None or not found:
        raise UnsupportedFormatError(
            f"{path}: not an IMU table (needs a time column and acc_x/gyro_x-style columns)"
        )
    time = _column(df, tcol, path)
    sensors: dict[str, dict[str, FloatArray]] = {}
    for s, kinds in found.items():
        sensors[s] = {}
        for kind in ("acc", "gyro", "mag"):
            cols = kinds.get(kind, {})
            if kind == "mag" and not cols:
                continue
            sensors[s][kind] = np.column_stack(
                [
                    _column(df, cols[a], path) if a in cols else np.full(df.height, np.nan)
                    for a in "xyz"
                ]
            )
    return time, sensors, {"acc": declared.get("acc", ""), "gyro": declared.get("gyro", "")}


def _xsens(path: Path) -> tuple[FloatArray, dict[str, dict[str, FloatArray]], float | None]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    skip = 0
    rate = None
    while skip < len(lines) and lines[skip].startswith("//"):
        m = re.search(r"update rate:\s*([\d.]+)", lines[skip], re.I)
        if m:
            rate = float(m.group(1))
        skip += 1
    df = _read_table(path, skip)
    cols = {c.strip(): c for c in df.columns}
    if "Acc_X" not in cols and "Gyr_X" not in cols:
        raise DataError(f"{path}: Xsens export without Acc_X or Gyr_X columns")
    n = df.height

    def trio(prefix: str) -> FloatArray:
        return np.column_stack(
            [
                _column(df, cols[f"{prefix}_{a}"], path)
                if f"{prefix}_{a}" in cols
                else np.full(n, np.nan)
                for a in "XYZ"
            ]
        )

    if "SampleTimeFine" in cols:
        ticks = _column(df, cols["SampleTimeFine"], path)
        ticks = np.unwrap(ticks, period=2.0**32)  # 10 kHz counter, wraps at 2^32
        time = ticks / 1e4
    elif "PacketCounter" in cols and rate:
        time = np.unwrap(_column(df, cols["PacketCounter"], path), period=65536.0) / rate
    elif rate:
        time = np.arange(n) / rate
    else:
        raise DataError(f"{path}: Xsens export with neither SampleTimeFine nor an Update Rate")
    sensor = path.stem.split("_")[-1] or path.stem
    sig = {"acc": trio("Acc"), "gyro": trio("Gyr")}
    if "Mag_X" in cols:
        sig["mag"] = trio("Mag")
    return time, {sensor: sig}, rate


def _shimmer(path: Path) -> tuple[FloatArray, dict[str, dict[str, FloatArray]], dict[str, str]]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    skip = 1 if lines and lines[0].strip().strip('"').lower().startswith("sep=") else 0
    if len(lines) < skip + 3:
        raise DataError(f"{path}: Shimmer export shorter than its three header lines")
    sep = max(("\t", ",", ";"), key=lines[skip].count)
    names = [c.strip().strip('"') for c in lines[skip].split(sep)]
    units_row = [c.strip().strip('"') for c in lines[skip + 2].split(sep)]
    try:
        data = np.array(
            [
                [
                    float(x) if x.strip() not in ("", "NaN") else np.nan
                    for x in ln.split(sep)[: len(names)]
                ]
                for ln in lines[skip + 3 :]
                if ln.strip()
            ],
            dtype=float,
        )
    except ValueError:
        raise DataError(f"{path}: Shimmer data rows are not numbers") from None
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] != len(names):
        raise DataError(f"{path}: Shimmer data rows do not match its {len(names)} columns")
    pat = re.compile(r"^(?P<dev>[A-Za-z]+_[0-9A-Fa-f]{4})_(?P<sig>.+?)_(?:CAL|RAW)$")
    per: dict[str, dict[str, int]] = {}
    for i, nm in enumerate(names):
        m = pat.match(nm)
        if m:
            per.setdefault(m.group("dev"), {})[m.group("sig")] = i
    if not per:
        raise DataError(f"{path}: no Shimmer_XXXX_..._CAL columns")
    out: dict[str, dict[str, FloatArray]] = {}
    time = None
    units: dict[str, str] = {}
    for dev, sig in per.items():
        tkey = next((k for k in sig if k.startswith("Timestamp")), None)
        if tkey is not None and time is None:
            time = data[:, sig[tkey]]
            units["time"] = units_row[sig[tkey]] if sig[tkey] < len(units_row) else ""
        acc_kind = next((k for k in ("Accel_WR", "Accel_LN", "Accel") if f"{k}_X" in sig), None)
        if acc_kind is None and "Gyro_X" not in sig:
            continue
        o: dict[str, FloatArray] = {}
        for kind, key in (("acc", acc_kind), ("gyro", "Gyro"), ("mag", "Mag")):
            if key is None or f"{key}_X" not in sig:
                if kind != "mag":
                    o[kind] = np.full((data.shape[0], 3), np.nan)
                continue
            idx = [sig[f"{key}_{a}"] for a in "XYZ"]
            o[kind] = data[:, idx]
            u = units_row[idx[0]] if idx[0] < len(units_row) else ""
            units[kind] = {"m/(s^2)": "m/s2", "deg/s": "deg/s", "rad/s": "rad/s", "g": "g"}.get(
                u, u
            )
        out[dev] = o
    if time is None:
        raise DataError(f"{path}: Shimmer export without a Timestamp column")
    return time, out, units


def _vendor(head: str) -> str | None:
    """The vendor export a file's first lines show: ``"xsens"`` (``//`` header), ``"shimmer"``
    (``Shimmer_`` columns), or None."""
    if head.startswith("//"):
        return "xsens"
    if "Shimmer_" in head:
        return "shimmer"
    return None


def looks_like_imu(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an IMU export :func:`read_imu` reads (sniffed from its first lines)."""
    p = Path(path)
    if p.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return False
    try:
        with p.open(encoding="utf-8", errors="replace") as f:
            head = [f.readline() for _ in range(4)]
    except OSError:
        return False
    if _vendor("".join(head)):
        return True
    first = re.split(r"[\t,;]", head[0].strip().lower())
    cols = [c.strip().strip('"').replace(" ", "_") for c in first]
    matches = [(c, _GENERIC.match(c)) for c in cols]
    named = any(_NAMED.match(c) for c in cols)
    return any(c in ("time", "time_s", "timestamp", "t", "cycle_sample") for c in cols) and (
        named
        or any(
            m is not None and (_kind(m.group("kind")) == "gyro" or "acc" in c) for c, m in matches
        )
    )


def read_imu(
    paths: str | os.PathLike[str] | list[str | os.PathLike[str]],
    *,
    format: Literal["auto", "generic", "xsens", "shimmer"] = "auto",
    locations: dict[str, str] | None = None,
    axes: dict[str, str] | None = None,
    acc_unit: Literal["g", "m/s2"] | None = None,
    gyro_unit: Literal["deg/s", "rad/s"] | None = None,
    rate_hz: float | None = None,
    trial: object = None,
) -> ImuTrial:
    """Reads one IMU export, or one file per sensor recorded together, into an :class:`ImuTrial`.

    Generic tables name columns ``sacrum_acc_x_g`` (location, kind, axis, unit) or
    ``acc_sacrum_vertical_g`` (kind, location, axis letter or anatomical word: vertical → z,
    ap → x, ml → y). A long table with a ``trial`` column holds several recordings: ``trial``
    picks one (the first by default, said in ``notes``).

    Parameters
    ----------
    paths
        A file, or a list of files (one per sensor, same start and rate).
    format
        ``"auto"``: Xsens (``//`` header), Shimmer (``Shimmer_`` columns), else generic.
    locations
        Sensor name → location (:data:`LOCATIONS`); unnamed sensors are located from their
        names where possible (``LeftShank``, ``tibia_r``, ``sacrum``).
    axes
        Sensor name or location → axis map (``"+z,-y,+x"``: the sensor axes pointing anterior,
        left, up). Sensors without one are taken as aligned with their segment.
    acc_unit, gyro_unit
        Override the declared or detected units.
    rate_hz
        Sampling rate, when the time column is unusable.
    """
    files = [Path(p) for p in (paths if isinstance(paths, list) else [paths])]
    if not files:
        raise DataError("no IMU file given")
    notes: list[str] = []
    all_sensors: dict[str, dict[str, FloatArray]] = {}
    time: FloatArray | None = None
    rate: float | None = None
    units: dict[str, str] = {}
    fmt_used = ""
    for path in files:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file")
        fmt: str = format
        if fmt == "auto":
            with path.open(encoding="utf-8", errors="replace") as f:
                fmt = _vendor(f.read(4096)) or "generic"
        if fmt == "xsens":
            t, sens, r = _xsens(path)
            file_units = {"acc": "m/s2", "gyro": "rad/s"}
        elif fmt == "shimmer":
            t, sens, file_units = _shimmer(path)
            r = None
        else:
            df = _read_table(path)
            t, sens, file_units = _generic(path, df, notes, trial)
            r = None
        t_s, r2 = _time(t, path, rate_hz or r)
        if time is None:
            time, rate = t_s, r2
        elif abs(r2 - (rate or r2)) > 0.01 * r2:
            raise DataError(f"{path}: sampled at {r2:.1f} Hz, the other sensors at {rate:.1f} Hz")
        for name, sig in sens.items():
            key = name if name not in all_sensors else f"{path.stem}:{name}"
            all_sensors[key] = sig
        units.update({k: v for k, v in file_units.items() if v})
        fmt_used = fmt if not fmt_used or fmt_used == fmt else "mixed"
    assert time is not None
    assert rate is not None
    n = min(int(time.size), *(s["acc"].shape[0] for s in all_sensors.values()))
    if n != time.size or any(s["acc"].shape[0] != n for s in all_sensors.values()):
        notes.append(f"sensors cut to their common length of {n} samples")
    sensors: dict[str, Sensor] = {}
    how = "declared"
    for name, sig in all_sensors.items():
        acc, gyro = sig["acc"][:n], sig["gyro"][:n]
        try:
            au, gu, h = _detect_units(
                acc,
                gyro,
                acc_unit or units.get("acc") or None,
                gyro_unit or units.get("gyro") or None,
            )
        except DataError as err:
            raise in_file(err, f"{files[0]}: sensor {name}") from None
        if h != "declared":
            how = h
        units["acc"], units["gyro"] = au, gu
        acc = _to_si(acc, au, "acceleration", files[0])
        gyro = _to_si(gyro, gu, "angular velocity", files[0])
        loc = (locations or {}).get(name) or guess_location(name)
        if loc is not None and loc not in LOCATIONS:
            raise DataError(f"{files[0]}: sensor {name!r} has unknown location {loc!r}")
        spec = (axes or {}).get(name) or ((axes or {}).get(loc) if loc else None)
        mag = sig.get("mag")
        if spec:
            m = _axis_matrix(spec, f"{files[0]} sensor {name}")
            acc, gyro = acc @ m.T, gyro @ m.T
            mag = mag[:n] @ m.T if mag is not None else None
        sensors[name] = Sensor(name, loc, acc, gyro, mag[:n] if mag is not None else None)
    units["method"] = how
    taken = [s.location for s in sensors.values() if s.location]
    if len(taken) != len(set(taken)):
        raise DataError(f"{files[0]}: two sensors share a location: {sorted(taken)}")
    return ImuTrial(files[0], float(rate), time[:n], sensors, fmt_used, units, notes)


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


def orientation(sensor: Sensor, rate_hz: float, *, beta: float = 0.1) -> FloatArray:
    """Orientation quaternions (w, x, y, z) per sample, segment → gravity-aligned world, from
    a Madgwick filter started level with gravity (core: ``imu::orientation``)."""
    if not sensor.has_gyro:
        raise DataError(f"sensor {sensor.name}: no gyroscope, no orientation")
    return _native.imu_orientation(
        np.ascontiguousarray(sensor.acc_m_s2),
        np.ascontiguousarray(sensor.gyro_rad_s),
        rate_hz,
        beta=beta,
    )


def _sacrum_sides(sensor: Sensor, contacts: list[tuple[float, float]], rate: float) -> list[str]:
    """Left/right per contact from the mediolateral acceleration: in a left stance the ground
    pushes the body to the right (medially), so the mean y acceleration is negative. Used only
    when the signs alternate for at least 80 % of the steps; else sides are "A"/"B"."""
    ml = sensor.acc_m_s2[:, 1]
    n = len(contacts)
    if np.isfinite(ml).sum() > 0.5 * ml.size and n >= 4:
        means = [float(np.nanmean(ml[int(a * rate) : int(b * rate) + 1])) for a, b in contacts]
        signs = np.sign(np.array(means) - np.nanmedian(means))
        alternating = np.mean(signs[1:] != signs[:-1]) if n > 1 else 0.0
        if alternating >= 0.8:
            first_left = signs[0] < 0
            return [("L" if (k % 2 == 0) == first_left else "R") for k in range(n)]
    return ["A" if k % 2 == 0 else "B" for k in range(n)]


def detect_events(
    trial: ImuTrial, *, sacrum_method: Literal["stridelab", "auvinet"] = "stridelab"
) -> pl.DataFrame:
    """IC/TO events (the events table of :mod:`stridelab.events`, ``source="imu"``).

    Per side, IC comes from a foot sensor's gyroscope when there is one, else a shank's, and TO
    from a shank's when there is one, else the foot's; a shank (or ankle) accelerometer without
    a gyroscope gives that side's events from its axial impact (Mercer et al. 2003,
    ``imu::tibial``); without leg sensors the sacrum accelerometer gives the contacts (see
    ``imu::events`` in the core). ``method`` names what was used; ``quality`` (0–1) is, for a
    tibial accelerometer, how clearly each impact stands out, otherwise the mean of two timing
    checks (the strides either side, and the contact, within 15 % of the side's median).
    ``sacrum_method="auvinet"`` reads a lower-back sensor by Auvinet et al. 2002 instead
    (docs/imu.md compares the two).
    """

    rows: list[tuple[str, str, float]] = []
    methods: list[str] = []
    qualities: list[float] = []
    acc_only: list[str] = []
    for side, word in (("L", "left"), ("R", "right")):
        found: dict[str, list[tuple[str, float]]] = {}
        for seg in ("foot", "shank"):
            s = trial.at(f"{word}_{seg}")
            if s is not None and not s.has_gyro:
                acc_only.append(f"{word}_{seg} ({s.name})")
            if s is None or not s.has_gyro:
                continue
            try:
                found[seg] = _native.gyro_events(s.sagittal_rad_s, trial.rate_hz, seg)
            except DataError as err:
                raise in_file(err, f"{trial.path}: {word} {seg} sensor {s.name}") from None
        shank = trial.at(f"{word}_shank")
        if not found and shank is not None and not shank.has_gyro:
            side_rows = _tibial_rows(trial, shank, side)
            rows += [(side, e, t) for e, t, _, _ in side_rows]
            methods += [m for _, _, m, _ in side_rows]
            qualities += [q for _, _, _, q in side_rows]
            acc_only = [a for a in acc_only if not a.startswith(f"{word}_shank")]
            continue
        if not found:
            continue
        # IC from the foot (its zero crossing is closest to force onset), TO from the shank
        # (the foot's push-off minimum comes 20-40 ms before the foot leaves the ground)
        ic_from = "foot" if "foot" in found else "shank"
        to_from = "shank" if "shank" in found else "foot"
        picked = [(side, e, t) for e, t in found[ic_from] if e == "IC"]
        picked += [(side, e, t) for e, t in found[to_from] if e == "TO"]
        rows += picked
        methods += [f"{ic_from if e == 'IC' else to_from} gyroscope" for _, e, _ in picked]
        qualities += [math.nan] * len(picked)
    unused = (
        f"{', '.join(acc_only)}: accelerometer only; stridelab reads leg events from a "
        "gyroscope, or from a shank or ankle accelerometer's impact, not from a foot "
        "accelerometer alone"
    )
    if not rows:
        s = trial.at("sacrum")
        if s is None:
            if acc_only:
                raise DataError(f"{trial.path}: {unused}, and there is no sacrum sensor")
            raise DataError(
                f"{trial.path}: no foot, shank or sacrum sensor located "
                f"(sensors: {sorted(trial.sensors)}); give their locations"
            )
        if acc_only:
            log.warning("%s: events from the sacrum; %s", trial.path.name, unused)
        contacts, sides, how = _sacrum_events(trial, s, sacrum_method)
        for (ic, to), side in zip(contacts, sides, strict=True):
            rows += [(side, "IC", ic), (side, "TO", to)]
        return _frame(rows, trial.rate_hz, "imu", method=how, quality=_timing_quality(rows))
    if acc_only:
        log.warning("%s: %s", trial.path.name, unused)
    # gyroscope events: the stride and contact timing checks of Zeni's events (quality 0-1)
    timing = _timing_quality(rows)
    qualities = [t if math.isnan(q) else q for q, t in zip(qualities, timing, strict=True)]
    return _frame(rows, trial.rate_hz, "imu", method=methods, quality=qualities)


def _shank_axial(shank: Sensor, rate_hz: float) -> FloatArray:
    """The shank's axial specific force, m/s²: along gravity in quiet standing when the
    recording has it, else the axis map's proximal axis (the events use the same)."""
    acc = np.ascontiguousarray(shank.acc_m_s2, dtype=np.float64)
    axial, _ = _native.tibial_axial(acc, rate_hz)
    return axial


def _tibial_rows(trial: ImuTrial, shank: Sensor, side: str) -> list[tuple[str, float, str, float]]:
    """(event, time_s, method, quality) of one side from a shank or ankle accelerometer alone;
    quality is how clearly the stride's impact peak stands above its next-highest peak."""
    acc = np.ascontiguousarray(shank.acc_m_s2, dtype=np.float64)
    try:
        strides, how = _native.tibial_events(acc, trial.rate_hz)
    except DataError as err:
        raise in_file(err, f"{trial.path}: {side} shank accelerometer {shank.name}") from None
    ic_method = f"tibial acceleration, minimum before the impact (Mercer 2003); {how}"
    to_method = f"tibial acceleration, minimum after push-off (Mercer 2003); {how}"
    out: list[tuple[str, float, str, float]] = []
    for ic, to, _peak, margin in strides:
        out.append(("IC", ic, ic_method, margin))
        if to is not None:
            out.append(("TO", to, to_method, margin))
    return out


def _levelled(acc: FloatArray) -> tuple[FloatArray, str | None]:
    """A trunk sensor's samples levelled from gravity (Moe-Nilssen 1998, ``imu::align`` in the
    core) where its mean specific force is 1 g and the tilt is 2 deg or more, with a note of
    what was done (None: already level)."""
    try:
        rot, tilt = _native.gravity_tilt(acc)
    except DataError as err:
        return acc, f"not levelled: {err}"
    if tilt < 2.0:
        return acc, None
    return np.ascontiguousarray(acc @ rot.T), f"levelled {tilt:.0f} deg from gravity"


def _sacrum_events(
    trial: ImuTrial, s: Sensor, method: str = "stridelab"
) -> tuple[list[tuple[float, float]], list[str], str]:
    """Contacts, sides and how they were read from a trunk sensor, its alignment checked from
    its own data first (``imu::align`` in the core): the mounting tilt levelled from gravity
    (:func:`_levelled`), and the anteroposterior axis turned round where most contacts open
    with propulsion instead of braking."""
    acc, note = _levelled(np.ascontiguousarray(s.acc_m_s2, dtype=np.float64))
    notes = [note] if note else []
    vert = np.ascontiguousarray(acc[:, 2])
    ap = np.ascontiguousarray(acc[:, 0])
    has_ap = bool(np.isfinite(ap).any())

    def contacts_with(ap_signal: FloatArray | None) -> list[tuple[float, float]]:
        try:
            return _native.sacrum_contacts(vert, ap_signal, trial.rate_hz)
        except DataError as err:
            raise in_file(err, f"{trial.path}: sacrum sensor {s.name}") from None

    # the vote on the axis's sign uses contacts from the vertical alone (a reversed axis would
    # shift the ICs the AP signal refines)
    if has_ap and _native.ap_reversed(ap, contacts_with(None), trial.rate_hz):
        log.warning(
            "%s: sacrum sensor %s: its anteroposterior axis reads propulsion before braking "
            "in most contacts: taken as reversed (check the axis map)",
            trial.path.name,
            s.name,
        )
        ap = np.ascontiguousarray(-ap)
        acc = acc * np.array([-1.0, -1.0, 1.0])  # turned about the vertical: ML flips too
        notes.append("anteroposterior axis reversed from the data")
    if method == "auvinet":
        if not has_ap:
            raise DataError(
                f"{trial.path}: sacrum sensor {s.name}: Auvinet's method needs an "
                "anteroposterior axis"
            )
        try:
            contacts = _native.auvinet_contacts(vert, ap, trial.rate_hz)
        except DataError as err:
            raise in_file(err, f"{trial.path}: sacrum sensor {s.name}") from None
        notes.append("Auvinet et al. 2002")
    elif method == "stridelab":
        contacts = contacts_with(ap if has_ap else None)
    else:
        raise ValueError(f"sacrum_method must be 'stridelab' or 'auvinet', not {method!r}")
    sides = _sacrum_sides(Sensor(s.name, s.location, acc, s.gyro_rad_s), contacts, trial.rate_hz)
    how = "imu sacrum" + (f" ({'; '.join(notes)})" if notes else "")
    return contacts, sides, how


def step_frequency_hz(trial: ImuTrial, location: str = "sacrum") -> float | None:
    """Step frequency (Hz) from the sensor at ``location``: the autocorrelation of its vertical
    acceleration peaks at the stride lag (step 0.2-0.5 s), refined by a parabola and halved, so
    left-right differences average out (``imu::step_frequency_hz`` in the core). The sensor is
    levelled from gravity first where it can be, as for its events (:func:`_levelled`). None
    when there is no such sensor or the signal has no clear periodicity. Measured on
    ``imu_sacrum``: within 0.53 % of the force-plate step frequency in every trial."""
    s = trial.at(location)
    if s is None:
        return None
    acc, _ = _levelled(np.ascontiguousarray(s.acc_m_s2, dtype=np.float64))
    return _native.step_frequency(np.ascontiguousarray(acc[:, 2]), trial.rate_hz)


def per_stride(
    trial: ImuTrial,
    events: pl.DataFrame,
    *,
    runner: str = "",
    speed_m_s: float | None = None,
) -> pl.DataFrame:
    """Per-stride metrics of an IMU trial, in the columns of :func:`stridelab.metrics.per_stride`.

    Spatiotemporal parameters come from the events; computed in the core
    (``imu::metrics``): ``peak_tibial_acceleration_g`` (shank sensor: highest axial specific
    force in the first half of stance, in g), ``foot_strike_angle_deg`` (foot gyroscope: minus
    the integral of the sagittal angular velocity from IC to foot-flat, the quietest 40 ms of
    stance; positive = toes up, Altman & Davis 2012) and ``foot_strike``, and, with a sacrum
    gyroscope, the pelvis ranges over the stride and ``contralateral_pelvic_drop_deg`` (the
    same definition as for markers). Midstance is half way through the contact
    (``half_stance``). Metrics that need markers are absent, so their patterns are
    ``not_assessable``; a side without the sensor a metric needs has NaN.
    """
    from stridelab import strides as strides_mod
    from stridelab.metrics import _STRIDE_TIMES, classify_strike

    st = strides_mod.strides(events)
    rate = trial.rate_hz
    sacrum = trial.at("sacrum")
    pelvis = None
    if sacrum is not None and sacrum.has_gyro:
        angles = _native.pelvis_angles(orientation(sacrum, rate))
        # tilt, obliquity (left up +), rotation unwrapped so that a range never spans ±180°
        angles[:, 2] = np.unwrap(angles[:, 2], period=360.0)
        pelvis = np.ascontiguousarray(angles)
    shanks = tuple(
        _shank_axial(s, rate) if (s := trial.at(f"{w}_shank")) is not None else None
        for w in ("left", "right")
    )
    feet = tuple(
        np.ascontiguousarray(s.sagittal_rad_s, dtype=np.float64)
        if (s := trial.at(f"{w}_foot")) is not None and s.has_gyro
        else None
        for w in ("left", "right")
    )
    times = np.ascontiguousarray(
        st.select("ic_s", "to_s", "next_ic_s").to_numpy(), dtype=np.float64
    )
    sides = [{"L": 0, "R": 1}.get(s, -1) for s in st["side"]]
    computed = dict(
        _native.imu_stride_metrics(
            rate,
            times.reshape(-1, 3),
            sides,
            (shanks[0], shanks[1]),
            (feet[0], feet[1]),
            pelvis,
        )
    )
    table = st.select(
        pl.lit(runner).alias("runner"),
        pl.lit(trial.path.name).alias("trial"),
        "side",
        "stride",
        "ic_s",
        "to_s",
        ((pl.col("ic_s") + pl.col("to_s")) / 2).alias("midstance_s"),
        pl.lit("half_stance").alias("midstance_definition"),
        *_STRIDE_TIMES,
    )
    if speed_m_s is not None:
        table = table.with_columns((speed_m_s * pl.col("stride_time_s")).alias("stride_length_m"))
    columns: list[pl.Series] = []
    for name, values in computed.items():
        columns.append(pl.Series(name, values))
        if name == "foot_strike_angle_deg":
            # a stance without a strike angle is "unknown" and left out of the forefoot share
            classes = [classify_strike(None, float(a)) for a in values]
            columns.append(pl.Series("foot_strike", classes, dtype=pl.String))
            columns.append(
                pl.Series(
                    "forefoot_strike_share",
                    [math.nan if c == "unknown" else float(c == "forefoot") for c in classes],
                )
            )
    return table.with_columns(columns)
