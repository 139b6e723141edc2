//! The rules, one file per family. Each file holds the rules' catalog entries (code, name,
//! severity, documentation) beside the check functions they point to.

pub mod cold_start;
pub mod gpu;
pub mod keda;
pub mod kueue;
pub mod objects;
pub mod promql;
pub mod scale_zero;
pub mod schema;
