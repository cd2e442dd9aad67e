//! The keys accepted inside `#[dynamo(...)]`, named once so that parsing, checks
//! and error messages cannot drift apart.

use std::fmt::{self, Display};
use syn::{Ident, Path};

/// One attribute key, compared against identifiers and paths from the input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Symbol(&'static str);

impl Symbol {
    /// The key as written by the user.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

/// The attribute this derive owns: `#[dynamo(...)]`.
pub const DYNAMO: Symbol = Symbol("dynamo");

/// Container key: the DynamoDB table name.
pub const TABLE: Symbol = Symbol("table");
/// Container key: the case convention applied to every field name.
pub const RENAME_ALL: Symbol = Symbol("rename_all");

/// Field key: the field is the partition (hash) key.
pub const HASH_KEY: Symbol = Symbol("hash_key");
/// Field key: the field is the sort (range) key.
pub const RANGE_KEY: Symbol = Symbol("range_key");
/// Field key: the attribute name of this field.
pub const RENAME: Symbol = Symbol("rename");
/// Field key: the field is never stored.
pub const SKIP: Symbol = Symbol("skip");
/// Field key: a missing attribute reads as `Default::default()`.
pub const DEFAULT: Symbol = Symbol("default");
/// Field key: the field is converted by a user module.
pub const WITH: Symbol = Symbol("with");
/// Field key: the field is stored through `serde_dynamo`.
pub const SERDE: Symbol = Symbol("serde");

/// Every key accepted on the struct, in the order error messages list them.
pub const CONTAINER_KEYS: &[Symbol] = &[TABLE, RENAME_ALL];
/// Every key accepted on a field, in the order error messages list them.
pub const FIELD_KEYS: &[Symbol] = &[HASH_KEY, RANGE_KEY, RENAME, DEFAULT, SKIP, WITH, SERDE];

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
