use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders", hash_key)]
struct Order {
    #[dynamo(rename_all = "camelCase")]
    customer_id: String,
}

fn main() {}
