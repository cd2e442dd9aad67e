use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

// The derive cannot see through the alias: the compiler checks it.
type Tenant = Option<String>;

#[derive(Model)]
#[dynamo(table = App, hash = "TENANT#{tenant}", range = "USER#{user_id}")]
struct User {
    tenant: Tenant,
    user_id: String,
}

fn main() {}
