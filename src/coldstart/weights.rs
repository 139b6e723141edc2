//! The weights probe's arithmetic: from the bytes of the weight files, the measured read
//! throughput and the PCIe bandwidth, the estimated time to load the weights onto the GPU.

use serde::{Deserialize, Serialize};

/// What was read from the model folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightsReading {
    /// The model folder.
    pub path: String,
    /// How many weight files it holds.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// How many of those bytes were read to measure throughput.
    pub sampled_bytes: u64,
    /// Seconds the sample took to read.
    pub read_seconds: f64,
}

/// Which stage bounds the weight load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LoadBound {
    /// Reading the files from storage.
    Disk,
    /// Copying over PCIe to the GPU.
    Pcie,
}

/// The weights part of a probe report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightsReport {
    /// What was read.
    #[serde(flatten)]
    pub reading: WeightsReading,
    /// Measured read throughput, bytes/s.
    pub read_bytes_per_second: Option<f64>,
    /// Host-to-device bandwidth used for the estimate, when a GPU was probed.
    pub pcie_bytes_per_second: Option<f64>,
    /// Estimated seconds to load every weight file onto the GPU.
    pub estimated_load_seconds: Option<f64>,
    /// What bounds that estimate.
    pub limited_by: Option<LoadBound>,
}

/// Estimates the load time: all bytes over the slower of the measured read throughput and the
/// PCIe bandwidth (when known). Storage reads and host-to-device copies overlap in modern
/// loaders, so the slower stage sets the pace.
pub fn assess(reading: WeightsReading, pcie_bytes_per_second: Option<f64>) -> WeightsReport {
    let read_bytes_per_second = (reading.sampled_bytes > 0 && reading.read_seconds > 0.0)
        .then(|| reading.sampled_bytes as f64 / reading.read_seconds);
    let bound = match (read_bytes_per_second, pcie_bytes_per_second) {
        (Some(disk), Some(pcie)) if pcie < disk => Some((LoadBound::Pcie, pcie)),
        (Some(disk), _) => Some((LoadBound::Disk, disk)),
        (None, Some(pcie)) => Some((LoadBound::Pcie, pcie)),
        (None, None) => None,
    };
    // Nothing to load is no estimate (the probe refuses such folders before this).
    let estimated_load_seconds = match (reading.bytes, bound) {
        (0, _) | (_, None) => None,
        (bytes, Some((_, rate))) => Some(bytes as f64 / rate),
    };
    WeightsReport {
        read_bytes_per_second,
        pcie_bytes_per_second,
        estimated_load_seconds,
        limited_by: bound.map(|(which, _)| which),
        reading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(bytes: u64, sampled: u64, seconds: f64) -> WeightsReading {
        WeightsReading {
            path: "/models/llama".to_string(),
            files: 4,
            bytes,
            sampled_bytes: sampled,
            read_seconds: seconds,
        }
    }

    #[test]
    fn a_slow_disk_bounds_the_load() {
        // 16 GB at a measured 1 GB/s, over a 63 GB/s Gen5 link: 16 s, disk-bound.
        let report = assess(reading(16_000_000_000, 2_000_000_000, 2.0), Some(63.0e9));
        assert_eq!(report.read_bytes_per_second, Some(1.0e9));
        assert_eq!(report.estimated_load_seconds, Some(16.0));
        assert_eq!(report.limited_by, Some(LoadBound::Disk));
    }

    #[test]
    fn a_cached_read_leaves_pcie_as_the_bound() {
        let report = assess(reading(64_000_000_000, 8_000_000_000, 0.1), Some(32.0e9));
        assert_eq!(report.estimated_load_seconds, Some(2.0));
        assert_eq!(report.limited_by, Some(LoadBound::Pcie));
    }

    #[test]
    fn without_a_gpu_the_disk_alone_sets_the_estimate() {
        let report = assess(reading(3_000_000_000, 1_000_000_000, 0.5), None);
        assert_eq!(report.estimated_load_seconds, Some(1.5));
        assert_eq!(report.limited_by, Some(LoadBound::Disk));
        let empty = assess(reading(0, 0, 0.0), None);
        assert_eq!(empty.estimated_load_seconds, None);
        assert_eq!(empty.limited_by, None);
    }
}
