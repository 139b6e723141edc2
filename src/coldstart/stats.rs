//! Order statistics over measured durations: median, p90 and max.

use serde::{Deserialize, Serialize};

/// The summary of a set of measurements, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// How many measurements there were.
    pub count: usize,
    /// The median (the mean of the two middle values when the count is even).
    pub median: f64,
    /// The 90th percentile by nearest rank: the smallest value that at least 90% of the
    /// measurements do not exceed. Nearest rank never interpolates below a value that was
    /// actually measured, which is the safe side for a cold-start budget.
    pub p90: f64,
    /// The largest measurement.
    pub max: f64,
}

/// Summarises `values` (seconds); `None` when there are none or one is not a finite number.
pub fn summarize(values: &[f64]) -> Option<Summary> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    Some(Summary {
        count: n,
        median,
        p90: nearest_rank(&sorted, 0.9),
        max: sorted[n - 1],
    })
}

/// Seconds as people read them: `0.55s` and `12.3s` below a minute, then whole seconds as
/// `4m40s`, `5m`, `1h0m5s`, `53h`.
pub fn human_duration(seconds: f64) -> String {
    if seconds < 10.0 {
        return format!("{seconds:.2}s");
    }
    if seconds < 59.95 {
        return format!("{seconds:.1}s");
    }
    let whole = seconds.round() as u64;
    let (h, m, s) = (whole / 3600, whole % 3600 / 60, whole % 60);
    let mut text = String::new();
    if h > 0 {
        text.push_str(&format!("{h}h"));
    }
    if m > 0 || (h > 0 && s > 0) {
        text.push_str(&format!("{m}m"));
    }
    if s > 0 {
        text.push_str(&format!("{s}s"));
    }
    text
}

/// The nearest-rank percentile `q` (0 < q ≤ 1) of sorted, non-empty values.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_count_median_is_the_middle_value() {
        let s = summarize(&[30.0, 10.0, 20.0]).unwrap();
        assert_eq!((s.count, s.median, s.p90, s.max), (3, 20.0, 30.0, 30.0));
    }

    #[test]
    fn p90_is_by_nearest_rank() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = summarize(&values).unwrap();
        assert_eq!(s.median, 5.5);
        assert_eq!(s.p90, 9.0);
        assert_eq!(s.max, 10.0);
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(summarize(&values).unwrap().p90, 18.0);
    }

    #[test]
    fn one_value_is_every_statistic() {
        let s = summarize(&[42.5]).unwrap();
        assert_eq!((s.median, s.p90, s.max), (42.5, 42.5, 42.5));
    }

    #[test]
    fn durations_read_as_people_write_them() {
        let cases = [
            (0.554, "0.55s"),
            (12.34, "12.3s"),
            (59.99, "1m"),
            (280.0, "4m40s"),
            (300.0, "5m"),
            (3605.0, "1h0m5s"),
            (3660.0, "1h1m"),
            (190_800.0, "53h"),
        ];
        for (seconds, text) in cases {
            assert_eq!(human_duration(seconds), text, "{seconds}");
        }
    }

    #[test]
    fn nothing_or_nan_has_no_summary() {
        assert_eq!(summarize(&[]), None);
        assert_eq!(summarize(&[1.0, f64::NAN]), None);
    }
}
