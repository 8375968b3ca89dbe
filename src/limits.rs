//! Size limits, checked before anything large is allocated or stored.
//!
//! The defaults fit every backend boltkv ships: a key of 512 bytes is also the
//! Workers KV key limit, and a value of 1 MiB stays far below what IndexedDB,
//! Workers KV and Durable Objects accept while keeping a localStorage store
//! (about 5 M characters per origin) usable.

use crate::error::{Error, Field, Result};

/// The deepest nesting any store accepts: queries parse values with a
/// recursive parser whose stack must stay bounded.
pub const DEPTH_CEILING: usize = 128;

/// Configurable limits; `Limits::default()` gives the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest key, in UTF-8 bytes (default 512).
    pub max_key_bytes: usize,
    /// Longest namespace, in UTF-8 bytes (default 256).
    pub max_namespace_bytes: usize,
    /// Longest instance name, in UTF-8 bytes (default 256).
    pub max_instance_name_bytes: usize,
    /// Longest instance description, in UTF-8 bytes (default 4096).
    pub max_description_bytes: usize,
    /// Largest value, as UTF-8 bytes of its JSON text (default 1 MiB).
    pub max_value_bytes: usize,
    /// Deepest nesting of arrays and objects in a value (default 64, at most 128).
    pub max_depth: usize,
    /// Most operations in one `batch`, and keys in one `getMany` (default 10,000).
    pub max_batch_operations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_key_bytes: 512,
            max_namespace_bytes: 256,
            max_instance_name_bytes: 256,
            max_description_bytes: 4096,
            max_value_bytes: 1 << 20,
            max_depth: 64,
            max_batch_operations: 10_000,
        }
    }
}

impl Limits {
    /// Refuses limits that would make the store unusable or unsafe.
    pub fn validate(&self) -> Result<()> {
        let sizes = [
            ("maxKeyBytes", self.max_key_bytes),
            ("maxNamespaceBytes", self.max_namespace_bytes),
            ("maxInstanceNameBytes", self.max_instance_name_bytes),
            ("maxDescriptionBytes", self.max_description_bytes),
            ("maxValueBytes", self.max_value_bytes),
            ("maxBatchOperations", self.max_batch_operations),
        ];
        for (name, size) in sizes {
            if size == 0 {
                return Err(Error::InvalidOptions(format!("{name} must be at least 1.")));
            }
        }
        if self.max_depth == 0 || self.max_depth > DEPTH_CEILING {
            return Err(Error::InvalidOptions(format!(
                "maxDepth must be between 1 and {DEPTH_CEILING}."
            )));
        }
        Ok(())
    }

    /// The limit in bytes for one kind of name.
    pub fn max_bytes(&self, field: Field) -> usize {
        match field {
            Field::InstanceName => self.max_instance_name_bytes,
            Field::Description => self.max_description_bytes,
            Field::Namespace => self.max_namespace_bytes,
            Field::Key => self.max_key_bytes,
        }
    }

    /// Checks a name, namespace or key: not empty (descriptions may be) and
    /// within its limit.
    pub fn check(&self, field: Field, text: &str) -> Result<()> {
        if text.is_empty() && field != Field::Description {
            return Err(Error::Empty(field));
        }
        let max = self.max_bytes(field);
        if text.len() > max {
            return Err(Error::TooLong { field, bytes: text.len(), max });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_at_the_limit_pass_and_one_byte_more_fails() {
        let limits = Limits::default();
        for field in [Field::InstanceName, Field::Namespace, Field::Key, Field::Description] {
            let max = limits.max_bytes(field);
            assert_eq!(limits.check(field, &"k".repeat(max)), Ok(()));
            assert_eq!(
                limits.check(field, &"k".repeat(max + 1)),
                Err(Error::TooLong { field, bytes: max + 1, max })
            );
        }
    }

    #[test]
    fn lengths_count_utf8_bytes_not_characters() {
        let limits = Limits { max_key_bytes: 4, ..Limits::default() };
        assert_eq!(limits.check(Field::Key, "\u{e9}\u{e9}"), Ok(()));
        assert_eq!(
            limits.check(Field::Key, "\u{e9}\u{e9}a"),
            Err(Error::TooLong { field: Field::Key, bytes: 5, max: 4 })
        );
    }

    #[test]
    fn empty_names_are_refused_but_empty_descriptions_are_not() {
        let limits = Limits::default();
        assert_eq!(limits.check(Field::Key, ""), Err(Error::Empty(Field::Key)));
        assert_eq!(limits.check(Field::Namespace, ""), Err(Error::Empty(Field::Namespace)));
        assert_eq!(limits.check(Field::InstanceName, ""), Err(Error::Empty(Field::InstanceName)));
        assert_eq!(limits.check(Field::Description, ""), Ok(()));
    }

    #[test]
    fn unusable_limits_are_refused() {
        assert!(Limits { max_depth: 0, ..Limits::default() }.validate().is_err());
        assert!(Limits { max_depth: DEPTH_CEILING + 1, ..Limits::default() }.validate().is_err());
        assert!(Limits { max_value_bytes: 0, ..Limits::default() }.validate().is_err());
        assert_eq!(Limits { max_depth: DEPTH_CEILING, ..Limits::default() }.validate(), Ok(()));
    }
}
