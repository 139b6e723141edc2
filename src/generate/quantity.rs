//! Kubernetes resource quantities (`4`, `500m`, `32Gi`): parsed for arithmetic (per-replica
//! requests × replicas for Kueue quota) and written back in canonical form.

use std::fmt;

/// A quantity as a number of base units (cores, bytes).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Quantity {
    value: f64,
    binary: bool,
}

const SUFFIXES: &[(&str, f64, bool)] = &[
    ("Ki", 1024.0, true),
    ("Mi", 1_048_576.0, true),
    ("Gi", 1_073_741_824.0, true),
    ("Ti", 1_099_511_627_776.0, true),
    ("m", 0.001, false),
    ("k", 1e3, false),
    ("M", 1e6, false),
    ("G", 1e9, false),
    ("T", 1e12, false),
];

impl Quantity {
    /// Parses `4`, `0.5`, `500m`, `32Gi`, `64G`; refuses anything else with a message.
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let text = text.trim();
        let (number, scale, binary) = SUFFIXES
            .iter()
            .find_map(|(suffix, scale, binary)| {
                text.strip_suffix(suffix).map(|n| (n, *scale, *binary))
            })
            .unwrap_or((text, 1.0, false));
        match number.parse::<f64>() {
            Ok(n) if n.is_finite() && n > 0.0 && !number.starts_with('+') => Ok(Quantity {
                value: n * scale,
                binary,
            }),
            _ => Err(format!(
                "{text:?} is not a positive quantity such as 4, 500m or 32Gi"
            )),
        }
    }

    /// The sum of two quantities, written in binary units only when both were.
    pub fn plus(self, other: Quantity) -> Quantity {
        Quantity {
            value: self.value + other.value,
            binary: self.binary && other.binary,
        }
    }

    /// This quantity times `n`.
    pub fn times(self, n: u64) -> Quantity {
        Quantity {
            // A replica count (at most int32): exact in an f64.
            value: self.value * n as f64,
            binary: self.binary,
        }
    }
}

impl fmt::Display for Quantity {
    /// Whole Gi/Mi for binary quantities that divide evenly, whole numbers or millis otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value;
        if self.binary {
            for (suffix, scale) in [("Ti", 1_099_511_627_776.0), ("Gi", 1_073_741_824.0)] {
                if v >= scale && (v / scale).fract() == 0.0 {
                    return write!(f, "{}{suffix}", v / scale);
                }
            }
            for (suffix, scale) in [("Mi", 1_048_576.0), ("Ki", 1024.0)] {
                if (v / scale).fract() == 0.0 {
                    return write!(f, "{}{suffix}", v / scale);
                }
            }
        }
        if v.fract() == 0.0 {
            write!(f, "{v}")
        } else {
            write!(f, "{}m", (v * 1000.0).round())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonical_forms() {
        assert_eq!(Quantity::parse("4").unwrap().to_string(), "4");
        assert_eq!(Quantity::parse("500m").unwrap().to_string(), "500m");
        assert_eq!(Quantity::parse("1.5").unwrap().to_string(), "1500m");
        assert_eq!(
            Quantity::parse("32Gi").unwrap().times(3).to_string(),
            "96Gi"
        );
        assert_eq!(
            Quantity::parse("512Mi").unwrap().times(3).to_string(),
            "1536Mi"
        );
        assert_eq!(Quantity::parse("2048Gi").unwrap().to_string(), "2Ti");
        assert_eq!(Quantity::parse("4").unwrap().times(8).to_string(), "32");
    }

    #[test]
    fn refuses_what_is_not_a_quantity() {
        for text in ["", "lots", "-4", "0", "4Gb", "+3", "NaN"] {
            let err = Quantity::parse(text).unwrap_err();
            assert!(err.contains("not a positive quantity"), "{text}: {err}");
        }
    }
}
