use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
}

fn main() {
    let _ = Order::key("c1");
}
