use dynamo_model::{Db, Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "ORDER#{order_id}")]
struct Order {
    user_id: String,
    order_id: String,
}

fn reads(db: &Db) {
    // The same partition, but `Order::sk()` is a condition on orders' sort keys.
    let _ = User::query(db, "1").range(Order::sk());
}

fn main() {}
