//! Schema rules (`SCH`): KEDA and Kueue objects checked against their CRD schemas (the
//! embedded KEDA 2.20 and Kueue 0.19 ones, or those given with `--crds`).

use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::context::{Context, Object};
use crate::schema::ViolationKind;

/// Every kind: the schema catalog decides which objects it has a CRD for.
const ANY_KIND: &[&str] = &["*"];

/// `SCH001`.
pub static UNKNOWN_FIELD: Rule = Rule {
    code: "SCH001",
    name: "UnknownField",
    family: Family::Schema,
    severity: Severity::Error,
    summary: "A field the KEDA or Kueue CRD schema does not declare (a typo, or a field of \
              another version).",
    fix: "Fix the field's spelling or place; `kubectl explain` shows the fields the CRD has.",
    doc: RuleDoc {
        what: "A field of a KEDA or Kueue object that its CRD's OpenAPI schema (KEDA 2.20, \
               Kueue 0.19, or the CRDs given with `--crds DIR`) does not declare, such as \
               `minReplicas` on a ScaledObject or `cohort` in Kueue v1beta2.",
        why: "`kubectl apply` rejects it with strict field validation, or the API server \
              silently drops it: the setting you wrote never takes effect.",
        example: "kind: ScaledObject\nspec:\n  minReplicas: 1",
        instead: "kind: ScaledObject\nspec:\n  minReplicaCount: 1",
        known_problems: "Objects of versions the schema does not serve are reported once as \
                         a schema violation (SCH002), not field by field.",
    },
    check: Check::Object {
        kinds: ANY_KIND,
        run: unknown_field,
    },
};

fn unknown_field(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    for v in object.violations(context) {
        if v.kind == ViolationKind::UnknownField {
            out.at(&v.pointer, format!("{}: {}", object.label(), v.message));
        }
    }
}

/// `SCH002`.
pub static SCHEMA_VIOLATION: Rule = Rule {
    code: "SCH002",
    name: "SchemaViolation",
    family: Family::Schema,
    severity: Severity::Error,
    summary: "A value the CRD schema rejects: wrong type, missing required field, enum, range \
              or pattern.",
    fix: "Write the value the schema expects (e.g. quote trigger metadata values: they are \
          strings).",
    doc: RuleDoc {
        what: "A KEDA or Kueue object that does not satisfy its CRD schema other than by an \
               unknown field: a number where a string is required (KEDA trigger metadata), a \
               missing required field, a value outside an enum or range, a pattern mismatch, \
               or an apiVersion the CRD does not serve.",
        why: "The API server rejects the object, so the change never reaches the cluster and \
              the deploy fails late, in CD rather than in review.",
        example: "metadata:\n  threshold: 5   # a number; KEDA metadata values are strings",
        instead: "metadata:\n  threshold: \"5\"",
        known_problems: "CEL rules (`x-kubernetes-validations`) are not evaluated; the lint \
                         rules cover the ones that matter (e.g. KED010 for min ≤ max).",
    },
    check: Check::Object {
        kinds: ANY_KIND,
        run: schema_violation,
    },
};

fn schema_violation(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    for v in object.violations(context) {
        if v.kind != ViolationKind::UnknownField {
            out.at(&v.pointer, format!("{}: {}", object.label(), v.message));
        }
    }
}
