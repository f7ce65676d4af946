"""Type stub of the native core (Rust, PyO3). Private: use the public ``stridelab`` API."""

from os import PathLike
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "ANGLE_COLUMNS",
    "STRIKE_CLASSES",
    "CorruptFileError",
    "DataError",
    "StridelabError",
    "TruncatedFileError",
    "UnsupportedFormatError",
    "__version__",
    "ap_reversed",
    "auvinet_contacts",
    "butter_lowpass_sos",
    "c3d_parameters",
    "cluster_poses",
    "cluster_swap",
    "detect_marker_set",
    "fill_gaps_columns",
    "fill_rigid",
    "filtfilt_columns",
    "foot_label_roles",
    "force_events",
    "gravity_tilt",
    "gyro_events",
    "heel_from_mtp",
    "imu_orientation",
    "imu_stride_metrics",
    "joint_breaks",
    "landmark_kinematics",
    "marker_events",
    "marker_kinematics",
    "midstance_hip_over_ankle",
    "midstance_peak",
    "pelvis_angles",
    "pose_kinematics",
    "read_many",
    "read_mot",
    "read_trial",
    "residual_analysis",
    "sacrum_contacts",
    "segment_events",
    "segment_strides",
    "sole_points",
    "step_frequency",
    "stride_metrics",
    "strike_class",
    "tibial_axial",
    "tibial_events",
    "zeni_events",
]

__version__: str
ANGLE_COLUMNS: list[str]
STRIKE_CLASSES: list[str]

class StridelabError(ValueError):
    reason: str

class TruncatedFileError(StridelabError): ...
class CorruptFileError(StridelabError): ...
class UnsupportedFormatError(StridelabError): ...
class DataError(StridelabError): ...

def read_trial(
    path: str | PathLike[str],
    axes: str = "auto",
    vertical: str | None = None,
    progression: str | None = None,
    force_rate_hz: float | None = None,
    attach_forces: bool = True,
    forces: str | None = None,
) -> dict[str, Any]: ...
def c3d_parameters(path: str | PathLike[str]) -> dict[str, dict[str, Any]]: ...
def read_mot(path: str | PathLike[str], in_degrees: bool | None = None) -> dict[str, Any]: ...
def butter_lowpass_sos(order: int, cutoff_hz: float, fs_hz: float) -> npt.NDArray[np.float64]: ...
def filtfilt_columns(
    x: npt.NDArray[np.float64], sos: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...
def residual_analysis(
    x: npt.NDArray[np.float64], fs_hz: float, cutoffs_hz: list[float], tail_fraction: float
) -> dict[str, Any]: ...
def fill_gaps_columns(
    x: npt.NDArray[np.float64], max_gap: int, context: int
) -> tuple[npt.NDArray[np.float64], list[tuple[int, int, int, bool]]]: ...
def marker_kinematics(
    static_points: npt.NDArray[np.float64],
    static_names: list[str],
    points: npt.NDArray[np.float64],
    names: list[str],
    rate_hz: float,
    preset: str,
    pelvis: str = "hips_to_crests",
    hip: str = "trochanter",
    knee: str = "epicondyles",
    shank: str = "knee_aligned",
    foot: str = "lab_neutral",
    fix_swaps: bool = True,
    knee_width_m: tuple[float, float] | None = None,
    ankle_width_m: tuple[float, float] | None = None,
) -> dict[str, Any]: ...
def pose_kinematics(rotations: npt.NDArray[np.float64], names: list[str]) -> dict[str, Any]: ...
def landmark_kinematics(
    points: npt.NDArray[np.float64], names: list[str], rate_hz: float, preset: str
) -> dict[str, Any]: ...
def force_events(
    points: npt.NDArray[np.float64],
    names: list[str],
    point_rate_hz: float,
    force_n: npt.NDArray[np.float64],
    cop_m: npt.NDArray[np.float64],
    plate_rate_hz: float,
    threshold_n: float = 50.0,
    lowpass_hz: float = 30.0,
    min_contact_s: float = 0.08,
    min_flight_s: float = 0.03,
) -> list[tuple[str, str, float]]: ...
def detect_marker_set(markers: list[str], rotations: list[str]) -> tuple[str, float]: ...
def fill_rigid(
    static_points: npt.NDArray[np.float64],
    static_names: list[str],
    points: npt.NDArray[np.float64],
    names: list[str],
    rate_hz: float,
    preset: str,
) -> tuple[npt.NDArray[np.float64], list[tuple[str, str, list[int]]]]: ...
def marker_events(
    points: npt.NDArray[np.float64], names: list[str], rate_hz: float
) -> tuple[list[tuple[str, str, float, float]], list[tuple[str, str, str, float]]]: ...
def auvinet_contacts(
    vertical: npt.NDArray[np.float64], ap: npt.NDArray[np.float64], rate_hz: float
) -> list[tuple[float, float]]: ...
def tibial_events(
    acc: npt.NDArray[np.float64], rate_hz: float
) -> tuple[list[tuple[float, float | None, float, float]], str]: ...
def tibial_axial(
    acc: npt.NDArray[np.float64], rate_hz: float
) -> tuple[npt.NDArray[np.float64], str]: ...
def zeni_events(
    points: npt.NDArray[np.float64], names: list[str], rate_hz: float
) -> tuple[list[tuple[str, str, float]], float | None]: ...
def cluster_poses(
    local: npt.NDArray[np.float64], points: npt.NDArray[np.float64], max_rms_m: float
) -> npt.NDArray[np.float64]: ...
def cluster_swap(
    local: npt.NDArray[np.float64], points: npt.NDArray[np.float64]
) -> tuple[int, int, float, float] | None: ...
def segment_events(
    poses: npt.NDArray[np.float64],
    points: npt.NDArray[np.float64],
    probe: tuple[float, float, float] | None,
    rate_hz: float,
    timing: list[str],
) -> tuple[list[tuple[str, float, float]], int | None, int | None, float]: ...
def joint_breaks(
    distal: npt.NDArray[np.float64],
    proximal: npt.NDArray[np.float64],
    joint: tuple[float, float, float],
    max_m: float | None = None,
) -> npt.NDArray[np.bool_]: ...
def foot_label_roles(names: list[str]) -> list[tuple[str, str]]: ...
def heel_from_mtp(mtp: tuple[float, float, float], up: int) -> tuple[float, float, float]: ...
def segment_strides(
    ics: list[float],
    tos: list[float],
    other_ics: list[float],
    min_stride_s: float,
    max_stride_s: float,
) -> tuple[npt.NDArray[np.float64], list[str | None]]: ...
def sole_points(
    malleolus_a: tuple[float, float, float],
    malleolus_b: tuple[float, float, float],
    trochanter: tuple[float, float, float],
    cluster: npt.NDArray[np.float64],
    side: str,
) -> tuple[npt.NDArray[np.float64], list[str]]: ...
def imu_stride_metrics(
    rate_hz: float,
    strides: npt.NDArray[np.float64],
    sides: list[int],
    shank_axial: tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.float64] | None],
    foot_sagittal: tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.float64] | None],
    pelvis: npt.NDArray[np.float64] | None,
) -> list[tuple[str, npt.NDArray[np.float64]]]: ...
def imu_orientation(
    acc_m_s2: npt.NDArray[np.float64],
    gyro_rad_s: npt.NDArray[np.float64],
    rate_hz: float,
    beta: float = 0.1,
    gate: float = 0.2,
    init_s: float = 0.5,
) -> npt.NDArray[np.float64]: ...
def midstance_hip_over_ankle(
    hip_x: npt.NDArray[np.float64],
    ankle_x: npt.NDArray[np.float64],
    stances: npt.NDArray[np.float64],
    rate_hz: float,
) -> npt.NDArray[np.float64]: ...
def midstance_peak(
    series: npt.NDArray[np.float64], stances: npt.NDArray[np.float64], rate_hz: float
) -> npt.NDArray[np.float64]: ...
def pelvis_angles(quaternions: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def gyro_events(
    sagittal_rad_s: npt.NDArray[np.float64], rate_hz: float, segment: str
) -> list[tuple[str, float]]: ...
def gravity_tilt(acc_m_s2: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], float]: ...
def ap_reversed(
    ap: npt.NDArray[np.float64], contacts: list[tuple[float, float]], rate_hz: float
) -> bool | None: ...
def sacrum_contacts(
    vertical: npt.NDArray[np.float64], ap: npt.NDArray[np.float64] | None, rate_hz: float
) -> list[tuple[float, float]]: ...
def step_frequency(x: npt.NDArray[np.float64], rate_hz: float) -> float | None: ...
def stride_metrics(
    rate_hz: float,
    angles_left: npt.NDArray[np.float64],
    angles_right: npt.NDArray[np.float64],
    landmarks: list[tuple[str, npt.NDArray[np.float64]]],
    strides: npt.NDArray[np.float64],
    plates: list[tuple[float, npt.NDArray[np.float64], npt.NDArray[np.float64]]],
    wrists: tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.float64] | None],
    standing_tilt_deg: float | None,
    standing_heel_m: tuple[float | None, float | None],
    speed_m_s: float | None,
    constants: list[tuple[str, float]],
) -> list[tuple[str, npt.NDArray[np.float64]]]: ...
def strike_class(strike_index: float, strike_angle_deg: float) -> int: ...
def read_many(paths: list[str]) -> list[dict[str, Any] | Exception]: ...
