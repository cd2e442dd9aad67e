use dynamo_model::Model;

// A plain field whose type cannot be stored: reported at the type, once per
// direction (it can neither be written nor read back).

struct Money(i64);

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    total: Money,
}

fn main() {}
