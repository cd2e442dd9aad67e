use dynamo_model::Model;

// `a_b` and `aB` both give the constant `Order::A_B`.
#[derive(Model)]
#[allow(non_snake_case)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    id: String,
    total_cents: i64,
    totalCents: i64,
}

fn main() {}
