use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

#[derive(Model)]
#[dynamo(table = App, hash = "DOC#{doc_id}", range = "v{version}")]
struct Revision {
    doc_id: String,
    version: u32,
}

fn main() {}
