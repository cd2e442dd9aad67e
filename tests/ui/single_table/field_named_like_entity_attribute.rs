use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

// A field stored as `_type`, the table's entity marker attribute.
#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
    #[dynamo(rename = "_type")]
    kind: String,
}

fn main() {}
