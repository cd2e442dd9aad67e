use std::collections::{BTreeSet, HashMap};

use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    // `Some(None)` would be stored as nothing and read back as `None`.
    maybe: Option<Option<i64>>,
    // `Some` of an empty set too: DynamoDB has no empty set.
    labels: Option<BTreeSet<String>>,
    // Inside a map or a list as well.
    nested: HashMap<String, Option<Option<String>>>,
    // One `Option` is exact.
    note: Option<String>,
    lists: Vec<Option<BTreeSet<String>>>,
}

fn main() {}
