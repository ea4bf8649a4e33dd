//! Bounds on the shape of user data that every walker over it relies on, so no input can
//! exhaust a thread's stack or ask for an allocation beyond reason.

/// The deepest nesting of objects and arrays an item, a parsed document (XML, HTML, Markdown)
/// or a field path may reach. Every recursive walk over user-shaped data stays within it, so
/// at a few hundred bytes a frame it needs a small part of the 8 MiB stack of the threads that
/// run executions. It is below serde_json's parser limit (128) less the ten levels stored run
/// data wraps an item in, so whatever an execution holds can be stored and read back.
pub const MAX_NESTING: usize = 100;

/// The largest array index a field path (`a[12].b`) may name: setting one makes an array that
/// long.
pub const MAX_PATH_INDEX: usize = 1_000_000;

/// Array slots field paths may create in one node run, all paths and items together (each is a
/// JSON `null` of about 80 bytes), so many paths with large indexes cannot add up.
pub const MAX_PATH_SLOTS: usize = 1_000_000;

/// Why user data was refused for its shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("nested more than {MAX_NESTING} levels deep")]
    TooDeep,
    #[error("array index {0} is larger than the {MAX_PATH_INDEX} allowed")]
    IndexTooLarge(String),
    #[error(
        "one more array than the {MAX_PATH_SLOTS} elements field paths may create in one node run"
    )]
    TooManySlots,
}
