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

// The same through `Option`: still one error per direction, on the field type.
#[derive(Model)]
#[dynamo(table = "invoices")]
struct Invoice {
    #[dynamo(hash_key)]
    id: String,
    total: Option<Money>,
}

fn main() {}
