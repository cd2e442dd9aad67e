use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders", hash = "X#{id}")]
struct Order {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
