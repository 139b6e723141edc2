//! Fuzz target: arbitrary bytes through the manifest loader and every lint rule. Whatever the
//! input, loading returns documents or an error, and linting returns findings; never a panic.
#![no_main]

use kubectl_infer::lint::{self, Options, Sources};
use kubectl_infer::model::manifest::load_str;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(docs) = load_str("fuzz.yaml", text) else {
        return;
    };
    let mut sources = Sources::default();
    sources.add("fuzz.yaml", text.to_string());
    let report = lint::run(&docs, &sources, &Options::default());
    for finding in &report.findings {
        assert!(finding.location.start.line >= 1);
    }
});
