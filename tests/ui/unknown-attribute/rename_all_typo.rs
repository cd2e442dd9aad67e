use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders", rename_all = "camelcase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
}

#[derive(Model)]
#[dynamo(table = "carts", rename_all = "title case")]
struct Cart {
    #[dynamo(hash_key)]
    customer_id: String,
}

fn main() {}
