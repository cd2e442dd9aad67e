use dynamo_model::Model;

#[derive(Clone, Debug, PartialEq)]
struct CustomerId(String);

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: CustomerId,
    total: i64,
}

fn main() {}
