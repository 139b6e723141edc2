//! Kubernetes' rules for the names and label values that `generate` writes: DNS-1123 labels
//! (namespaces), DNS-1123 subdomains (custom resource names, cohorts) and label values.

/// A DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with
/// a letter or digit (what a namespace name must be).
pub fn is_dns1123_label(text: &str) -> bool {
    text.len() <= 63 && is_label_part(text)
}

/// A DNS-1123 subdomain: at most 253 characters of DNS-1123 labels joined by '.' (what a
/// custom resource name, a Kueue cohort or the queue-name label must be).
pub fn is_dns1123_subdomain(text: &str) -> bool {
    text.len() <= 253 && text.split('.').all(is_label_part)
}

fn is_label_part(part: &str) -> bool {
    let bytes = part.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            edge(first) && edge(last) && bytes.iter().all(|b| edge(b) || *b == b'-')
        }
        _ => false,
    }
}

/// A non-empty label value: at most 63 letters, digits, '-', '_' and '.', starting and
/// ending with a letter or digit.
pub fn is_label_value(text: &str) -> bool {
    let bytes = text.as_bytes();
    let edge = |b: &u8| b.is_ascii_alphanumeric();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            text.len() <= 63
                && edge(first)
                && edge(last)
                && bytes
                    .iter()
                    .all(|b| edge(b) || matches!(b, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_subdomains_and_label_values() {
        for good in ["a", "serving", "team-a", "a1", &"a".repeat(63)] {
            assert!(is_dns1123_label(good), "{good}");
            assert!(is_dns1123_subdomain(good), "{good}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a_b",
            "a b",
            "a\"b",
            "a.b",
            &"a".repeat(64),
        ] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        assert!(is_dns1123_subdomain("gpu.pool-1"));
        assert!(is_dns1123_subdomain(&format!(
            "{}.{}",
            "a".repeat(63),
            "b".repeat(63)
        )));
        for bad in ["", ".a", "a.", "a..b", "Bad_Queue", "Bad Cohort", "a.-b"] {
            assert!(!is_dns1123_subdomain(bad), "{bad}");
        }
        assert!(!is_dns1123_subdomain(&format!("{}ab", "a.".repeat(126))));
        for good in ["NVIDIA-H100-80GB-HBM3", "Tesla_T4", "a.b", "x"] {
            assert!(is_label_value(good), "{good}");
        }
        for bad in ["", "has space", "-a", "a-", "a/b", &"a".repeat(64)] {
            assert!(!is_label_value(bad), "{bad}");
        }
    }
}
