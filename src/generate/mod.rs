//! The scaling signal presets and the high-level spec → KEDA and Kueue objects.

pub mod timing;
