use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
}

fn main() {}
