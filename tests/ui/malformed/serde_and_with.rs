use dynamo_model::Model;

mod cents {
    use dynamo_model::{AttributeValue, DecodeError, EncodeError};

    pub fn to_attribute(value: &i64) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::N(value.to_string()))
    }

    pub fn from_attribute(_: AttributeValue) -> Result<i64, DecodeError> {
        Ok(0)
    }
}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(serde, with = cents)]
    total: i64,
}

fn main() {}
