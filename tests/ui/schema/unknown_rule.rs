use dynamo_model::Model;

// Did-you-mean inside `validate(...)` and `len(...)`; a field attribute written
// inside `validate(...)` is pointed back out.
#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(minimum = 0, pattern = "^a"))]
    quota: i64,
    #[dynamo(validate(len(mx = 3), required))]
    name: Option<String>,
    #[dynamo(validate(uppercase))]
    code: String,
}

fn main() {}
