use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "TENANT#{tenant}", range = "USER#{user_id}")]
struct User {
    tenant: Option<String>,
    user_id: String,
}

fn main() {}
