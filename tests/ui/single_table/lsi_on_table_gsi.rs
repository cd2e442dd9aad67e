use dynamo_model::{Model, Table};

// The table's `gsi1` is a global index: a model cannot key it as a local one.
#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE", lsi(name = "gsi1", range = "EMAIL#{email}"))]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
