use dynamo_model::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Payload {
    kind: String,
}

// Index keys follow the rules of table keys (an Option of a key type is allowed: a sparse index); each is reported where the index
// names it, since the field itself is fine as a plain attribute.
#[derive(Model)]
#[dynamo(
    table = "events",
    gsi(name = "by_tags", hash = tags),
    gsi(name = "by_kind", hash = payload, range = note),
    gsi(name = "by_cache", hash = cache),
    gsi(name = "by_flag", hash = flag, range = flag)
)]
struct Event {
    #[dynamo(hash_key)]
    id: String,
    tags: Vec<String>,
    note: Option<String>,
    #[dynamo(serde)]
    payload: Payload,
    #[dynamo(skip)]
    cache: u64,
    flag: String,
}

fn main() {}
