use dynamo_model::Model;
use std::collections::HashMap;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_ids: Vec<String>,
    #[dynamo(range_key)]
    placed: (i64, u32),
}

#[derive(Model)]
#[dynamo(table = "flags")]
struct Flag {
    #[dynamo(hash_key)]
    enabled: bool,
    #[dynamo(range_key)]
    labels: HashMap<String, String>,
}

#[derive(Model)]
#[dynamo(table = "names")]
struct Name {
    #[dynamo(hash_key)]
    name: &'static str,
}

fn main() {}
