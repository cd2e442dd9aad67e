use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "ORDER#{created}#{order_id}")]
struct Order {
    user_id: String,
    created: u32,
    order_id: String,
}

fn main() {
    let _ = Order::sk().created_gt("x");
}
