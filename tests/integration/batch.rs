//! Batches against DynamoDB Local: every item written and read back exactly once, in
//! ⌈n/25⌉ and ⌈n/100⌉ requests, whatever the count; checks before sending; no key twice.

use std::collections::BTreeSet;

use dynamo_model::batch::{BatchCause, PendingRequest};
use dynamo_model::{Error, Model, RequestReason};
use futures::StreamExt;

use crate::common::{counted, run};

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "batch_orders")]
struct Order {
    #[dynamo(hash_key)]
    customer: String,
    #[dynamo(range_key)]
    id: u32,
    #[dynamo(validate(min = 0))]
    total: i64,
    #[dynamo(created_at)]
    created_at: u64,
}

fn order(id: u32) -> Order {
    Order { customer: format!("c{}", id % 7), id, total: i64::from(id), created_at: 0 }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "batch_versioned")]
struct Versioned {
    #[dynamo(hash_key)]
    id: String,
    note: String,
    #[dynamo(version)]
    version: u64,
}

/// `batch_put` then `batch_get` of `n` items: all written and read back once, in the
/// fewest requests DynamoDB allows.
async fn round_trip(db: &dynamo_model::Db, n: u32) {
    let (db, requests) = counted(db);
    let written = Order::batch_put(&db, (0..n).map(order)).await.unwrap();
    assert_eq!(written.written, n as usize);
    assert_eq!(requests.count(), (n as usize).div_ceil(25), "BatchWriteItem requests for {n} items");

    let before = requests.count();
    // The keys in reverse order: the items come back in that order.
    let got = Order::batch_get(&db, (0..n).rev().map(|id| order(id).key())).await.unwrap();
    assert_eq!(requests.count() - before, (n as usize).div_ceil(100), "BatchGetItem requests for {n} keys");
    assert!(got.not_found.is_empty());
    assert_eq!(got.items.len(), n as usize);
    for (item, id) in got.items.iter().zip((0..n).rev()) {
        assert_eq!(item.id, id);
        assert_eq!(item.total, i64::from(id));
        assert!(item.created_at > 0, "created_at is stamped as by a put");
    }
    // And what a scan sees: each item exactly once.
    let stored = Order::scan(&db).await.unwrap();
    assert_eq!(stored.len(), n as usize);
    let ids: BTreeSet<u32> = stored.iter().map(|order| order.id).collect();
    assert_eq!(ids.len(), n as usize);
}

#[test]
fn round_trips_of_every_size() {
    for n in [0, 1, 25, 26, 100, 101] {
        run(|db| async move {
            Order::create_table(&db).await.unwrap();
            round_trip(&db, n).await;
        });
    }
}

#[test]
fn ten_thousand_items() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        round_trip(&db, 10_000).await;
    });
}

#[test]
fn batch_get_reports_missing_keys_in_order_and_reads_duplicates_once() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::batch_put(&db, [order(1), order(3)]).await.unwrap();
        let (db, requests) = counted(&db);
        let keys = [order(3).key(), order(2).key(), order(1).key(), order(3).key(), order(4).key()];
        let got = Order::batch_get(&db, keys).consistent().await.unwrap();
        assert_eq!(got.items.iter().map(|o| o.id).collect::<Vec<_>>(), [3, 1]);
        assert_eq!(got.not_found, [order(2).key(), order(4).key()]);
        assert_eq!(requests.count(), 1);
    });
}

#[test]
fn a_broken_rule_is_refused_before_sending() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        let mut items: Vec<Order> = (0..10).map(order).collect();
        items[7].total = -1;
        let err = Order::batch_put(&db, &items).await.unwrap_err();
        let Error::Batch(batch) = err else { panic!("expected a batch error, got {err:?}") };
        let BatchCause::Refused(refusal) = &batch.cause else { panic!("expected a refusal, got {:?}", batch.cause) };
        match &**refusal {
            Error::Action { index: 7, error } => assert!(matches!(**error, Error::Validation { .. }), "{error:?}"),
            other => panic!("expected action 7 refused, got {other:?}"),
        }
        assert_eq!(requests.count(), 0, "nothing sent");
        assert_eq!((batch.done, batch.taken), (0, 8));
        let pending: Vec<usize> = batch.pending.iter().map(|pending| pending.index).collect();
        assert_eq!(pending, (0..7).collect::<Vec<_>>(), "the writes taken and not made");
        assert_eq!(batch.pending[3].item::<Order>().unwrap().unwrap().id, 3);
        assert!(Order::scan(&db).await.unwrap().is_empty());
    });
}

#[test]
fn the_same_key_twice_is_refused_before_sending() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        let items = [order(1), order(2), Order { total: 99, ..order(1) }];
        let err = Order::batch_put(&db, &items).await.unwrap_err();
        let Error::Batch(batch) = err else { panic!("expected a batch error, got {err:?}") };
        let BatchCause::Refused(refusal) = &batch.cause else { panic!("expected a refusal, got {:?}", batch.cause) };
        match &**refusal {
            Error::Action { index: 2, error } => assert!(
                matches!(**error, Error::InvalidRequest { reason: RequestReason::DuplicateItem { first: 0 }, .. }),
                "{error:?}"
            ),
            other => panic!("expected action 2 refused, got {other:?}"),
        }
        assert_eq!(requests.count(), 0);
        // Deletes and puts of one item in one call, through the mixed builder, too.
        let err = db.batch_write().put(&order(5)).delete::<Order>(order(5).key()).await.unwrap_err();
        assert!(matches!(err, Error::Batch(ref batch) if matches!(batch.cause, BatchCause::Refused(_))), "{err:?}");
        assert_eq!(requests.count(), 0);
    });
}

#[test]
fn the_same_numeric_key_written_differently_is_one_item() {
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "batch_floats")]
    struct Reading {
        #[dynamo(hash_key)]
        at: f64,
        value: i32,
    }
    run(|db| async move {
        Reading::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        let err =
            Reading::batch_put(&db, [Reading { at: 1.5, value: 1 }, Reading { at: 1.50, value: 2 }]).await.unwrap_err();
        assert!(matches!(err, Error::Batch(_)), "{err:?}");
        assert_eq!(requests.count(), 0);
    });
}

#[test]
fn mixed_models_and_deletes_in_one_call() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Versioned::create_table(&db).await.unwrap();
        Order::batch_put(&db, (0..30).map(order)).await.unwrap();
        let (db, requests) = counted(&db);
        let versioned = Versioned { id: "v1".into(), note: "n".into(), version: 0 };
        let written = db
            .batch_write()
            .overwrite(&versioned)
            .delete_all::<Order, _>((0..20).map(|id| order(id).key()))
            .put_stream(futures::stream::iter((100..110).map(order)))
            .concurrency(2)
            .await
            .unwrap();
        assert_eq!(written.written, 31);
        assert_eq!(requests.count(), 2, "31 writes in ⌈31/25⌉ requests");
        let ids: BTreeSet<u32> = Order::scan(&db).await.unwrap().into_iter().map(|o| o.id).collect();
        assert_eq!(ids, (20..30).chain(100..110).collect());
        let stored = Versioned::get(&db, Versioned::key("v1")).await.unwrap().unwrap();
        assert_eq!(stored.version, 1, "an overwrite writes version + 1, like a put");
    });
}

#[test]
fn a_versioned_model_overwritten_on_purpose() {
    run(|db| async move {
        Versioned::create_table(&db).await.unwrap();
        let stored =
            Versioned::put(&db, &Versioned { id: "v".into(), note: "first".into(), version: 0 }).await.unwrap();
        let stored = Versioned::put(&db, &Versioned { note: "second".into(), ..stored }).await.unwrap();
        assert_eq!(stored.version, 2);
        // A stale copy (version 0): a put refuses it, an overwrite writes it.
        let stale = Versioned { id: "v".into(), note: "stale".into(), version: 0 };
        let refused = Versioned::put(&db, &stale).await;
        assert!(matches!(refused, Err(Error::VersionConflict { expected: 0, .. })), "{refused:?}");
        Versioned::batch_overwrite(&db, [&stale]).await.unwrap();
        let now = Versioned::get(&db, Versioned::key("v")).await.unwrap().unwrap();
        assert_eq!((now.note.as_str(), now.version), ("stale", 1));
    });
}

#[test]
fn a_missing_table_fails_with_every_write_pending() {
    run(|db| async move {
        let err = Order::batch_put(&db, (0..30).map(order)).concurrency(1).await.unwrap_err();
        let Error::Batch(batch) = err else { panic!("expected a batch error, got {err:?}") };
        assert!(matches!(&batch.cause, BatchCause::Failed(error) if matches!(**error, Error::TableNotFound { .. })));
        assert_eq!(batch.done, 0);
        // The first request failed and stopped the call: its 25 writes are pending, the
        // rest was never taken.
        assert_eq!(batch.taken, 25);
        assert_eq!(batch.pending.len(), 25);
        assert!(batch.pending.iter().all(|pending| matches!(pending.request, PendingRequest::Put(_))));
    });
}

#[test]
fn a_stream_of_keys_deletes() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::batch_put(&db, (0..60).map(order)).await.unwrap();
        let keys = futures::stream::iter(0..60).map(|id| order(id).key());
        let written = db.batch_write().delete_stream::<Order, _>(keys).await.unwrap();
        assert_eq!(written.written, 60);
        assert!(Order::scan(&db).await.unwrap().is_empty());
    });
}
