use dynamo_model::{Db, Document, Model};

// One mistake in each struct (a typo in a key name, a key on a document) is the
// only error: paths, queries and indexes of the model, and the document as a
// field, still type-check against the stand-in impls.
#[derive(Document)]
struct Address {
    #[dynamo(hash_key)]
    city: String,
}

#[derive(Model)]
#[dynamo(table = "orders", gsi(name = "by_status", hash = status, range = totl))]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    total: i64,
    address: Address,
}

async fn uses(db: &Db) -> dynamo_model::Result<()> {
    let _ = Order::TOTAL.gt(5);
    let _ = Order::ADDRESS.then(Address::CITY).eq("Paris");
    let _: Vec<Order> = Order::query(db, "c1").range(Order::ORDER_ID.begins_with("2026")).await?;
    let _: Vec<Order> = Order::BY_STATUS.query(db, "open").await?;
    let _ = Order::scan(db).filter(Order::STATUS.ne("done"));
    let _ = Order::INDEXES;
    Ok(())
}

fn main() {
    let _ = uses;
}
