use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "sessions")]
struct Session {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(ttl)]
    expires_at: String,
    #[dynamo(created_at = "milliseconds")]
    created_at: i64,
}

fn main() {}
