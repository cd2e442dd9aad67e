use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order(String, i64);

fn main() {}
