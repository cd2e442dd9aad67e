use dynamo_model::Model;

fn free() -> String {
    "free".into()
}

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(default, default_fn = free)]
    plan: String,
    #[dynamo(default = "3", default)]
    seats: u32,
}

fn main() {}
