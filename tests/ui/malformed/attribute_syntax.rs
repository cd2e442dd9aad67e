use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders" rename_all = "camelCase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
}

#[derive(Model)]
#[dynamo = "carts"]
struct Cart {
    #[dynamo(hash_key)]
    customer_id: String,
}

fn main() {}
