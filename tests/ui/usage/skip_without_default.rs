use dynamo_model::Model;

struct Connection;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(skip)]
    connection: Connection,
}

fn main() {}
