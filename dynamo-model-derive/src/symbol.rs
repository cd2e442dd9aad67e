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
/// Container key: a global secondary index, `gsi(name = "...", hash = field, ...)`.
pub const GSI: Symbol = Symbol("gsi");
/// Container key: a local secondary index, `lsi(name = "...", range = field, ...)`.
pub const LSI: Symbol = Symbol("lsi");

/// Index key: the index name.
pub const NAME: Symbol = Symbol("name");
/// Index key: the field that is the index's partition (hash) key.
pub const HASH: Symbol = Symbol("hash");
/// Container key (models in a shared table): the model's entity marker.
pub const ENTITY: Symbol = Symbol("entity");
/// Index key: the field that is the index's sort (range) key.
pub const RANGE: Symbol = Symbol("range");
/// Index key: which attributes the index holds.
pub const PROJECTION: Symbol = Symbol("projection");

/// Projection: every attribute.
pub const ALL: Symbol = Symbol("all");
/// Projection: only the table's and the index's keys.
pub const KEYS_ONLY: Symbol = Symbol("keys_only");
/// Projection: the keys and the fields listed, `include(a, b)`.
pub const INCLUDE: Symbol = Symbol("include");

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
/// Field key: `default_fn = path`, a missing attribute reads as `path()`.
pub const DEFAULT_FN: Symbol = Symbol("default_fn");
/// Field key: an `Option` field must be `Some` to be written.
pub const REQUIRED: Symbol = Symbol("required");
/// Field key: `set = path`, applied to the value on its way to DynamoDB.
pub const SET: Symbol = Symbol("set");
/// Field key: `get = path`, applied to the value read back from DynamoDB.
pub const GET: Symbol = Symbol("get");
/// Field key: the version number of optimistic locking.
pub const VERSION: Symbol = Symbol("version");
/// Field key: the time the item was created, set by the library.
pub const CREATED_AT: Symbol = Symbol("created_at");
/// Field key: the time the item was last written, set by the library.
pub const UPDATED_AT: Symbol = Symbol("updated_at");
/// Field key: the item's expiry time, the table's time-to-live attribute.
pub const TTL: Symbol = Symbol("ttl");
/// Field key: a number changed only by atomic `ADD`.
pub const COUNTER: Symbol = Symbol("counter");
/// Field key: the attributes the struct does not declare.
pub const EXTRA: Symbol = Symbol("extra");

/// Field key `validate(...)`: rules on the value; container key `validate = path`:
/// a check of the whole struct.
pub const VALIDATE: Symbol = Symbol("validate");

/// Rule: at least this number.
pub const MIN: Symbol = Symbol("min");
/// Rule: at most this number.
pub const MAX: Symbol = Symbol("max");
/// Rule: a length in bounds, `len(min = .., max = ..)`.
pub const LEN: Symbol = Symbol("len");
/// Rule: a length of at least one.
pub const NON_EMPTY: Symbol = Symbol("non_empty");
/// Rule: a string matching a regular expression.
pub const REGEX: Symbol = Symbol("regex");
/// Rule: one of the values listed.
pub const ONE_OF: Symbol = Symbol("one_of");
/// Rule: a string that looks like an email address.
pub const EMAIL: Symbol = Symbol("email");

/// Every key accepted on the struct, in the order error messages list them.
pub const CONTAINER_KEYS: &[Symbol] = &[TABLE, RENAME_ALL, GSI, LSI, VALIDATE];
/// Every key accepted inside `gsi(...)`, in the order error messages list them.
pub const GSI_KEYS: &[Symbol] = &[NAME, HASH, RANGE, PROJECTION];
/// Every key accepted inside `lsi(...)`: the table's hash key is the index's.
pub const LSI_KEYS: &[Symbol] = &[NAME, RANGE, PROJECTION];
/// Every projection, in the order error messages list them.
pub const PROJECTIONS: &[Symbol] = &[ALL, KEYS_ONLY, INCLUDE];
/// Every key accepted on a field, in the order error messages list them.
pub const FIELD_KEYS: &[Symbol] = &[
    HASH_KEY, RANGE_KEY, RENAME, DEFAULT, DEFAULT_FN, SKIP, WITH, SERDE, VALIDATE, REQUIRED, SET, GET, VERSION,
    CREATED_AT, UPDATED_AT, TTL, COUNTER, EXTRA,
];
/// The lifecycle keys: a model's item only, at most one role per field.
pub const LIFECYCLE_KEYS: &[Symbol] = &[VERSION, CREATED_AT, UPDATED_AT, TTL, COUNTER];
/// Every rule accepted inside `validate(...)`, in the order error messages list them.
pub const VALIDATE_KEYS: &[Symbol] = &[MIN, MAX, LEN, NON_EMPTY, REGEX, ONE_OF, EMAIL, WITH];
/// Every key accepted inside `len(...)`.
pub const LEN_KEYS: &[Symbol] = &[MIN, MAX];

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
