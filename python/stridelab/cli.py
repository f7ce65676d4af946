"""The ``stridelab`` command line.

Exit codes: 0 success, 1 an input failed (named on stderr), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np
import polars as pl

from stridelab import __version__
from stridelab._cli_support import (
    EXIT_INPUT_ERROR,
    _check_speed,
    _config_option,
    _fail,
    _format_summary,
    _inspect_mot,
    _read_any_or_exit,
    _read_or_exit,
    _static_option,
    _write_table,
)
from stridelab.errors import StridelabError
from stridelab.imu import ImuTrial
from stridelab.io import Trial

_imu_option = click.option(
    "--imu-config",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="TOML sensor map for IMU files: [sensors.NAME] location=..., axes='+x,-z,+y'.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stridelab")
@click.option("-v", "--verbose", is_flag=True, help="Also say what each step decided (INFO).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors; no reader or QA warnings.")
def main(verbose: bool, quiet: bool) -> None:
    """Batch running biomechanics: read, clean, kinematics, events, metrics, risk screens."""
    import logging

    from stridelab.provenance import log

    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    log.setLevel(level)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        log.addHandler(handler)
    for h in log.handlers:
        h.setLevel(level)


_speed_option = click.option(
    "--speed",
    "speed_m_s",
    type=float,
    callback=_check_speed,
    help="Treadmill speed, m/s (0.5-13).",
)


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@_imu_option
def inspect(file: Path, as_json: bool, imu_config: Path | None) -> None:
    """Describe FILE: rates, frames, markers, analogs, force plates, events, units, axes
    (for an IMU export: format, rate, duration, sensors and their locations, units)."""
    if file.suffix.lower() in (".mot", ".sto"):
        _inspect_mot(file, as_json)
        return
    trial = _read_any_or_exit(file, imu_config)
    if isinstance(trial, ImuTrial):
        info = trial.summary()
        if as_json:
            click.echo(json.dumps(info, indent=2, default=_json_default))
        else:
            click.echo(f"{info['file']}  (IMU, {info['format']})")
            click.echo(f"  rate          {trial.rate_hz:g} Hz, {info['duration_s']:.2f} s")
            for name, s in trial.sensors.items():
                gyro = "acc + gyro" if s.has_gyro else "acc only"
                where = s.location or "location unknown"
                click.echo(f"  sensor        {name}: {where} ({gyro})")
            click.echo(f"  units         {info['units']}")
            for note in trial.notes:
                click.echo(f"  note          {note}")
        return
    summary = trial.summary()
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=_json_default))
    else:
        click.echo(_format_summary(summary))


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--layout",
    type=click.Choice(["long", "wide"]),
    default="long",
    show_default=True,
    help="Table layout for .parquet/.csv.",
)
def convert(file: Path, out: Path, layout: str) -> None:
    """Convert FILE's markers to OUT (.parquet, .csv or .trc), in metres, x forward, z up.

    TRC output follows OpenSim (X forward, Y up, Z right, mm).
    """
    if out.suffix.lower() not in {".parquet", ".csv", ".trc"}:
        raise click.UsageError(f"{out}: output must end in .parquet, .csv or .trc")
    if out.exists() and out.resolve() == file.resolve():
        raise click.UsageError(f"{out}: refusing to overwrite the input file")
    trial = _read_or_exit(file)
    trial.write(out, layout="wide" if layout == "wide" else "long")
    click.echo(f"wrote {out} ({trial.n_frames} frames, {trial.n_markers} markers)")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_static_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="angles.parquet or angles.csv",
)
@click.option(
    "--marker-set",
    type=click.Choice(["rbds", "ric", "plugin_gait_lower", "plugin_gait_full", "opencap"]),
    help="Override the detected marker set.",
)
@click.option(
    "--labels",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="TOML [labels] map from this lab's names to the preset's.",
)
def angles(
    file: Path, static_path: Path | None, out: Path, marker_set: str | None, labels: Path | None
) -> None:
    """Joint and segment angles of FILE, one row per frame and side, in degrees."""
    from stridelab import kinematics

    trial = _read_or_exit(file)
    static = _read_or_exit(static_path) if static_path else None
    if labels is not None:
        trial = kinematics.relabel(trial, labels)
        static = kinematics.relabel(static, labels) if static else None
    try:
        k = kinematics.compute(trial, static, marker_set=marker_set)
    except StridelabError as err:
        _fail(err)
    for note in k.notes:
        click.echo(f"note: {note}", err=True)
    _write_table(k.angles, out)
    click.echo(f"wrote {out} ({k.angles.height} rows, model {k.model})")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--source",
    type=click.Choice(["auto", "force", "markers", "file", "segments"]),
    default="auto",
    show_default=True,
    help="Force plates, foot markers, or events stored in the file (auto: in that order of "
    "preference, markers last); 'segments': a shoe cluster or foot pose, with --static to "
    "locate its heel and forefoot.",
)
@click.option("--threshold", "threshold_n", type=float, default=50.0, show_default=True, help="N")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="events.csv")
@click.option(
    "--strides",
    "strides_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write per-stride spatiotemporal parameters (strides.csv or .parquet).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
@click.option(
    "--forces",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Force table recorded with FILE (else …markers.txt → …forces.txt, NAME.txt → "
    "NAMEforces.txt).",
)
@_imu_option
@_static_option
def events(
    file: Path,
    source: str,
    threshold_n: float,
    out: Path | None,
    strides_out: Path | None,
    as_json: bool,
    forces: Path | None,
    imu_config: Path | None,
    static_path: Path | None,
) -> None:
    """Initial contacts (IC) and toe-offs (TO) of FILE: side,event,time_s,frame,source,
    method,quality (docs/events.md). IMU exports (generic CSV, Xsens, Shimmer) give IMU
    events. The method used per side and event is summarised on stderr."""
    from stridelab import events as ev
    from stridelab import strides

    trial = _read_any_or_exit(file, imu_config, forces)
    try:
        static = _read_or_exit(static_path) if static_path is not None else None
        table = ev.detect(
            trial,
            source=source,  # type: ignore[arg-type]
            threshold_n=threshold_n,
            static=static,
        )
    except StridelabError as err:
        _fail(err)
    duration = trial.duration_s if isinstance(trial, Trial) else None
    for warning in ev.check(table, duration):
        click.echo(f"warning: {warning}", err=True)
    if table.height:
        summary = (
            table.group_by("side", "event", "method", maintain_order=True)
            .agg(pl.len().alias("n"), pl.col("quality").median().alias("q"))
            .sort("side", "event")
        )
        for r in summary.iter_rows(named=True):
            q = "" if r["q"] is None or r["q"] != r["q"] else f", median quality {r['q']:.2f}"
            click.echo(f"{r['side']} {r['event']}: {r['n']} from {r['method']}{q}", err=True)
    if strides_out is not None:
        per_stride = strides.strides(table, keep_invalid=True)
        _write_table(per_stride, strides_out)
        bad = per_stride.height - int(per_stride["valid"].sum())
        click.echo(f"wrote {strides_out} ({per_stride.height} strides, {bad} rejected)", err=True)
    if out is not None:
        _write_table(table, out)
        click.echo(f"wrote {out} ({table.height} events)")
    elif as_json:
        click.echo(json.dumps(table.to_dicts(), indent=2))
    else:
        click.echo(table.write_csv(), nl=False)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@_static_option
@_speed_option
@click.option("--runner", help="Runner name for the reports (default: the first file's name).")
@click.option(
    "--thresholds",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="TOML overriding the shipped pattern thresholds.",
)
@click.option(
    "--squat",
    "squat_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A deep squat trial for the deep squat screen.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("stridelab-out"),
    show_default=True,
)
@_imu_option
@click.option("--pdf", is_flag=True, help="Also print the report to RUNNER.pdf (Chromium).")
@_config_option(
    {
        "static": "static_path",
        "speed": "speed_m_s",
        "runner": "runner",
        "thresholds": "thresholds",
        "squat": "squat_path",
        "imu-config": "imu_config",
        "out": "out",
    }
)
def analyze(
    paths: tuple[Path, ...],
    static_path: Path | None,
    speed_m_s: float | None,
    runner: str | None,
    thresholds: Path | None,
    squat_path: Path | None,
    out: Path,
    imu_config: Path | None,
    pdf: bool = False,
) -> None:
    """Screen a runner: metrics per stride, the movement patterns, and reports in OUT
    (results.parquet, RUNNER.json, RUNNER.html). A movement screen, never a diagnosis.
    PATHS may be marker/force files or IMU exports."""
    from stridelab.analysis import analyze_runner
    from stridelab.io import _atomic

    name = runner or paths[0].stem
    try:
        with click.progressbar(
            length=1, label=f"analysing {len(paths)} trial(s)", file=sys.stderr
        ) as bar:
            result = analyze_runner(
                list(paths),
                static_path,
                runner=name,
                speed_m_s=speed_m_s,
                thresholds=thresholds,
                squat_path=squat_path,
                imu_config=imu_config,
            )
            bar.update(1)
    except (StridelabError, OSError) as err:
        _fail(err)
    for _path, error in result.failures:
        click.echo(f"failed: {error}", err=True)
    if result.table.height == 0:
        click.echo("error: no trial could be analysed", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    out.mkdir(parents=True, exist_ok=True)
    with _atomic(out / "results.parquet") as tmp:
        result.table.write_parquet(tmp, metadata=result.provenance)
    written = result.write(out)
    if pdf:
        from stridelab.report.pdf import html_to_pdf

        html_page = next(p for p in written if p.suffix == ".html")
        try:
            written.append(html_to_pdf(html_page, html_page.with_suffix(".pdf")))
        except StridelabError as err:
            click.echo(f"warning: {err}", err=True)
    click.echo(result.terminal())
    click.echo(f"wrote {out / 'results.parquet'}, " + ", ".join(str(p) for p in written))
    if result.failures:
        sys.exit(EXIT_INPUT_ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@_static_option
@_speed_option
@_imu_option
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="CSV with columns path, static, speed_m_s, runner, imu_config (one row per trial).",
)
@click.option(
    "--stage",
    type=click.Choice(["read", "events", "full"]),
    default="full",
    show_default=True,
    help="How far to process each file.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("stridelab-batch"),
    show_default=True,
)
@click.option(
    "--jobs",
    "workers",
    type=click.IntRange(min=1),
    help="Trials processed at once (default: all cores).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Keep the per-trial tables of an earlier run in OUT that are newer than their inputs.",
)
@_config_option(
    {
        "static": "static_path",
        "speed": "speed_m_s",
        "stage": "stage",
        "out": "out",
        "jobs": "workers",
        "imu-config": "imu_config",
    }
)
def batch(
    paths: tuple[Path, ...],
    static_path: Path | None,
    speed_m_s: float | None,
    imu_config: Path | None,
    manifest: Path | None,
    stage: str,
    out: Path,
    workers: int | None,
    resume: bool,
) -> None:
    """Process many trials: per-file status (OUT/status.csv), per-trial metrics and
    OUT/results.parquet. A bad file is reported and the batch goes on (exit 1)."""
    import polars as pl

    from stridelab.batch import Job, overview, run

    sensors = str(imu_config) if imu_config else None
    jobs = [
        Job(str(p), str(static_path) if static_path else None, speed_m_s, imu_config=sensors)
        for p in paths
    ]
    if manifest is not None:
        for r in pl.read_csv(manifest).iter_rows(named=True):
            jobs.append(
                Job(
                    str(r["path"]),
                    r.get("static"),
                    r.get("speed_m_s"),
                    r.get("runner"),
                    r.get("imu_config") or sensors,
                )
            )
    if not jobs:
        raise click.UsageError("give files or --manifest")
    with click.progressbar(
        length=len(jobs), label="trials", file=sys.stderr, show_pos=True, show_eta=True
    ) as bar:
        status = run(
            jobs,
            out,
            stage=stage,  # type: ignore[arg-type]
            progress=bar.update,
            workers=workers,
            resume=resume,
        )
    failed = status.filter(pl.col("status") == "failed")
    partial = status.filter(pl.col("status") == "partial")
    for r in failed.iter_rows(named=True):
        click.echo(f"failed: {r['reason']}", err=True)
    for r in partial.iter_rows(named=True):
        click.echo(f"partial: {r['file']}: {r['reason']}", err=True)
    ok = status.height - failed.height - partial.height
    index = overview(out) if stage == "full" else None
    click.echo(
        f"{ok} ok, {partial.height} partial, {failed.height} failed; wrote {out / 'status.csv'}"
        + (f" and the lab overview {index}" if index else "")
    )
    if failed.height or partial.height:
        sys.exit(EXIT_INPUT_ERROR)


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--static",
    "static_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Standing trial: needed for markers on clusters; not for OpenSim .mot/.sto "
    "coordinates or OpenCap landmarks.",
)
@click.option("--json", "as_json", is_flag=True)
def squat(file: Path, static_path: Path | None, as_json: bool) -> None:
    """Deep squat screen of FILE (scored 3/2/1 after the Functional Movement Screen): a marker
    or pose trial, or OpenSim inverse-kinematics coordinates (.mot/.sto)."""
    import json as _json

    from stridelab import kinematics
    from stridelab import squat as squat_mod
    from stridelab.patterns import evidence_items

    try:
        if file.suffix.lower() in (".mot", ".sto"):
            kin, static_kin = kinematics.mot_kinematics(file), None
        else:
            trial = _read_or_exit(file)
            static = _read_or_exit(static_path) if static_path is not None else None
            kin = kinematics.compute(trial, static)
            static_kin = kinematics.compute(static, static) if static is not None else None
        row = squat_mod.screen(kin, static_kin).row(0, named=True)
    except StridelabError as err:
        _fail(err)
    evidence = evidence_items(row["evidence"])
    if as_json:
        click.echo(_json.dumps({**row, "evidence": evidence}, indent=2))
    else:
        score = evidence[0]["score"] if evidence else "n/a"
        click.echo(f"deep squat: score {score} ({row['status']})")
        if row["reason"]:
            click.echo(f"  {row['reason']}")
        for line in squat_mod.explain(evidence[0]) if evidence else []:
            click.echo(line)
        click.echo(row["note"])


@main.command()
@click.argument("before", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("after", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write compare.html and compare.csv here.",
)
@click.option("--all", "show_all", is_flag=True, help="List unchanged metrics too.")
def compare(before: Path, after: Path, out: Path | None, show_all: bool) -> None:
    """Before/after of one runner: two `stridelab analyze` JSON reports. Each metric's change
    with its standard error and effect size, a verdict (changed / within noise against the
    sessions' stride-to-stride spread), and each pattern's status before and after."""
    from stridelab import compare as cmp
    from stridelab.io import _atomic

    try:
        b, a = cmp.load_report(before), cmp.load_report(after)
    except ValueError as err:
        _fail(err)
    table = cmp.compare(b, a)
    statuses = cmp.patterns_change(b, a)
    moved = statuses.filter(pl.col("before") != pl.col("after"))
    click.echo(f"patterns: {moved.height} of {statuses.height} changed status")
    for r in moved.iter_rows(named=True):
        click.echo(f"  {r['pattern']:<24} {r['side']:<5} {r['before']} -> {r['after']}")
    shown = table if show_all else table.filter(pl.col("verdict") == "changed")
    click.echo(
        f"metrics: {table.filter(pl.col('verdict') == 'changed').height} of {table.height} "
        "changed beyond the stride-to-stride noise"
    )
    for r in shown.iter_rows(named=True):
        click.echo(
            f"  {r['metric']:<40} {r['side']}  {r['before']:10.3g} -> {r['after']:10.3g}  "
            f"d {r['effect_size_d']:+.2f}  {r['verdict']}"
        )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        with _atomic(out / "compare.html") as tmp:
            tmp.write_text(cmp.to_html(table, statuses, str(before), str(after)), encoding="utf-8")
        with _atomic(out / "compare.csv") as tmp:
            table.write_csv(tmp)
        click.echo(f"wrote {out / 'compare.html'} and {out / 'compare.csv'}")


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("stridelab-demo"),
    show_default=True,
    help="Folder for the demo's outputs.",
)
def demo(out: Path) -> None:
    """Run the whole screen on the bundled example (RBDS001, 3.5 m/s treadmill run)."""
    from stridelab import example_path

    ctx = click.get_current_context()
    ctx.invoke(
        analyze,
        paths=(example_path(),),
        static_path=example_path("static"),
        speed_m_s=3.5,
        runner="RBDS001",
        thresholds=None,
        squat_path=None,
        out=out,
    )


def _json_default(o: object) -> object:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


if __name__ == "__main__":  # pragma: no cover
    main()
