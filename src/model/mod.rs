//! Typed views of KEDA, Kueue and Kubernetes objects, and manifests with source positions.

pub mod keda;
pub mod kueue;
pub mod manifest;
pub mod scalar;
pub mod value;
