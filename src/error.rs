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

/// What kind of failure an [`Error`] is, for a program to branch on: the
/// `code` a JavaScript failure envelope carries beside its `error` sentence
/// (the README's "Error codes" table says when each occurs). Each variant
/// is exactly one code and each code one variant (see [`ErrorCode::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An argument, value, query, update or option is malformed: the call
    /// can never succeed as written.
    InvalidArgument,
    /// The instance named does not exist.
    NotFound,
    /// An instance with that name already exists.
    AlreadyExists,
    /// A name, key, namespace, description or value is over its limit
    /// ([`crate::Limits`]: bytes, or nesting depth for values).
    TooLarge,
    /// A version check failed (`ifVersion`, a batch's `check`), or storage
    /// held instances an import in replace mode had not seen.
    Conflict,
    /// The storage has no room left.
    StorageFull,
    /// The storage cannot be used at all.
    StorageUnavailable,
    /// The storage failed to read or write for another reason.
    StorageFailed,
    /// The backend cannot do what was asked (conditional writes on Workers
    /// KV).
    Unsupported,
}

impl ErrorCode {
    /// The code as JavaScript sees it in an envelope's `code`, e.g. `"NOT_FOUND"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::AlreadyExists => "ALREADY_EXISTS",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::StorageFull => "STORAGE_FULL",
            ErrorCode::StorageUnavailable => "STORAGE_UNAVAILABLE",
            ErrorCode::StorageFailed => "STORAGE_FAILED",
            ErrorCode::Unsupported => "UNSUPPORTED",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
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
    TooLong {
        /// Which name.
        field: Field,
        /// Its length in UTF-8 bytes.
        bytes: usize,
        /// The limit, in UTF-8 bytes.
        max: usize,
    },
    /// An object argument (a query, an update) is larger as JSON than the
    /// call takes.
    ArgumentTooLarge {
        /// The argument, as the JavaScript API names it.
        name: String,
        /// Its JSON text's length in UTF-8 bytes.
        bytes: usize,
        /// The limit, in UTF-8 bytes.
        max: usize,
    },
    /// The value's JSON text is larger than the limit.
    ValueTooLarge {
        /// The JSON text's length in UTF-8 bytes.
        bytes: usize,
        /// The limit (`maxValueBytes`).
        max: usize,
    },
    /// The value nests arrays and objects deeper than the limit.
    ValueTooDeep {
        /// The limit (`maxDepth`).
        max: usize,
    },
    /// The value is not a JSON value that can be stored exactly.
    InvalidValue(String),
    /// An argument has the wrong type or shape.
    InvalidArgument {
        /// The argument (or member of one), as the JavaScript API names it.
        name: String,
        /// What is wrong with it, as a predicate completing a sentence.
        problem: String,
    },
    /// `updateInstance` was given neither a name nor a description.
    NothingToUpdate,
    /// The query is malformed; `part` names where.
    InvalidQuery {
        /// The path of the bad part, such as `where[1].operator`.
        part: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The configuration given to `open` is not usable.
    InvalidOptions(String),
    /// A stored value does not deserialise into the Rust type asked for.
    WrongType {
        /// The type asked for, as `std::any::type_name` names it.
        type_name: &'static str,
        /// What serde found wrong.
        problem: String,
    },
    /// The key's version was not the one the call required (`ifVersion`).
    Conflict {
        /// The key, as `namespace/key`.
        place: String,
        /// The version required; `None`: the key had to be absent.
        expected: Option<u64>,
        /// The version found; `None`: the key was absent.
        found: Option<u64>,
    },
    /// A write into an instance that another tab or request deleted while
    /// the write was on its way to storage.
    InstanceGone,
    /// An `updateInstance` made from an instance that another tab or
    /// request renamed or described meanwhile, or an import taking over an
    /// instance whose records another tab or request changed meanwhile.
    InstanceChanged(String),
    /// An import in replace mode was refused: storage held instances the
    /// store had not yet heard of (another tab or request created them), so
    /// it would not have emptied the store.
    NotEmptied {
        /// The names of those instances.
        instances: Vec<String>,
    },
    /// The backend cannot carry out the call as asked; says why.
    Unsupported(String),
    /// One key of a `getMany` is refused, so none was read.
    InKey {
        /// Its position in the list, from 0.
        index: usize,
        /// Why.
        error: Box<Error>,
    },
    /// One operation of a `batch` failed, so none was carried out.
    InOperation {
        /// Its position in the batch, from 0.
        index: usize,
        /// What it would have failed with on its own.
        error: Box<Error>,
    },
    /// One line of an import is refused, so nothing was imported.
    OnLine {
        /// Its number, from 1 (the header line).
        line: usize,
        /// Why.
        error: Box<Error>,
    },
    /// Persistence failed; nothing of the call was kept.
    Storage(StorageError),
}

impl Error {
    /// The kind of failure, as a program branches on it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InstanceNotFound(_) | Error::InstanceGone => ErrorCode::NotFound,
            Error::InstanceExists(_) => ErrorCode::AlreadyExists,
            Error::TooLong { .. }
            | Error::ArgumentTooLarge { .. }
            | Error::ValueTooLarge { .. }
            | Error::ValueTooDeep { .. } => ErrorCode::TooLarge,
            Error::Empty(_)
            | Error::InvalidValue(_)
            | Error::InvalidArgument { .. }
            | Error::NothingToUpdate
            | Error::InvalidQuery { .. }
            | Error::InvalidOptions(_)
            | Error::WrongType { .. } => ErrorCode::InvalidArgument,
            Error::Conflict { .. } | Error::InstanceChanged(_) | Error::NotEmptied { .. } => ErrorCode::Conflict,
            Error::Unsupported(_) => ErrorCode::Unsupported,
            Error::InOperation { error, .. } | Error::InKey { error, .. } | Error::OnLine { error, .. } => error.code(),
            Error::Storage(StorageError::Full) => ErrorCode::StorageFull,
            Error::Storage(StorageError::Unavailable(_)) => ErrorCode::StorageUnavailable,
            Error::Storage(StorageError::Failed(_)) => ErrorCode::StorageFailed,
        }
    }
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
            Error::ArgumentTooLarge { name, bytes, max } => {
                write!(f, "{name} is {bytes} bytes as JSON; the limit is {max} bytes.")
            }
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
            Error::WrongType { type_name, problem } => {
                write!(f, "The stored value cannot be read as `{type_name}`: {problem}.")
            }
            Error::Conflict { place, expected, found } => {
                let version = |v: &Option<u64>| v.map_or_else(|| "absent".to_string(), |v| format!("at version {v}"));
                write!(
                    f,
                    "The key {place} is {} but the write required it {}; it was changed meanwhile, so nothing was written. Read it again and retry.",
                    version(found),
                    version(expected)
                )
            }
            Error::InstanceGone => f.write_str(
                "The instance was deleted by another tab or request while this call was on its way to storage, so nothing was written; create the instance again to write into it.",
            ),
            Error::InstanceChanged(name) => write!(
                f,
                "Instance {name:?} was changed by another tab or request while this call was on its way to storage, so nothing was written; read it again and retry."
            ),
            Error::NotEmptied { instances } => {
                let names: Vec<String> = instances.iter().map(|name| format!("{name:?}")).collect();
                let (noun, pronoun) = if instances.len() == 1 { ("instance", "it") } else { ("instances", "them") };
                write!(
                    f,
                    "Another tab or request created {noun} {} while this import was on its way to storage, so replacing would not have emptied the store; nothing was imported. Import again to replace {pronoun} too.",
                    names.join(", ")
                )
            }
            Error::Unsupported(why) => write!(f, "Not supported by this storage: {why}"),
            Error::InOperation { index, error } => write!(f, "Operation {index} of the batch failed, so none was carried out: {error}"),
            Error::InKey { index, error } => write!(f, "Key {index} of the list is refused, so none was read: {error}"),
            Error::OnLine { line, error } => write!(f, "Line {line} of the import is refused, so nothing was imported: {error}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_has_its_code() {
        let too_long = Error::TooLong { field: Field::Key, bytes: 9, max: 8 };
        let argument = Error::InvalidArgument { name: "x".into(), problem: "is wrong.".into() };
        let query = Error::InvalidQuery { part: "limit".into(), problem: "is negative.".into() };
        let wrong_type = Error::WrongType { type_name: "u8", problem: "no".into() };
        let cases = [
            (Error::InstanceNotFound("a".into()), "NOT_FOUND"),
            (Error::InstanceExists("a".into()), "ALREADY_EXISTS"),
            (Error::Empty(Field::Key), "INVALID_ARGUMENT"),
            (too_long, "TOO_LARGE"),
            (Error::ArgumentTooLarge { name: "query".into(), bytes: 9, max: 8 }, "TOO_LARGE"),
            (Error::ValueTooLarge { bytes: 9, max: 8 }, "TOO_LARGE"),
            (Error::ValueTooDeep { max: 8 }, "TOO_LARGE"),
            (Error::InvalidValue("no".into()), "INVALID_ARGUMENT"),
            (argument, "INVALID_ARGUMENT"),
            (Error::NothingToUpdate, "INVALID_ARGUMENT"),
            (query, "INVALID_ARGUMENT"),
            (Error::InvalidOptions("no".into()), "INVALID_ARGUMENT"),
            (wrong_type, "INVALID_ARGUMENT"),
            (Error::Conflict { place: "b/c".into(), expected: None, found: Some(2) }, "CONFLICT"),
            (Error::NotEmptied { instances: vec!["a".into()] }, "CONFLICT"),
            (Error::InstanceGone, "NOT_FOUND"),
            (Error::InstanceChanged("a".into()), "CONFLICT"),
            (Error::Unsupported("no".into()), "UNSUPPORTED"),
            (Error::InOperation { index: 2, error: Box::new(Error::ValueTooDeep { max: 1 }) }, "TOO_LARGE"),
            (Error::OnLine { line: 3, error: Box::new(Error::Empty(Field::Key)) }, "INVALID_ARGUMENT"),
            (Error::Storage(StorageError::Full), "STORAGE_FULL"),
            (Error::Storage(StorageError::Unavailable("gone".into())), "STORAGE_UNAVAILABLE"),
            (Error::Storage(StorageError::Failed("broke".into())), "STORAGE_FAILED"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code().as_str(), code, "{error:?}");
        }
    }

    #[test]
    fn codes_and_their_strings_are_one_to_one() {
        let codes = [
            (ErrorCode::InvalidArgument, "INVALID_ARGUMENT"),
            (ErrorCode::NotFound, "NOT_FOUND"),
            (ErrorCode::AlreadyExists, "ALREADY_EXISTS"),
            (ErrorCode::TooLarge, "TOO_LARGE"),
            (ErrorCode::Conflict, "CONFLICT"),
            (ErrorCode::StorageFull, "STORAGE_FULL"),
            (ErrorCode::StorageUnavailable, "STORAGE_UNAVAILABLE"),
            (ErrorCode::StorageFailed, "STORAGE_FAILED"),
            (ErrorCode::Unsupported, "UNSUPPORTED"),
        ];
        for (code, text) in codes {
            assert_eq!(code.as_str(), text);
            assert_eq!(code.to_string(), text);
            assert_eq!(serde_json::to_string(&code).ok(), Some(format!("\"{text}\"")));
        }
        let distinct: std::collections::HashSet<&str> = codes.iter().map(|(code, _)| code.as_str()).collect();
        assert_eq!(distinct.len(), codes.len());
    }

    #[test]
    fn a_wrong_type_names_the_type() {
        let error = Error::WrongType { type_name: "app::Theme", problem: "missing field `mode`".into() };
        assert_eq!(error.to_string(), "The stored value cannot be read as `app::Theme`: missing field `mode`.");
    }
}
