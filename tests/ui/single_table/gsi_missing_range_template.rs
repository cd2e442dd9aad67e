use dynamo_model::{Model, Table};

// The table's `gsi1` has a sort key: an item without `gsi1sk` is never in the index.
#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE", gsi(name = "gsi1", hash = "EMAIL#{email}"))]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
