//! The `weft` service: configuration, HTTP API, storage and start-up, as a library the binary and tests share.

pub mod api;
pub mod auth;
pub mod body;
pub mod bus;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod execute;
pub mod local_secret;
pub mod ops;
pub mod owner;
pub mod queue;
pub mod rate;
pub mod retention;
pub mod runner;
pub mod sandbox;
pub mod schedules;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod webhooks;
pub mod work;

#[cfg(test)]
mod props;

/// Unit tests run under an allocator that refuses more than 1 GiB: a parser asking for more
/// on some input aborts the run instead of passing.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, 1 << 30);
