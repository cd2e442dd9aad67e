use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct App;

// `updated_at` changes on every write: it cannot name the item.
#[derive(Model)]
#[dynamo(table = App, hash = "CLK#{id}", range = "AT#{updated}")]
struct Clock {
    id: String,
    #[dynamo(updated_at)]
    updated: u64,
}

// The version changes by `ADD` on every write: no key may be built from it.
#[derive(Model)]
#[dynamo(table = App, hash = "DOC#{id}", range = "META", gsi(name = "gsi1", hash = "V#{version}", range = "{id}"))]
struct Doc {
    id: String,
    #[dynamo(version)]
    version: u64,
}

fn shout(name: &String) -> String {
    name.to_uppercase()
}

// A `get` transform reads back another value than the key holds.
#[derive(Model)]
#[dynamo(table = App, hash = "SH#{name}", range = "META")]
struct Shout {
    #[dynamo(get = shout)]
    name: String,
}

fn main() {}
