//! Label selectors, matched locally for `--from-file` (the API server matches them live):
//! `-l` strings in kubectl's syntax and a Deployment's `spec.selector`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// A parsed selector: every requirement must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

/// One requirement on one label.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    /// The label has one of these values.
    In(String, Vec<String>),
    /// The label is absent or has none of these values.
    NotIn(String, Vec<String>),
    /// The label is present.
    Exists(String),
    /// The label is absent.
    DoesNotExist(String),
}

/// A selector that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("invalid label selector {text:?}: {reason}")]
pub struct SelectorError {
    /// The selector as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Selector {
    /// Parses kubectl's `-l` syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`,
    /// `a notin (x,y)`, joined by commas.
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        let error = |reason: &str| SelectorError {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                return Err(error("empty requirement"));
            }
            requirements
                .push(parse_term(term).ok_or_else(|| error(&format!("bad term {term:?}")))?);
        }
        Ok(Self { requirements })
    }

    /// The selector of a Deployment or ReplicaSet (`matchLabels` and `matchExpressions`).
    pub fn from_label_selector(selector: &LabelSelector) -> Self {
        let mut requirements: Vec<Requirement> = selector
            .match_labels
            .iter()
            .flatten()
            .map(|(k, v)| Requirement::In(k.clone(), vec![v.clone()]))
            .collect();
        for e in selector.match_expressions.iter().flatten() {
            let values = e.values.clone().unwrap_or_default();
            requirements.push(match e.operator.as_str() {
                "In" => Requirement::In(e.key.clone(), values),
                "NotIn" => Requirement::NotIn(e.key.clone(), values),
                "Exists" => Requirement::Exists(e.key.clone()),
                // DoesNotExist, and (defensively) anything unknown, which matches nothing the
                // API server would have accepted.
                _ => Requirement::DoesNotExist(e.key.clone()),
            });
        }
        Self { requirements }
    }

    /// The selector in kubectl's `-l` syntax, as the API server's `labelSelector` takes it
    /// (empty for a selector that matches everything).
    pub fn to_query(&self) -> String {
        let list = |vs: &[String]| vs.join(",");
        self.requirements
            .iter()
            .map(|r| match r {
                Requirement::In(k, vs) if vs.len() == 1 => format!("{k}={}", vs[0]),
                Requirement::In(k, vs) => format!("{k} in ({})", list(vs)),
                Requirement::NotIn(k, vs) if vs.len() == 1 => format!("{k}!={}", vs[0]),
                Requirement::NotIn(k, vs) => format!("{k} notin ({})", list(vs)),
                Requirement::Exists(k) => k.clone(),
                Requirement::DoesNotExist(k) => format!("!{k}"),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }
}

/// Splits on commas that are not inside `( … )`.
fn split_terms(text: &str) -> Vec<&str> {
    let (mut terms, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

/// One term of a `-l` string.
fn parse_term(term: &str) -> Option<Requirement> {
    if let Some(key) = term.strip_prefix('!') {
        return valid_key(key).map(Requirement::DoesNotExist);
    }
    if let Some((key, value)) = term.split_once("!=") {
        return Some(Requirement::NotIn(
            valid_key(key)?,
            vec![value.trim().to_string()],
        ));
    }
    if let Some((key, value)) = term.split_once('=') {
        let value = value.strip_prefix('=').unwrap_or(value);
        return Some(Requirement::In(
            valid_key(key)?,
            vec![value.trim().to_string()],
        ));
    }
    for (word, negate) in [(" notin ", true), (" in ", false)] {
        if let Some((key, list)) = term.split_once(word) {
            let list = list.trim().strip_prefix('(')?.strip_suffix(')')?;
            let values = list.split(',').map(|v| v.trim().to_string()).collect();
            let key = valid_key(key)?;
            return Some(if negate {
                Requirement::NotIn(key, values)
            } else {
                Requirement::In(key, values)
            });
        }
    }
    valid_key(term).map(Requirement::Exists)
}

/// A trimmed label key, if it is one (no spaces or operator characters).
fn valid_key(key: &str) -> Option<String> {
    let key = key.trim();
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kubectl_forms_match_as_kubectl_does() {
        let pod = labels(&[("app", "llama"), ("tier", "gpu")]);
        for (text, expected) in [
            ("app=llama", true),
            ("app==llama,tier=gpu", true),
            ("app!=llama", false),
            ("app", true),
            ("!canary", true),
            ("app in (llama, mistral)", true),
            ("tier notin (gpu)", false),
            ("app=mistral", false),
        ] {
            assert_eq!(
                Selector::parse(text).unwrap().matches(&pod),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn a_deployments_selector_becomes_a_label_selector_query() {
        let selector: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "llama"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["gpu", "cpu"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "NotIn", "values": ["a"]},
                {"key": "team", "operator": "Exists"}
            ]
        }))
        .unwrap();
        let selector = Selector::from_label_selector(&selector);
        let query = selector.to_query();
        assert_eq!(query, "app=llama,tier in (gpu,cpu),!canary,zone!=a,team");
        // It reads back as the same selector.
        assert_eq!(Selector::parse(&query).unwrap(), selector);
    }

    #[test]
    fn malformed_selectors_are_refused() {
        for text in ["", "app=llama,", "a b", "app in llama"] {
            let err = Selector::parse(text).unwrap_err().to_string();
            assert!(err.starts_with("invalid label selector"), "{text}: {err}");
        }
    }
}
