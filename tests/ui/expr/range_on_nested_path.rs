use dynamo_model::{Db, Document, Model};

#[derive(Document, Debug, Clone)]
struct Address {
    city: String,
}

// No sort key: no condition may stand as its sort-key condition, nested ones included.
#[derive(Model, Debug, Clone)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    address: Address,
}

fn query(db: &Db) {
    let _ = Thing::query(db, "t1").range(Thing::ADDRESS.then(Address::CITY).eq("x"));
}

fn main() {}
