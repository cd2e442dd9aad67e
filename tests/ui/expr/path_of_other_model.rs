use dynamo_model::{Db, Model};

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
}

#[derive(Model)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

// A condition on a user's attribute cannot filter orders.
fn query(db: &Db) {
    let _ = Order::query(db, "c1").filter(User::NAME.eq("x"));
}

fn main() {
    let _ = query;
}
