//! The one error type of the store. Every variant renders as a sentence a
//! person can act on, because that sentence is what reaches JavaScript in the
//! envelope's `error` field.

use std::fmt;

/// Which caller-supplied name a length or emptiness check refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The name of an instance (also the `instanceId` argument).
    InstanceName,
    /// An instance's description.
    Description,
    /// A namespace.
    Namespace,
    /// A key.
    Key,
}

impl Field {
    fn noun(self) -> &'static str {
        match self {
            Field::InstanceName => "instance name",
            Field::Description => "instance description",
            Field::Namespace => "namespace",
            Field::Key => "key",
        }
    }
}

/// A failure that persistence reported; the store's memory was rolled back
/// to what the backend holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// The storage has no room left (quota exceeded).
    Full,
    /// The storage cannot be used at all (missing, blocked, closed for good).
    Unavailable(String),
    /// Any other failure of a write or a read, with the backend's own words.
    Failed(String),
}

/// Everything that can go wrong in a store call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No instance has this id or name.
    InstanceNotFound(String),
    /// `createInstance` or `updateInstance` asked for a name already in use.
    InstanceExists(String),
    /// A name, namespace or key was the empty string.
    Empty(Field),
    /// A name, namespace, key or description is longer than the limit.
    TooLong { field: Field, bytes: usize, max: usize },
    /// The value's JSON text is larger than the limit.
    ValueTooLarge { bytes: usize, max: usize },
    /// The value nests arrays and objects deeper than the limit.
    ValueTooDeep { max: usize },
    /// The value is not a JSON value that can be stored exactly.
    InvalidValue(String),
    /// An argument has the wrong type or shape.
    InvalidArgument { name: String, problem: String },
    /// `updateInstance` was given neither a name nor a description.
    NothingToUpdate,
    /// The query is malformed; `part` names where.
    InvalidQuery { part: String, problem: String },
    /// The configuration given to `open` is not usable.
    InvalidOptions(String),
    /// Persistence failed; nothing of the call was kept.
    Storage(StorageError),
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Full => f.write_str(
                "The storage is full (quota exceeded); delete records or ask the browser for more space, then try again.",
            ),
            StorageError::Unavailable(why) => write!(f, "The storage is unavailable: {why}"),
            StorageError::Failed(why) => write!(f, "The storage failed to save the change: {why}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InstanceNotFound(name) => write!(
                f,
                "Instance {name:?} not found; create it with createInstance, or call set with autoCreateInstance = true."
            ),
            Error::InstanceExists(name) => write!(
                f,
                "An instance named {name:?} already exists; choose another name."
            ),
            Error::Empty(field) => write!(f, "The {} must not be empty.", field.noun()),
            Error::TooLong { field, bytes, max } => write!(
                f,
                "The {} is {bytes} bytes long; the limit is {max} bytes.",
                field.noun()
            ),
            Error::ValueTooLarge { bytes, max } => write!(
                f,
                "The value is {bytes} bytes as JSON; the limit is {max} bytes. Split it over several keys or raise maxValueBytes."
            ),
            Error::ValueTooDeep { max } => write!(
                f,
                "The value nests arrays and objects more than {max} levels deep; flatten it or raise maxDepth."
            ),
            Error::InvalidValue(why) => write!(f, "The value cannot be stored: {why}"),
            Error::InvalidArgument { name, problem } => write!(f, "{name} {problem}"),
            Error::NothingToUpdate => f.write_str(
                "Nothing to update: pass { name } and/or { description }.",
            ),
            Error::InvalidQuery { part, problem } => write!(f, "Invalid query at {part}: {problem}"),
            Error::InvalidOptions(why) => write!(f, "Invalid options: {why}"),
            Error::Storage(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        Error::Storage(e)
    }
}
