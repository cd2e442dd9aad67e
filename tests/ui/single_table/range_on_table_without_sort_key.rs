use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app", range = none)]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

fn main() {}
