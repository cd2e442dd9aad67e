//! The README's examples, as written there, against DynamoDB Local: its model has the
//! fields its snippets use, and each snippet does what the README says.

use std::collections::BTreeSet;

use dynamo_model::{Cursor, Db, Document, Model};

use crate::common::{base64url_decode, run};

#[derive(Document, Debug, Clone, PartialEq, Default)]
struct Address {
    city: String,
    zip: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "orders", rename_all = "camelCase",
         gsi(name = "by_status", hash = status, range = created_at),
         lsi(name = "by_total", range = total_cents, projection = keys_only))]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    total_cents: i64,
    note: Option<String>,
    tags: BTreeSet<String>,
    history: Vec<String>,
    shipping: Address,
    #[dynamo(created_at)]
    created_at: i64,
    #[dynamo(version)]
    version: u64,
}

#[derive(Document, Debug, Clone, PartialEq)]
#[dynamo(rename_all = "camelCase")]
struct OrderKeys {
    customer_id: String,
    order_id: String,
    total_cents: i64,
}

fn order(id: &str) -> Order {
    Order {
        customer_id: "c1".into(),
        order_id: id.into(),
        status: "paid".into(),
        total_cents: 12_00,
        note: Some("gift".into()),
        tags: BTreeSet::from(["gift".to_owned()]),
        history: vec!["created".into()],
        shipping: Address { city: "Lisbon".into(), zip: "1100".into() },
        created_at: 0,
        version: 0,
    }
}

#[test]
fn the_taste() {
    run(|db| async move {
        let order = order("o1");
        Order::create_table(&db).await?;
        let stored: Order = Order::put(&db, &order).if_not_exists().await?;
        assert_eq!(stored.version, 1);
        assert!(stored.created_at > 0);
        let found: Option<Order> = Order::get(&db, Order::key("c1", "o1")).consistent().await?;
        assert_eq!(found.as_ref(), Some(&stored));
        let updated: Order = Order::update(&db, stored.key()).add(&Order::TOTAL_CENTS, 5).await?.into_item()?;
        assert_eq!((updated.total_cents, updated.version), (12_05, 2));
        let deleted: Option<Order> = Order::delete(&db, order.key()).await?.into_item()?;
        assert_eq!(deleted, Some(updated));
        let compiled = Order::put(&db, &order).compile()?;
        assert_eq!(compiled.expressions.condition.as_deref(), Some("attribute_not_exists(#n0)"));
        Ok::<(), dynamo_model::Error>(())
    })
    .unwrap();
}

#[test]
fn expressions_queries_and_updates() {
    run(|db| async move {
        Order::create_table(&db).await?;
        for (id, cents, status) in
            [("2026-01", 50_00, "paid"), ("2026-02", 5_00, "paid"), ("2025-12", 60_00, "shipped")]
        {
            Order::put(&db, &Order { total_cents: cents, status: status.into(), ..order(id) }).await?;
        }
        let big: Vec<Order> = Order::query(&db, "c1")
            .range(Order::ORDER_ID.begins_with("2026-"))
            .filter(Order::TOTAL_CENTS.gt(10_00) & !Order::STATUS.eq("cancelled"))
            .limit(20)
            .await?;
        assert_eq!(big.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["2026-01"]);

        use futures::TryStreamExt;
        let streamed: Vec<Order> = Order::scan(&db).filter(Order::NOTE.exists()).stream().try_collect().await?;
        assert_eq!(streamed.len(), 3);
        let everything: Vec<Order> = Order::scan(&db).segments(4).await?;
        assert_eq!(everything.len(), 3);
        let shipped: Vec<Order> = Order::BY_STATUS.query(&db, "shipped").await?;
        assert_eq!(shipped.len(), 1);

        let after: Order = Order::update(&db, Order::key("c1", "2026-01"))
            .set(&Order::SHIPPING.then(Address::CITY), "Porto")
            .add(&Order::TOTAL_CENTS, 5)
            .append(&Order::HISTORY, ["shipped"])
            .remove(&Order::NOTE)
            .condition(Order::STATUS.eq("paid"))
            .await?
            .into_item()?;
        assert_eq!(after.shipping, Address { city: "Porto".into(), zip: "1100".into() });
        assert_eq!((after.total_cents, after.history.len(), after.note), (50_05, 2, None));
        Ok::<(), dynamo_model::Error>(())
    })
    .unwrap();
}

#[test]
fn pagination_with_cursors_and_indexes() {
    run(|db| async move {
        Order::create_table(&db).await?;
        for i in 0..60 {
            Order::put(&db, &Order { total_cents: i, ..order(&format!("o{i:02}")) }).await?;
        }
        let mut seen = Vec::new();
        let mut text: Option<String> = None;
        loop {
            let cursor: Option<Cursor> = text.map(|text| text.parse()).transpose()?;
            let page = Order::query(&db, "c1").descending().limit(25).page(cursor).await?;
            seen.extend(page.items.into_iter().map(|o| o.order_id));
            text = page.cursor.map(|cursor| cursor.to_string());
            if text.is_none() {
                break;
            }
        }
        let mut expected: Vec<String> = (0..60).map(|i| format!("o{i:02}")).collect();
        expected.reverse();
        assert_eq!(seen, expected, "every item once, highest sort key first");

        let sealed = db.clone().with_cursor_key(dynamo_model::cursor::CursorKey::from_bytes([1; 32]));
        let page = Order::query(&sealed, "c1").limit(10).page(None).await?;
        let text = page.cursor.unwrap().to_string();
        // A sealed cursor shows nothing of the key; a plain one (the control) does.
        let contains = |text: &str, part: &[u8]| {
            let bytes = base64url_decode(text).expect("cursors are base64url");
            bytes.windows(part.len()).any(|window| window == part)
        };
        assert!(!contains(&text, b"\"o09\"") && !contains(&text, b"\"c1\""), "{text}");
        let plain = Order::query(&db, "c1").limit(10).page(None).await?.cursor.unwrap().to_string();
        assert!(contains(&plain, b"\"o09\"") && contains(&plain, b"\"c1\""), "{plain}");
        let next = Order::query(&sealed, "c1").limit(10).page(Some(text.parse()?)).await?;
        assert_eq!(next.items[0].order_id, "o10");
        let plain_db: &Db = &db;
        assert!(matches!(
            Order::query(plain_db, "c1").limit(10).page(Some(text.parse()?)).await,
            Err(dynamo_model::Error::InvalidCursor { .. })
        ));

        let since = 0;
        let recent: Vec<Order> = Order::BY_STATUS.query(&db, "paid").range(Order::CREATED_AT.gt(since)).await?;
        assert_eq!(recent.len(), 60);
        let keys = Order::BY_TOTAL.query(&db, "c1").range(Order::TOTAL_CENTS.lt(3)).project_into::<OrderKeys>().await?;
        assert_eq!(keys.iter().map(|k| k.total_cents).collect::<Vec<_>>(), [0, 1, 2]);
        Ok::<(), dynamo_model::Error>(())
    })
    .unwrap();
}
