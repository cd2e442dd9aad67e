use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders", rename_all = "camelCase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    total_cents: i64,
}

fn main() {
    // A path takes values of its field's type only.
    let _ = Order::TOTAL_CENTS.eq("ten");
}
