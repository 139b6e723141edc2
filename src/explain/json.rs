//! Small readers over `serde_json::Value` objects as the API server serves them.

use jiff::Timestamp;
use serde_json::Value;

use crate::engine::quantity::{Milli, approximate_f64};

/// A string at a JSON pointer.
pub fn str_at<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.pointer(pointer).and_then(Value::as_str)
}

/// An integer at a JSON pointer (a number, or a string holding one).
pub fn i64_at(object: &Value, pointer: &str) -> Option<i64> {
    match object.pointer(pointer)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An `i32` at a JSON pointer, saturating.
pub fn i32_at(object: &Value, pointer: &str) -> Option<i32> {
    i64_at(object, pointer)
        .map(|v| i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX }))
}

/// A float at a JSON pointer (a number, or a string holding one, as KEDA metadata is).
pub fn f64_at(object: &Value, pointer: &str) -> Option<f64> {
    match object.pointer(pointer)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A Kubernetes quantity at a JSON pointer, in milli-units (`Quantity.MilliValue()`). A
/// number is read from its decimal text, so `16.1` is exactly `16100m`.
pub fn milli_at(object: &Value, pointer: &str) -> Option<Milli> {
    match object.pointer(pointer)? {
        Value::String(s) => Milli::parse(s).ok(),
        Value::Number(n) => Milli::parse(&n.to_string()).ok(),
        _ => None,
    }
}

/// A Kubernetes quantity at a JSON pointer as a float, as `Quantity.AsApproximateFloat64()`
/// reads it (no rounding to milli: a tolerance of `0.0005` stays `0.0005`).
pub fn quantity_f64_at(object: &Value, pointer: &str) -> Option<f64> {
    match object.pointer(pointer)? {
        Value::String(s) => approximate_f64(s).ok(),
        Value::Number(n) => approximate_f64(&n.to_string()).ok(),
        _ => None,
    }
}

/// An RFC 3339 time at a JSON pointer.
pub fn time_at(object: &Value, pointer: &str) -> Option<Timestamp> {
    str_at(object, pointer).and_then(|s| s.parse().ok())
}

/// The items of an array at a JSON pointer (empty when absent).
pub fn array_at<'a>(object: &'a Value, pointer: &str) -> &'a [Value] {
    object
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether a KEDA metadata or annotation string reads as true (`"true"`, `"1"`, …).
pub fn truthy(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "t" | "yes"
    )
}

/// The condition of `type` in `status.conditions`.
pub fn condition<'a>(object: &'a Value, condition_type: &str) -> Option<&'a Value> {
    array_at(object, "/status/conditions")
        .iter()
        .find(|c| c["type"] == condition_type)
}

/// A label's value.
pub fn label<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get("metadata")?.get("labels")?.get(key)?.as_str()
}

/// An annotation's value.
pub fn annotation<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .get("metadata")?
        .get("annotations")?
        .get(key)?
        .as_str()
}
