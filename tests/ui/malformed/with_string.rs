use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(with = "cents")]
    total: i64,
    #[dynamo(with)]
    note: String,
}

fn main() {}
