//! In-process caches over store reads, each dropped on the changes that make it stale.

mod keys;
mod variables;

pub use keys::KeyCache;
pub use variables::VariablesCache;
