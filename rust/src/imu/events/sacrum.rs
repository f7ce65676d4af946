//! Contacts from a lower-back (sacrum) accelerometer: the vertical and anteroposterior
//! acceleration method, step segmentation, step frequency, and Auvinet et al. 2002.

use super::{
    butter_lowpass_sos, check_rate, crossing_time, filtfilt_segments, local_ranges, percentile,
};

/// Settings of [`sacrum_contacts`], as fractions of the vertical signal's 5–95 % range (over
/// the 2 s around each sample).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SacrumOptions {
    /// A contact is where the vertical signal is above this.
    pub contact_level: f64,
    /// Two above-level parts are one contact while the dip between stays above this.
    pub merge_level: f64,
    /// TO is where the vertical signal falls below this.
    pub to_level: f64,
    /// Shorter contacts are dropped, s.
    pub min_contact_s: f64,
    /// Zero-lag low-pass (4th order Butterworth) of both signals before anything is picked,
    /// Hz; None: raw.
    pub lowpass_hz: Option<f64>,
}

impl Default for SacrumOptions {
    fn default() -> Self {
        Self {
            contact_level: 0.3,
            merge_level: 0.1,
            to_level: 0.1,
            min_contact_s: 0.08,
            lowpass_hz: Some(20.0),
        }
    }
}

pub(super) fn gradient(x: &[f64], rate_hz: f64) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| match i {
            _ if n < 2 => 0.0,
            0 => (x[1] - x[0]) * rate_hz,
            _ if i == n - 1 => (x[n - 1] - x[n - 2]) * rate_hz,
            _ => (x[i + 1] - x[i - 1]) * 0.5 * rate_hz,
        })
        .collect()
}

/// Contacts (IC, TO in s) from a sacrum sensor's vertical and (optional, may be empty)
/// anteroposterior specific force. Contacts cut by the ends of the recording are left out.
///
/// # Errors
/// A bad rate, under a second of data, lengths that differ, or a flat vertical signal.
pub fn sacrum_contacts(
    vertical: &[f64],
    ap: &[f64],
    rate_hz: f64,
    opts: &SacrumOptions,
) -> crate::error::Result<Vec<(f64, f64)>> {
    check_rate(rate_hz, vertical.len())?;
    let use_ap = !ap.is_empty() && ap.iter().any(|v| v.is_finite());
    if use_ap {
        crate::error::same_length(
            ("vertical signal", vertical.len()),
            ("anteroposterior", ap.len()),
        )?;
    }
    let smooth = |x: &[f64]| -> crate::error::Result<Vec<f64>> {
        match opts.lowpass_hz {
            Some(fc) if fc < 0.45 * rate_hz => {
                let sos = butter_lowpass_sos(4, fc, rate_hz)?;
                let mut y = x.to_vec();
                filtfilt_segments(&sos, &mut y);
                Ok(y)
            }
            _ => Ok(x.to_vec()),
        }
    };
    let v_owned = smooth(vertical)?;
    let ap_owned = if use_ap { smooth(ap)? } else { Vec::new() };
    let (v, ap) = (&v_owned[..], &ap_owned[..]);
    let n = v.len();
    let levels = Levels::of(v, rate_hz)?;
    let coarse = levels.above(v, opts.contact_level);
    // in running a contact is shorter than a step (duty factor under 0.5): parts of one stance
    // are merged only while the whole stays within the signal's own step period, so two steps
    // whose flight barely shows between them cannot become one contact
    let step_samples = step_frequency_hz(v, rate_hz).map_or(usize::MAX, |f| (rate_hz / f) as usize);
    let merged = merge_parts(coarse, v, &levels, opts.merge_level, step_samples);
    let (merged, split_ends) = split_by_step(merged, v, rate_hz);
    let dv = gradient(v, rate_hz);
    let dap = if use_ap {
        gradient(ap, rate_hz)
    } else {
        Vec::new()
    };

    let (before, after) = ((0.03 * rate_hz) as usize, (0.05 * rate_hz) as usize);
    let mut out = Vec::new();
    let starts: Vec<usize> = merged.iter().map(|c| c.0).collect();
    for (m, &(a, b)) in merged.iter().enumerate() {
        let next_start = starts.get(m + 1).copied().unwrap_or(n);
        let w0 = a.saturating_sub(before).max(1);
        let w1 = (a + after).min(n - 1);
        if w0 >= w1 {
            continue;
        }
        let ic = if use_ap {
            let Some(ic) = ic_from_braking(ap, &dap, w0..w1, rate_hz) else {
                continue;
            };
            ic
        } else {
            let k = (w0..w1)
                .max_by(|&x, &y| dv[x].total_cmp(&dv[y]))
                .unwrap_or(a);
            if dv[k] > 0.0 {
                // the tangent extended back to the level the rise starts from: the lowest
                // value in the step before it (not the trial's low, which a step with a
                // shallow flight never reaches)
                let from = k.saturating_sub(step_samples.min(n));
                let base = v[from..k]
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .fold(f64::INFINITY, f64::min);
                let base = if base.is_finite() {
                    base
                } else {
                    levels.range_at(k).0
                };
                k as f64 / rate_hz - (v[k] - base) / dv[k]
            } else {
                a as f64 / rate_hz
            }
        };
        // TO: the vertical signal falls to the off level, searched from just before the
        // contact's end; a contact split from a merged one (its end a dip between steps that
        // never reached the level) ends at that dip
        let to = if split_ends.contains(&b) {
            b as f64 / rate_hz
        } else {
            let from = b.saturating_sub(before);
            let off = levels.level_at(from, opts.to_level);
            let Some(to) = toe_off(v, from, b, next_start, off, rate_hz) else {
                continue;
            };
            to
        };
        if to - ic >= opts.min_contact_s && ic > 0.0 {
            out.push((ic, to));
        }
    }
    Ok(out)
}

/// Contact levels from the 5–95 % range of the 2 s around each sample (several strides), so a
/// baseline that drifts over a long outdoor recording (a sensor whose tilt or strap shifts, a
/// hill) keeps every step apart; on steady treadmill data they equal the whole trial's.
struct Levels {
    /// (5 %, 95 %) at every `grid`-th sample.
    ranges: Vec<(f64, f64)>,
    grid: usize,
}

impl Levels {
    fn of(v: &[f64], rate_hz: f64) -> crate::error::Result<Self> {
        let lo_all = percentile(v, 0.05).unwrap_or(f64::NAN);
        let hi_all = percentile(v, 0.95).unwrap_or(f64::NAN);
        if (hi_all - lo_all).is_nan() || hi_all - lo_all <= 1e-9 {
            return Err(crate::error::Error::stage(
                crate::error::Reason::NoEvents,
                "the vertical acceleration is flat: no contacts",
            ));
        }
        let half = rate_hz as usize;
        let grid = ((0.1 * rate_hz) as usize).max(1);
        let ranges = local_ranges(v, half, grid)
            .into_iter()
            .map(|r| match r {
                Some((a, b)) if b - a > 1e-9 => (a, b),
                _ => (lo_all, hi_all),
            })
            .collect();
        Ok(Self { ranges, grid })
    }
    /// The range at sample `i`, linear between grid points.
    fn range_at(&self, i: usize) -> (f64, f64) {
        let (ranges, grid) = (&self.ranges, self.grid);
        let k = (i / grid).min(ranges.len() - 1);
        let k1 = (k + 1).min(ranges.len() - 1);
        let w = (i % grid) as f64 / grid as f64;
        (
            ranges[k].0 * (1.0 - w) + ranges[k1].0 * w,
            ranges[k].1 * (1.0 - w) + ranges[k1].1 * w,
        )
    }
    /// The level a fraction `f` up the range at sample `i`.
    fn level_at(&self, i: usize, f: f64) -> f64 {
        let (lo, hi) = self.range_at(i);
        lo + f * (hi - lo)
    }
    /// Runs of samples above the level `f` (start, end), complete ones only.
    fn above(&self, v: &[f64], f: f64) -> Vec<(usize, usize)> {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for i in 0..v.len() - 1 {
            let (a, b) = (v[i], v[i + 1]);
            if !(a.is_finite() && b.is_finite()) {
                start = None;
                continue;
            }
            // each sample against its own level: a level that steps between grid points
            // cannot hide a crossing
            let (above_a, above_b) = (a >= self.level_at(i, f), b >= self.level_at(i + 1, f));
            if !above_a && above_b {
                start = Some(i);
            } else if above_a && !above_b {
                if let Some(s) = start.take() {
                    runs.push((s, i + 1));
                }
            }
        }
        runs
    }
}

/// Above-level parts of one stance merged while the dip between them stays above the merge
/// level and the whole stays within a step.
fn merge_parts(
    parts: Vec<(usize, usize)>,
    v: &[f64],
    levels: &Levels,
    merge_level: f64,
    step_samples: usize,
) -> Vec<(usize, usize)> {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for c in parts {
        if let Some(last) = merged.last_mut() {
            let dip = v[last.1..=c.0]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            if dip > levels.level_at(last.1, merge_level) && c.1 - last.0 < step_samples {
                last.1 = c.1;
                continue;
            }
        }
        merged.push(c);
    }
    merged
}

/// IC from the braking that opens a contact: the anteroposterior minimum in `window`, traced
/// back to where its fall starts and dated by the tangent at its steepest point.
fn ic_from_braking(
    ap: &[f64],
    dap: &[f64],
    window: std::ops::Range<usize>,
    rate_hz: f64,
) -> Option<f64> {
    let k = window
        .filter(|&i| ap[i].is_finite())
        .min_by(|&x, &y| ap[x].total_cmp(&ap[y]))?;
    let mut j = k;
    while j > 1 && ap[j - 1] > ap[j] {
        j -= 1;
    }
    let s = (j..=k)
        .min_by(|&x, &y| dap[x].total_cmp(&dap[y]))
        .unwrap_or(k);
    Some(if dap[s] < 0.0 {
        s as f64 / rate_hz - (ap[s] - ap[j]) / dap[s]
    } else {
        j as f64 / rate_hz
    })
}

/// TO: where the vertical signal, followed from `from`, falls below `off`; when the next step
/// (`next_start`) begins first, the lowest point between contact end `b` and it. None when the
/// recording ends first.
fn toe_off(
    v: &[f64],
    from: usize,
    b: usize,
    next_start: usize,
    off: f64,
    rate_hz: f64,
) -> Option<f64> {
    let n = v.len();
    let mut j = from;
    while j + 1 < n && j + 1 < next_start && v[j + 1] > off {
        j += 1;
    }
    if j + 1 >= n {
        return None;
    }
    Some(if j + 1 >= next_start && v[j + 1] > off {
        // the next step began before the signal fell to the level: the stance ended at the
        // lowest point between the two
        (b..next_start)
            .filter(|&i| v[i].is_finite())
            .min_by(|&x, &y| v[x].total_cmp(&v[y]))
            .map_or(b as f64 / rate_hz, |i| i as f64 / rate_hz)
    } else {
        crossing_time(v, j, off, rate_hz)
    })
}

/// Contacts longer than the step period are steps merged where the vertical signal never fell
/// to the merge level between them (a sensor or runner whose flight barely shows): in running a
/// contact is shorter than a step (duty factor under 0.5). Each is cut at the deepest vertical
/// minima, a step period apart, so steps cannot merge. The step period is the signal's own
/// (autocorrelation, [`step_frequency_hz`]). Returns the contacts and the sample indices that
/// are cut ends.
pub(super) fn split_by_step(
    contacts: Vec<(usize, usize)>,
    v: &[f64],
    rate_hz: f64,
) -> (Vec<(usize, usize)>, Vec<usize>) {
    let Some(step_hz) = step_frequency_hz(v, rate_hz) else {
        return (contacts, Vec::new());
    };
    let period = rate_hz / step_hz;
    let mut out = Vec::with_capacity(contacts.len());
    let mut ends = Vec::new();
    for (a, b) in contacts {
        let pieces = ((b - a) as f64 / period).round() as usize;
        if (b - a) as f64 <= period || pieces < 2 {
            out.push((a, b));
            continue;
        }
        // cut where the signal is lowest around each multiple of the period
        let mut start = a;
        for k in 1..pieces {
            let centre = a + (k as f64 * period) as usize;
            let half = (0.3 * period) as usize;
            let (lo, hi) = (
                centre.saturating_sub(half).max(start + 1),
                (centre + half).min(b - 1),
            );
            let Some(cut) = (lo..=hi)
                .filter(|&i| v[i].is_finite())
                .min_by(|&x, &y| v[x].total_cmp(&v[y]))
            else {
                continue;
            };
            out.push((start, cut));
            ends.push(cut);
            start = cut;
        }
        out.push((start, b));
    }
    (out, ends)
}

/// Step frequency (Hz) of a periodic running signal from its autocorrelation: the stride
/// period is the autocorrelation peak near twice the step period (step 0.2–0.5 s), refined
/// by a parabola, halved. Using the stride averages left–right differences. `None` when the
/// signal has no clear periodicity.
#[must_use]
pub fn step_frequency_hz(x: &[f64], rate_hz: f64) -> Option<f64> {
    if !(rate_hz.is_finite() && rate_hz > 0.0) {
        return None;
    }
    let fin: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if fin.len() < (2.0 * rate_hz) as usize {
        return None;
    }
    let mean = fin.iter().sum::<f64>() / fin.len() as f64;
    let y: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let n = y.len();
    let acf = |lag: usize| -> f64 {
        let (mut s, mut k) = (0.0, 0usize);
        for i in 0..n - lag {
            let p = y[i] * y[i + lag];
            if p.is_finite() {
                s += p;
                k += 1;
            }
        }
        if k == 0 {
            f64::NAN
        } else {
            s / k as f64
        }
    };
    let r0 = acf(0);
    if r0.is_nan() || r0 <= 0.0 {
        return None;
    }
    let (l0, l1) = ((0.2 * rate_hz) as usize, (0.5 * rate_hz) as usize);
    let step = (l0..=l1.min(n / 2)).max_by(|&a, &b| acf(a).total_cmp(&acf(b)))?;
    let half = (0.05 * rate_hz).max(1.0) as usize;
    let (s0, s1) = (2 * step - half, (2 * step + half).min(n - 2));
    let lags: Vec<(usize, f64)> = (s0..=s1).map(|l| (l, acf(l))).collect();
    let (k, rk) = lags.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    if rk / r0 < 0.2 {
        return None;
    }
    let (rm, rp) = (acf(k - 1), acf(k + 1));
    let den = rm - 2.0 * rk + rp;
    let d = if den.abs() > 1e-15 {
        (0.5 * (rm - rp) / den).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Some(2.0 * rate_hz / (k as f64 + d))
}

/// The shortest step, s: 4 steps per second is above any distance runner's cadence (240/min).
pub(super) const MIN_STEP_S: f64 = 0.25;

/// Contacts (IC, TO in s) from a lower-back accelerometer by **Auvinet et al. (2002)** as the
/// 74-runner comparison of Kiernan et al. (2023, Sensors) applied
/// it (they recommend it for the sacrum: IC bias −30.4 ms, TC −2.8 ms, limits of agreement
/// about ±120 and ±150 ms): each step's vertical acceleration peak (steps at least 0.25 s
/// apart; the first and last peak are dropped); between two peaks the vertical minimum; after
/// it the anteroposterior minimum (the braking), walked back to the maximum before it; IC is
/// half way between that maximum and the vertical minimum. TO is the first sample after the
/// step's vertical peak where the vertical acceleration, gravity removed, falls to −1 m/s² (the
/// body no longer loaded). `vertical` and `ap` are specific force in m/s² (vertical with
/// gravity, + up; AP + anterior). Steps are found peak to peak, so two steps cannot merge.
///
/// # Errors
/// A bad rate, under a second of data, lengths that differ, or no vertical peaks.
pub fn auvinet_contacts(
    vertical: &[f64],
    ap: &[f64],
    rate_hz: f64,
) -> crate::error::Result<Vec<(f64, f64)>> {
    check_rate(rate_hz, vertical.len())?;
    crate::error::same_length(
        ("vertical signal", vertical.len()),
        ("anteroposterior", ap.len()),
    )?;
    let n = vertical.len();
    let v: Vec<f64> = vertical.iter().map(|x| x - crate::imu::G).collect();
    let distance = ((MIN_STEP_S * rate_hz).round() as usize).max(1);
    // tallest first, at least a step apart (MATLAB's findpeaks MinPeakDistance)
    let cand: Vec<usize> = (1..n - 1)
        .filter(|&i| v[i].is_finite() && v[i] >= v[i - 1] && v[i] > v[i + 1])
        .collect();
    let peaks = crate::events::separated_peaks(&v, cand, distance);
    if peaks.len() < 4 {
        return Err(crate::error::Error::stage(
            crate::error::Reason::NoEvents,
            "fewer than four vertical acceleration peaks: no steps",
        ));
    }
    let peaks = &peaks[1..peaks.len() - 1];
    let argmin = |x: &[f64], a: usize, b: usize| -> Option<usize> {
        (a..=b)
            .filter(|&i| x[i].is_finite())
            .min_by(|&p, &q| x[p].total_cmp(&x[q]))
    };
    let mut out = Vec::new();
    for w in peaks.windows(2) {
        let (p0, p1) = (w[0], w[1]);
        let Some(vmin) = argmin(&v, p0, p1) else {
            continue;
        };
        let Some(apmin) = argmin(ap, vmin, p1) else {
            continue;
        };
        let mut j = apmin;
        while j > 0 && ap[j - 1] > ap[j] {
            j -= 1;
        }
        let ic = 0.5 * (j + vmin) as f64 / rate_hz;
        let Some(off) = (p1..n).find(|&i| v[i] <= -1.0) else {
            continue;
        };
        let to = if off > 0 && v[off - 1] > -1.0 {
            crossing_time(&v, off - 1, -1.0, rate_hz)
        } else {
            off as f64 / rate_hz
        };
        out.push((ic, to));
    }
    Ok(out)
}
