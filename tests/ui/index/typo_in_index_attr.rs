use dynamo_model::Model;

// A typo inside `gsi(...)` is reported with the key meant, and the key it hides
// is not reported missing.
#[derive(Model)]
#[dynamo(
    table = "orders",
    gsi(name = "by_status", hsah = status),
    gsi(index_name = "by_total", partition_key = status, projection = keysonly),
    lsi(name = "by_placed", hash = customer_id, range = placed)
)]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    placed: String,
}

fn main() {}
