//! Winter's residual analysis (Winter, Biomechanics and Motor Control of Human Movement, 2009,
//! §3.4.4.3): the residual between a signal and its low-passed self falls with the cutoff until
//! only noise is removed, where it becomes a straight line in the cutoff; that line's intercept
//! estimates the noise, and the suggested cutoff is where the residual curve meets it.

use super::butter::butter_lowpass_sos;

/// Residual per cutoff and the cutoff it suggests.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidualAnalysis {
    pub cutoffs_hz: Vec<f64>,
    pub residuals: Vec<f64>,
    /// Intercept of the line fitted to the high-cutoff residuals (noise RMS estimate).
    pub noise_intercept: f64,
    /// Lowest cutoff whose residual is at or below the intercept.
    pub suggested_cutoff_hz: f64,
}

/// Residual analysis with a second-order zero-lag Butterworth (fourth order in effect), cutoffs
/// `cutoffs_hz` (ascending); the straight line is fitted to the upper `tail_fraction` of them.
/// NaN samples are left out of both the filter (runs are filtered separately) and the residual.
pub fn residual_analysis(
    x: &[f64],
    fs_hz: f64,
    cutoffs_hz: &[f64],
    tail_fraction: f64,
) -> crate::error::Result<ResidualAnalysis> {
    if cutoffs_hz.len() < 4 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::BadParameter,
            "residual analysis needs at least 4 cutoffs",
        ));
    }
    let valid = x.iter().filter(|v| v.is_finite()).count();
    if valid < 20 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::TooShort,
            format!("residual analysis needs at least 20 valid samples, got {valid}"),
        ));
    }
    let mut residuals = Vec::with_capacity(cutoffs_hz.len());
    for &fc in cutoffs_hz {
        let sos = butter_lowpass_sos(2, fc, fs_hz)?;
        let mut y = x.to_vec();
        super::butter::filtfilt_segments(&sos, &mut y);
        let (mut ss, mut n) = (0.0, 0usize);
        for (a, b) in x.iter().zip(&y) {
            if a.is_finite() && b.is_finite() {
                ss += (a - b) * (a - b);
                n += 1;
            }
        }
        residuals.push((ss / n.max(1) as f64).sqrt());
    }
    let k = ((cutoffs_hz.len() as f64 * tail_fraction.clamp(0.1, 0.9)).round() as usize).max(2);
    let tail = cutoffs_hz.len() - k;
    let (xs, ys) = (&cutoffs_hz[tail..], &residuals[tail..]);
    let m = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / m, ys.iter().sum::<f64>() / m);
    let sxy: f64 = xs.iter().zip(ys).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = xs.iter().map(|a| (a - mx) * (a - mx)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let intercept = my - slope * mx;
    let suggested = cutoffs_hz
        .iter()
        .zip(&residuals)
        .find(|(_, r)| **r <= intercept)
        .map_or(cutoffs_hz[cutoffs_hz.len() - 1], |(f, _)| *f);
    Ok(ResidualAnalysis {
        cutoffs_hz: cutoffs_hz.to_vec(),
        residuals,
        noise_intercept: intercept,
        suggested_cutoff_hz: suggested,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2 Hz movement plus white-ish noise: the suggested cutoff lies above the movement and
    /// well below Nyquist, and the noise estimate is near the noise actually added.
    #[test]
    fn finds_a_cutoff_between_signal_and_noise() {
        let fs = 200.0;
        let mut state: u64 = 12345;
        let mut noise = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0
        };
        let x: Vec<f64> = (0..2000)
            .map(|i| (2.0 * std::f64::consts::PI * 2.0 * i as f64 / fs).sin() * 50.0 + noise())
            .collect();
        let cutoffs: Vec<f64> = (2..=100).map(|k| k as f64 * 0.5).collect();
        let r = residual_analysis(&x, fs, &cutoffs, 0.4).unwrap();
        assert!(
            r.suggested_cutoff_hz > 2.0 && r.suggested_cutoff_hz < 20.0,
            "{}",
            r.suggested_cutoff_hz
        );
        // uniform noise on ±1 has RMS 1/√3 ≈ 0.58
        assert!(
            r.noise_intercept > 0.3 && r.noise_intercept < 0.8,
            "{}",
            r.noise_intercept
        );
    }
}
