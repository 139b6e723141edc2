//! The lint rule catalog, the rules, suppression and the lint run over a set of manifests.
