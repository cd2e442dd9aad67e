use dynamo_model::{Collection, Db, Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Table)]
#[dynamo(name = "archive")]
struct Archive;

#[derive(Model)]
#[dynamo(table = App, hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
}

#[derive(Model)]
#[dynamo(table = Archive, hash = "USER#{user_id}", range = "OLD#{order_id}")]
struct OldOrder {
    user_id: String,
    order_id: String,
}

#[derive(Collection)]
enum UserData {
    User(User),
}

fn reads(db: &Db) {
    // A partition of the archive table, for a collection of the app table.
    let _ = UserData::query(db, OldOrder::partition("42"));
}

fn main() {}
