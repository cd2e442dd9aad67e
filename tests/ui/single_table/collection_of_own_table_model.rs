use dynamo_model::{Collection, Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

// A model with its own table is no entity of a shared table.
#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    user_id: String,
    #[dynamo(range_key)]
    order_id: String,
}

#[derive(Collection)]
enum UserData {
    User(User),
    Order(Order),
}

fn main() {}
