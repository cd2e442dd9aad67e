use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(required)]
    phone: String,
}

fn main() {}
