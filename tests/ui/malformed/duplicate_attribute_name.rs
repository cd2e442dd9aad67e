use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders", rename_all = "camelCase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    total: i64,
    #[dynamo(rename = "total")]
    amount: i64,
    #[dynamo(rename = "customerId")]
    customer: String,
    // Skipped fields are never stored, so they cannot collide.
    #[dynamo(skip)]
    cached_total: i64,
}

fn main() {}
