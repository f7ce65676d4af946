"""The runner report, the lab overview and the before/after comparison as a reader sees them:
rendered by headless Chromium (installed by .ci/run), checked for what makes a page usable —
the screenshot is not blank, every plot has numbered axes, no raw column names or repeated
sentences in the visible text — and the runner report's PDF has the page's sections."""

from __future__ import annotations

import html
import re
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from stridelab.cli import main
from stridelab.report import pdf

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]


def _browser() -> str:
    exe = pdf.browser()
    assert exe, "Debian's chromium is needed (installed by .ci/run)"
    return exe


def _dom(page: Path) -> str:
    return subprocess.run(
        [_browser(), *FLAGS, "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def _visible_text(dom: str) -> str:
    body = re.sub(r"<(script|style|title)[^>]*>.*?</\1>", " ", dom, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _png_ink(png: bytes) -> float:
    """Share of the decoded screenshot's bytes that are not white (a blank page has none)."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pos, idat = 8, b""
    while pos < len(png):
        n = int.from_bytes(png[pos : pos + 4], "big")
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += png[pos + 8 : pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return sum(1 for b in raw[::97] if b not in (0, 255)) / len(raw[::97])


def _check_page(page: Path, tmp: Path) -> str:
    dom = _dom(page)
    text = _visible_text(dom)
    # no raw column or pattern names: words joined by underscores (file names aside)
    snake = {
        w
        for w in re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text)
        if not re.search(r"\.(c3d|txt|json|csv|trc)$", w)
    }
    assert not snake, (page.name, sorted(snake)[:10])
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 40]
    repeated = [s for s, k in Counter(sentences).items() if k > 1]
    assert not repeated, (page.name, repeated[:3])
    for svg in re.findall(r'<svg class="plot".*?</svg>', dom, flags=re.S):
        labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert any(re.fullmatch(r"-?\d+(\.\d+)?( %)?", t.strip()) for t in labels), svg[:200]
    shot = tmp / f"{page.stem}.png"
    subprocess.run(
        [
            _browser(),
            *FLAGS,
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert _png_ink(shot.read_bytes()) > 0.01, f"{page.name}: blank screenshot"
    return text


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, rbds: Path) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pages")
    for name, static, speed in (
        ("RBDS001runT25markers.txt", "RBDS001static.txt", "2.5"),
        ("RBDS001runT35.c3d", "RBDS001static.c3d", "3.5"),
    ):
        res = CliRunner().invoke(
            main,
            [
                "analyze",
                str(rbds / name),
                "--static",
                str(rbds / static),
                "--speed",
                speed,
                "--runner",
                f"R{speed}",
                "--pdf",
                "--out",
                str(out / speed),
            ],
        )
        assert res.exit_code == 0, res.output
    res = CliRunner().invoke(
        main,
        [
            "compare",
            str(out / "2.5" / "R2.5.json"),
            str(out / "3.5" / "R3.5.json"),
            "--out",
            str(out / "cmp"),
        ],
    )
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(
        main,
        [
            "batch",
            str(rbds / "RBDS001runT35.c3d"),
            str(rbds / "RBDS032runT35markers.txt"),
            "--static",
            str(rbds / "RBDS001static.c3d"),
            "--out",
            str(out / "lab"),
        ],
    )
    return {
        "report": out / "3.5" / "R3.5.html",
        "pdf": out / "3.5" / "R3.5.pdf",
        "compare": out / "cmp" / "compare.html",
        "overview": out / "lab" / "index.html",
    }


@pytest.mark.parametrize("which", ["report", "compare", "overview"])
def test_page_reads_well_in_chromium(pages: dict[str, Path], which: str, tmp_path: Path) -> None:
    assert pages[which].exists(), which
    _check_page(pages[which], tmp_path)


def test_pdf_has_the_report_sections(pages: dict[str, Path]) -> None:
    pypdf = pytest.importorskip("pypdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(pages["pdf"]).pages)
    text = " ".join(text.split())
    sections = re.findall(r"<h2>([^<]+)</h2>", pages["report"].read_text(encoding="utf-8"))
    assert len(sections) >= 5
    for section in sections:
        assert section in text, section
