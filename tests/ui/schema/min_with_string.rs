use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(min = "a"))]
    name: String,
    #[dynamo(validate(max = LIMIT, one_of = [1, two]))]
    quota: i64,
}

const LIMIT: i64 = 10;

fn main() {}
