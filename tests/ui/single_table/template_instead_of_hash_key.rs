use dynamo_model::Model;

// A template on a model with its own table, in place of a `hash_key` field.
#[derive(Model)]
#[dynamo(table = "orders", hash = "ORDER#{id}")]
struct Order {
    id: String,
}

fn main() {}
