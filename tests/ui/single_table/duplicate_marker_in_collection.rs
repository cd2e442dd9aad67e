use dynamo_model::{Collection, Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, entity = "X", hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

#[derive(Model)]
#[dynamo(table = App, entity = "X", hash = "USER#{user_id}", range = "ORDER#{order_id}")]
struct Order {
    user_id: String,
    order_id: String,
}

#[derive(Collection)]
enum UserData {
    User(User),
    Order(Order),
}

fn main() {}
