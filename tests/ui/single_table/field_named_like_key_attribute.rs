use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

// A field stored as `sk`, the attribute the `range` template writes.
#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
    sk: String,
}

fn main() {}
