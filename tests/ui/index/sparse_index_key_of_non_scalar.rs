use dynamo_model::Model;

// An index key may be an `Option` (a sparse index) of a key type only; a table
// key may not be an `Option` at all, and is reported once, on the field.
#[derive(Model)]
#[dynamo(
    table = "events",
    gsi(name = "by_tags", hash = tags),
    gsi(name = "by_twice", hash = kind, range = twice),
    gsi(name = "by_id", hash = id)
)]
struct Event {
    #[dynamo(hash_key)]
    id: Option<String>,
    tags: Option<Vec<String>>,
    kind: Option<String>,
    twice: Option<Option<i64>>,
}

fn main() {}
