//! Per-object suppression: an annotation `lint.kubectl-infer.io/<CODE>: "<reason>"` on an
//! object silences that rule for that object. The reason is required; suppressed findings
//! still appear (in SARIF as suppressions) but do not fail the run.

use crate::model::value::Value;

use super::Emitter;
use super::catalog::{self, Check, Family, Rule, RuleDoc, Severity};
use crate::model::manifest::{Document, escape_pointer};

/// The annotation prefix; the rest of the key is a rule code or name.
pub const PREFIX: &str = "lint.kubectl-infer.io/";

/// One suppression annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The rule code or name after the prefix.
    pub rule: String,
    /// Why the finding does not apply here.
    pub reason: String,
}

impl Suppression {
    /// Whether this suppression silences the rule `code`/`name` (only with a reason).
    pub fn covers(&self, code: &str, name: &str) -> bool {
        !self.reason.trim().is_empty()
            && (self.rule.eq_ignore_ascii_case(code) || self.rule.eq_ignore_ascii_case(name))
    }
}

/// The suppression annotations of an object.
pub fn read(doc: &Document) -> Vec<Suppression> {
    let Some(annotations) = doc
        .value
        .at("/metadata/annotations")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    annotations
        .iter()
        .filter_map(|(key, value)| {
            Some(Suppression {
                rule: key.strip_prefix(PREFIX)?.to_string(),
                reason: value.as_str().unwrap_or("").to_string(),
            })
        })
        .collect()
}

/// Reports suppression annotations without a reason, or naming no rule.
pub fn check_reasons(doc: &Document, emitter: &mut Emitter<'_>) {
    let object = super::ObjectRef::of(doc).label();
    for suppression in read(doc) {
        let key = format!("{PREFIX}{}", suppression.rule);
        let pointer = format!("/metadata/annotations/{}", escape_pointer(&key));
        if catalog::find(&suppression.rule).is_none() {
            emitter.with_fix(
                &pointer,
                format!("{object}: annotation {key} names no lint rule, so it suppresses nothing"),
                "use a rule code from `kubectl-infer rules`",
            );
        } else if suppression.reason.trim().is_empty() {
            emitter.at(
                &pointer,
                format!(
                    "{object}: annotation {key} has no reason, so it does not suppress the rule"
                ),
            );
        }
    }
}

/// `LNT001`: a suppression annotation without a reason, or naming no rule.
pub static RULE: Rule = Rule {
    code: "LNT001",
    name: "SuppressionWithoutReason",
    family: Family::Lint,
    severity: Severity::Warning,
    summary: "A suppression annotation has no reason or names no rule.",
    fix: "Write why the rule does not apply as the annotation's value.",
    doc: RuleDoc {
        what: "An annotation `lint.kubectl-infer.io/<CODE>` whose value is empty, or whose \
               key names no rule in the catalog.",
        why: "A suppression is a decision a reviewer should be able to read later. Without \
              the reason the next person cannot tell an informed exception from a silenced \
              warning, so kubectl-infer ignores such annotations.",
        example: "metadata:\n  annotations:\n    lint.kubectl-infer.io/ZER001: \"\"",
        instead: "metadata:\n  annotations:\n    lint.kubectl-infer.io/ZER001: \"the gateway \
                  holds requests and scales us from zero with force-activation\"",
        known_problems: "None known.",
    },
    check: Check::Engine,
};
