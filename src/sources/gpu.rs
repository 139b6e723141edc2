//! The local GPUs through NVML (`nvml-wrapper` loads `libnvidia-ml.so.1` at run time), behind
//! [`GpuLibrary`] so that the report is tested with recorded device data.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use nvml_wrapper::Nvml;
use nvml_wrapper::error::NvmlError;

use crate::coldstart::gpu::{GpuDevice, GpuReading, PcieLink};
use crate::sources::files;

/// The shared library NVML lives in, as `nvml-wrapper` opens it on Linux.
pub const NVML_LIBRARY: &str = "libnvidia-ml.so.1";

/// Why the GPUs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    /// The NVIDIA library is not installed: a host without an NVIDIA driver.
    #[error("no NVIDIA driver: {library} not found")]
    NoDriver {
        /// The library that was looked for.
        library: String,
    },
    /// The library is there but NVML refused (driver not loaded, no permission, …).
    #[error("NVML failed to {action}: {source}")]
    Nvml {
        /// What was being done.
        action: &'static str,
        /// NVML's error.
        source: NvmlError,
    },
}

/// Something that reads the local GPUs.
pub trait GpuLibrary {
    /// Initialises the library `runs` times (timing each initialisation and enumeration of
    /// the devices) and reads every device once.
    fn read(&self, runs: u32) -> Result<GpuReading, GpuError>;
}

/// The real NVML.
#[derive(Debug, Default)]
pub struct NvmlLibrary;

impl GpuLibrary for NvmlLibrary {
    fn read(&self, runs: u32) -> Result<GpuReading, GpuError> {
        let (mut nvml, seconds) = timed_init()?;
        let mut init_runs_seconds = vec![seconds];
        for _ in 1..runs {
            // Shut NVML down (drop) before the next run so that each run starts cold.
            drop(nvml);
            let (next, seconds) = timed_init()?;
            nvml = next;
            init_runs_seconds.push(seconds);
        }
        read_all(&nvml, init_runs_seconds)
    }
}

/// Initialises NVML and opens every device, timing both.
fn timed_init() -> Result<(Nvml, f64), GpuError> {
    let started = Instant::now();
    let nvml = init()?;
    let count = nvml.device_count().map_err(nvml_error("count devices"))?;
    for index in 0..count {
        nvml.device_by_index(index)
            .map_err(nvml_error("open a device"))?;
    }
    Ok((nvml, started.elapsed().as_secs_f64()))
}

/// `Nvml::init`, with a missing library reported as "no NVIDIA driver".
fn init() -> Result<Nvml, GpuError> {
    Nvml::init().map_err(|e| match e {
        NvmlError::LibloadingError(_) => GpuError::NoDriver {
            library: NVML_LIBRARY.to_string(),
        },
        source => GpuError::Nvml {
            action: "initialise",
            source,
        },
    })
}

/// Maps an NVML error into [`GpuError::Nvml`] for `action`.
fn nvml_error(action: &'static str) -> impl Fn(NvmlError) -> GpuError {
    move |source| GpuError::Nvml { action, source }
}

/// Versions and every device.
fn read_all(nvml: &Nvml, init_runs_seconds: Vec<f64>) -> Result<GpuReading, GpuError> {
    let count = nvml.device_count().map_err(nvml_error("count devices"))?;
    let devices = (0..count)
        .map(|index| read_device(nvml, index))
        .collect::<Result<_, _>>()?;
    Ok(GpuReading {
        driver_version: nvml
            .sys_driver_version()
            .map_err(nvml_error("read the driver version"))?,
        nvml_version: nvml
            .sys_nvml_version()
            .map_err(nvml_error("read the NVML version"))?,
        cuda_driver_version: nvml.sys_cuda_driver_version().ok().map(cuda_version),
        init_runs_seconds,
        devices,
    })
}

/// One device; queries a GPU does not support come back as `None`.
fn read_device(nvml: &Nvml, index: u32) -> Result<GpuDevice, GpuError> {
    let device = nvml
        .device_by_index(index)
        .map_err(nvml_error("open a device"))?;
    let memory = device
        .memory_info()
        .map_err(nvml_error("read device memory"))?;
    Ok(GpuDevice {
        index,
        name: device.name().map_err(nvml_error("read a device name"))?,
        uuid: device.uuid().map_err(nvml_error("read a device UUID"))?,
        memory_total_bytes: memory.total,
        memory_used_bytes: memory.used,
        persistence_mode: device.is_in_persistent_mode().ok(),
        // NVML_DEVICE_MIG_ENABLE is 1.
        mig_mode: device.mig_mode().ok().map(|m| m.current == 1),
        pcie: PcieLink {
            current_generation: device.current_pcie_link_gen().ok(),
            current_width: device.current_pcie_link_width().ok(),
            max_generation: device.max_pcie_link_gen().ok(),
            max_width: device.max_pcie_link_width().ok(),
        },
    })
}

/// NVML's CUDA version number (e.g. 12080) as `12.8`.
fn cuda_version(version: i32) -> String {
    format!("{}.{}", version / 1000, (version % 1000) / 10)
}

/// Device data saved earlier (by `probe -o json` on a GPU host, or written by hand), read in
/// place of NVML: `--gpu-from-file`.
#[derive(Debug, Clone)]
pub struct RecordedGpu {
    reading: GpuReading,
}

impl RecordedGpu {
    /// Reads a probe report (its `gpu` object) or a bare GPU reading from `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let name = files::display_name(path);
        let text = files::read_text(path, files::DEFAULT_MAX_FILE_BYTES)?;
        let value: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{name}: not JSON"))?;
        let gpu = value.get("gpu").cloned().unwrap_or(value);
        let reading = serde_path_to_error::deserialize(gpu)
            .with_context(|| format!("{name}: not a GPU reading"))?;
        Ok(Self { reading })
    }
}

impl GpuLibrary for RecordedGpu {
    fn read(&self, _runs: u32) -> Result<GpuReading, GpuError> {
        Ok(self.reading.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuda_versions_read_as_nvidia_smi_prints_them() {
        assert_eq!(cuda_version(12080), "12.8");
        assert_eq!(cuda_version(13000), "13.0");
        assert_eq!(cuda_version(11040), "11.4");
    }

    #[test]
    fn a_recorded_file_that_is_not_a_reading_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gpu.json");
        std::fs::write(&path, r#"{"gpu": {"driverVersion": 570}}"#).unwrap();
        let err = format!("{:#}", RecordedGpu::load(&path).unwrap_err());
        assert!(err.contains("gpu.json: not a GPU reading"), "{err}");
        assert!(err.contains("driverVersion"), "{err}");
    }
}
