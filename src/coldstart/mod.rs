//! Cold start, the pure part of `probe`: statistics over measurements, PCIe bandwidth, the
//! GPU, weight-load and pod reports, the choice of the cold start, and the probe report that
//! `generate` and `lint` read back.

pub mod gpu;
pub mod pcie;
pub mod pods;
pub mod report;
pub mod selector;
pub mod stats;
pub mod weights;
