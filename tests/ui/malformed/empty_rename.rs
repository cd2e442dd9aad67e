use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(rename = "")]
    total: i64,
}

fn main() {}
