//! `explain` and the cluster access under it, against the fixture API server and from files.

mod bench;
mod cli;
mod cluster;
mod prometheus;
mod readability;
mod scenarios;
