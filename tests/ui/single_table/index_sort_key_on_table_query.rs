use dynamo_model::{Db, Model, Table};

#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct App;

#[derive(Model)]
#[dynamo(
    table = App,
    hash = "USER#{user_id}",
    range = "ORDER#{order_id}",
    gsi(name = "gsi1", hash = "STATUS#{status}", range = "{created}#{order_id}")
)]
struct Order {
    user_id: String,
    order_id: String,
    status: String,
    created: u32,
}

fn reads(db: &Db) {
    // A condition on the index's sort key, given to a query of the table.
    let _ = Order::query(db, "1").range(Order::gsi1_sk().created_gt(5u32));
}

fn main() {}
