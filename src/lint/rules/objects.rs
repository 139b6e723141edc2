//! Rules about the input as a whole (`LNT`, beside the suppression rule): objects defined
//! more than once.

use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::context::{Context, Object};

/// `LNT002`.
pub static DEFINED_TWICE_IN_FILE: Rule = Rule {
    code: "LNT002",
    name: "ObjectDefinedTwiceInFile",
    family: Family::Lint,
    severity: Severity::Warning,
    summary: "One file (or rendered stream) defines the same object twice, differently.",
    fix: "Keep one definition of the object in the file; merge the settings you want into it.",
    doc: RuleDoc {
        what: "Two documents of one file, or of one stream such as `helm template` output, \
               with the same kind, namespace and name whose contents differ.",
        why: "`kubectl apply -f` applies both in turn and the last one wins silently, so \
              settings of the first never take effect; Helm refuses to install a chart that \
              renders the same object twice. Either way the file does not say what runs.",
        example: "kind: ScaledObject\nmetadata: {name: llm, namespace: serving}\nspec: \
                  {maxReplicaCount: 4}\n---\nkind: ScaledObject\nmetadata: {name: llm, \
                  namespace: serving}\nspec: {maxReplicaCount: 8}",
        instead: "kind: ScaledObject\nmetadata: {name: llm, namespace: serving}\nspec: \
                  {maxReplicaCount: 8}",
        known_problems: "Definitions in different files are not compared: overlays of the \
                         same object for several clusters (clusters/us/…, clusters/eu/…) are \
                         normal. Identical copies in one file are not reported.",
    },
    check: Check::Object {
        kinds: &["*"],
        run: defined_twice_in_file,
    },
};

fn defined_twice_in_file(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let doc = object.doc;
    if doc.name().is_empty() || doc.kind().is_empty() {
        return;
    }
    let earlier = context
        .definitions(doc)
        .iter()
        .take_while(|&&i| i < object.index)
        .map(|&i| context.doc(i))
        .find(|other| other.file == doc.file && other.value != doc.value);
    if let Some(other) = earlier {
        out.at(
            "/metadata/name",
            format!(
                "{} is also defined at {} with different content; applying the file keeps \
                 only the last definition",
                object.label(),
                context.place(other)
            ),
        );
    }
}
