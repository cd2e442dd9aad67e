use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct App;

// Binary cannot be part of an index key's text either.
#[derive(Model)]
#[dynamo(
    table = App,
    hash = "FILE#{file_id}",
    range = "META",
    gsi(name = "gsi1", hash = "DIGEST#{digest}", range = "{file_id}")
)]
struct File {
    file_id: String,
    digest: Vec<u8>,
}

fn main() {}
