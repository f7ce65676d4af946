//! The sole of a foot tracked by a shoe cluster without heel or toe markers (the Running Injury
//! Clinic protocol: four markers on the heel counter; malleoli and greater trochanters in the
//! static trial only), placed from the static trial.
//!
//! On the static's floor (z = 0), along the foot's long axis (horizontal, perpendicular to the
//! line between the malleoli), from the heel — below the cluster's rearmost marker, the
//! cluster sitting on the heel counter — forward by the foot length. Foot length and width are
//! Drillis & Contini's proportions of stature (foot length 0.152 H, foot width 0.055 H,
//! greater-trochanter height 0.530 H, ankle height 0.039 H; as tabulated in Winter 2009,
//! Fig. 4.1) applied to the runner's own trochanter-to-malleolus height in standing.
//!
//! Used by the kinematic model (a heel and a toe point, hence the foot frame and the heel-based
//! metrics) and by the foot-segment event route (a row of sole points the detector chooses
//! from), so both place the same foot.

use super::{Side, V3};

/// Foot length per trochanter-to-malleolus height: 0.152 / (0.530 − 0.039).
pub const FOOT_PER_LEG: f64 = 0.152 / (0.530 - 0.039);
/// Foot width per trochanter-to-malleolus height: 0.055 / (0.530 − 0.039).
pub const WIDTH_PER_LEG: f64 = 0.055 / (0.530 - 0.039);

/// A foot's sole in the static trial's lab frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sole {
    /// The heel's floor point, m.
    pub heel: V3,
    /// Unit vector along the foot, heel to toe, horizontal.
    pub forward: V3,
    /// Unit vector to the foot's lateral side, horizontal.
    pub lateral: V3,
    /// Foot length and width, m.
    pub length_m: f64,
    pub width_m: f64,
}

impl Sole {
    /// The floor point at `fraction` of the foot length from the heel, `across` half-widths to
    /// the lateral side (negative: medial).
    pub fn point(&self, fraction: f64, across: f64) -> V3 {
        self.heel
            + self.forward * (fraction * self.length_m)
            + self.lateral * (across * self.width_m / 2.0)
    }

    /// The toe's floor point (the foot length ahead of the heel).
    pub fn toe(&self) -> V3 {
        self.point(1.0, 0.0)
    }

    /// The points the event detector chooses from, with their labels: on the midline at 0, 60,
    /// 70, 80, 90 and 100 % of the foot length, and lateral and medial (half the width) at
    /// 60–80 %, about where the metatarsal heads are (a forefoot striker lands on the lateral
    /// forefoot).
    pub fn event_points(&self) -> Vec<(String, V3)> {
        let mut out = Vec::new();
        for pct in [0_u32, 60, 70, 80, 90, 100] {
            let f = f64::from(pct) / 100.0;
            out.push((format!("sole {pct} %"), self.point(f, 0.0)));
            if (60..=80).contains(&pct) {
                out.push((format!("sole {pct} % lateral"), self.point(f, 1.0)));
                out.push((format!("sole {pct} % medial"), self.point(f, -1.0)));
            }
        }
        out
    }
}

/// The sole from both malleoli, a greater-trochanter marker and the foot cluster's markers, all
/// as seen in the static trial; `None` when the geometry is degenerate (malleoli on one vertical
/// line, a trochanter not above the ankle, no cluster).
pub fn from_static(
    malleolus_a: V3,
    malleolus_b: V3,
    trochanter: V3,
    cluster: &[V3],
    side: Side,
) -> Option<Sole> {
    let ankle = (malleolus_a + malleolus_b) / 2.0;
    let across = V3::new(
        malleolus_a[0] - malleolus_b[0],
        malleolus_a[1] - malleolus_b[1],
        0.0,
    );
    let mut forward = across.cross(&V3::z()).try_normalize(1e-9)?;
    if forward[0] < 0.0 {
        forward = -forward;
    }
    let leg = trochanter[2] - ankle[2];
    if !(leg.is_finite() && leg > 0.2) {
        return None;
    }
    let rear = cluster
        .iter()
        .filter(|c| c.iter().all(|v| v.is_finite()))
        .map(|c| (c - ankle).dot(&forward))
        .min_by(f64::total_cmp)?;
    let mut heel = ankle + forward * rear;
    heel[2] = 0.0;
    let left = V3::z().cross(&forward);
    let lateral = match side {
        Side::L => left,
        Side::R => -left,
    };
    Some(Sole {
        heel,
        forward,
        lateral,
        length_m: FOOT_PER_LEG * leg,
        width_m: WIDTH_PER_LEG * leg,
    })
}

/// How far the heel lies behind the ankle joint centre, as a share of the ankle-to-MTP distance
/// (horizontally, standing): 0.63–0.71, mean 0.67, from the heel-counter marker (Heel.Bottom),
/// the malleoli and MT1/MT5 of the RBDS001 and RBDS032 static trials, both feet.
pub const HEEL_PER_ANKLE_TO_MTP: f64 = 0.67;

/// The heel of a foot segment whose origin is the ankle joint centre and whose toes segment
/// starts at the metatarsophalangeal joint (Theia3D), in the foot's frame: behind the origin by
/// [`HEEL_PER_ANKLE_TO_MTP`] of the ankle-to-MTP distance measured across the `up` axis (the
/// foot frame's axis nearest the vertical), at the MTP's depth along it.
pub fn heel_from_mtp(mtp: V3, up: usize) -> V3 {
    let mut heel = -mtp * HEEL_PER_ANKLE_TO_MTP;
    heel[up] = mtp[up];
    heel
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A left foot standing at 10° toe-out with the cluster 6 cm behind the ankle: the sole
    /// follows the foot, the heel lies under the rearmost marker on the floor, the foot is
    /// 0.31 leg lengths long, and lateral points to the left.
    #[test]
    fn sole_follows_the_standing_foot() {
        let a = 10_f64.to_radians();
        let fwd = V3::new(a.cos(), a.sin(), 0.0);
        let lat_dir = V3::new(-a.sin(), a.cos(), 0.0); // to the left of the foot
        let ankle = V3::new(0.1, 0.2, 0.08);
        let (mal_lat, mal_med) = (ankle + lat_dir * 0.035, ankle - lat_dir * 0.035);
        let troch = ankle + V3::new(0.0, 0.0, 0.82);
        let cluster = [
            ankle - fwd * 0.06 + V3::new(0.0, 0.0, -0.02),
            ankle - fwd * 0.04,
        ];
        let sole = from_static(mal_lat, mal_med, troch, &cluster, Side::L).unwrap();
        assert!((sole.forward - fwd).norm() < 1e-12);
        assert!((sole.lateral - lat_dir).norm() < 1e-12);
        let heel = ankle - fwd * 0.06;
        assert!((sole.heel - V3::new(heel[0], heel[1], 0.0)).norm() < 1e-12);
        assert!((sole.length_m - 0.82 * FOOT_PER_LEG).abs() < 1e-12);
        assert!((sole.toe() - sole.heel - fwd * sole.length_m).norm() < 1e-12);
        assert_eq!(sole.event_points().len(), 12);
        // the right foot's lateral side is the other way
        let right = from_static(mal_lat, mal_med, troch, &cluster, Side::R).unwrap();
        assert!((right.lateral + lat_dir).norm() < 1e-12);
        assert!(from_static(mal_lat, mal_lat, troch, &cluster, Side::L).is_none());
        assert!(from_static(mal_lat, mal_med, ankle, &cluster, Side::L).is_none());
    }

    /// Theia's left foot: the MTP 165 mm ahead of and 71 mm below the ankle (its file): the
    /// heel 111 mm behind, at the same depth.
    #[test]
    fn heel_behind_the_ankle_from_the_mtp() {
        let heel = heel_from_mtp(V3::new(0.001, 0.165, -0.071), 2);
        assert!((heel - V3::new(-0.00067, -0.11055, -0.071)).norm() < 1e-12);
    }
}
