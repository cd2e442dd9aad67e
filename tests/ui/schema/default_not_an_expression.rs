use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(default = "not an expr (")]
    plan: String,
    #[dynamo(default = 3)]
    seats: u32,
}

fn main() {}
