//! Marker-set recognition from labels: which preset a trial's labels belong to.

/// A known marker set, with the labels that identify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerSet {
    /// Running Biomechanics Data Set (Fukuchi et al. 2017): `R.ASIS`, `R.Shank.Top.Lateral`, …
    Rbds,
    /// Running Injury Clinic 4-marker clusters: `pelvis_1`, `L_thigh_1`, … (+ anatomical in static).
    RicClusters,
    /// Vicon Plug-in Gait lower body: `LASI`, `RASI`, `LKNE`, `LANK`, `LHEE`, `LTOE`, …
    PluginGaitLower,
    /// Plug-in Gait full body: lower body plus `C7`, `CLAV`, `LSHO`, `LWRA`, …
    PluginGaitFull,
    /// Theia3D markerless: 4×4 segment poses (`pelvis_4X4`, `l_thigh_4X4`, …).
    Theia,
    /// OpenCap video markerless (Uhlrich et al. 2023): the marker augmenter's anatomical
    /// `_study` markers (`r.ASIS_study`, `r_knee_study`, `RHJC_study`, …), present in every frame.
    OpenCap,
    Unknown,
}

impl MarkerSet {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rbds => "rbds",
            Self::RicClusters => "ric",
            Self::PluginGaitLower => "plugin_gait_lower",
            Self::PluginGaitFull => "plugin_gait_full",
            Self::Theia => "theia",
            Self::OpenCap => "opencap",
            Self::Unknown => "unknown",
        }
    }
}

const RBDS: [&str; 12] = [
    "R.ASIS",
    "L.ASIS",
    "R.PSIS",
    "L.PSIS",
    "R.Heel.Top",
    "L.Heel.Top",
    "R.MT1",
    "L.MT1",
    "R.Shank.Top.Lateral",
    "L.Shank.Top.Lateral",
    "R.Thigh.Top.Lateral",
    "L.Thigh.Top.Lateral",
];
const RIC: [&str; 12] = [
    "pelvis_1",
    "pelvis_2",
    "pelvis_3",
    "L_thigh_1",
    "R_thigh_1",
    "L_shank_1",
    "R_shank_1",
    "L_foot_1",
    "R_foot_1",
    "L_foot_2",
    "R_foot_2",
    "pelvis_4",
];
const PIG_LOWER: [&str; 16] = [
    "LASI", "RASI", "LPSI", "RPSI", "LTHI", "RTHI", "LKNE", "RKNE", "LTIB", "RTIB", "LANK", "RANK",
    "LHEE", "RHEE", "LTOE", "RTOE",
];
const PIG_UPPER: [&str; 10] = [
    "C7", "T10", "CLAV", "STRN", "LSHO", "RSHO", "LWRA", "RWRA", "LFHD", "RFHD",
];
const OPENCAP: [&str; 12] = [
    "r.ASIS_study",
    "L.ASIS_study",
    "r.PSIS_study",
    "L.PSIS_study",
    "r_knee_study",
    "L_knee_study",
    "r_mknee_study",
    "L_mknee_study",
    "r_ankle_study",
    "L_ankle_study",
    "r_calc_study",
    "L_calc_study",
];
const THEIA: [&str; 6] = [
    "pelvis_4X4",
    "l_thigh_4X4",
    "r_thigh_4X4",
    "l_shank_4X4",
    "r_shank_4X4",
    "l_foot_4X4",
];

/// Share of `wanted` found among `labels` (case-insensitive; Plug-in Gait subject prefixes
/// such as `Runner01:LASI` are ignored).
fn share(labels: &[String], wanted: &[&str]) -> f64 {
    let bare: Vec<String> = labels
        .iter()
        .map(|l| l.rsplit(':').next().unwrap_or(l).to_ascii_lowercase())
        .collect();
    let hits = wanted
        .iter()
        .filter(|w| bare.iter().any(|l| *l == w.to_ascii_lowercase()))
        .count();
    hits as f64 / wanted.len() as f64
}

/// The preset whose identifying labels are best represented, with the share found (0–1).
/// A set counts only when at least 70 % of its identifying labels are present.
pub fn detect(markers: &[String], rotations: &[String]) -> (MarkerSet, f64) {
    let mut best = (MarkerSet::Unknown, 0.0);
    for (set, score) in [
        (MarkerSet::Rbds, share(markers, &RBDS)),
        (MarkerSet::RicClusters, share(markers, &RIC)),
        (MarkerSet::PluginGaitLower, share(markers, &PIG_LOWER)),
        (MarkerSet::Theia, share(rotations, &THEIA)),
        (MarkerSet::OpenCap, share(markers, &OPENCAP)),
    ] {
        if score > best.1 {
            best = (set, score);
        }
    }
    if best.0 == MarkerSet::PluginGaitLower && share(markers, &PIG_UPPER) >= 0.7 {
        best.0 = MarkerSet::PluginGaitFull;
    }
    if best.1 < 0.7 {
        return (MarkerSet::Unknown, best.1);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn plug_in_gait_with_subject_prefix() {
        let lower = v(&PIG_LOWER.map(|l| Box::leak(format!("S01:{l}").into_boxed_str()) as &str));
        assert_eq!(detect(&lower, &[]).0, MarkerSet::PluginGaitLower);
        let mut full = lower.clone();
        full.extend(v(&PIG_UPPER));
        assert_eq!(detect(&full, &[]).0, MarkerSet::PluginGaitFull);
    }

    #[test]
    fn opencap_study_markers() {
        let mut labels = v(&OPENCAP);
        labels.extend(v(&["Neck", "RBigToe", "RHJC_study"]));
        assert_eq!(detect(&labels, &[]).0, MarkerSet::OpenCap);
    }

    #[test]
    fn unknown_labels_are_unknown() {
        assert_eq!(detect(&v(&["a", "b", "c"]), &[]).0, MarkerSet::Unknown);
    }
}
