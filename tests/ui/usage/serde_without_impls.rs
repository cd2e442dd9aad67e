use dynamo_model::Model;

// A `serde` field whose type implements neither serde trait: reported at the
// type, once per direction.
struct Address {
    city: String,
}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(serde)]
    address: Address,
}

fn main() {}
