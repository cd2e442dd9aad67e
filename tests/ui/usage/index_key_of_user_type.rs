use dynamo_model::{AttributeValue, DecodeError, EncodeError, FromAttribute, Model, ToAttribute};

// An index key of a type that is stored but is no key attribute: one error, on
// the field type, as for a table key, however many indexes use it.
#[derive(Debug, Clone, PartialEq)]
struct Status(String);

impl ToAttribute for Status {
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(AttributeValue::S(self.0.clone())))
    }
}

impl FromAttribute for Status {
    const EXPECTED: &'static str = "string (S)";

    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        String::from_attribute(value).map(Status)
    }
}

#[derive(Model)]
#[dynamo(
    table = "orders",
    gsi(name = "by_status", hash = status),
    gsi(name = "by_customer", hash = customer_id, range = status)
)]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    status: Status,
}

fn main() {}
