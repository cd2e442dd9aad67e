use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{usr_id}", range = "PROFILE")]
struct User {
    user_id: String,
    name: String,
}

fn main() {}
