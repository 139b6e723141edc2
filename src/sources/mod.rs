//! All IO against the outside world: files, the cluster (kube), Prometheus (reqwest) and the
//! GPU (NVML). Everything else in the crate is pure.

pub mod cluster;
pub mod exec;
pub mod files;
pub mod gpu;
pub mod manifests;
pub mod objects;
pub mod probe_report;
pub mod prometheus;
pub mod walk;
pub mod weights;
