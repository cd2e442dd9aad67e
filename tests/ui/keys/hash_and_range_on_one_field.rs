use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key, range_key)]
    customer_id: String,
    total: i64,
}

fn main() {}
