use dynamo_model::Model;

// `tabel` may be the table the user meant: no "missing table" error follows.
#[derive(Model)]
#[dynamo(tabel = "orders", renameall = "camelCase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
}

fn main() {}
