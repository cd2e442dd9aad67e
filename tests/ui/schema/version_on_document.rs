use dynamo_model::Document;

#[derive(Document)]
struct Address {
    street: String,
    #[dynamo(version)]
    version: u64,
    #[dynamo(created_at, ttl)]
    created_at: i64,
}

fn main() {}
