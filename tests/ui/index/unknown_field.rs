use dynamo_model::Model;

// Index keys and `include` name fields by their Rust names; each unknown one is
// reported with the closest field, or with the field whose attribute it is.
#[derive(Model)]
#[dynamo(
    table = "orders",
    rename_all = "camelCase",
    gsi(name = "by_status", hash = statuss, range = createdAt),
    gsi(name = "by_total", hash = customer_id, projection = include(totl, note)),
    lsi(name = "by_placed", range = placed)
)]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    created_at: String,
    total: i64,
    #[dynamo(rename = "placed")]
    placed_at: String,
    note: String,
}

fn main() {}
