use dynamo_model::Model;

mod upper {
    use dynamo_model::{AttributeValue, DecodeError, EncodeError};

    pub fn to_attribute(value: &String) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(value.to_uppercase()))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<String, DecodeError> {
        match value {
            AttributeValue::S(s) => Ok(s),
            _ => Ok(String::new()),
        }
    }
}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key, with = upper)]
    customer_id: String,
    #[dynamo(range_key, serde)]
    order_id: String,
}

#[derive(Model)]
#[dynamo(table = "carts")]
struct Cart {
    #[dynamo(hash_key, skip)]
    customer_id: String,
}

fn main() {}
