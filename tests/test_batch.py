"""Batches: a bad file never stops the rest, statuses are per file, results are identical on a
local two-worker Dask cluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import distributed
import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

import stridelab
from stridelab import batch, patterns
from stridelab.cli import main


def _copies(tmp: Path, n: int) -> list[Path]:
    src = stridelab.example_path()
    out = []
    for i in range(n):
        p = tmp / f"run{i:02d}.c3d"
        shutil.copyfile(src, p)
        out.append(p)
    return out


def test_full_batch_with_bad_files(tmp_path: Path) -> None:
    good = _copies(tmp_path, 3)
    bad = tmp_path / "bad.c3d"
    bad.write_bytes(stridelab.example_path().read_bytes()[:5000])
    static = str(stridelab.example_path("static"))
    jobs = [batch.Job(str(p), static, 3.5) for p in [*good, bad, tmp_path / "missing.c3d"]]
    status = batch.run(jobs, tmp_path / "out")
    assert status["status"].to_list() == ["ok", "ok", "ok", "failed", "failed"]
    assert "truncated" in status["reason"][3]
    assert "missing.c3d" in status["reason"][4]
    # a stable code beside the message, for scripts that branch on why
    assert status["reason_code"].to_list() == [None, None, None, "truncated_file", "file_not_found"]
    results = pl.read_parquet(tmp_path / "out" / "results.parquet")
    assert results.height == sum(status["strides"])
    assert results["trial"].n_unique() == 3
    assert (tmp_path / "out" / "status.csv").is_file()


def test_thousand_files_with_five_percent_corrupt(tmp_path: Path) -> None:
    static = stridelab.example_path("static")
    data = static.read_bytes()
    paths, corrupt = [], set()
    for i in range(1000):
        p = tmp_path / f"t{i:04d}.c3d"
        if i % 20 == 7:
            p.write_bytes(data[: 600 + i])  # cut inside the parameter or data section
            corrupt.add(str(p))
        else:
            p.write_bytes(data)
        paths.append(p)
    status = batch.run([batch.Job(str(p)) for p in paths], tmp_path / "out", stage="read", chunk=64)
    assert status.height == 1000
    failed = set(status.filter(pl.col("status") == "failed")["file"])
    assert failed == corrupt
    assert len(corrupt) == 50
    assert status.filter(pl.col("status") == "failed")["reason"].str.contains("truncated").all()


def test_dask_local_cluster_gives_identical_results(tmp_path: Path) -> None:
    good = _copies(tmp_path, 2)
    static = str(stridelab.example_path("static"))
    jobs = [batch.Job(str(p), static, 3.5) for p in good]
    local = batch.run(jobs, tmp_path / "local")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = batch.run_dask(jobs, tmp_path / "dask", client)
    assert remote["status"].to_list() == local["status"].to_list() == ["ok", "ok"]
    a = pl.read_parquet(tmp_path / "local" / "results.parquet").sort("trial", "side", "stride")
    b = pl.read_parquet(tmp_path / "dask" / "results.parquet").sort("trial", "side", "stride")
    assert a.equals(b)


def test_batch_command(tmp_path: Path) -> None:
    good = _copies(tmp_path, 2)
    res = CliRunner().invoke(
        main,
        [
            "batch",
            *map(str, good),
            str(tmp_path / "nope.c3d"),
            "--stage",
            "events",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 1
    assert "2 ok, 0 partial, 1 failed" in res.output


def test_combine_keeps_every_column_over_many_tables(tmp_path: Path) -> None:
    """More tables than one merge group, with columns that only some tables have: every row and
    every column arrive, absent values null."""
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    n = batch._MERGE_GROUP * 2 + 5
    for i in range(n):
        cols: dict[str, object] = {"trial": [f"t{i:03d}"] * 2, "stride": [0, 1]}
        if i % 3 == 0:
            cols["only_some_deg"] = [float(i), float(i) + 0.5]
        if i == n - 1:
            cols["last_only"] = ["x", "y"]
        pl.DataFrame(cols).write_parquet(metrics / f"r__{i:03d}.parquet")
    path = batch.combine(tmp_path)
    assert path is not None
    out = pl.read_parquet(path)
    assert out.height == 2 * n
    assert out["only_some_deg"].is_not_null().sum() == 2 * len(range(0, n, 3))
    assert out.filter(pl.col("trial") == "t003")["only_some_deg"].to_list() == [3.0, 3.5]
    assert out.filter(pl.col("trial") == f"t{n - 1:03d}")["last_only"].to_list() == ["x", "y"]
    assert not list(tmp_path.glob(".merge.*"))  # the intermediate files are gone


def test_damaged_but_readable_files_are_not_ok(tmp_path: Path, rbds: Path) -> None:
    """2000 random bytes overwritten in the data section of RBDS001's C3D (a readable file with
    plausible-looking numbers): the batch must not call it ok. A static of another protocol is
    refused, naming both files."""
    good = (rbds / "RBDS001runT35.c3d").read_bytes()
    rng = np.random.default_rng(3)
    data = bytearray(good)
    start = 512 * (data[512 + 2] + 2)  # past the header and the parameter section
    for at in rng.choice(np.arange(start, len(data)), size=2000, replace=False):
        data[at] = int(rng.integers(0, 256))
    damaged = tmp_path / "damaged.c3d"
    damaged.write_bytes(bytes(data))
    jobs = [
        batch.Job(str(rbds / "RBDS001runT35.c3d"), str(rbds / "RBDS001static.txt"), 3.5, "clean"),
        batch.Job(str(damaged), str(rbds / "RBDS001static.txt"), 3.5, "damaged"),
        batch.Job(
            str(rbds / "RBDS001runT35.c3d"),
            str(rbds.parent / "ric" / "20140515T133244_static.c3d"),
            3.5,
            "wrong-static",
        ),
    ]
    status = {r["runner"]: r for r in batch.run(jobs, tmp_path / "out").iter_rows(named=True)}
    assert status["clean"]["status"] == "ok"
    assert status["clean"]["usable_stride_share"] > 0.9
    assert status["clean"]["nan_share"] < 0.3
    assert status["damaged"]["status"] in ("partial", "failed"), status["damaged"]
    assert status["wrong-static"]["status"] == "failed"
    assert "RBDS001runT35.c3d is a rbds trial" in status["wrong-static"]["reason"]
    assert "20140515T133244_static.c3d is ric" in status["wrong-static"]["reason"]


def test_outputs_say_how_they_were_made(tmp_path: Path, rbds: Path) -> None:
    """Parquet metadata and the JSON report carry version, schema, input checksums, static,
    speed and rules; output files honour the umask; a runner name with '/' stays one file."""
    import hashlib
    import json
    import os

    import pyarrow.parquet as pq

    run = rbds / "RBDS001runT35.c3d"
    static = rbds / "RBDS001static.txt"
    old = os.umask(0o022)
    try:
        status = batch.run([batch.Job(str(run), str(static), 3.5, "lab/RBDS001")], tmp_path / "b")
        res = CliRunner().invoke(
            main,
            ["analyze", str(run), "--static", str(static), "--speed", "3.5",
             "--runner", "lab/RBDS001", "--out", str(tmp_path / "a")],
        )  # fmt: skip
    finally:
        os.umask(old)
    assert status["status"].to_list() == ["ok"]
    per_trial = list((tmp_path / "b" / "metrics").iterdir())
    assert [p.name for p in per_trial] == ["lab_RBDS001__RBDS001runT35.c3d.parquet"]
    meta = {k.decode(): v.decode() for k, v in pq.read_metadata(per_trial[0]).metadata.items()}
    assert meta["stridelab_version"] == stridelab.__version__
    assert meta["speed_m_s"] == "3.5"
    digest = hashlib.sha256(run.read_bytes()).hexdigest()
    assert json.loads(meta["inputs"])[str(run)] == digest
    assert "schema_version" in {
        k.decode() for k in pq.read_metadata(tmp_path / "b" / "results.parquet").metadata
    }
    assert (per_trial[0].stat().st_mode & 0o777) == 0o644
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "a" / "lab_RBDS001.json").read_text())
    assert report["provenance"]["rules"] == "shipped"
    assert (
        json.loads(report["provenance"]["inputs"])[str(static)]
        == hashlib.sha256(static.read_bytes()).hexdigest()
    )
    results = pq.read_metadata(tmp_path / "a" / "results.parquet").metadata
    assert b"created_utc" in results


def test_resume_keeps_finished_trials_and_jobs_limits_workers(tmp_path: Path, rbds: Path) -> None:
    """A second run with --resume keeps the tables an earlier run made (newer than their
    inputs) and processes only the new file; --jobs sets the number of workers."""
    import os

    runs = tmp_path / "in"
    runs.mkdir()
    for name in ("a.c3d", "b.c3d"):
        shutil.copy(rbds / "RBDS001runT35.c3d", runs / name)
    static = str(rbds / "RBDS001static.txt")
    out = tmp_path / "out"
    args = ["batch", str(runs / "a.c3d"), "--static", static, "--speed", "3.5", "--out", str(out)]
    first = CliRunner().invoke(main, [*args, "--jobs", "1"])
    assert first.exit_code == 0, first.output
    made = out / "metrics" / "a__a.c3d.parquet"
    stamp = made.stat().st_mtime
    os.utime(made, (stamp + 10, stamp + 10))  # clearly newer than its input
    second = CliRunner().invoke(main, [*args[:2], str(runs / "b.c3d"), *args[2:], "--resume"])
    assert second.exit_code == 0, second.output
    status = pl.read_csv(out / "status.csv")
    assert sorted(status["file"].to_list()) == sorted([str(runs / "a.c3d"), str(runs / "b.c3d")])
    assert made.stat().st_mtime == stamp + 10  # kept, not rewritten
    assert pl.read_parquet(out / "results.parquet")["trial"].n_unique() == 2


def test_a_corpus_of_plausible_but_damaged_inputs(tmp_path: Path, rbds: Path) -> None:
    """Damage that would give wrong numbers is never 'ok'; damage the reader can undo from the
    data itself gives the clean file's numbers. Byte overwrites and a static of another runner
    are 'partial' with the reason; a static of another protocol 'failed'; force columns swapped
    and marker coordinates in metres in a file of millimetres are detected and read right."""
    static = str(rbds / "RBDS001static.txt")
    lines = (rbds / "RBDS001runT25forces.txt").read_text().splitlines()
    head = lines[0].split("\t")
    fx, fy = head.index("Fx"), head.index("Fy")
    swapped = []
    for line in lines:
        cells = line.split("\t")
        cells[fx], cells[fy] = cells[fy], cells[fx]
        swapped.append("\t".join(cells))
    shutil.copy(rbds / "RBDS001runT25markers.txt", tmp_path / "swapmarkers.txt")
    (tmp_path / "swapforces.txt").write_text("\n".join(swapped) + "\n")
    rows = (rbds / "RBDS001runT25markers.txt").read_text().splitlines()
    metres = [rows[0]] + [
        "\t".join(
            [r.split("\t")[0]]
            + [f"{float(v) / 1000:.7f}" if v not in ("", "NaN") else v for v in r.split("\t")[1:]]
        )
        for r in rows[1:]
    ]
    (tmp_path / "metresmarkers.txt").write_text("\n".join(metres) + "\n")
    shutil.copy(rbds / "RBDS001runT25forces.txt", tmp_path / "metresforces.txt")
    jobs = [
        batch.Job(str(rbds / "RBDS001runT25markers.txt"), static, 2.5, "clean"),
        batch.Job(str(tmp_path / "swapmarkers.txt"), static, 2.5, "swapped-forces"),
        batch.Job(str(tmp_path / "metresmarkers.txt"), static, 2.5, "metres"),
        batch.Job(
            str(rbds / "RBDS001runT25markers.txt"),
            str(rbds / "RBDS032static.txt"),
            2.5,
            "other-runner",
        ),
    ]
    status = {r["runner"]: r for r in batch.run(jobs, tmp_path / "out").iter_rows(named=True)}
    assert status["other-runner"]["status"] == "partial", status["other-runner"]
    assert "does not fit this runner" in status["other-runner"]["reason"]
    results = pl.read_parquet(tmp_path / "out" / "results.parquet")
    clean = results.filter(pl.col("runner") == "clean")
    for name in ("swapped-forces", "metres"):
        assert status[name]["status"] == "ok", status[name]
        same = results.filter(pl.col("runner") == name)
        for col in ("knee_flexion_at_ic_deg", "contact_time_s", "contralateral_pelvic_drop_deg"):
            np.testing.assert_allclose(same[col], clean[col], atol=1e-4, err_msg=f"{name} {col}")


def test_lab_overview_links_every_runner(tmp_path: Path, rbds: Path) -> None:
    """A full batch of two runners (RBDS001 at two speeds, RBDS032), then its overview:
    index.html, one row
    per runner, one column per pattern with the worse side's status, each runner linked to
    their own report; the statuses are those `patterns.evaluate` gives on that runner's rows."""
    jobs = [
        batch.Job(
            str(rbds / "RBDS001runT25markers.txt"), str(rbds / "RBDS001static.txt"), 2.5, "RBDS001"
        ),
        batch.Job(str(rbds / "RBDS001runT35.c3d"), str(rbds / "RBDS001static.txt"), 3.5, "RBDS001"),
        batch.Job(
            str(rbds / "RBDS032runT35markers.txt"), str(rbds / "RBDS032static.txt"), None, "RBDS032"
        ),
    ]
    out = tmp_path / "lab"
    status = batch.run(jobs, out, workers=2)
    assert set(status["status"]) <= {"ok", "partial"}
    assert batch.overview(out) == out / "index.html"  # `stridelab batch` calls it
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr><td><a href='reports/") == 2
    for runner in ("RBDS001", "RBDS032"):
        page = out / "reports" / f"{runner}.html"
        assert page.exists()
        assert f"Running movement screen: {runner}" in page.read_text(encoding="utf-8")
    results = pl.read_parquet(out / "results.parquet")
    found = patterns.evaluate(results.filter(pl.col("runner") == "RBDS032"))
    flagged = found.filter(pl.col("status") == "flagged")["pattern"].to_list()
    row = index.split("reports/RBDS032.html")[1].split("</tr>")[0]
    assert row.count("class='flagged'") == len(set(flagged))
    assert "sortBy(" in index


def test_batch_imu_config_on_a_mixed_folder(tmp_path: Path, rbds: Path, data_dir: Path) -> None:
    """A folder with a marker trial and an IMU export whose sensor name says nothing about
    where it is: `stridelab batch --imu-config` locates it (the same sensor map as analyze),
    without it the IMU file fails with the reason and the marker trial still goes through."""
    acc = np.loadtxt(data_dir / "imu_sacrum" / "Accelerometer_one_sub.csv", delimiter=",")
    n = acc.shape[1] // 2
    imu_file = tmp_path / "unit7.csv"
    pl.DataFrame(
        {"time_s": np.arange(n) / 500.0, "dev7_acc_x_g": acc[3, n:], "dev7_acc_z_g": acc[3, :n]}
    ).write_csv(imu_file)
    sensors = tmp_path / "sensors.toml"
    sensors.write_text('[sensors.dev7]\nlocation = "sacrum"\n')
    args = [
        "batch",
        str(rbds / "RBDS001runT35.c3d"),
        str(imu_file),
        "--static",
        str(rbds / "RBDS001static.txt"),
        "--speed",
        "3.5",
    ]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "without")])
    status = pl.read_csv(tmp_path / "without" / "status.csv")
    bad = status.filter(pl.col("file").str.ends_with("unit7.csv")).row(0, named=True)
    assert bad["status"] == "failed"
    assert "sensor located" in bad["reason"]
    assert bad["reason_code"] == "bad_config"
    res = CliRunner().invoke(
        main, [*args, "--imu-config", str(sensors), "--out", str(tmp_path / "with")]
    )
    assert res.exit_code == 0, res.output
    status = pl.read_csv(tmp_path / "with" / "status.csv")
    assert set(status["status"]) == {"ok"}
    results = pl.read_parquet(tmp_path / "with" / "results.parquet")
    assert set(results["trial"]) == {"RBDS001runT35.c3d", "unit7.csv"}


def test_analyze_and_batch_take_the_one_trial_road(
    tmp_path: Path, rbds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`analyze_runner` (the analyze and demo commands) and `batch.process` (the batch command
    and the Dask runner) both process a trial through `pipeline.process`, so their routes and
    options cannot drift apart."""
    from stridelab import analysis, pipeline

    calls: list[str] = []
    real = pipeline.process

    def counting(source: object, *args: object, **kwargs: object) -> pipeline.TrialResult:
        calls.append(str(source))
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "process", counting)
    run = str(rbds / "RBDS001runT35.c3d")
    static = str(rbds / "RBDS001static.txt")
    analysis.analyze_runner([run], static, runner="r", speed_m_s=3.5)
    row = batch.process(batch.Job(run, static, 3.5), tmp_path)
    assert row["status"] == "ok"
    assert calls == [run, run]
