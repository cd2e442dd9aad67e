use dynamo_model::{Collection, Db, Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

#[derive(Collection)]
enum UserData {
    User(User),
}

fn reads(db: &Db) {
    // The partition is built by a model's template: `User::partition("42")`.
    let _ = UserData::query(db, "42");
}

fn main() {}
