use dynamo_model::Document;

// A document is stored inside an item, so it has no table and no index.
#[derive(Document)]
#[dynamo(table = "addresses", rename_all = "camelCase", gsi(name = "by_city", hash = city))]
struct Address {
    city: String,
    zip_code: String,
}

fn main() {}
