"""Per-stride metrics of an IMU trial (computed in the core, `imu::metrics`)."""

import logging
import math

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native
from stridelab.imu._events import _shank_axial, orientation
from stridelab.imu._model import ImuTrial

FloatArray = npt.NDArray[np.float64]
log = logging.getLogger("stridelab")


def per_stride(
    trial: ImuTrial,
    events: pl.DataFrame,
    *,
    runner: str = "",
    speed_m_s: float | None = None,
) -> pl.DataFrame:
    """Per-stride metrics of an IMU trial, in the columns of :func:`stridelab.metrics.per_stride`.

    Spatiotemporal parameters come from the events; computed in the core
    (``imu::metrics``): ``peak_tibial_acceleration_g`` (shank sensor: highest axial specific
    force in the first half of stance, in g), ``foot_strike_angle_deg`` (foot gyroscope: minus
    the integral of the sagittal angular velocity from IC to foot-flat, the quietest 40 ms of
    stance; positive = toes up, Altman & Davis 2012) and ``foot_strike``, and, with a sacrum
    gyroscope, the pelvis ranges over the stride and ``contralateral_pelvic_drop_deg`` (the
    same definition as for markers). Midstance is half way through the contact
    (``half_stance``). Metrics that need markers are absent, so their patterns are
    ``not_assessable``; a side without the sensor a metric needs has NaN.
    """
    from stridelab import strides as strides_mod
    from stridelab.metrics import _STRIDE_TIMES, classify_strike

    st = strides_mod.strides(events)
    rate = trial.rate_hz
    sacrum = trial.at("sacrum")
    pelvis = None
    if sacrum is not None and sacrum.has_gyro:
        angles = _native.pelvis_angles(orientation(sacrum, rate))
        # tilt, obliquity (left up +), rotation unwrapped so that a range never spans ±180°
        angles[:, 2] = np.unwrap(angles[:, 2], period=360.0)
        pelvis = np.ascontiguousarray(angles)
    shanks = tuple(
        np.ascontiguousarray(_shank_axial(s, rate), dtype=np.float64)
        if (s := trial.at(f"{w}_shank")) is not None
        else None
        for w in ("left", "right")
    )
    feet = tuple(
        np.ascontiguousarray(s.sagittal_rad_s, dtype=np.float64)
        if (s := trial.at(f"{w}_foot")) is not None and s.has_gyro
        else None
        for w in ("left", "right")
    )
    times = np.ascontiguousarray(
        st.select("ic_s", "to_s", "next_ic_s").to_numpy(), dtype=np.float64
    )
    sides = [{"L": 0, "R": 1}.get(s, -1) for s in st["side"]]
    computed = dict(
        _native.imu_stride_metrics(
            rate,
            times,
            sides,
            (shanks[0], shanks[1]),
            (feet[0], feet[1]),
            pelvis,
        )
    )
    table = st.select(
        pl.lit(runner).alias("runner"),
        pl.lit(trial.path.name).alias("trial"),
        "side",
        "stride",
        "ic_s",
        "to_s",
        ((pl.col("ic_s") + pl.col("to_s")) / 2).alias("midstance_s"),
        pl.lit("half_stance").alias("midstance_definition"),
        *_STRIDE_TIMES,
        "event_quality",
    )
    if speed_m_s is not None:
        table = table.with_columns((speed_m_s * pl.col("stride_time_s")).alias("stride_length_m"))
    columns: list[pl.Series] = []
    for name, values in computed.items():
        columns.append(pl.Series(name, values))
        if name == "foot_strike_angle_deg":
            # a stance without a strike angle is "unknown" and left out of the forefoot share
            classes = [classify_strike(None, float(a)) for a in values]
            columns.append(pl.Series("foot_strike", classes, dtype=pl.String))
            columns.append(
                pl.Series(
                    "forefoot_strike_share",
                    [math.nan if c == "unknown" else float(c == "forefoot") for c in classes],
                )
            )
    return table.with_columns(columns)
