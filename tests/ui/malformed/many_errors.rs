use dynamo_model::{Document, Model};

// Every mistake below is reported in one compile, each at its own token, and
// nothing else: no echo at the uses of `Order` in `uses` either.
#[derive(Model)]
#[dynamo(table = "my orders", rename_all = "Camel")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: Option<String>,
    #[dynamo(range_key, default)]
    order_id: String,
    #[dynamo(range_key)]
    placed_at: i64,
    #[dynamo(rename = "")]
    total: i64,
    #[dynamo(skip, serde)]
    cache: Vec<u8>,
    #[dynamo(defualt)]
    note: String,
}

fn uses(order: &Order) -> dynamo_model::Result<()> {
    let item = order.to_item()?;
    let _ = Order::from_item(item)?;
    let _ = order.key();
    Ok(())
}

fn main() {
    let _ = uses;
}
