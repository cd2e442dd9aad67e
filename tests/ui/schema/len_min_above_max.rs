use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(len(min = 5, max = 1)))]
    name: String,
    #[dynamo(validate(len(min = -1)))]
    tags: Vec<String>,
    #[dynamo(validate(len()))]
    code: String,
    #[dynamo(validate())]
    note: String,
}

fn main() {}
