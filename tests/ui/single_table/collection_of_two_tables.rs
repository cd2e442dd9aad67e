use dynamo_model::{Collection, Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Table)]
#[dynamo(name = "archive")]
struct Archive;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

#[derive(Model)]
#[dynamo(table = Archive, hash = "USER#{user_id}", range = "ORDER#{order_id}")]
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
