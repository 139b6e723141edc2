//! The rule catalog: one table mapping each stable code to its rule. `kubectl-infer rules`,
//! the SARIF rule metadata and the README rule table are all generated from it.

use std::fmt;

use serde::Serialize;

use super::context::{Context, Object};
use super::{Emitter, rules, suppress};

/// How serious a finding is; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; does not fail a run unless `--fail-on info`.
    Info,
    /// Likely wrong, or right only by accident.
    Warning,
    /// Rejected by the API server or a webhook, or never works at run time.
    Error,
}

impl Severity {
    /// The lowercase name (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The SARIF `level` for this severity.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Info => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family a rule belongs to (the prefix of its code). Serialized as its title (`KEDA`,
/// `Scale to zero`), the spelling of the README table and `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `KED`: KEDA ScaledObject and ScaledJob settings.
    Keda,
    /// `PQL`: the PromQL of Prometheus triggers.
    Promql,
    /// `ZER`: scale to zero.
    ScaleToZero,
    /// `GPU`: GPU workloads and signals.
    Gpu,
    /// `CLD`: windows and policies against the cold start.
    ColdStart,
    /// `KUE`: Kueue queues, quota and labels.
    Kueue,
    /// `SCH`: schema of KEDA and Kueue objects.
    Schema,
    /// `LNT`: the linter's own annotations and the input as a whole.
    Lint,
}

impl Family {
    /// A short human name.
    pub fn title(self) -> &'static str {
        match self {
            Family::Keda => "KEDA",
            Family::Promql => "PromQL",
            Family::ScaleToZero => "Scale to zero",
            Family::Gpu => "GPU",
            Family::ColdStart => "Cold start",
            Family::Kueue => "Kueue",
            Family::Schema => "Schema",
            Family::Lint => "Lint",
        }
    }
}

impl Serialize for Family {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.title())
    }
}

/// A rule's documentation, always with the same headings.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleDoc {
    /// What it finds.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// An example that triggers it (YAML).
    pub example: &'static str,
    /// What to write instead (YAML).
    pub instead: &'static str,
    /// Known problems: false positives, limits of the check.
    pub known_problems: &'static str,
}

/// The signature of a rule that checks one object at a time (with the whole input in reach
/// through the context).
pub type ObjectCheck = fn(&Object<'_>, &Context<'_>, &mut Emitter<'_>);

/// How the lint run invokes a rule.
#[derive(Clone, Copy)]
pub enum Check {
    /// Called for every object whose `kind` is listed.
    Object {
        /// The kinds the rule looks at (`*` for every kind).
        kinds: &'static [&'static str],
        /// The check.
        run: ObjectCheck,
    },
    /// Run by the lint engine itself (suppression annotations, schema validation).
    Engine,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Object { kinds, .. } => write!(f, "Object({kinds:?})"),
            Check::Engine => f.write_str("Engine"),
        }
    }
}

/// One lint rule: everything about it in one place.
#[derive(Debug)]
pub struct Rule {
    /// The stable code, e.g. `KED002`. Never reused or renumbered.
    pub code: &'static str,
    /// The name, describing the bad pattern, e.g. `ThresholdNotPositive`.
    pub name: &'static str,
    /// The family.
    pub family: Family,
    /// The default severity.
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// One line: what to do about it.
    pub fix: &'static str,
    /// The full documentation.
    pub doc: RuleDoc,
    /// How it runs.
    pub check: Check,
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &rules::keda::THRESHOLD_MISSING,
    &rules::keda::THRESHOLD_NOT_POSITIVE,
    &rules::keda::THRESHOLD_BELOW_MILLI,
    &rules::keda::UTILIZATION_ON_EXTERNAL,
    &rules::keda::AVERAGE_VALUE_INTENSIVE,
    &rules::keda::ACTIVATION_IGNORED,
    &rules::keda::ACTIVATION_UNREACHABLE,
    &rules::keda::IDLE_REPLICAS_NOT_ZERO,
    &rules::keda::IDLE_NOT_BELOW_MIN,
    &rules::keda::MIN_ABOVE_MAX,
    &rules::keda::MODIFIER_UNKNOWN_TRIGGER,
    &rules::keda::MODIFIER_RESOURCE_TRIGGER,
    &rules::keda::FALLBACK_NON_INTEGER_TARGET,
    &rules::keda::NULL_VALUES_WITHOUT_FALLBACK,
    &rules::keda::FALLBACK_OUT_OF_RANGE,
    &rules::keda::SECOND_AUTOSCALER,
    &rules::keda::NAME_TOO_LONG,
    &rules::keda::DUPLICATE_TRIGGER_NAME,
    &rules::keda::COOLDOWN_IRRELEVANT,
    &rules::keda::FALLBACK_BYPASSED_BY_NULL_VALUES,
    &rules::keda::BEHAVIOR_OUT_OF_RANGE,
    &rules::promql::QUERY_PARSE_ERROR,
    &rules::promql::MANY_SERIES,
    &rules::promql::MISSPELLED_METRIC,
    &rules::promql::DEPRECATED_METRIC,
    &rules::promql::RAW_DCGM,
    &rules::promql::NOT_INSTANT_VECTOR,
    &rules::scale_zero::POD_LOCAL_SIGNAL,
    &rules::scale_zero::RESOURCE_ONLY_AT_ZERO,
    &rules::gpu::RESOURCE_TRIGGER_ON_GPU,
    &rules::gpu::GPU_UTIL_ONLY,
    &rules::gpu::GPU_WITHOUT_LIMITS,
    &rules::cold_start::SCALE_DOWN_WINDOW_SHORT,
    &rules::cold_start::COOLDOWN_SHORT,
    &rules::cold_start::SCALE_UP_WAVES,
    &rules::cold_start::STARTUP_PROBE_SHORT,
    &rules::kueue::RESOURCE_NOT_COVERED,
    &rules::kueue::FLAVOR_ORDER,
    &rules::kueue::LIMIT_WITHOUT_COHORT,
    &rules::kueue::LENDING_ABOVE_NOMINAL,
    &rules::kueue::NO_NAMESPACE_SELECTOR,
    &rules::kueue::MISSING_CLUSTER_QUEUE,
    &rules::kueue::MISSING_LOCAL_QUEUE,
    &rules::kueue::QUOTA_BELOW_MAX,
    &rules::kueue::SCALED_STATEFULSET,
    &rules::kueue::SCALED_JOB_LABEL,
    &rules::kueue::V1BETA1,
    &rules::kueue::MISSING_FLAVOR,
    &rules::schema::UNKNOWN_FIELD,
    &rules::schema::SCHEMA_VIOLATION,
    &suppress::RULE,
    &rules::objects::DEFINED_TWICE_IN_FILE,
];

/// Finds a rule by code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The README rule table (Markdown), generated so that a test can tell when README is stale.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | name | family | severity | what it finds |\n");
    out.push_str("|---|---|---|---|---|\n");
    for rule in RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            rule.code,
            rule.name,
            rule.family.title(),
            rule.severity,
            rule.summary.replace('|', "\\|")
        ));
    }
    out
}

/// One rule's full documentation as Markdown, with the fixed headings.
pub fn markdown_doc(rule: &Rule) -> String {
    let doc = &rule.doc;
    format!(
        "# {code} {name}\n\nFamily: {family}. Default severity: {severity}.\n\n{summary}\n\n\
         ## What it finds\n\n{what}\n\n## Why it matters\n\n{why}\n\n## Example\n\n```yaml\n\
         {example}\n```\n\n## Instead\n\n```yaml\n{instead}\n```\n\n## Known problems\n\n\
         {known}\n",
        code = rule.code,
        name = rule.name,
        family = rule.family.title(),
        severity = rule.severity,
        summary = rule.summary,
        what = doc.what,
        why = doc.why,
        example = doc.example.trim_end(),
        instead = doc.instead.trim_end(),
        known = doc.known_problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_within_families_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.code), "duplicate code {}", rule.code);
            assert!(seen.insert(rule.name), "duplicate name {}", rule.name);
            assert_eq!(rule.code.len(), 6, "{}", rule.code);
            let d = &rule.doc;
            for (heading, text) in [
                ("what", d.what),
                ("why", d.why),
                ("example", d.example),
                ("instead", d.instead),
                ("known problems", d.known_problems),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {heading}", rule.code);
            }
            assert!(
                !rule.summary.is_empty() && !rule.fix.is_empty(),
                "{}",
                rule.code
            );
        }
        assert!(RULES.len() >= 30, "the issue asks for at least 30 rules");
    }

    #[test]
    fn rules_are_found_by_code_or_name() {
        assert_eq!(find("ked002").map(|r| r.code), Some("KED002"));
        assert_eq!(find("ThresholdNotPositive").map(|r| r.code), Some("KED002"));
        assert!(find("XYZ999").is_none());
    }
}
