use dynamo_model::Model;

// `hash_ky` may be the hash key the user meant: no "missing hash key" error follows.
#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_ky)]
    customer_id: String,
    #[dynamo(defualt)]
    note: String,
    #[dynamo(renam = "sum")]
    total: i64,
    #[dynamo(flatten)]
    extra: String,
    #[dynamo(cache)]
    cached: String,
}

fn main() {}
