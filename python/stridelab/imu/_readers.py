"""Readers of IMU exports: generic CSV/TSV, Xsens MT Manager, Shimmer Consensys."""

import logging
import math
import os
import re
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab.errors import DataError, UnsupportedFormatError, in_file
from stridelab.imu._config import _axis_matrix
from stridelab.imu._model import LOCATIONS, G, ImuTrial, Sensor, guess_location

FloatArray = npt.NDArray[np.float64]
log = logging.getLogger("stridelab")


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
