use dynamo_model::{Document, Model};

#[derive(Document)]
struct Address {
    city: String,
}

#[derive(Document)]
struct Office {
    city: String,
}

#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    id: String,
    address: Address,
}

fn main() {
    // `address` holds an `Address`, so only `Address` paths go on from it.
    let _ = Order::ADDRESS.then(Office::CITY);
}
