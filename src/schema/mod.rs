//! Offline validation of objects against CRD OpenAPI v3 schemas (KEDA, Kueue).
