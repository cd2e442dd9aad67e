//! put, get and delete, the create-only put, and what happens to values DynamoDB cannot
//! store.

use dynamo_model::{Error, InvalidReason, Model};

use crate::common::{counted, run};

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "orders", rename_all = "camelCase")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    total_cents: i64,
    score: f64,
    note: Option<String>,
}

fn order(order_id: &str) -> Order {
    Order { customer_id: "c1".into(), order_id: order_id.into(), total_cents: 1250, score: 0.5, note: None }
}

#[test]
fn put_get_delete() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        assert_eq!(Order::get(&db, Order::key("c1", "o1")).await.unwrap(), None);

        let o = order("o1");
        assert_eq!(Order::put(&db, &o).await.unwrap(), o, "a put returns the item as stored");
        assert_eq!(Order::get(&db, Order::key("c1", "o1")).consistent().await.unwrap(), Some(o.clone()));

        let updated = Order { total_cents: 99, note: Some("gift".into()), ..o.clone() };
        Order::put(&db, &updated).await.unwrap();
        assert_eq!(Order::get(&db, o.key()).consistent().await.unwrap(), Some(updated.clone()));

        assert_eq!(Order::delete(&db, o.key()).await.unwrap().into_item().unwrap(), Some(updated));
        assert_eq!(Order::get(&db, o.key()).consistent().await.unwrap(), None);
        assert_eq!(Order::delete(&db, o.key()).await.unwrap().into_item().unwrap(), None);
    });
}

#[test]
fn create_only_put_refuses_an_existing_item_and_keeps_it() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let first = order("o1");
        Order::put(&db, &first).if_not_exists().await.unwrap();

        let second = Order { total_cents: 1, ..first.clone() };
        match Order::put(&db, &second).if_not_exists().await {
            Err(Error::AlreadyExists { model, table }) => {
                assert_eq!(model, "Order");
                assert_eq!(table, "orders");
            }
            other => panic!("expected AlreadyExists, got {other:?}"),
        }
        assert_eq!(Order::get(&db, first.key()).consistent().await.unwrap(), Some(first));

        // A second order of the same customer is a different item: allowed.
        Order::put(&db, &order("o2")).if_not_exists().await.unwrap();
    });
}

#[test]
fn values_dynamodb_cannot_store_fail_before_any_request() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        let cases = [
            (Order { score: f64::NAN, ..order("o1") }, "score", InvalidReason::NonFiniteNumber),
            (Order { score: f64::NEG_INFINITY, ..order("o1") }, "score", InvalidReason::NonFiniteNumber),
            (Order { customer_id: String::new(), ..order("o1") }, "customerId", InvalidReason::EmptyKey),
            (order(""), "orderId", InvalidReason::EmptyKey),
            (
                Order { customer_id: "x".repeat(2049), ..order("o1") },
                "customerId",
                InvalidReason::KeyTooLong { len: 2049, max: 2048 },
            ),
            (order(&"y".repeat(1025)), "orderId", InvalidReason::KeyTooLong { len: 1025, max: 1024 }),
        ];
        for (bad, attribute, reason) in cases {
            match Order::put(&db, &bad).await {
                Err(Error::Invalid { model: "Order", attribute: a, reason: r }) => {
                    assert_eq!((a.as_ref(), &r), (attribute, &reason));
                }
                other => panic!("expected Invalid for {attribute}, got {other:?}"),
            }
        }
        match Order::get(&db, Order::key("", "o1")).await {
            Err(Error::Invalid { reason: InvalidReason::EmptyKey, .. }) => {}
            other => panic!("expected an empty-key error, got {other:?}"),
        }
        assert_eq!(requests.count(), 0, "no request may leave for bad input");

        // Control: the counter does see requests, so the zero above means something.
        Order::put(&db, &order("o1")).await.unwrap();
        assert_eq!(requests.count(), 1);
        // At the limits themselves the keys are accepted by DynamoDB Local.
        let at_limits = Order { customer_id: "x".repeat(2048), ..order(&"y".repeat(1024)) };
        Order::put(&db, &at_limits).await.unwrap();
        assert_eq!(Order::get(&db, at_limits.key()).consistent().await.unwrap(), Some(at_limits));
    });
}

#[test]
fn operations_expose_the_request_they_would_send() {
    run(|db| async move {
        let db = db.with_table_prefix("test-");
        let o = order("o1");
        let put = Order::put(&db, &o).if_not_exists().request().unwrap();
        let input = put.as_input();
        assert_eq!(input.get_table_name().as_deref(), Some("test-orders"));
        assert_eq!(input.get_condition_expression().as_deref(), Some("attribute_not_exists(#n0)"));
        assert_eq!(input.get_expression_attribute_names().as_ref().unwrap()["#n0"], "customerId");
        assert_eq!(input.get_item().as_ref().unwrap()["totalCents"].as_n().unwrap(), "1250");

        let get = Order::get(&db, o.key()).consistent().request().unwrap();
        assert_eq!(get.as_input().get_consistent_read(), &Some(true));
        assert_eq!(get.as_input().get_key().as_ref().unwrap().len(), 2);

        let delete = Order::delete(&db, o.key()).request().unwrap();
        assert_eq!(delete.as_input().get_table_name().as_deref(), Some("test-orders"));
    });
}

#[test]
fn table_prefix_separates_environments() {
    run(|db| async move {
        let staging = db.clone().with_table_prefix("staging-");
        Order::create_table(&staging).await.unwrap();
        assert!(Order::table_exists(&staging).await.unwrap());
        assert!(!Order::table_exists(&db).await.unwrap());
        Order::put(&staging, &order("o1")).await.unwrap();
        match Order::get(&db, Order::key("c1", "o1")).await {
            Err(Error::TableNotFound { table, .. }) => assert_eq!(table, "orders"),
            other => panic!("expected TableNotFound, got {other:?}"),
        }
    });
}
