use dynamo_model::Model;

mod cents {
    use dynamo_model::{AttributeValue, DecodeError, EncodeError};

    pub fn to_attribute(value: &i64) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::N(value.to_string()))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<i64, DecodeError> {
        value.as_n().ok().and_then(|n| n.parse().ok()).ok_or_else(|| DecodeError::new("a number", "something else"))
    }
}

fn trim(value: &String) -> String {
    value.trim().to_owned()
}

fn round(value: &i64) -> i64 {
    *value
}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key, set = trim)]
    id: String,
    #[dynamo(with = cents, set = round)]
    total: i64,
    #[dynamo(get = trim, serde)]
    note: String,
}

fn main() {}
