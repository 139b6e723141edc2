//! All IO against the outside world: files, the cluster (kube), Prometheus (reqwest) and the
//! GPU (NVML). Everything else in the crate is pure.

pub mod files;
pub mod prometheus;
pub mod walk;
