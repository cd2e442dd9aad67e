use std::collections::HashMap;

use dynamo_model::{Item, Model};

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(extra)]
    extra: Vec<String>,
}

fn main() {}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(extra)]
    extra: HashMap<String, String>,
}

// The runtime's alias for the map is accepted.
#[derive(Model)]
#[dynamo(table = "invoices")]
struct Invoice {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(extra)]
    extra: Item,
}
