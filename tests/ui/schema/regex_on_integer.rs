use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(min = 0, regex = "^[0-9]+$"))]
    quota: i64,
    #[dynamo(validate(email))]
    contact: Option<Vec<u8>>,
}

fn main() {}
