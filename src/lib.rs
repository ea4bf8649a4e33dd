//! The `weft` service: configuration, HTTP API, storage and start-up, as a library the binary and tests share.

pub mod api;
pub mod body;
pub mod bus;
pub mod cli;
pub mod config;
pub mod db;
pub mod execute;
pub mod runner;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod webhooks;
