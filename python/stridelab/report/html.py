"""Self-contained HTML report with inline SVG plots (no scripts, no network)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import norms
from stridelab.patterns import evidence_items

FloatArray = npt.NDArray[np.float64]

_COLOURS = {"L": "#1f77b4", "R": "#d62728", "A": "#555555", "B": "#8c564b"}
_STATUS = {
    "flagged": "#d62728",
    "borderline": "#ff9f0e",
    "clear": "#2ca02c",
    "not_assessable": "#888",
}


_UNITS = (
    ("_steps_per_min", "steps/min"),
    ("_pct_leg", "% leg length"),
    ("_pct", "%"),
    ("_deg", "°"),
    ("_mm", "mm"),
    ("_m_s", "m/s"),
    ("_m", "m"),
    ("_s", "s"),
)
_WORDS = {
    "ic": "initial contact",
    "to": "toe-off",
    "rel": "relative to",
    "l": "left",
    "r": "right",
    "pct": "%",
}


def _num(x: object) -> str:
    """A median for the evidence column: one decimal, "n/a" where there is none."""
    v = float(x) if isinstance(x, (int, float)) else float("nan")
    return f"{v:.1f}" if np.isfinite(v) else "n/a"


def human_label(metric: str) -> str:
    """A metric's name in words with its unit.

    >>> human_label("knee_flexion_at_ic_deg")
    'knee flexion at initial contact (°)'
    >>> human_label("heel_ahead_of_pelvis_pct_leg")
    'heel ahead of pelvis (% leg length)'
    """
    unit = ""
    name = metric
    for suffix, u in _UNITS:
        if name.endswith(suffix):
            name, unit = name[: -len(suffix)], u
            break
    words = " ".join(_WORDS.get(w, w) for w in name.split("_"))
    return f"{words} ({unit})" if unit else words


def _path(xs: npt.ArrayLike, ys: npt.ArrayLike, sx: float, sy: float, y0: float) -> str:
    xa, ya = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    pts = [
        f"{x * sx:.1f},{(y0 - y) * sy:.1f}"
        for x, y in zip(xa, ya, strict=True)
        if np.isfinite(x) and np.isfinite(y)
    ]
    return "M" + " L".join(pts) if pts else ""


def _open_svg(w: int, h: int, title: str) -> str:
    return (
        f'<svg class="plot" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">'
        f"<title>{html.escape(title)}</title>"
    )


def _text(x: float, y: float, size: int, text: str, fill: str = "#000") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}">{text}</text>'


def _svg_curve(
    title: str, curves: dict[str, FloatArray], band: tuple[FloatArray, FloatArray] | None
) -> str:
    w, h = 320, 180
    values = [v for v in curves.values() if np.isfinite(v).any()]
    if band is not None:
        values += [band[0] - band[1], band[0] + band[1]]
    if not values:
        return ""
    lo = float(min(np.nanmin(v) for v in values)) - 2
    hi = float(max(np.nanmax(v) for v in values)) + 2
    sx, sy = w / 100, h / (hi - lo)
    x = np.arange(101, dtype=float)
    parts = [_open_svg(w, h + 20, title)]
    if band is not None:
        upper = _path(x, band[0] + band[1], sx, sy, hi)
        lower = _path(x[::-1], (band[0] - band[1])[::-1], sx, sy, hi).replace("M", "L", 1)
        parts.append(f'<path d="{upper} {lower} Z" fill="#ccc" opacity="0.6"/>')
    for side, curve in curves.items():
        d = _path(x, curve, sx, sy, hi)
        parts.append(f'<path d="{d}" stroke="{_COLOURS[side]}" fill="none" stroke-width="2"/>')
    parts.append(_text(4, 14, 12, html.escape(title)))
    parts += _axes(w, h, lo, hi, [(0, "0"), (50, "50"), (100, "100 %")], 100)
    legend = "% gait cycle from initial contact; blue left, red right; grey: norms mean ± SD"
    parts.append(_text(4, h + 16, 10, legend))
    parts.append("</svg>")
    return "".join(parts)


def _axes(
    w: int, h: int, lo: float, hi: float, xticks: list[tuple[float, str]], xmax: float
) -> list[str]:
    """Numbered axes: three y values (bottom, middle, top) and the given x ticks."""
    out = [f'<line x1="0" y1="{h}" x2="{w}" y2="{h}" stroke="#999"/>']
    for frac in (0.0, 0.5, 1.0):
        y = lo + frac * (hi - lo)
        py = h - frac * h
        out.append(_text(w - 34, max(py - 2, 24), 9, f"{y:.3g}", "#555"))
    for x, label in xticks:
        out.append(_text(min(x / xmax * w, w - 30), h + 8, 8, label, "#555"))
    return out


def _svg_strides(title: str, table: pl.DataFrame, metric: str) -> str:
    w, h = 320, 140
    series = {
        s: table.filter(pl.col("side") == s)[metric].cast(pl.Float64).to_numpy() for s in ("L", "R")
    }
    finite = np.concatenate([v[np.isfinite(v)] for v in series.values()])
    if finite.size == 0:
        return ""
    lo, hi = float(finite.min()) - 1, float(finite.max()) + 1
    n = max(len(v) for v in series.values())
    sx, sy = w / max(n - 1, 1), h / (hi - lo)
    parts = [_open_svg(w, h + 20, title)]
    for side, v in series.items():
        for i, y in enumerate(v):
            if np.isfinite(y):
                cx, cy = i * sx, (hi - y) * sy
                parts.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{_COLOURS[side]}"/>'
                )
    parts.append(_text(4, 14, 12, html.escape(title)))
    parts += _axes(w, h, lo, hi, [(0, "1"), (n - 1, str(n))], max(n - 1, 1))
    parts.append(_text(4, h + 16, 10, "stride number; blue left, red right"))
    parts.append("</svg>")
    return "".join(parts)


def _svg_timeline(events: pl.DataFrame, seconds: float = 5.0) -> str:
    w, h = 660, 84
    times = events["time_s"].to_numpy() if events.height else np.zeros(0)
    t0 = float(times.min()) if times.size else 0.0
    parts = [_open_svg(w, h, "Event timeline")]
    for k in range(int(seconds) + 1):  # seconds from the first event
        x = k / seconds * (w - 20) + 10
        parts.append(f'<line x1="{x:.1f}" y1="50" x2="{x:.1f}" y2="55" stroke="#999"/>')
        parts.append(_text(x - 3, 66, 9, f"{k}", "#555"))
    for r in events.filter(pl.col("time_s") < t0 + seconds).iter_rows(named=True):
        x = (r["time_s"] - t0) / seconds * (w - 20) + 10
        y = 20 if r["side"] == "L" else 45
        parts.append(_text(x, y, 12, "▼" if r["event"] == "IC" else "▲", _COLOURS[r["side"]]))
    legend = "seconds from the first event: ▼ initial contact, ▲ toe-off; blue left, red right"
    parts.append(_text(4, h - 2, 10, legend))
    parts.append("</svg>")
    return "".join(parts)


def _pattern_row(row: dict[str, object]) -> str:
    evidence = evidence_items(row["evidence"])
    sides = ("L", "R") if row["side"] == "both" else (str(row["side"]),)
    numbers = "; ".join(
        f"{html.escape(human_label(str(e['metric'])))}: "
        + ", ".join(f"{s} {_num(e.get(f'{s}_median'))}" for s in sides)
        for e in evidence
        if "metric" in e
    )
    if evidence and "score" in evidence[0]:
        numbers = f"score {evidence[0]['score']}"
    zs = [
        e for e in evidence if "z" in e and "outside the reference's speeds" in e.get("source", "")
    ]
    if zs:
        numbers += (
            f" <em>(z-scores against norms from other speeds: {html.escape(zs[0]['source'])})</em>"
        )
    reason = html.escape(str(row["reason"] or ""))
    if reason:
        numbers = reason
    provisional = " <em>(provisional)</em>" if row["provisional"] else ""
    status = str(row["status"])
    return (
        f'<tr class="{status}"><td>{html.escape(str(row["title"]))}{provisional}</td>'
        f'<td>{row["side"]}</td><td style="color:{_STATUS[status]}">'
        f"<b>{status.replace('_', ' ')}</b></td><td>{row['confidence']}</td>"
        f"<td>{numbers}</td><td>{html.escape(str(row['cue']))}</td></tr>"
    )


def _summary_card(results: pl.DataFrame, table: pl.DataFrame) -> str:
    """What matters first: speed (given or estimated), cadence, foot strike per side, strides
    used, and the flagged and borderline patterns in words."""

    def median(col: str, side: str | None = None) -> float:
        if col not in table.columns:
            return float("nan")
        t = table if side is None else table.filter(pl.col("side") == side)
        v = t[col].cast(pl.Float64).median()
        return float(v) if isinstance(v, (int, float)) else float("nan")

    speed = median("speed_m_s")
    estimated = "speed_estimated" in table.columns and bool(table["speed_estimated"].any())
    speed_text = (
        f"{speed:.2f} m/s ({'estimated from the markers' if estimated else 'given'})"
        if np.isfinite(speed)
        else "not known"
    )
    strikes = []
    for side, word in (("L", "left"), ("R", "right")):
        t = table.filter(pl.col("side") == side)
        if "foot_strike" in t.columns and t["foot_strike"].drop_nulls().len():
            strikes.append(f"{word} {t['foot_strike'].drop_nulls().mode().sort()[0]}")
    n = {s: table.filter(pl.col("side") == s).height for s in ("L", "R")}
    notable = results.filter(pl.col("status").is_in(["flagged", "borderline"])).sort(
        pl.col("status").replace_strict({"flagged": 0, "borderline": 1}, default=2)
    )
    found = (
        "".join(
            f"<li><b>{html.escape(str(r['status']))}</b>: {html.escape(str(r['title']))}"
            f" ({html.escape({'L': 'left', 'R': 'right'}.get(str(r['side']), 'both sides'))})"
            "</li>"
            for r in notable.iter_rows(named=True)
        )
        or "<li>no pattern flagged or borderline</li>"
    )
    cadence = median("cadence_steps_per_min")
    cadence_text = f"{cadence:.0f} steps/min" if np.isfinite(cadence) else "not known"
    return f"""<div class="card" id="summary">
<p>Speed {speed_text}; cadence {cadence_text}; foot strike {", ".join(strikes) or "not known"};
strides used: {n["L"]} left, {n["R"]} right.</p>
<ul>{found}</ul></div>"""


def _findings_section(findings: Sequence[tuple[str, str]]) -> str:
    """Each trial's QA findings in words: what the reader decided, label swaps fixed, clusters
    not rigid, event plausibility."""
    if not findings:
        return '<p id="findings">No data-quality findings in these trials.</p>'
    items = "".join(
        f"<li>{html.escape(trial)}: {html.escape(text)}</li>" for trial, text in findings
    )
    return f'<ul id="findings">{items}</ul>'


def _qa_section(qa: pl.DataFrame | None) -> str:
    """Knee crosstalk per trial and side: the estimated flexion-axis misalignment and the
    correlation of adduction with flexion, with the verdict in words."""
    if qa is None or qa.height == 0:
        return "<p>No knee crosstalk check (no marker or pose kinematics in these trials).</p>"
    rows = []
    for r in qa.iter_rows(named=True):
        verdict = (
            "<b>crosstalk: knee adduction follows flexion; check the knee markers of the "
            "static trial before reading frontal or transverse knee angles</b>"
            if r["crosstalk_flagged"]
            else "no crosstalk above the level"
        )
        rows.append(
            f"<tr><td>{html.escape(str(r['trial']))}</td><td>{r['side']}</td>"
            f"<td>{r['knee_axis_misalignment_deg']:.1f}°</td>"
            f"<td>{r['knee_adduction_flexion_r']:.2f}</td><td>{verdict}</td></tr>"
        )
    return (
        '<table id="kinematics-qa"><tr><th>trial</th><th>side</th>'
        "<th>knee axis misalignment (estimated)</th><th>r (adduction, flexion)</th>"
        "<th>verdict (level: 5° and r 0.5)</th></tr>" + "".join(rows) + "</table>"
    )


def html_report(
    runner: str,
    results: pl.DataFrame,
    table: pl.DataFrame,
    cycles: dict[str, dict[str, FloatArray]],
    events: pl.DataFrame,
    trials: Sequence[str],
    qa: pl.DataFrame | None = None,
    speed_m_s: float | None = None,
    findings: Sequence[tuple[str, str]] = (),
) -> str:
    """The page for one runner. ``cycles`` maps angle → side → mean 101-point curve; ``qa``
    is the kinematics QA (knee crosstalk per trial and side, see ``docs/kinematics.md``)."""
    ref = norms.curves(speed_m_s)
    ref_note = str(ref["note"][0]) if ref.height else ""
    plots = []
    for angle, curves in cycles.items():
        norm = ref.filter(pl.col("angle") == angle).sort("pct")
        # the reference's hip flexion comes from another pelvis model (about 7 deg lower,
        # docs/norms.md): no band rather than a biased one
        band = (
            (norm["mean_deg"].to_numpy(), norm["sd_deg"].to_numpy())
            if norm.height == 101 and angle != "hip_flexion_deg"
            else None
        )
        plots.append(_svg_curve(human_label(angle), curves, band))
    shown = (
        "knee_flexion_at_ic_deg",
        "peak_stance_knee_flexion_deg",
        "contralateral_pelvic_drop_deg",
        "cadence_steps_per_min",
    )
    stride_plots = [_svg_strides(human_label(m), table, m) for m in shown if m in table.columns]
    rows = "".join(_pattern_row(r) for r in results.iter_rows(named=True))
    note = html.escape(str(results["note"][0])) if results.height else ""
    n_left = table.filter(pl.col("side") == "L").height
    n_right = table.filter(pl.col("side") == "R").height
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>stridelab report: {html.escape(runner)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 1100px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }}
.plots {{ display: flex; flex-wrap: wrap; gap: 12px; }}
.disclaimer {{ background: #fff4e5; padding: 8px 12px; border-left: 4px solid #ff9f0e; }}
.card {{ background: #f4f8fb; padding: 8px 14px; border-left: 4px solid #1f77b4; }}
</style></head><body>
<h1>Running movement screen: {html.escape(runner)}</h1>
{_summary_card(results, table)}
<p class="disclaimer">{note}</p>
<p>Trials: {html.escape(", ".join(trials))}. Strides: {n_left} left, {n_right} right.</p>
<h2>Patterns</h2>
<table id="patterns"><tr><th>pattern</th><th>side</th><th>status</th><th>confidence</th>
<th>evidence (side medians)</th><th>cue</th></tr>
{rows}
</table>
<h2>Joint angles against the normative reference</h2>
<p id="norms-note"><small>Norms: {html.escape(ref_note)}. No band on hip flexion: the reference's
pelvis differs from ours by about 7° (docs/norms.md).</small></p>
<div class="plots" id="curves">{"".join(plots)}</div>
<h2>Per-stride metrics</h2>
<div class="plots" id="strides">{"".join(stride_plots)}</div>
<h2>Data quality</h2>
{_findings_section(findings)}
{_qa_section(qa)}
<h2>Events</h2>
<div class="plots" id="events">{_svg_timeline(events)}</div>
<p><small>{html.escape(norms.ATTRIBUTION)}</small></p>
</body></html>
"""
