use dynamo_model::{Model, Table};

// The table's `lsi1` is a local index: a model cannot key it as a global one.
#[derive(Table)]
#[dynamo(name = "app", lsi(name = "lsi1", range = "lsi1sk"))]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE", gsi(name = "lsi1", hash = "EMAIL#{email}", range = "{user_id}"))]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
