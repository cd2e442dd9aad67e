use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    #[dynamo(hash_key)]
    user_id: String,
}

fn main() {}
