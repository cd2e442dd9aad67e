use dynamo_model::{Document, Model};

// A document lives inside an attribute: it has no key. The model using it as a
// field compiles against the stand-in impls, so no error follows there.
#[derive(Document)]
struct Address {
    #[dynamo(hash_key)]
    city: String,
    #[dynamo(range_key)]
    zip: String,
}

#[derive(Model)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(hash_key)]
    id: String,
    address: Address,
    previous: Vec<Address>,
}

fn main() {
    let _ = User::ADDRESS.then(Address::CITY);
}
