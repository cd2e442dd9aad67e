use dynamo_model::Model;

#[derive(Model)]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
}

#[derive(Model)]
#[dynamo(rename_all = "camelCase")]
struct Cart {
    #[dynamo(hash_key)]
    customer_id: String,
}

fn main() {}
