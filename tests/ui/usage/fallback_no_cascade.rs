use dynamo_model::{Db, Document, Model};

// The one mistake (no hash key) is the only error: code using `Order` as a model
// still type-checks against the stand-in impl.
#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    customer_id: String,
}

fn uses(db: &Db, order: &Order) -> dynamo_model::Result<()> {
    let item = order.to_item()?;
    let _ = Order::from_item(item)?;
    let _ = Order::get(db, order.key());
    let _ = Order::put(db, order);
    let _ = Order::KEY_SCHEMA;
    Ok(())
}

fn main() {
    let _ = uses;
}
