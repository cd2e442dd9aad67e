use dynamo_model::Model;

// Index names are unique per table, and so are the constants named after them.
#[derive(Model)]
#[dynamo(
    table = "orders",
    gsi(name = "by_status", hash = status),
    gsi(name = "by_status", hash = total),
    lsi(name = "by-total", range = total),
    gsi(name = "by_total", hash = status, range = total)
)]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    total: i64,
}

// An index whose constant would be a field's path.
#[derive(Model)]
#[dynamo(table = "users", gsi(name = "email", hash = email))]
struct User {
    #[dynamo(hash_key)]
    id: String,
    email: String,
}

fn main() {}
