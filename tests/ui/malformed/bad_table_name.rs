use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "my orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
}

#[derive(Model)]
#[dynamo(table = "ab")]
struct Cart {
    #[dynamo(hash_key)]
    customer_id: String,
}

#[derive(Model)]
#[dynamo(table = "")]
struct Line {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
