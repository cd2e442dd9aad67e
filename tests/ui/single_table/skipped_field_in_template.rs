use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "SESSION#{token}")]
struct Session {
    user_id: String,
    #[dynamo(skip)]
    token: String,
}

fn main() {}
