//! PCIe link bandwidth: what a link generation and width allow from host to device.

/// Usable bytes per second per lane and direction for PCIe generation `gen`, after line
/// encoding (8b/10b for Gen1–2, 128b/130b for Gen3–5, FLIT 242/256 for Gen6); `None` for a
/// generation this table does not know.
pub fn bytes_per_second_per_lane(generation: u32) -> Option<f64> {
    let (transfers_per_second, efficiency) = match generation {
        1 => (2.5e9, 8.0 / 10.0),
        2 => (5.0e9, 8.0 / 10.0),
        3 => (8.0e9, 128.0 / 130.0),
        4 => (16.0e9, 128.0 / 130.0),
        5 => (32.0e9, 128.0 / 130.0),
        6 => (64.0e9, 242.0 / 256.0),
        _ => return None,
    };
    Some(transfers_per_second * efficiency / 8.0)
}

/// The theoretical host-to-device bandwidth (bytes/s) of a link of `generation` and `width`
/// lanes. Real copies reach roughly 80–90% of it.
pub fn link_bytes_per_second(generation: u32, width: u32) -> Option<f64> {
    if width == 0 {
        return None;
    }
    bytes_per_second_per_lane(generation).map(|lane| lane * f64::from(width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen4_and_gen5_x16_match_the_published_figures() {
        // About 32 GB/s and 64 GB/s per direction, as NVIDIA and PCI-SIG quote them.
        let gen4 = link_bytes_per_second(4, 16).unwrap();
        let gen5 = link_bytes_per_second(5, 16).unwrap();
        assert!((31.0e9..32.0e9).contains(&gen4), "{gen4}");
        assert!((62.0e9..64.0e9).contains(&gen5), "{gen5}");
    }

    #[test]
    fn unknown_generation_or_no_lanes_has_no_bandwidth() {
        assert_eq!(link_bytes_per_second(9, 16), None);
        assert_eq!(link_bytes_per_second(4, 0), None);
        assert_eq!(bytes_per_second_per_lane(1), Some(250.0e6));
    }
}
