use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, entity = "", hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

fn main() {}
