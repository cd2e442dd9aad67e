use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
#[dynamo(table = "orders_v2")]
struct Order {
    #[dynamo(hash_key, hash_key)]
    customer_id: String,
    #[dynamo(rename = "sum")]
    #[dynamo(rename = "amount")]
    total: i64,
}

fn main() {}
