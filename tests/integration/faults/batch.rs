//! Unprocessed items and keys: retried with the policy's backoff until all are done,
//! and when the policy gives up, `Error::Batch` with exactly what was not done.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemInput, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::batch_write_item::{BatchWriteItemInput, BatchWriteItemOutput};
use aws_sdk_dynamodb::types::{KeysAndAttributes, WriteRequest};
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, MockResponse};
use dynamo_model::batch::{BatchCause, BatchError, Pending, PendingRequest};
use dynamo_model::retry::{Jitter, RetryPolicy};
use dynamo_model::{AttributeValue, Document, Error, Item, Model, ModelKey};

use crate::faults::{block_on, db, fast, order, Order, ORDERS};

/// The writes of one `BatchWriteItem` request on the orders table, in the order sent.
pub(crate) fn writes(input: &BatchWriteItemInput) -> Vec<WriteRequest> {
    let tables = input.request_items().expect("request items");
    assert_eq!(tables.len(), 1, "one table: {tables:?}");
    tables.get(ORDERS).cloned().expect("writes on the orders table")
}

/// The `id` of an item or key.
pub(crate) fn id_of(item: &Item) -> u32 {
    match item.get("id") {
        Some(AttributeValue::N(n)) => n.parse().expect("a u32 id"),
        other => panic!("no numeric id in {item:?}: {other:?}"),
    }
}

/// The `id` a write is on.
pub(crate) fn write_id(write: &WriteRequest) -> u32 {
    match (&write.put_request, &write.delete_request) {
        (Some(put), None) => id_of(&put.item),
        (None, Some(delete)) => id_of(&delete.key),
        other => panic!("a write is a put or a delete: {other:?}"),
    }
}

fn ids(writes: &[WriteRequest]) -> Vec<u32> {
    writes.iter().map(write_id).collect()
}

/// The items put by a request, decoded.
fn puts(writes: &[WriteRequest]) -> Vec<Order> {
    writes
        .iter()
        .map(|write| Order::from_item(write.put_request.as_ref().expect("a put").item.clone()).unwrap())
        .collect()
}

/// An answer leaving `left` unprocessed (none: `UnprocessedItems: {}`).
pub(crate) fn leaving(
    left: Vec<WriteRequest>,
) -> MockResponse<BatchWriteItemOutput, aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemError> {
    let unprocessed = if left.is_empty() { HashMap::new() } else { HashMap::from([(ORDERS.to_owned(), left)]) };
    MockResponse::Output(BatchWriteItemOutput::builder().set_unprocessed_items(Some(unprocessed)).build())
}

fn unwrap_batch(result: dynamo_model::Result<impl std::fmt::Debug>) -> Box<BatchError> {
    match result {
        Err(Error::Batch(batch)) => batch,
        other => panic!("expected Error::Batch, got {other:?}"),
    }
}

/// The attempts of a batch that ran out of them on leftovers, not errors.
fn exhausted_attempts(batch: &BatchError) -> u32 {
    match &batch.cause {
        BatchCause::RetriesExhausted { attempts, last_error: None } => *attempts,
        other => panic!("expected RetriesExhausted without an error, got {other:?}"),
    }
}

fn pending_put(index: usize, id: u32) -> (usize, &'static str, String, Option<Order>) {
    (index, "Order", ORDERS.to_owned(), Some(order(id)))
}

/// A pending write as (index, model, table, the item of a put).
fn described(pending: &Pending) -> (usize, &'static str, String, Option<Order>) {
    (pending.index, pending.model, pending.table.clone(), pending.item::<Order>().map(Result::unwrap))
}

#[test]
fn unprocessed_items_are_retried_with_growing_delays_until_all_are_written() {
    let (rule, log) = scripted_writes(|n, sent| if n < 3 { sent } else { Vec::new() });
    let policy = RetryPolicy::default().jitter(Jitter::None).base_delay(Duration::from_millis(20));
    let expected = [Duration::from_millis(20), Duration::from_millis(40), Duration::from_millis(80)];
    assert_eq!([policy.delay(1), policy.delay(2), policy.delay(3)], expected);
    let db = db(&rule, policy);
    let items: Vec<Order> = (0..10).map(order).collect();

    let written = block_on(Order::batch_put(&db, items.clone())).unwrap();

    assert_eq!(written.written, 10);
    let seen = log.all();
    assert_eq!(seen.len(), 4, "one chunk: the first request and three retries");
    for request in &seen {
        assert_eq!(puts(&writes(&request.input)), items, "every request carries the whole chunk");
    }
    for (retry, pair) in seen.windows(2).enumerate() {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= expected[retry], "retry {}: waited {gap:?}, the policy says {:?}", retry + 1, expected[retry]);
    }
}

/// A `BatchWriteItem` mock: `left(n, writes sent)` is what request `n` leaves unprocessed.
fn scripted_writes<F>(left: F) -> (aws_smithy_mocks::Rule, crate::faults::Log<BatchWriteItemInput>)
where
    F: Fn(usize, Vec<WriteRequest>) -> Vec<WriteRequest> + Send + Sync + 'static,
{
    crate::faults::scripted(mock!(Client::batch_write_item), move |n, input| leaving(left(n, writes(input))))
}

#[test]
fn progress_starts_the_count_again_and_every_item_is_written() {
    // Each answer writes some of what was sent: 10 of 25, 5 of 15, 9 of 10, the last one.
    let processed = [10, 5, 9, 1];
    let (rule, log) = scripted_writes(move |n, sent| sent[processed[n]..].to_vec());
    // Two attempts without progress would end the call: only progress lets it go on.
    let db = db(&rule, fast(2));
    let items: Vec<Order> = (0..25).map(order).collect();

    let written = block_on(Order::batch_put(&db, items)).unwrap();

    assert_eq!(written.written, 25);
    let sent: Vec<Vec<u32>> = log.inputs().iter().map(|input| ids(&writes(input))).collect();
    assert_eq!(
        sent,
        [(0..25).collect::<Vec<u32>>(), (10..25).collect(), (15..25).collect(), vec![24]],
        "each retry sends exactly what the last answer left"
    );
}

#[test]
fn without_progress_the_same_policy_gives_up() {
    // The control of the test above: the same policy, an answer with progress, then none.
    let (rule, log) = scripted_writes(|n, sent| if n == 0 { sent[10..].to_vec() } else { sent });
    let db = db(&rule, fast(2));

    let batch = unwrap_batch(block_on(Order::batch_put(&db, (0..25).map(order))));

    assert_eq!(log.len(), 2, "the request that made progress, then one without");
    assert_eq!(exhausted_attempts(&batch), 2);
    assert_eq!(batch.done, 10);
    assert_eq!(batch.taken, 25);
    let pending: Vec<_> = batch.pending.iter().map(described).collect();
    assert_eq!(pending, (10..25).map(|id| pending_put(id as usize, id)).collect::<Vec<_>>());
}

#[test]
fn items_unprocessed_forever_end_in_an_error_with_every_one_of_them() {
    let (rule, log) = scripted_writes(|_, sent| sent);
    let db = db(&rule, fast(3));
    let items: Vec<Order> = (0..10).map(order).collect();

    let result = block_on(Order::batch_put(&db, items.clone()));
    let err = result.as_ref().map(|written| written.written).unwrap_err();
    assert!(err.is_retryable(), "the leftovers may go through later");
    assert_eq!(
        err.to_string(),
        "BatchWriteItem stopped with 0 of 10 taken done and 10 not done: still unprocessed after 3 attempts"
    );
    let batch = unwrap_batch(result);

    assert_eq!(log.len(), 3, "max_attempts requests, no more");
    assert_eq!(batch.operation, "BatchWriteItem");
    assert_eq!(exhausted_attempts(&batch), 3);
    assert_eq!(batch.done, 0);
    assert_eq!(batch.taken, 10);
    assert!(batch.read.is_empty());
    let pending: Vec<_> = batch.pending.iter().map(described).collect();
    assert_eq!(pending, (0..10).map(|id| pending_put(id as usize, id)).collect::<Vec<_>>());
}

#[test]
fn the_error_holds_exactly_the_puts_and_deletes_left_unprocessed() {
    // Puts of 0..6 (indices 0..6), deletes of 10..14 (indices 6..10). The first answer
    // writes those with an even id; the odd ones stay unprocessed forever.
    let (rule, log) = scripted_writes(|_, sent| sent.into_iter().filter(|write| write_id(write) % 2 == 1).collect());
    let db = db(&rule, fast(3));

    let batch = unwrap_batch(block_on(
        db.batch_write()
            .put_stream::<Order, _>(futures::stream::iter((0..6).map(order)))
            .delete_all::<Order, _>((10..14).map(Order::key)),
    ));

    let sent: Vec<Vec<u32>> = log.inputs().iter().map(|input| ids(&writes(input))).collect();
    assert_eq!(sent, [vec![0, 1, 2, 3, 4, 5, 10, 11, 12, 13], vec![1, 3, 5, 11, 13], vec![1, 3, 5, 11, 13]]);
    assert_eq!(exhausted_attempts(&batch), 3, "the progress of the first answer started the count again");
    assert_eq!(batch.done, 5);
    assert_eq!(batch.taken, 10);
    let pending: Vec<(usize, &str, &str, &PendingRequest)> =
        batch.pending.iter().map(|p| (p.index, p.model, p.table.as_str(), &p.request)).collect();
    let put = |id: u32| PendingRequest::Put(order(id).to_item().unwrap());
    let delete = |id: u32| PendingRequest::Delete(Order::key(id).to_key_item().unwrap());
    assert_eq!(
        pending,
        [
            (1, "Order", ORDERS, &put(1)),
            (3, "Order", ORDERS, &put(3)),
            (5, "Order", ORDERS, &put(5)),
            (7, "Order", ORDERS, &delete(11)),
            (9, "Order", ORDERS, &delete(13)),
        ]
    );
    let items: Vec<Option<Order>> = batch.pending.iter().map(|p| p.item::<Order>().map(Result::unwrap)).collect();
    assert_eq!(items, [Some(order(1)), Some(order(3)), Some(order(5)), None, None]);
}

#[test]
fn a_chunk_that_gives_up_stops_the_call_taking_input() {
    // 30 items, one request at a time: the first chunk (0..25) writes 0..20 and leaves
    // 20..25 unprocessed forever; 25..30 are never taken.
    let (rule, log) =
        scripted_writes(|_, sent| sent.into_iter().filter(|write| (20..25).contains(&write_id(write))).collect());
    let db = db(&rule, fast(3));
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let input = (0..30).map(order).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });

    let batch = unwrap_batch(block_on(Order::batch_put(&db, input).concurrency(1)));

    let sent: Vec<Vec<u32>> = log.inputs().iter().map(|input| ids(&writes(input))).collect();
    assert_eq!(sent, [(0..25).collect::<Vec<u32>>(), (20..25).collect(), (20..25).collect()]);
    assert_eq!(exhausted_attempts(&batch), 3);
    assert_eq!(batch.taken, 25);
    assert_eq!(pulled.load(Ordering::SeqCst), 25, "nothing after the first chunk was taken from the iterator");
    assert_eq!(batch.done, 20);
    let pending: Vec<_> = batch.pending.iter().map(described).collect();
    assert_eq!(pending, (20..25).map(|id| pending_put(id as usize, id)).collect::<Vec<_>>());
}

#[test]
fn two_chunks_one_at_a_time_are_both_written() {
    // The control of the test above: the same input, all processed.
    let (rule, log) = scripted_writes(|_, _| Vec::new());
    let db = db(&rule, fast(3));
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let input = (0..30).map(order).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });

    let written = block_on(Order::batch_put(&db, input).concurrency(1)).unwrap();

    assert_eq!(written.written, 30);
    assert_eq!(pulled.load(Ordering::SeqCst), 30);
    let sent: Vec<Vec<u32>> = log.inputs().iter().map(|input| ids(&writes(input))).collect();
    assert_eq!(sent, [(0..25).collect::<Vec<u32>>(), (25..30).collect()]);
}

/// The keys of one `BatchGetItem` request on the orders table, in the order sent.
fn keys(input: &BatchGetItemInput) -> Vec<Item> {
    let tables = input.request_items().expect("request items");
    assert_eq!(tables.len(), 1, "one table: {tables:?}");
    tables.get(ORDERS).expect("keys of the orders table").keys().to_vec()
}

/// An answer with the items of `found` and `left` unprocessed.
fn got(
    found: Vec<Item>,
    left: Vec<Item>,
) -> MockResponse<BatchGetItemOutput, aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemError> {
    let mut output = BatchGetItemOutput::builder().responses(ORDERS, found);
    if !left.is_empty() {
        output = output.unprocessed_keys(ORDERS, KeysAndAttributes::builder().set_keys(Some(left)).build().unwrap());
    }
    MockResponse::Output(output.build())
}

/// The stored item of a key.
fn stored(key: &Item) -> Item {
    order(id_of(key)).to_item().unwrap()
}

#[test]
fn unprocessed_keys_are_retried_and_items_come_back_in_key_order() {
    // Three answers read nothing, the fourth all of them, in another order; 6 has no item.
    let (rule, log) = crate::faults::scripted(mock!(Client::batch_get_item), |n, input| {
        let sent = keys(input);
        if n < 3 {
            got(Vec::new(), sent)
        } else {
            got(sent.iter().rev().filter(|key| id_of(key) != 6).map(stored).collect(), Vec::new())
        }
    });
    let db = db(&rule, fast(4));
    let order_of_keys = [7, 3, 9, 0, 5, 1, 8, 2, 6, 4];

    let read = block_on(Order::batch_get(&db, order_of_keys.map(Order::key))).unwrap();

    let sent: Vec<Vec<u32>> = log.inputs().iter().map(|input| keys(input).iter().map(id_of).collect()).collect();
    assert_eq!(sent, vec![order_of_keys.to_vec(); 4], "every request asks for every key not yet read");
    assert_eq!(read.items, [7, 3, 9, 0, 5, 1, 8, 2, 4].map(order));
    assert_eq!(read.not_found, [Order::key(6)]);
}

#[test]
fn keys_unprocessed_forever_end_in_an_error_with_the_unread_keys_and_the_items_read() {
    // The first answer reads the even ids and leaves the odd ones, forever.
    let (rule, log) = crate::faults::scripted(mock!(Client::batch_get_item), |_, input| {
        let (odd, even): (Vec<Item>, Vec<Item>) = keys(input).into_iter().partition(|key| id_of(key) % 2 == 1);
        got(even.iter().map(stored).collect(), odd)
    });
    let db = db(&rule, fast(3));
    // Keys in another order than their ids: indices are positions among the keys given.
    let order_of_keys = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];

    let batch = unwrap_batch(block_on(Order::batch_get(&db, order_of_keys.map(Order::key))));

    let sent: Vec<Vec<u32>> = log.inputs().iter().map(|input| keys(input).iter().map(id_of).collect()).collect();
    assert_eq!(sent, [order_of_keys.to_vec(), vec![9, 7, 5, 3, 1], vec![9, 7, 5, 3, 1]]);
    assert_eq!(batch.operation, "BatchGetItem");
    assert_eq!(exhausted_attempts(&batch), 3);
    assert_eq!(batch.done, 5);
    assert_eq!(batch.taken, 10);
    let pending: Vec<(usize, &str, &str, &PendingRequest)> =
        batch.pending.iter().map(|p| (p.index, p.model, p.table.as_str(), &p.request)).collect();
    let get = |id: u32| PendingRequest::Get(Order::key(id).to_key_item().unwrap());
    assert_eq!(
        pending,
        [
            (0, "Order", ORDERS, &get(9)),
            (2, "Order", ORDERS, &get(7)),
            (4, "Order", ORDERS, &get(5)),
            (6, "Order", ORDERS, &get(3)),
            (8, "Order", ORDERS, &get(1)),
        ]
    );
    assert!(batch.pending.iter().all(|p| p.item::<Order>().is_none()), "a read has no item to decode");
    let read: Vec<Order> = batch.read.iter().map(|item| Order::from_item(item.clone()).unwrap()).collect();
    assert_eq!(read, [8, 6, 4, 2, 0].map(order), "the items read, in key order");
}

#[test]
fn a_read_that_gives_up_leaves_the_keys_of_the_chunks_not_sent_pending_too() {
    // 150 keys, one request at a time: the first chunk (0..100) reads 0..90 and leaves
    // 90..100 unprocessed forever; the second chunk (100..150) is never sent.
    let (rule, log) = crate::faults::scripted(mock!(Client::batch_get_item), |_, input| {
        let (left, read): (Vec<Item>, Vec<Item>) = keys(input).into_iter().partition(|key| id_of(key) >= 90);
        got(read.iter().map(stored).collect(), left)
    });
    let db = db(&rule, fast(3));

    let batch = unwrap_batch(block_on(Order::batch_get(&db, (0..150).map(Order::key)).concurrency(1)));

    let sent: Vec<Vec<u32>> = log.inputs().iter().map(|input| keys(input).iter().map(id_of).collect()).collect();
    assert_eq!(sent, [(0..100).collect::<Vec<u32>>(), (90..100).collect(), (90..100).collect()]);
    assert_eq!(exhausted_attempts(&batch), 3);
    assert_eq!(batch.done, 90);
    assert_eq!(batch.taken, 150);
    let pending: Vec<(usize, PendingRequest)> = batch.pending.iter().map(|p| (p.index, p.request.clone())).collect();
    let expected: Vec<(usize, PendingRequest)> =
        (90..150).map(|id| (id as usize, PendingRequest::Get(Order::key(id).to_key_item().unwrap()))).collect();
    assert_eq!(pending, expected, "the unread keys of the first chunk and every key of the second");
    let read: Vec<Order> = batch.read.iter().map(|item| Order::from_item(item.clone()).unwrap()).collect();
    assert_eq!(read, (0..90).map(order).collect::<Vec<_>>());
}
