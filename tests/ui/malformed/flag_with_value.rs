use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key = "customerId")]
    customer_id: String,
    #[dynamo(default(0))]
    total: i64,
}

fn main() {}
