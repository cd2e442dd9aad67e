use dynamo_model::{Db, Model};

#[derive(Model)]
#[dynamo(table = "orders", rename_all = "camelCase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    total_cents: i64,
}

// `range` takes a condition on the sort key only; other attributes go in `filter`.
fn query(db: &Db) {
    let _ = Order::query(db, "c1").range(Order::TOTAL_CENTS.gt(5));
}

fn main() {
    let _ = query;
}
