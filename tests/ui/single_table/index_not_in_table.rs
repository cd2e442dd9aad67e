use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE", gsi(name = "gsi9", hash = "X#{email}"))]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
