use dynamo_model::Model;

// A field type that cannot be stored is reported once per direction, on the
// type, rules or not (as for a plain field, see `usage/unstorable_field.rs`).
#[derive(Debug, PartialEq, PartialOrd)]
struct Money(i64);

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn positive(value: &Money) -> Result<(), String> {
    if value.0 > 0 {
        Ok(())
    } else {
        Err("must be positive".into())
    }
}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(validate(with = positive))]
    total: Money,
}

fn main() {}
