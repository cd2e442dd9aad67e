use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
enum Order {
    Placed { customer_id: String },
    Shipped { customer_id: String },
}

fn main() {}
