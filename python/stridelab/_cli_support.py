"""Helpers of the command line (:mod:`stridelab.cli`): reading inputs or exiting with the
reason, summaries of a file, shared options."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import numpy as np

from stridelab.errors import StridelabError
from stridelab.imu import ImuTrial, load_config, looks_like_imu, read_imu
from stridelab.io import Trial, read, read_mot

FC = TypeVar("FC", bound=Callable[..., Any])

EXIT_INPUT_ERROR = 1

_static_option = click.option(
    "--static",
    "static_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Standing calibration trial (not needed for Theia3D poses or OpenCap landmarks).",
)


def _fail(err: Exception) -> NoReturn:
    click.echo(f"error: {err}", err=True)
    sys.exit(EXIT_INPUT_ERROR)


def _read_or_exit(path: Path) -> Trial:
    try:
        return read(path)
    except (StridelabError, OSError) as err:
        _fail(err)


def _read_any_or_exit(
    path: Path, imu_config: Path | None, forces: Path | None = None
) -> Trial | ImuTrial:
    try:
        if looks_like_imu(path):
            cfg = load_config(imu_config)
            return read_imu(path, locations=cfg["locations"], axes=cfg["axes"])
        return read(path, forces=forces)
    except (StridelabError, OSError) as err:
        _fail(err)


def _inspect_mot(file: Path, as_json: bool) -> None:
    """``inspect`` of an OpenSim storage file: rate, duration, coordinates and the ranges of the
    ones stridelab maps to its angles."""
    from stridelab.kinematics import _angles_from_mot

    try:
        raw = read_mot(file)
        angles = _angles_from_mot(raw, file, 1)
    except (StridelabError, OSError) as err:
        _fail(err)
    time = raw["time_s"].to_numpy()
    ranges: dict[str, dict[str, list[float]]] = {}
    for side in ("L", "R"):
        one = angles.filter(side=side)
        for col in one.columns[3:]:
            x = one[col].to_numpy()
            if np.isfinite(x).any():
                lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
                ranges.setdefault(col, {})[side] = [round(lo, 2), round(hi, 2)]
    info = {
        "file": str(file),
        "format": "OpenSim storage",
        "rate_hz": round((len(time) - 1) / (time[-1] - time[0]), 4),
        "frames": raw.height,
        "duration_s": float(time[-1] - time[0]),
        "coordinates": raw.columns[1:],
        "angle_ranges_deg": ranges,
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"{file}  (OpenSim storage)")
    click.echo(
        f"  frames        {info['frames']} at {info['rate_hz']:g} Hz ({info['duration_s']:.3f} s)"
    )
    names = " ".join(raw.columns[1:13]) + (" …" if raw.width > 13 else "")
    click.echo(f"  coordinates   {raw.width - 1}: {names}")
    for col, by_side in ranges.items():
        text = ", ".join(f"{s} {lo:.1f} to {hi:.1f}" for s, (lo, hi) in by_side.items())
        click.echo(f"  {col:<24} {text} deg")


def _format_summary(s: dict[str, Any]) -> str:
    lines = [f"{s['path']}  ({s['format']})"]
    rate = s["point_rate_hz"] or s["rotation_rate_hz"]
    lines.append(
        f"  frames        {s['frames']} at {rate:g} Hz ({s['duration_s']:.3f} s), "
        f"first frame {s['first_frame']}"
    )
    lines.append(
        f"  markers       {len(s['markers'])}; marker set: {s['marker_set']} "
        f"({100 * s['marker_set_score']:.0f}% of its labels)"
    )
    if s["analogs"]:
        names = " ".join(a["name"] for a in s["analogs"][:12])
        more = " …" if len(s["analogs"]) > 12 else ""
        lines.append(
            f"  analogs       {len(s['analogs'])} at {s['analog_rate_hz']:g} Hz: {names}{more}"
        )
    else:
        lines.append("  analogs       none")
    if s["force_plates"]:
        for p in s["force_plates"]:
            lines.append(
                f"  force plate   {p['plate']}: type {p['type']}, {p['samples']} samples at "
                f"{p['rate_hz']:g} Hz, mean vertical {p['mean_vertical_force_n']:.1f} N, "
                f"peak {p['peak_vertical_force_n']:.1f} N"
            )
    else:
        lines.append("  force plates  none")
    lines.append(f"  events        {len(s['events'])}")
    for e in s["events"][:10]:
        lines.append(f"                {e['time_s']:.3f} s  {e['context']} {e['label']}")
    if s["rotations"]:
        lines.append(f"  rotations     {len(s['rotations'])}: {' '.join(s['rotations'])}")
    u = s["units"]
    lines.append(f"  units         file {u['file_length']} ({u['method']}); stridelab uses m, N, s")
    a = s["axes"]
    lines.append(
        f"  axes          file {a['vertical']} is up, {a['progression']} is forward: {a['method']}"
    )
    for w in s["warnings"]:
        lines.append(f"  warning       {w}")
    if s["markers"]:
        lines.append("  missing data per marker (% of frames):")
        width = max(len(m) for m in s["markers"])
        for m, pct in s["missing_percent"].items():
            lines.append(f"    {m:<{width}}  {pct:6.2f}")
    return "\n".join(lines)


def _check_speed(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    from stridelab.metrics import check_speed

    try:
        check_speed(value)
    except StridelabError as err:
        raise click.BadParameter(str(err)) from None
    return value


def _config_option(keys: dict[str, str]) -> Callable[[FC], FC]:
    """``--config project.toml``: settings of a project in one file; keys are the command's
    long options (``static``, ``speed``, …), paths relative to the file; options given on the
    command line win. Unknown keys are an error naming the file and the key."""

    def load(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        if value is None:
            return None
        import tomllib

        try:
            data = tomllib.loads(value.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise click.BadParameter(f"{value}: not valid TOML: {err}") from None
        unknown = sorted(set(data) - set(keys))
        if unknown:
            raise click.BadParameter(
                f"{value}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(keys))})"
            )
        defaults = dict(ctx.default_map or {})
        for key, v in data.items():
            name = keys[key]
            if name.endswith(("_path", "thresholds", "imu_config", "out")) and isinstance(v, str):
                v = str((value.parent / v).resolve())
            defaults[name] = v
        ctx.default_map = defaults
        return value

    return click.option(
        "--config",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        callback=load,
        is_eager=True,
        expose_value=False,
        help="Project TOML with this command's settings (static, speed, thresholds, …).",
    )


def _write_table(df: Any, out: Path) -> None:
    from stridelab.io import _atomic

    suffix = out.suffix.lower()
    if suffix not in {".parquet", ".csv"}:
        raise click.UsageError(f"{out}: output must end in .parquet or .csv")
    with _atomic(out) as tmp:
        if suffix == ".parquet":
            df.write_parquet(tmp)
        else:
            df.write_csv(tmp)
