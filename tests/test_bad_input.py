"""Bad input gets a typed error that names the file and the problem: never a crash, a hang or
a silently wrong number."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import stridelab
from stridelab.errors import (
    CorruptFileError,
    DataError,
    StridelabError,
    TruncatedFileError,
    UnsupportedFormatError,
)


@pytest.fixture(scope="module")
def good() -> bytes:
    return stridelab.example_path().read_bytes()


def _set(data: bytes, offset: int, fmt: str, *values: object) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, *values)
    return bytes(b)


def _param_offset(data: bytes, name: bytes, group: bytes = b"POINT") -> int:
    """Byte offset of the value of the scalar INT/FLOAT parameter `group:name`."""
    g = re.search(re.escape(bytes([len(group)])) + b"[\x80-\xff]" + re.escape(group), data[512:])
    assert g is not None, group
    group_id = 256 - data[512 + g.start() + 1]
    at = data.find(bytes([len(name), group_id]) + name, 512)
    assert at > 0, name
    return at + 2 + len(name) + 2 + 2  # name, next-offset, type, ndims (scalars have no dims)


VARIANTS: dict[str, tuple[Callable[[bytes], bytes], type[Exception], str]] = {
    "empty": (lambda d: b"", TruncatedFileError, "empty file"),
    "header_only_part": (lambda d: d[:200], TruncatedFileError, "shorter than the 512-byte"),
    "wrong_magic": (lambda d: _set(d, 1, "B", 0x42), CorruptFileError, "not a C3D file"),
    "param_pointer_zero": (lambda d: _set(d, 0, "B", 0), CorruptFileError, "pointer is 0"),
    "param_pointer_past_end": (
        lambda d: _set(d[:1024], 0, "B", 3),
        TruncatedFileError,
        "parameter section",
    ),
    "unknown_processor": (
        lambda d: _set(d, 512 + 3, "B", 90),
        CorruptFileError,
        "processor type 90",
    ),
    "cut_in_data": (lambda d: d[: len(d) // 2], TruncatedFileError, "announces 1200 frames"),
    "cut_in_parameters": (lambda d: d[:1500], TruncatedFileError, "truncated"),
    "huge_frame_count": (
        lambda d: _set(_set(d, 8, "<H", 0xFFFF), _param_offset(d, b"FRAMES"), "<h", 30000),
        TruncatedFileError,
        "announces 30000 frames",
    ),
    "huge_point_count_and_short": (
        lambda d: _set(d, _param_offset(d, b"USED"), "<h", 30000)[: len(d) - 700],
        TruncatedFileError,
        "30000 points",
    ),
    "nan_scale": (
        lambda d: _set(d, _param_offset(d, b"SCALE"), "<f", float("nan")),
        CorruptFileError,
        "POINT:SCALE is NaN",
    ),
    "negative_rate": (
        lambda d: _set(_set(d, _param_offset(d, b"RATE"), "<f", -150.0), 20, "<f", -150.0),
        CorruptFileError,
        "point rate",
    ),
    "record_points_backwards": (
        lambda d: _set(d, 512 + 4 + 2 + 8, "<h", -100),
        CorruptFileError,
        "backwards",
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_corrupted_c3d(variant: str, good: bytes, tmp_path: Path) -> None:
    mutate, error, message = VARIANTS[variant]
    path = tmp_path / f"{variant}.c3d"
    path.write_bytes(mutate(good))
    with pytest.raises(error) as info:
        stridelab.read(path)
    text = str(info.value)
    assert str(path) in text, "the error names the file"
    assert message in text
    assert isinstance(info.value, StridelabError)
    assert isinstance(info.value, ValueError)


def test_point_count_that_contradicts_the_header_is_repaired_with_a_warning(
    good: bytes, tmp_path: Path
) -> None:
    """POINT:USED says 30000 while the header's count fills the file exactly: the header's
    count is read, and the warning names the field (c3d.org Sample27 is such a file)."""
    path = tmp_path / "used.c3d"
    path.write_bytes(_set(good, _param_offset(good, b"USED"), "<h", 30000))
    orig = tmp_path / "good.c3d"
    orig.write_bytes(good)
    t, o = stridelab.read(path), stridelab.read(orig)
    assert any("POINT:USED says 30000 points" in w for w in t.warnings)
    np.testing.assert_array_equal(t.points, o.points)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.c3d"):
        stridelab.read(tmp_path / "nope.c3d")


def test_unknown_suffix(tmp_path: Path) -> None:
    p = tmp_path / "data.xyz"
    p.write_text("hello")
    with pytest.raises(UnsupportedFormatError, match=r"data\.xyz.*unknown file type"):
        stridelab.read(p)


def test_marker_text_with_garbage_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "trial.txt"
    p.write_text("Time\tAX\tAY\tAZ\n0\t1\t2\t3\n0.01\t1\tabc\t3\n")
    with pytest.raises(
        CorruptFileError, match=r"trial\.txt: corrupt file: line 3, column 3: 'abc'"
    ):
        stridelab.read(p)


def test_time_going_backwards(tmp_path: Path) -> None:
    p = tmp_path / "trial.txt"
    p.write_text("Time\tAX\tAY\tAZ\n0\t1\t2\t3\n0.02\t1\t2\t3\n0.01\t1\t2\t3\n")
    with pytest.raises(DataError, match="not strictly increasing"):
        stridelab.read(p)


def test_nan_gaps_stay_nan(tmp_path: Path) -> None:
    p = tmp_path / "gaps.txt"
    rows = ["Time\tHeelX\tHeelY\tHeelZ"]
    for i in range(5):
        cell = "NaN" if i == 2 else "100"
        rows.append(f"{i / 100}\t{cell}\t{cell}\t{cell}")
    p.write_text("\n".join(rows) + "\n")
    t = stridelab.read(p, axes="file")
    assert np.isnan(t.points[2, 0]).all()
    assert not np.isnan(t.points[[0, 1, 3, 4], 0]).any()
    assert t.missing_percent[0] == pytest.approx(20.0)


def test_wrong_declared_units_are_caught(tmp_path: Path) -> None:
    """A TRC saying m while holding mm would give a 1.8 km runner: read as mm and say so."""
    rows = [
        "PathFileType\t4\t(X/Y/Z)\tx.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        "100\t100\t2\t3\tm\t100\t1\t2",
        "Frame#\tTime\tHead\t\t\tLHeel\t\t\tRHeel\t\t",
        "\t\tX1\tY1\tZ1\tX2\tY2\tZ2\tX3\tY3\tZ3",
        "",
        "1\t0\t0\t1750\t0\t0\t50\t-100\t0\t50\t100",
        "2\t0.01\t1\t1750\t0\t1\t50\t-100\t1\t50\t100",
    ]
    p = tmp_path / "x.trc"
    p.write_text("\n".join(rows) + "\n")
    t = stridelab.read(p)
    assert t.axes.file_units == "mm"
    assert "declared 'm'" in t.axes.units_method
    assert t.marker("Head")[0, 2] == pytest.approx(1.75)


def test_input_is_never_overwritten(tmp_path: Path, good: bytes) -> None:
    p = tmp_path / "trial.c3d"
    p.write_bytes(good)
    t = stridelab.read(p)
    with pytest.raises(ValueError, match="refusing to overwrite the input"):
        t.write(p.with_suffix(".c3d"))
    assert p.read_bytes() == good


def test_imu_tables_are_not_called_corrupt_marker_files(data_dir: Path) -> None:
    """The shared IMU exports fail as marker tables with a reason that says what they are."""
    for name, why in (
        ("imu_sacrum/level_trials_long.csv", "looks like IMU data"),
        ("imu_cycle/P01_normrunning_cycle.csv", "looks like IMU data"),
        ("imu_sacrum/Accelerometer_one_sub.csv", "no header row"),
    ):
        with pytest.raises(CorruptFileError, match=why):
            stridelab.read(data_dir / name)


def _without(trial: stridelab.Trial, name: str) -> stridelab.Trial:
    return trial.with_markers([n for n in trial.marker_names if n != name])


def _screen(trial: stridelab.Trial, static: stridelab.Trial | None) -> tuple[int, list[str]]:
    from stridelab import events, kinematics, metrics, patterns

    kin = kinematics.compute(trial, static)
    ev = events.detect(trial, static=static)
    static_kin = kinematics.compute(static, static) if static is not None else None
    table = metrics.per_stride(trial, kin, ev, static_kin=static_kin)
    found = patterns.evaluate(table)
    for row in found.iter_rows(named=True):
        assert row["status"] != "not_assessable" or row["reason"], row
    return table.height, list(kin.notes)


def test_each_protocol_with_a_piece_missing(data_dir: Path) -> None:
    """Per protocol, what a lab's files really lack: a partial screen that says what is
    missing, or an error naming the file and the problem — never a crash."""
    import dataclasses

    ric = stridelab.read(data_dir / "ric" / "20140515T133244_run.c3d")
    ric_static = stridelab.read(data_dir / "ric" / "20140515T133244_static.c3d")
    # a shoe-cluster marker lost in the static: the other three carry the foot
    n, notes = _screen(ric, _without(ric_static, "L_foot_2"))
    assert n >= 60
    assert any("L_foot_2 missing in the static" in x for x in notes)
    # a malleolus lost in the static: the sole cannot be placed, and the error says why
    with pytest.raises(DataError, match=r"_static\.c3d: the R foot .*malleoli"):
        _screen(ric, _without(ric_static, "R_med_ankle"))
    # Theia poses out of view for a second: the strides around it go, the rest stay
    theia = stridelab.read(data_dir / "theia" / "pose_filt_2.c3d")
    rot = theia.rotations.copy()
    rot[100:160] = np.nan
    n, _ = _screen(dataclasses.replace(theia, rotations=rot), None)
    assert n >= 4
    # OpenCap without one medial knee landmark: that leg's thigh and shank are not built, said
    walk = stridelab.read(data_dir / "opencap" / "walk.trc")
    n, notes = _screen(_without(walk, "r_mknee_study"), None)
    assert n >= 2
    assert "segment R_thigh not built (landmarks missing)" in notes


def test_trc_without_known_markers_is_refused_by_name(tmp_path: Path) -> None:
    trc = tmp_path / "mystery.trc"
    rows = "\n".join(f"{i + 1}\t{i / 100:.2f}\t0\t0\t{i}\t1\t1\t1" for i in range(50))
    trc.write_text(
        "PathFileType\t4\t(X/Y/Z)\tmystery.trc\n"
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\t"
        "OrigNumFrames\n100\t100\t50\t2\tmm\t100\t1\t50\n"
        "Frame#\tTime\tfoo\t\t\tbar\n\t\tX1\tY1\tZ1\tX2\tY2\tZ2\n\n" + rows + "\n"
    )
    from stridelab import kinematics

    trial = stridelab.read(trc)
    with pytest.raises(DataError, match=r"mystery\.trc: marker kinematics need a static"):
        kinematics.compute(trial)
    with pytest.raises(DataError, match=r"mystery\.trc"):
        stridelab.events.detect(trial)


def test_every_error_carries_a_stable_reason_code(tmp_path: Path, good: bytes) -> None:
    """Readers and processing stages raise with a `reason` from the documented list, and a
    stage that worked on arrays gets the file named once by its caller."""
    from stridelab import errors, events, signal

    with pytest.raises(FileNotFoundError) as missing:
        stridelab.read(tmp_path / "nope.c3d")
    assert errors.reason_code(missing.value) == "file_not_found"
    cut = tmp_path / "cut.c3d"
    cut.write_bytes(good[:5000])
    with pytest.raises(TruncatedFileError) as truncated:
        stridelab.read(cut)
    assert truncated.value.reason == "truncated_file"
    with pytest.raises(DataError, match="Nyquist") as nyquist:
        signal.butter_lowpass(80.0, 100.0)
    assert nyquist.value.reason == "bad_parameter"
    # a trial with only pelvis markers: the marker event detector says which markers are missing
    trial = stridelab.read(stridelab.example_path())
    bare = trial.with_markers([n for n in trial.marker_names if "ASIS" in n or "PSIS" in n])
    with pytest.raises(DataError) as no_feet:
        events.from_markers(bare)
    assert no_feet.value.reason == "missing_markers"
    message = str(no_feet.value)
    assert message.startswith(f"{trial.path}: ")
    assert message.count(str(trial.path)) == 1
    for err in (missing.value, truncated.value, nyquist.value, no_feet.value):
        assert errors.reason_code(err) in errors.REASONS
    assert errors.reason_code(RuntimeError("x")) == "invalid_value"


def test_core_stride_functions_refuse_malformed_arrays_clearly() -> None:
    """The array entry points added to the core say what is wrong with a malformed argument
    (a Python error, never a panic) and take empty input as no strides."""
    from stridelab import _native

    z = np.zeros(10)
    with pytest.raises(ValueError, match="3 columns"):
        _native.imu_stride_metrics(
            100.0, np.zeros((2, 2)), [0, 1], (None, None), (None, None), None
        )
    with pytest.raises(ValueError, match="one side per stride"):
        _native.imu_stride_metrics(100.0, np.zeros((2, 3)), [0], (None, None), (None, None), None)
    with pytest.raises(ValueError, match="IC and TO"):
        _native.midstance_peak(z, np.zeros((2, 3)), 100.0)
    times, reasons = _native.segment_strides([], [], [], 0.4, 2.0)
    assert times.shape == (0, 4)
    assert reasons == []
    nan = float("nan")
    times, reasons = _native.segment_strides([0.0, nan, 0.7], [0.2], [0.35], 0.4, 2.0)
    assert times.shape == (1, 4)
    assert reasons == [None]
    assert np.isnan(_native.midstance_peak(np.zeros(0), np.array([[0.1, 0.3]]), 100.0)).all()
