//! In-process caches over store reads, each dropped on the changes that make it stale.

mod keys;

pub use keys::KeyCache;
