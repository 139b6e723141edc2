//! `explain`'s pure core: joins the objects read from the cluster or a file into the decision
//! engine's input, runs the engine, and builds the report (the binding cause first).

pub mod cause;
pub mod join;
pub mod json;
pub mod kueue;
pub mod pods;
pub mod report;

use jiff::Timestamp;

use crate::sources;
use crate::sources::objects::{ObjectSet, name_of, namespace_of};
pub use report::Report;

/// Which ScaledObjects to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The namespace, or `None` for every namespace (`-A`).
    pub namespace: Option<String>,
    /// One ScaledObject, or `None` for all of them in scope.
    pub name: Option<String>,
    /// The file the objects were read from (`--from-file`), for messages; `None` for the
    /// cluster.
    pub file: Option<String>,
}

impl Selection {
    /// Where the selection looked, for messages: `namespace serving`, `any namespace`, with
    /// ` of FILE` (or just the file) when it was a file.
    fn scope(&self) -> String {
        match (&self.namespace, &self.file) {
            (Some(ns), Some(file)) => format!("namespace {ns} of {file}"),
            (Some(ns), None) => format!("namespace {ns}"),
            (None, Some(file)) => file.clone(),
            (None, None) => "any namespace".to_string(),
        }
    }
}

/// Why nothing could be explained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    /// The named ScaledObject does not exist; close names are suggested, and in a file the
    /// ScaledObjects it holds are listed when none is close.
    #[error("scaledobject {name:?} not found in {scope}{}", hint(.suggestions, .present))]
    NotFound {
        /// The name asked for.
        name: String,
        /// Where it was looked for: `namespace serving`, `any namespace`, a file.
        scope: String,
        /// Close names in scope.
        suggestions: Vec<String>,
        /// The ScaledObjects of the file (`namespace/name`); `None` for the cluster, whose
        /// list may be long and is one `kubectl get scaledobjects` away.
        present: Option<Vec<String>>,
    },
    /// No ScaledObject in scope.
    #[error("no ScaledObjects found in {scope}")]
    NoneFound {
        /// Where none was found: `namespace serving`, `any namespace`, a file.
        scope: String,
    },
}

/// How many of a file's ScaledObjects a not-found message lists.
const LISTED: usize = 10;

fn hint(suggestions: &[String], present: &Option<Vec<String>>) -> String {
    if !suggestions.is_empty() {
        return format!("; did you mean {}?", suggestions.join(", "));
    }
    let Some(present) = present else {
        return String::new();
    };
    match present.len() {
        0 => "; it holds no ScaledObject".to_string(),
        n if n <= LISTED => format!("; ScaledObjects there: {}", present.join(", ")),
        n => format!(
            "; ScaledObjects there: {} and {} more",
            present[..LISTED].join(", "),
            n - LISTED
        ),
    }
}

/// The instant explained, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// The instant.
    pub at: Timestamp,
    /// Where it comes from, for people: `--at`, `now`, or the newest time in a dump.
    pub source: String,
    /// Whether it is a ScaledObject's `lastActiveTime` (a dump of an idle object may hold no
    /// later time, so the real instant may be later).
    pub from_last_active_time: bool,
}

impl Clock {
    /// An instant given on the command line or read from the system clock.
    pub fn given(at: Timestamp, source: &str) -> Clock {
        Clock {
            at,
            source: source.to_string(),
            from_last_active_time: false,
        }
    }
}

/// Explains the selected ScaledObjects at the instant of `clock`, in namespace/name order,
/// with what their queries gave when run directly against Prometheus (empty without
/// `--prometheus`).
pub fn explain(
    set: &ObjectSet,
    selection: &Selection,
    clock: &Clock,
    readings: &join::Readings,
) -> Result<Vec<Report>, ExplainError> {
    let chosen = select(set, selection)?;
    Ok(chosen
        .into_iter()
        .map(|so| report::build(join::join(set, so, clock.at, readings), clock))
        .collect())
}

/// One Prometheus trigger's query, to run directly (`--prometheus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerQuery {
    /// The key its reading goes under in [`join::Readings`].
    pub key: (String, String, usize),
    /// The PromQL query.
    pub query: String,
}

/// The queries of the selected ScaledObjects' Prometheus triggers.
pub fn prometheus_queries(set: &ObjectSet, selection: &Selection) -> Vec<TriggerQuery> {
    let Ok(chosen) = select(set, selection) else {
        return Vec::new();
    };
    let mut queries = Vec::new();
    for so in chosen {
        let key = |i| {
            (
                namespace_of(so).unwrap_or_default().to_string(),
                name_of(so).to_string(),
                i,
            )
        };
        for (i, trigger) in json::array_at(so, "/spec/triggers").iter().enumerate() {
            if let (Some("prometheus"), Some(query)) = (
                json::str_at(trigger, "/type"),
                json::str_at(trigger, "/metadata/query"),
            ) {
                queries.push(TriggerQuery {
                    key: key(i),
                    query: query.to_string(),
                });
            }
        }
    }
    queries
}

/// The ScaledObjects the selection names, sorted by namespace and name.
pub fn select<'a>(
    set: &'a ObjectSet,
    selection: &Selection,
) -> Result<Vec<&'a serde_json::Value>, ExplainError> {
    let in_scope = |o: &&serde_json::Value| {
        selection.namespace.is_none() || namespace_of(o) == selection.namespace.as_deref()
    };
    let mut all: Vec<&serde_json::Value> = set.of_kind("ScaledObject").filter(in_scope).collect();
    all.sort_by_key(|o| (namespace_of(o).unwrap_or_default(), name_of(o)));
    let Some(name) = &selection.name else {
        if all.is_empty() {
            return Err(ExplainError::NoneFound {
                scope: selection.scope(),
            });
        }
        return Ok(all);
    };
    let found: Vec<_> = all.iter().copied().filter(|o| name_of(o) == name).collect();
    if found.is_empty() {
        return Err(ExplainError::NotFound {
            name: name.clone(),
            scope: selection.scope(),
            suggestions: close_names(name, all.iter().map(|o| name_of(o))),
            present: selection.file.as_ref().map(|_| qualified_names(set)),
        });
    }
    Ok(found)
}

/// Every ScaledObject of the set as `namespace/name`, sorted.
fn qualified_names(set: &ObjectSet) -> Vec<String> {
    let mut names: Vec<String> = set
        .of_kind("ScaledObject")
        .map(|o| format!("{}/{}", namespace_of(o).unwrap_or_default(), name_of(o)))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Up to three names close to `name` (Jaro-Winkler ≥ 0.8, at most two edits, or a prefix),
/// closest first.
fn close_names<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .filter(|(score, n)| {
            *score >= 0.8
                || strsim::levenshtein(name, n) <= 2
                || n.starts_with(name)
                || name.starts_with(n)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// The newest timestamp in a dump: the instant a `--from-file` dump describes when no `--at`
/// is given, since every time recorded in it happened at or before the dump. Read from metric
/// values, events, conditions (of every object: ScaledObjects, HPAs, pods, Deployments,
/// Workloads), HPA scale times, KEDA's lastActiveTime, pod and container start times,
/// creation times and managed-field times.
pub fn dump_time(set: &ObjectSet) -> Option<Clock> {
    let mut newest: Option<(Timestamp, String)> = None;
    let mut offer = |at: Option<Timestamp>, what: &dyn Fn() -> String| {
        if let Some(at) = at
            && newest.as_ref().is_none_or(|(t, _)| at > *t)
        {
            newest = Some((at, what()));
        }
    };
    for m in &set.external_metrics {
        let at = m.timestamp.as_deref().and_then(|t| t.parse().ok());
        offer(at, &|| format!("the {} value's timestamp", m.metric_name));
    }
    for o in &set.objects {
        let name = || {
            let ns = namespace_of(o).map_or(String::new(), |n| format!("{n}/"));
            format!("{} {ns}{}", sources::objects::kind(o), name_of(o))
        };
        for pointer in OBJECT_TIMES {
            offer(json::time_at(o, pointer), &|| {
                format!("{} {}", name(), &pointer[1..])
            });
        }
        for field in ["conditions", "containerStatuses"] {
            for entry in json::array_at(o, &format!("/status/{field}")) {
                for pointer in ENTRY_TIMES {
                    offer(json::time_at(entry, pointer), &|| {
                        format!("{} {field} {}", name(), &pointer[1..])
                    });
                }
            }
        }
        for entry in json::array_at(o, "/metadata/managedFields") {
            offer(json::time_at(entry, "/time"), &|| {
                format!("{} managedFields time", name())
            });
        }
    }
    let (at, what) = newest?;
    Some(Clock {
        at,
        from_last_active_time: what.ends_with("status/lastActiveTime"),
        source: format!("the newest time in the file: {what}"),
    })
}

/// Times on an object, as JSON pointers.
const OBJECT_TIMES: [&str; 9] = [
    "/lastTimestamp",
    "/eventTime",
    "/firstTimestamp",
    "/series/lastObservedTime",
    "/metadata/creationTimestamp",
    "/status/lastScaleTime",
    "/status/lastActiveTime",
    "/status/startTime",
    "/status/lastTransitionTime",
];

/// Times on a condition or a container status.
const ENTRY_TIMES: [&str; 6] = [
    "/lastTransitionTime",
    "/lastUpdateTime",
    "/lastProbeTime",
    "/lastHeartbeatTime",
    "/state/running/startedAt",
    "/state/terminated/finishedAt",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        let names = ["llama-8b", "llama-70b", "mistral"];
        assert_eq!(
            close_names("llama8b", names.into_iter()),
            vec!["llama-8b".to_string(), "llama-70b".to_string()]
        );
        assert!(close_names("qwen", names.into_iter()).is_empty());
    }
}
