use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order;

fn main() {}
