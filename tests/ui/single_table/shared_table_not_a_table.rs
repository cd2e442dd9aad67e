use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "users")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
}

// `table = Account` names a model, not a `#[derive(Table)]`.
#[derive(Model)]
#[dynamo(table = Account, hash = "USER#{user_id}")]
struct User {
    user_id: String,
}

fn main() {}
