use dynamo_model::{Model, Table};

// The table has a sort key (`sk`), so every item needs one.
#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}")]
struct User {
    user_id: String,
}

fn main() {}
