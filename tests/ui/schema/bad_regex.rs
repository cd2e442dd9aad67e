use dynamo_model::Model;

// The pattern is checked when the model compiles, with the `regex` crate's syntax.
#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(regex = "^[A-Z{2}$"))]
    country: String,
    #[dynamo(validate(regex = "(?P<x>a)(?P<x>b)"))]
    code: String,
}

fn main() {}
