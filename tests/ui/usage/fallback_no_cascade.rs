use dynamo_model::{Db, Model};

// The one mistake (no hash key) is the only error: code using `Order` as a model
// still type-checks against the stand-in impl.
#[derive(Model)]
#[dynamo(table = "orders")]
struct Order {
    customer_id: String,
}

async fn uses(db: &Db, order: &Order) -> dynamo_model::Result<()> {
    Order::put(db, order).await?;
    let _ = Order::get(db, order.key()).await?;
    Ok(())
}

fn main() {
    let _ = uses;
}
