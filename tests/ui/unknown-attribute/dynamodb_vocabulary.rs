use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table_name = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    #[dynamo(sort_key)]
    order_id: String,
}

fn main() {}
