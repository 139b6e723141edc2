//! Integration tests, all in one binary: one module per command, shared harnesses in `support`.

mod cli;
mod completion;
mod conformance;
mod explain;
mod generate;
mod lint;
mod probe;
mod simulate;
mod support;
mod validate;
