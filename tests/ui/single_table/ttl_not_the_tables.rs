use dynamo_model::{Model, Table};

// The table declares no TTL attribute, so `create_table` would not enable one.
#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "SESSION#{id}", range = "SESSION")]
struct Session {
    id: String,
    #[dynamo(ttl)]
    expires_at: i64,
}

fn main() {}
