use dynamo_model::Model;

// `table = orders` names a type (a shared table), not the table "orders".
#[derive(Model)]
#[dynamo(table = orders)]
struct Order {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
