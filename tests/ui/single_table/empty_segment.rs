use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app", range = none)]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER##{id}")]
struct User {
    id: String,
}

fn main() {}
