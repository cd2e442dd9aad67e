use dynamo_model::Model;

// Index settings of the wrong form, each reported at its value.
#[derive(Model)]
#[dynamo(
    table = "orders",
    gsi = "by_status",
    gsi(name = "by status", hash = "status"),
    gsi(name = by_total, hash = status, projection = "ALL"),
    gsi(name = "by_note", hash = status, projection = include()),
    gsi(hash = status),
    lsi(name = "by_total")
)]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    total: i64,
}

fn main() {}
