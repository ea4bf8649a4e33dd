//! The hostile suite: each finding of the hardening review, driven over HTTP against a real
//! `weft serve` process, ending with the process alive, `/healthz` prompt, and an ordinary
//! execution succeeding.

mod flood;
mod killable;
mod payloads;
mod sandbox;
mod server;
