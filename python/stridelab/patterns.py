"""The twelve movement patterns of ``docs/risk-patterns.md``, evaluated on a per-stride metrics
table. Rules are data (``patterns.toml``, each threshold with its source); this module only applies
them. Every result follows one contract:

``pattern, title, side (L/R/both), status (flagged | borderline | clear | not_assessable), reason,
provisional, confidence (high | moderate | low), evidence (a list of structs,
:data:`EVIDENCE_ITEM`: per check the metric, per-side
median, SD and stride count, the threshold or z-score and its source), cue, articles, note``.

It is a movement screen with evidence, never a diagnosis; ``note`` says so in every row. A
``cue`` is given only where the pattern is flagged or borderline (a cue beside a clear pattern
would read as advice to change); confidence never reads "high" for a provisional rule; every
check on a midstance metric names the midstance definition it used. ``docs/risk-patterns.md``
gives, per pattern, the article's idea, the deciding metric and the rule with its source.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from stridelab import norms
from stridelab.errors import DataError
from stridelab.metrics import trusted

__all__ = ["EVIDENCE_ITEM", "RESULT_SCHEMA", "evaluate", "evidence_items", "load_thresholds"]

#: One item of a pattern's ``evidence`` (a list of these per row): a check's metric, its role
#: (``decides`` / ``evidence``), source, per-side median, SD and stride count, and where it
#: applies the left−right difference, the midstance definition, the reference (mean, SD, z),
#: the cut-offs and the level reached; for the deep-squat screen its score, criteria and
#: angles. Fields that do not apply are null.
EVIDENCE_ITEM = pl.Struct(
    {
        "metric": pl.String,
        "role": pl.String,
        "source": pl.String,
        "L_median": pl.Float64,
        "R_median": pl.Float64,
        "L_sd": pl.Float64,
        "R_sd": pl.Float64,
        "L_strides": pl.Int64,
        "R_strides": pl.Int64,
        "midstance": pl.String,
        "left_minus_right": pl.Float64,
        "reference_mean": pl.Float64,
        "reference_sd": pl.Float64,
        "z": pl.Float64,
        "flagged_at": pl.Float64,
        "borderline_at": pl.Float64,
        "direction": pl.String,
        "level": pl.String,
        "score": pl.Int64,
        "criteria": pl.Struct(
            {
                "depth": pl.Boolean,
                "heels_down": pl.Boolean,
                "trunk_parallel_to_tibia": pl.Boolean,
                "knees_over_feet": pl.Boolean,
            }
        ),
        "hip_flexion_deg": pl.Float64,
        "knee_flexion_deg": pl.Float64,
        "trunk_flexion_deg": pl.Float64,
        "shank_angle_deg": pl.Float64,
        "heel_rise_mm": pl.List(pl.Float64),
        "knee_medial_of_ankle_mm": pl.List(pl.Float64),
    }
)

RESULT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "pattern": pl.String,
    "title": pl.String,
    "side": pl.String,
    "status": pl.String,
    "reason": pl.String,
    "provisional": pl.Boolean,
    "confidence": pl.String,
    "evidence": pl.List(EVIDENCE_ITEM),
    "cue": pl.String,
    "articles": pl.String,
    "note": pl.String,
    "rules": pl.String,
}


def evidence_items(value: object) -> list[dict[str, Any]]:
    """A results row's ``evidence`` as plain dicts, the fields that do not apply left out
    (accepts the list column's value, a polars Series of it, or an older JSON string)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, pl.Series):
        value = value.to_list()
    return [
        {k: v for k, v in e.items() if v is not None}
        for e in value  # type: ignore[attr-defined]
    ]


_RANK = {"clear": 0, "borderline": 1, "flagged": 2}
# 1/0 per stride: summarised by their mean (a share), not a median
_SHARES = {"forefoot_strike_share", "wrist_crosses_midline"}
#: metrics read at midstance: their evidence names the midstance definition used
_AT_MIDSTANCE = {
    "hip_ahead_of_ankle_pct_leg",
    "trunk_flexion_at_midstance_deg",
    "trunk_flexion_rel_pelvis_at_midstance_deg",
}
_MISSING = {
    "trunk": "no trunk markers or torso pose in this marker set",
    "wrists": "no wrist markers or hand poses in this marker set",
    "pelvis_landmarks": "needs a static trial with iliac crest or ASIS/PSIS markers (a pelvis "
    "levelled to the standing trial itself has zero obliquity by construction)",
}


_PATTERN_KEYS = {
    "articles", "title", "provisional", "cue", "checks", "combine", "requires_markers",
    "requires_midstance", "sides", "trial", "source", "enabled", "replace",
}  # fmt: skip
_CHECK_KEYS = {
    "metric", "kind", "direction", "flagged", "borderline", "source", "role", "reference",
    "reference_mean", "reference_sd",
}  # fmt: skip


def _merge(ours: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    """A pattern table from an override file merged onto ours: its keys replace ours, and each
    of its checks updates our check of the same metric (or is added), so one cut-off can be
    changed without copying the pattern; ``replace = true`` in the file's table replaces ours
    whole. A check given thresholds and no role decides."""
    if mine.get("replace"):
        return {k: v for k, v in mine.items() if k != "replace"}
    merged = {**ours, **{k: v for k, v in mine.items() if k != "checks"}}
    checks = [dict(c) for c in ours.get("checks", [])]
    for c in mine.get("checks", []):
        same = next((o for o in checks if o.get("metric") == c.get("metric")), None)
        if same is None:
            checks.append(dict(c))
        else:
            if "flagged" in c and "role" not in c:
                same.pop("role", None)
            same.update(c)
    merged["checks"] = checks
    return merged


def _validate(rules: dict[str, Any], where: str) -> None:
    """Every pattern and check has the keys the engine reads, with values it can use; the error
    names the file and the key."""
    for pid, rule in rules["patterns"].items():
        at = f"{where}: [patterns.{pid}]"
        if not isinstance(rule, dict):
            raise DataError(f"{at} must be a table")
        unknown = set(rule) - _PATTERN_KEYS
        if unknown:
            raise DataError(f"{at}: unknown key(s) {', '.join(sorted(unknown))}")
        for i, c in enumerate(rule.get("checks", [])):
            cat = f"{at} check {i + 1} ({c.get('metric', '?')})"
            unknown = set(c) - _CHECK_KEYS
            if unknown:
                raise DataError(f"{cat}: unknown key(s) {', '.join(sorted(unknown))}")
            if "metric" not in c:
                raise DataError(f"{cat}: needs a metric")
            if c.get("role", "decides") == "evidence":
                continue
            for key in ("flagged", "borderline"):
                if not isinstance(c.get(key), int | float):
                    raise DataError(f"{cat}: '{key}' must be a number")
            if c.get("direction", "above") not in ("above", "below"):
                raise DataError(f"{cat}: direction must be 'above' or 'below'")
            if c.get("kind", "value") not in ("value", "magnitude", "zscore", "asymmetry"):
                raise DataError(f"{cat}: kind must be value, magnitude, zscore or asymmetry")
            if c.get("kind") == "zscore" and c.get("reference") != "norms":
                for key in ("reference_mean", "reference_sd"):
                    if not isinstance(c.get(key), int | float):
                        raise DataError(f"{cat}: a z-score check needs '{key}' (or reference)")


def load_thresholds(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The shipped rules, with the pattern tables of ``path`` merged onto ours (see
    :func:`_merge`), validated; ``rules["meta"]["rules"]`` says which were used (``shipped``, or
    the file and the SHA-256 of its bytes), and every result row carries it.

    Raises
    ------
    stridelab.errors.DataError
        The file is not valid TOML (with line and column), or a key or value is not one the
        engine can use (naming the pattern and check).
    """
    with resources.files("stridelab").joinpath("patterns.toml").open("rb") as fh:
        rules = tomllib.load(fh)
    rules["meta"]["rules"] = "shipped"
    if path is not None:
        raw = Path(path).read_bytes()
        try:
            mine = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise DataError(f"{path}: not a valid thresholds file: {err}") from None
        unknown = set(mine) - {"patterns", "meta"}
        if unknown:
            raise DataError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}")
        for pid, rule in mine.get("patterns", {}).items():
            if not isinstance(rule, dict):
                raise DataError(f"{path}: [patterns.{pid}] must be a table")
            ours = rules["patterns"].get(pid, {})
            rules["patterns"][pid] = _merge(ours, rule)
        rules["meta"].update(mine.get("meta", {}))
        digest = hashlib.sha256(raw).hexdigest()[:16]
        rules["meta"]["rules"] = f"{path} (sha256 {digest}) over the shipped rules"
        _validate(rules, str(path))
    return rules


def _side_stats(table: pl.DataFrame, metric: str, side: str) -> tuple[float, float, int]:
    if metric not in table.columns:
        return float("nan"), float("nan"), 0
    v = trusted(table).filter(pl.col("side") == side)[metric].cast(pl.Float64).to_numpy()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    centre = float(v.mean()) if metric in _SHARES else float(np.median(v))
    return centre, float(v.std(ddof=1)) if v.size > 1 else float("nan"), int(v.size)


def _level(value: float, check: dict[str, Any]) -> str:
    above = check.get("direction", "above") == "above"
    flagged, borderline = float(check["flagged"]), float(check["borderline"])
    if above:
        return "flagged" if value >= flagged else "borderline" if value >= borderline else "clear"
    return "flagged" if value <= flagged else "borderline" if value <= borderline else "clear"


def _reference(check: dict[str, Any], speed_m_s: float | None) -> tuple[float, float, str]:
    if check.get("reference") == "norms":
        _, ref = norms.zscore(check["metric"], 0.0, speed_m_s)
        return ref.mean, ref.sd, f"stridelab norms ({ref.note})"
    return float(check["reference_mean"]), float(check["reference_sd"]), check.get("source", "")


def _confidence(
    n: int, spread: float, value: float, check: dict[str, Any], min_strides: int
) -> str:
    if n < min_strides:
        return "low"
    if "flagged" not in check or not np.isfinite(spread):
        return "moderate"
    nearest = min(abs(value - float(check["flagged"])), abs(value - float(check["borderline"])))
    return "high" if nearest > spread else "moderate"


def _evaluate_one(
    pid: str, rule: dict[str, Any], table: pl.DataFrame, meta: dict[str, Any], speed: float | None
) -> list[dict[str, Any]]:
    base = {
        "pattern": pid,
        "title": rule.get("title", pid),
        "provisional": bool(rule.get("provisional", False)),
        "cue": rule.get("cue", ""),
        "articles": ",".join(rule.get("articles", [])),
        "note": meta.get("note", ""),
        "rules": meta.get("rules", "shipped"),
    }
    if rule.get("enabled", True) is False:
        return [
            {
                **base,
                "cue": "",
                "side": "both",
                "status": "not_assessable",
                "reason": f"disabled by the thresholds file ({meta.get('rules')})",
                "confidence": "low",
                "evidence": [],
            }
        ]
    checks = rule.get("checks", [])
    deciding = [c for c in checks if c.get("role") != "evidence"]
    both = (
        rule.get("trial") == "squat"
        or rule.get("sides") == "both"
        or (bool(deciding) and all(c.get("kind") == "asymmetry" for c in deciding))
    )
    sides = ["both"] if both else ["L", "R"]
    min_strides = int(meta.get("min_strides", 10))
    rows = []
    for side in sides:
        evidence, levels, reasons, confidences = [], [], [], []
        for c in checks:
            metric = c["metric"]
            stats = {s: _side_stats(table, metric, s) for s in ("L", "R")}
            item: dict[str, Any] = {
                "metric": metric,
                "role": c.get("role", "decides"),
                "source": c.get("source", ""),
                **{f"{s}_median": stats[s][0] for s in ("L", "R")},
                **{f"{s}_sd": stats[s][1] for s in ("L", "R")},
                **{f"{s}_strides": stats[s][2] for s in ("L", "R")},
            }
            if metric in _AT_MIDSTANCE and "midstance_definition" in table.columns:
                item["midstance"] = ",".join(sorted(set(table["midstance_definition"].to_list())))
            if c.get("role") == "evidence":
                if c.get("kind") == "asymmetry":
                    item["left_minus_right"] = stats["L"][0] - stats["R"][0]
                evidence.append(item)
                continue
            kind = c.get("kind", "value")
            if kind == "asymmetry":
                value = stats["L"][0] - stats["R"][0]
                n = min(stats["L"][2], stats["R"][2])
                spread = float(np.hypot(stats["L"][1], stats["R"][1]))
                judged = abs(value)
                item["left_minus_right"] = value
            else:
                value, spread, n = stats[side] if side != "both" else stats["L"]
                judged = abs(value) if kind == "magnitude" else value
                if kind == "zscore":
                    mean, sd, src = _reference(c, speed)
                    judged = (value - mean) / sd
                    spread = spread / sd if np.isfinite(spread) else spread
                    item.update(
                        {"reference_mean": mean, "reference_sd": sd, "z": judged, "source": src}
                    )
            item.update(
                {
                    "flagged_at": c["flagged"],
                    "borderline_at": c["borderline"],
                    "direction": c.get("direction", "above"),
                }
            )
            evidence.append(item)
            if n == 0 or not np.isfinite(judged):
                need = rule.get("requires_markers")
                reasons.append(
                    _MISSING.get(need, f"no usable values of {metric}")
                    if need
                    else f"no usable values of {metric}"
                )
                continue
            if n < 3:
                reasons.append(f"only {n} strides with {metric}")
                continue
            lvl = _level(judged, c)
            item["level"] = lvl
            levels.append(lvl)
            confidences.append(_confidence(n, spread, judged, c, min_strides))
        wrong_midstance = _wrong_midstance(rule, table)
        if rule.get("trial") == "squat":
            status, reason = (
                "not_assessable",
                "needs a squat trial: stridelab squat FILE --static STATIC",
            )
        elif wrong_midstance:
            status, reason = "not_assessable", wrong_midstance
        elif reasons and (rule.get("combine") == "all" or not levels):
            status, reason = "not_assessable", "; ".join(reasons)
        elif rule.get("combine") == "all":
            status, reason = min(levels, key=_RANK.__getitem__), None
        else:
            status, reason = max(levels, key=_RANK.__getitem__), None
        order = {"low": 0, "moderate": 1, "high": 2}
        confidence = (
            min(confidences, key=order.__getitem__)
            if confidences and status != "not_assessable"
            else "low"
        )
        if base["provisional"] and confidence == "high":
            confidence = "moderate"
        rows.append(
            {
                **base,
                "cue": base["cue"] if status in ("flagged", "borderline") else "",
                "side": side,
                "status": status,
                "reason": reason,
                "confidence": confidence,
                "evidence": evidence,
            }
        )
    return rows


def _wrong_midstance(rule: dict[str, Any], table: pl.DataFrame) -> str | None:
    """The reason a pattern that needs one midstance definition cannot use this table."""
    need = rule.get("requires_midstance")
    if not need or "midstance_definition" not in table.columns:
        return None
    used = set(table["midstance_definition"].to_list())
    if used <= {need}:
        return None
    return (
        f"needs midstance at {need.replace('_', ' ')}; this table used "
        f"{', '.join(sorted(str(u) for u in used))} (hip over ankle makes the hip-ankle distance "
        "zero by construction)"
    )


def evaluate(
    table: pl.DataFrame,
    *,
    thresholds: str | os.PathLike[str] | None = None,
    speed_m_s: float | None = None,
    squat: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every pattern on a per-stride metrics table (:func:`stridelab.metrics.per_stride`).

    ``squat`` is the result of :func:`stridelab.squat.screen` when a squat trial was recorded.
    """
    rules = load_thresholds(thresholds)
    walking = _walking(table)
    rows: list[dict[str, Any]] = []
    for pid, rule in rules["patterns"].items():
        if pid == "deep_squat_screen" and squat is not None:
            rows.extend(squat.to_dicts())
            continue
        found = _evaluate_one(pid, rule, table, rules["meta"], speed_m_s)
        if walking and rule.get("trial") != "squat":
            for r in found:
                r.update(status="not_assessable", reason=walking, cue="", confidence="low")
        rows.extend(found)
    return pl.DataFrame(rows, schema=RESULT_SCHEMA)


def _walking(table: pl.DataFrame) -> str | None:
    """Why the running patterns do not apply: a duty factor above 0.5 (each foot on the ground
    more than half the stride, with double support) is walking."""
    if "duty_factor" not in table.columns or table.height == 0:
        return None
    duty = table["duty_factor"].cast(pl.Float64).drop_nans().drop_nulls()
    if duty.len() == 0:
        return None
    median = float(duty.median())  # type: ignore[arg-type]
    if median <= 0.5:
        return None
    return (
        f"this is walking (median duty factor {median:.2f} > 0.5): the running patterns do "
        "not apply"
    )
