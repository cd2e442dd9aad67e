use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key, range_key)]
    customer_id: String,
    total: i64,
}

// Reported at whichever of the two is written second.
#[derive(Model)]
#[dynamo(table = "carts")]
struct Cart {
    #[dynamo(range_key, hash_key)]
    customer_id: String,
}

fn main() {}
