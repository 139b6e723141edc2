//! What the GPU probe read from NVML, and the report derived from it: PCIe bandwidth per
//! device, NVML start-up time over several runs, and notes on settings that slow a cold start.

use serde::{Deserialize, Serialize};

use super::pcie;
use super::stats::{self, Summary};

/// Everything read from NVML in one probe (the raw data; the report adds derived figures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GpuReading {
    /// The kernel driver version, e.g. `570.124.06`.
    pub driver_version: String,
    /// The NVML library version, e.g. `12.570.124.06`.
    pub nvml_version: String,
    /// The newest CUDA version the driver supports, e.g. `12.8`.
    pub cuda_driver_version: Option<String>,
    /// Seconds that NVML took to initialise and enumerate every device, one value per run.
    pub init_runs_seconds: Vec<f64>,
    /// The devices, in NVML index order.
    pub devices: Vec<GpuDevice>,
}

/// One GPU as NVML describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GpuDevice {
    /// The NVML index.
    pub index: u32,
    /// The product name, e.g. `NVIDIA H200`.
    pub name: String,
    /// The UUID, `GPU-…`, as DCGM's `UUID` label shows it.
    pub uuid: String,
    /// Total framebuffer memory in bytes.
    pub memory_total_bytes: u64,
    /// Framebuffer memory in use, in bytes.
    pub memory_used_bytes: u64,
    /// Whether persistence mode is on (`None` where NVML does not support the query).
    pub persistence_mode: Option<bool>,
    /// Whether MIG mode is on (`None` on GPUs without MIG).
    pub mig_mode: Option<bool>,
    /// The PCIe link.
    pub pcie: PcieLink,
}

/// A PCIe link's generation and width, now and at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PcieLink {
    /// The generation the link runs at now (it drops while the GPU idles, to save power).
    pub current_generation: Option<u32>,
    /// The lanes in use now.
    pub current_width: Option<u32>,
    /// The highest generation the GPU and slot support together.
    pub max_generation: Option<u32>,
    /// The most lanes the link supports.
    pub max_width: Option<u32>,
}

impl PcieLink {
    /// Host-to-device bytes/s at the current generation and width.
    pub fn current_bytes_per_second(&self) -> Option<f64> {
        pcie::link_bytes_per_second(self.current_generation?, self.current_width?)
    }

    /// Host-to-device bytes/s at the maximum generation and width.
    pub fn max_bytes_per_second(&self) -> Option<f64> {
        pcie::link_bytes_per_second(self.max_generation?, self.max_width?)
    }
}

/// The GPU part of a probe report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GpuReport {
    /// The kernel driver version.
    pub driver_version: String,
    /// The NVML library version.
    pub nvml_version: String,
    /// The newest CUDA version the driver supports.
    pub cuda_driver_version: Option<String>,
    /// NVML initialisation and enumeration, one value per run (seconds).
    pub init_runs_seconds: Vec<f64>,
    /// Median, p90 and max of those runs.
    pub init_seconds: Option<Summary>,
    /// Each device with its link bandwidth.
    pub devices: Vec<DeviceReport>,
    /// Things that lengthen a cold start on this host, one sentence each.
    pub notes: Vec<String>,
}

/// One device with the bandwidth its PCIe link allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceReport {
    /// What NVML said.
    #[serde(flatten)]
    pub device: GpuDevice,
    /// Host-to-device bytes/s at the link's current state.
    pub current_bytes_per_second: Option<f64>,
    /// Host-to-device bytes/s at the link's best state: what a model load gets under load.
    pub max_bytes_per_second: Option<f64>,
}

impl GpuReport {
    /// The host-to-device bandwidth a weight load can count on: the slowest device's maximum
    /// link bandwidth (a tensor-parallel load waits for its slowest GPU).
    pub fn load_bytes_per_second(&self) -> Option<f64> {
        self.devices
            .iter()
            .filter_map(|d| d.max_bytes_per_second)
            .min_by(f64::total_cmp)
    }
}

/// Derives the report from a reading.
pub fn assess(reading: &GpuReading) -> GpuReport {
    let devices = reading
        .devices
        .iter()
        .map(|device| DeviceReport {
            device: device.clone(),
            current_bytes_per_second: device.pcie.current_bytes_per_second(),
            max_bytes_per_second: device.pcie.max_bytes_per_second(),
        })
        .collect();
    GpuReport {
        driver_version: reading.driver_version.clone(),
        nvml_version: reading.nvml_version.clone(),
        cuda_driver_version: reading.cuda_driver_version.clone(),
        init_runs_seconds: reading.init_runs_seconds.clone(),
        init_seconds: stats::summarize(&reading.init_runs_seconds),
        devices,
        notes: notes(reading),
    }
}

/// Sentences about settings that slow a cold start, in device order.
fn notes(reading: &GpuReading) -> Vec<String> {
    let mut notes = Vec::new();
    if reading.devices.is_empty() {
        notes.push("NVML found no GPU on this host".to_string());
    }
    for d in &reading.devices {
        let who = format!("GPU {} ({})", d.index, d.name);
        if d.persistence_mode == Some(false) {
            notes.push(format!(
                "{who}: persistence mode is off, so the driver tears the GPU down when its last \
                 client exits and each cold start pays about 1-3 s of initialisation; run \
                 nvidia-persistenced"
            ));
        }
        if d.mig_mode == Some(true) {
            notes.push(format!(
                "{who}: MIG is on; a replica gets a slice of its memory, and DCGM labels gain \
                 GPU_I_ID"
            ));
        }
        let link = d.pcie;
        if link.current_generation < link.max_generation || link.current_width < link.max_width {
            notes.push(format!(
                "{who}: the PCIe link runs at {} now and {} at most; an idle GPU lowers it to \
                 save power, so the load estimate uses the maximum",
                link_name(link.current_generation, link.current_width),
                link_name(link.max_generation, link.max_width),
            ));
        }
    }
    notes
}

/// `Gen5 x16`, with `?` for what NVML did not say.
pub fn link_name(generation: Option<u32>, width: Option<u32>) -> String {
    let part = |v: Option<u32>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
    format!("Gen{} x{}", part(generation), part(width))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(index: u32, persistence: bool, current: (u32, u32), max: (u32, u32)) -> GpuDevice {
        GpuDevice {
            index,
            name: "NVIDIA H100 80GB HBM3".to_string(),
            uuid: format!("GPU-{index}"),
            memory_total_bytes: 85_520_809_984,
            memory_used_bytes: 0,
            persistence_mode: Some(persistence),
            mig_mode: Some(false),
            pcie: PcieLink {
                current_generation: Some(current.0),
                current_width: Some(current.1),
                max_generation: Some(max.0),
                max_width: Some(max.1),
            },
        }
    }

    fn reading(devices: Vec<GpuDevice>) -> GpuReading {
        GpuReading {
            driver_version: "570.124.06".to_string(),
            nvml_version: "12.570.124.06".to_string(),
            cuda_driver_version: Some("12.8".to_string()),
            init_runs_seconds: vec![0.2, 0.1, 0.3],
            devices,
        }
    }

    #[test]
    fn load_bandwidth_is_the_slowest_devices_maximum() {
        let report = assess(&reading(vec![
            device(0, true, (1, 16), (5, 16)),
            device(1, true, (4, 16), (4, 16)),
        ]));
        let slowest = report.load_bytes_per_second().unwrap();
        assert_eq!(Some(slowest), report.devices[1].max_bytes_per_second);
        assert!(report.devices[0].current_bytes_per_second.unwrap() < 5.0e9);
        assert_eq!(report.init_seconds.unwrap().median, 0.2);
    }

    #[test]
    fn notes_name_persistence_and_a_downshifted_link() {
        let report = assess(&reading(vec![device(0, false, (1, 16), (5, 16))]));
        assert_eq!(report.notes.len(), 2, "{:?}", report.notes);
        assert!(report.notes[0].starts_with("GPU 0 (NVIDIA H100 80GB HBM3): persistence mode"));
        assert!(report.notes[1].contains("Gen1 x16 now and Gen5 x16 at most"));
    }

    #[test]
    fn a_healthy_gpu_has_no_notes() {
        let report = assess(&reading(vec![device(0, true, (5, 16), (5, 16))]));
        assert!(report.notes.is_empty(), "{:?}", report.notes);
    }
}
