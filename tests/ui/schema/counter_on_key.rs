use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "pages")]
struct Page {
    #[dynamo(hash_key, counter)]
    id: u64,
    #[dynamo(counter, ttl)]
    views: u64,
}

fn main() {}
