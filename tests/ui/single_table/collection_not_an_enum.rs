use dynamo_model::{Collection, Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

#[derive(Collection)]
struct UserData {
    user: User,
}

fn main() {}
