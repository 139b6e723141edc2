//! The scaling signal presets and the high-level spec → KEDA and Kueue objects.
//!
//! `spec` validates the input (flags or a spec file) into models, `preset` reads the server
//! presets from `templates/`, `timing` turns the cold start into windows, and `build` (with
//! `deployment`) makes the objects. Everything here is pure.

pub mod build;
pub mod deployment;
pub mod names;
pub mod preset;
pub mod quantity;
pub mod shared;
pub mod spec;
pub mod timing;
