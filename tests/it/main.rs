//! Integration tests, all in one binary: one module per command, shared harnesses in `support`.

mod explain;
mod lint;
mod probe;
mod support;
mod validate;
