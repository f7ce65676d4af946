"""Orientation and running events from IMUs: foot and shank gyroscopes, shank accelerometers,
sacrum."""

import logging
import math
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native
from stridelab._event_table import frame as _frame
from stridelab._event_table import timing_quality as _timing_quality
from stridelab.errors import DataError, data_error, in_file
from stridelab.imu._model import ImuTrial, Sensor

FloatArray = npt.NDArray[np.float64]
log = logging.getLogger("stridelab")


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
            raise data_error(
                f"{trial.path}: no foot, shank or sacrum sensor located "
                f"(sensors: {sorted(trial.sensors)}); give their locations",
                "bad_config",
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
