"""Builds the bundled example trials from the RBDS data set (Fukuchi et al. 2017, CC BY 4.0).

Run once from the repository root with ../shared beside it:
    python tools/make_example.py
The outputs are committed in python/stridelab/data/. They are byte copies of the original files'
header and parameter sections with the frame count patched and the data section cut, so every
parameter (force plate calibration, labels, scales) is exactly the lab's.
"""

from __future__ import annotations

import struct
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "running" / "rbds"
OUT = Path(__file__).resolve().parents[1] / "python" / "stridelab" / "data"


def crop(src: Path, dest: Path, n_frames: int) -> None:
    data = bytearray(src.read_bytes())
    param_block = data[0]
    first, last = struct.unpack_from("<HH", data, 6)
    assert last - first + 1 >= n_frames
    n_points, analog_values = struct.unpack_from("<HH", data, 2)
    scale = struct.unpack_from("<f", data, 12)[0]
    data_block = struct.unpack_from("<H", data, 16)[0]
    bpv = 4 if scale < 0 else 2
    frame_bytes = (n_points * 4 + analog_values) * bpv
    struct.pack_into("<H", data, 8, first + n_frames - 1)
    # POINT:FRAMES lives in the parameter section: patch it where it is found.
    start = (param_block - 1) * 512
    end = (data_block - 1) * 512
    key = b"\x06" + b"FRAMES"
    at = data.find(key, start + 4, end)
    if at < 0:
        at = data.find(b"FRAMES", start + 4, end) - 2
    name_len = data[at]
    pos = at + 2 + name_len + 2  # past name and next-offset
    kind, ndims = struct.unpack_from("<bB", data, pos)
    assert kind == 2, kind
    assert ndims == 0, ndims
    struct.pack_into("<h", data, pos + 2, n_frames)
    cut = end + n_frames * frame_bytes
    body = bytes(data[:cut])
    body += b"\x00" * ((-len(body)) % 512)
    dest.write_bytes(body)
    print(f"wrote {dest} ({len(body)} bytes, {n_frames} frames)")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    crop(SHARED / "RBDS001runT35.c3d", OUT / "rbds001_run35_8s.c3d", 1200)
    crop(SHARED / "RBDS001static.c3d", OUT / "rbds001_static.c3d", 30)
