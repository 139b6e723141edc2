//! Milli-quantities: the integer unit in which the HPA compares every metric value and target.
//!
//! The HPA reads each value with `Quantity.MilliValue()`, which rounds up to the next milli;
//! KEDA produces its values and targets with `int64(x * 1000)`, which truncates. Both
//! conversions live here so that the rest of the engine only sees integers.

use std::fmt;

use serde::{Serialize, Serializer};

/// A value in thousandths (`1334m` is `Milli(1334)`), as the HPA compares metrics.
///
/// Serialized as a plain JSON number in units (`Milli(1334)` → `1.334`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Milli(pub i64);

/// Why a Kubernetes quantity string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid quantity {text:?}: {why}")]
pub struct QuantityError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl Milli {
    /// Zero.
    pub const ZERO: Milli = Milli(0);

    /// Whole units (`3` → `3000m`), saturating.
    pub fn from_units(units: i64) -> Milli {
        Milli(units.saturating_mul(1000))
    }

    /// A float as KEDA turns it into a metric or a target: `int64(value * 1000)`, which
    /// truncates toward zero (`GenerateMetricInMili`, `GetMetricTargetMili`). NaN is 0 and
    /// out-of-range values saturate, as a Go conversion does on amd64 for the common cases.
    pub fn from_keda_f64(value: f64) -> Milli {
        Milli(saturating_i64((value * 1000.0).trunc()))
    }

    /// A float that is already in thousandths, truncated toward zero (`int64(x)` in Go), as
    /// KEDA's fallback builds `target × 1000 × replicas`.
    pub fn from_milli_f64(milli: f64) -> Milli {
        Milli(saturating_i64(milli.trunc()))
    }

    /// The value in units, as a float (`1334m` → `1.334`).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Parses a Kubernetes quantity (`"10"`, `"1334m"`, `"1.5k"`, `"2Gi"`, `"1e3"`) and rounds it
    /// up to the next milli, as `Quantity.MilliValue()` does.
    pub fn parse(text: &str) -> Result<Milli, QuantityError> {
        let error = |why| QuantityError {
            text: text.to_string(),
            why,
        };
        let trimmed = text.trim();
        let (number, suffix) = split_suffix(trimmed);
        let (num, den) = suffix_factor(suffix).ok_or_else(|| error("unknown suffix"))?;
        let (mantissa, scale) = parse_decimal(number).ok_or_else(|| error("not a number"))?;
        let numerator = mantissa.checked_mul(num).and_then(|n| n.checked_mul(1000));
        let denominator = pow10(scale).and_then(|d| d.checked_mul(den));
        match (numerator, denominator) {
            (Some(n), Some(d)) => Ok(Milli(saturating_i64_from_i128(div_ceil(n, d)))),
            _ => Ok(Milli(if mantissa < 0 { i64::MIN } else { i64::MAX })),
        }
    }
}

/// A Kubernetes quantity as a float, as `Quantity.AsApproximateFloat64()` computes it: the
/// unscaled integer times a power of ten (or the binary multiple), with no rounding to milli.
pub fn approximate_f64(text: &str) -> Result<f64, QuantityError> {
    let error = |why| QuantityError {
        text: text.to_string(),
        why,
    };
    let (number, suffix) = split_suffix(text.trim());
    let (num, den) = suffix_factor(suffix).ok_or_else(|| error("unknown suffix"))?;
    let (mantissa, scale) = parse_decimal(number).ok_or_else(|| error("not a number"))?;
    let places = i32::try_from(scale).map_err(|_| error("too many digits"))?;
    Ok(mantissa as f64 * num as f64 / den as f64 / 10f64.powi(places))
}

impl fmt::Display for Milli {
    /// Kubernetes style: `1334m` when there is a fraction, `3` when whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 1000 == 0 {
            write!(f, "{}", self.0 / 1000)
        } else {
            write!(f, "{}m", self.0)
        }
    }
}

impl Serialize for Milli {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

fn saturating_i64(value: f64) -> i64 {
    if value.is_nan() {
        0
    } else {
        // `as` saturates at the bounds in Rust.
        value as i64
    }
}

fn saturating_i64_from_i128(value: i128) -> i64 {
    value.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

fn div_ceil(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    if numerator % denominator != 0 && (numerator > 0) == (denominator > 0) {
        quotient + 1
    } else {
        quotient
    }
}

fn pow10(exponent: u32) -> Option<i128> {
    10i128.checked_pow(exponent)
}

/// Splits `"1.5Gi"` into `("1.5", "Gi")`; an exponent (`1e3`) stays with the number.
/// A quantity split into its number and its suffix (`"16Gi"` → `("16", "Gi")`); an
/// exponent (`1e3`) is part of the number.
pub fn split_suffix(text: &str) -> (&str, &str) {
    let is_exponent = |s: &str| {
        let rest = s.strip_prefix(['e', 'E']).unwrap_or("");
        let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
    };
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(end);
    if is_exponent(suffix) {
        (text, "")
    } else {
        (number, suffix)
    }
}

/// The factor of a suffix (`Gi` → 1073741824, `m` → 0.001); `None` for an unknown suffix.
pub fn suffix_scale(suffix: &str) -> Option<f64> {
    suffix_factor(suffix).map(|(num, den)| num as f64 / den as f64)
}

/// The factor of a suffix as a fraction `(numerator, denominator)`.
fn suffix_factor(suffix: &str) -> Option<(i128, i128)> {
    let binary = |power: u32| Some((1i128 << (10 * power), 1));
    let decimal = |exponent: i32| {
        if exponent >= 0 {
            Some((10i128.pow(exponent.unsigned_abs()), 1))
        } else {
            Some((1, 10i128.pow(exponent.unsigned_abs())))
        }
    };
    match suffix {
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "" => decimal(0),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => None,
    }
}

/// Parses `[+-]digits[.digits][e[+-]digits]` into `(mantissa, decimal places)`, folding a
/// positive exponent into the mantissa and a negative one into the places.
fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let (body, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (negative, body) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body.strip_prefix('+').unwrap_or(body)),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let digits = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 36 {
        return None;
    }
    let mut mantissa: i128 = digits.parse().ok()?;
    let mut places = i32::try_from(fraction.len()).ok()? - exponent;
    while places < 0 {
        mantissa = mantissa.checked_mul(10)?;
        places += 1;
    }
    let places = u32::try_from(places).ok()?;
    if places > 36 {
        return None;
    }
    Some((if negative { -mantissa } else { mantissa }, places))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_quantities_rounding_up_to_milli() {
        let cases = [
            ("10", 10_000),
            ("1334m", 1334),
            ("1.5k", 1_500_000),
            ("2Ki", 2_048_000),
            ("1e3", 1_000_000),
            ("0.0001", 1),
            ("-1.5", -1500),
            ("100n", 1),
            ("  7 ", 7000),
        ];
        for (text, milli) in cases {
            assert_eq!(Milli::parse(text), Ok(Milli(milli)), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_quantities() {
        for text in ["", "abc", "1.2.3", "5Xi", "m"] {
            assert!(Milli::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn keda_conversion_truncates_and_hpa_conversion_rounds_up() {
        assert_eq!(Milli::from_keda_f64(1.2345), Milli(1234));
        assert_eq!(Milli::parse("1.2341"), Ok(Milli(1235)));
        assert_eq!(Milli::from_keda_f64(f64::NAN), Milli(0));
        assert_eq!(Milli::from_keda_f64(1e300), Milli(i64::MAX));
    }

    #[test]
    fn approximate_floats_keep_sub_milli_precision() {
        assert_eq!(approximate_f64("0.05"), Ok(0.05));
        assert_eq!(approximate_f64("50m"), Ok(0.05));
        assert_eq!(approximate_f64("0.0005"), Ok(0.0005));
        assert_eq!(approximate_f64("1.5k"), Ok(1500.0));
        assert!(approximate_f64("abc").is_err());
        // Milli rounds 0.0005 up to 1m; the tolerance must not.
        assert_eq!(Milli::parse("0.0005"), Ok(Milli(1)));
    }

    #[test]
    fn displays_like_kubernetes() {
        assert_eq!(Milli(1334).to_string(), "1334m");
        assert_eq!(Milli(3000).to_string(), "3");
    }
}
