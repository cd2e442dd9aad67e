use dynamo_model::Model;

// `include(...)` lists stored attributes other than keys, each once.
#[derive(Model)]
#[dynamo(
    table = "orders",
    gsi(name = "by_status", hash = status, projection = include(customer_id, status, note, note, cache))
)]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    status: String,
    note: String,
    #[dynamo(skip)]
    cache: u64,
}

fn main() {}
