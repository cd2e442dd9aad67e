use dynamo_model::Model;

// `with = cents` names a module without the two functions: each missing function
// is reported once, at the module path.
mod cents {}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(with = cents)]
    total: i64,
}

fn main() {}
