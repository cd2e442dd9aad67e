use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key, default)]
    customer_id: String,
    #[dynamo(range_key)]
    #[dynamo(default)]
    order_id: String,
}

fn main() {}
