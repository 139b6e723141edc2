//! How a spec file's values are read: counts, signals, targets and durations, each with a
//! message that says what is expected in the user's terms (not a Rust type or an untagged
//! enum's name).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

use super::{DurationText, OneOrMany, Targets};
use crate::generate::preset::Signal;

/// A count: a whole number ≥ 0, or nothing (the range check is in `resolve`, shared with the
/// flags).
pub(super) fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct Whole;
    impl<'de> Visitor<'de> for Whole {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number ≥ 0")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_u64(self)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
        }
    }
    d.deserialize_option(Whole)
}

fn signal_names() -> String {
    Signal::ALL.map(Signal::name).join(", ")
}

fn signal<E: de::Error>(name: &str) -> Result<Signal, E> {
    Signal::parse(name).ok_or_else(|| {
        E::custom(format!(
            "unknown signal {name:?} (signals: {})",
            signal_names()
        ))
    })
}

/// One signal name inside a list.
struct SignalName(Signal);

impl<'de> Deserialize<'de> for SignalName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = SignalName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a signal ({})", signal_names())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SignalName, E> {
                signal(v).map(SignalName)
            }
        }
        d.deserialize_str(Name)
    }
}

impl<'de> Deserialize<'de> for OneOrMany<Signal> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Signals;
        impl<'de> Visitor<'de> for Signals {
            type Value = OneOrMany<Signal>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a signal ({}) or a list of signals", signal_names())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                signal(v).map(OneOrMany::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut signals = Vec::new();
                while let Some(SignalName(s)) = seq.next_element()? {
                    signals.push(s);
                }
                Ok(OneOrMany::Many(signals))
            }
        }
        d.deserialize_any(Signals)
    }
}

/// A number, said as such when something else is written.
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Num;
        impl Visitor<'_> for Num {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
        }
        d.deserialize_f64(Num)
    }
}

impl<'de> Deserialize<'de> for Targets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Target;
        impl<'de> Visitor<'de> for Target {
            type Value = Targets;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a number per signal (e.g. {queue: 5, kv-cache: 0.8})")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Targets, E> {
                Ok(Targets::One(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Targets, E> {
                Ok(Targets::One(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Targets, E> {
                Ok(Targets::One(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Targets, A::Error> {
                let mut targets = BTreeMap::new();
                while let Some((name, Number(value))) = map.next_entry::<String, Number>()? {
                    targets.insert(name, value);
                }
                Ok(Targets::PerSignal(targets))
            }
        }
        d.deserialize_any(Target)
    }
}

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Duration;
        impl Visitor<'_> for Duration {
            type Value = DurationText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 150s, 3m or 1m30s, or a whole number of seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DurationText, E> {
                Ok(DurationText::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DurationText, E> {
                Ok(DurationText::Seconds(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DurationText, E> {
                u64::try_from(v)
                    .map(DurationText::Seconds)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
            }
        }
        d.deserialize_any(Duration)
    }
}
