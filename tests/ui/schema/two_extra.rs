use std::collections::HashMap;

use dynamo_model::{AttributeValue, Model};

// The second `extra` is reported, and so is the `rename` next to it: the
// undeclared attributes keep their own names.
#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(extra)]
    extra: HashMap<String, AttributeValue>,
    #[dynamo(extra, rename = "more")]
    more: HashMap<String, AttributeValue>,
}

fn main() {}
