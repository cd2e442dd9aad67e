use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(skip, default)]
    cache: Vec<u8>,
    #[dynamo(skip, rename = "c", serde)]
    scratch: String,
}

fn main() {}
