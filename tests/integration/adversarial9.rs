//! Round 9: batch and transaction accounting, retry policies at their edges, versions at
//! their last value, converted fields in batches and transactions, and reads of fields a
//! model lacks.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemInput, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::types::{KeysAndAttributes, WriteRequest};
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, MockResponse, RuleMode};
use dynamo_model::batch::{BatchCause, BatchError, PendingRequest};
use dynamo_model::retry::{Jitter, RetryPolicy};
use dynamo_model::tx::{ActionKind, CancelReason, TransactionReason};
use dynamo_model::{AttributeValue, DecodeError, Document, EncodeError, Error, Item, Model, ModelKey, RequestReason};

use crate::common::{counted, raw, run};
use crate::faults::batch::{leaving, write_id, writes};
use crate::faults::{block_on, order, scripted, Order};

// ---------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv9_items")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(min = 0, max = 10))]
    level: i64,
    note: String,
}

fn thing(id: impl Into<String>) -> Thing {
    Thing { id: id.into(), level: 1, note: "n".into() }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv9_accounts")]
struct Acct {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(min = 0))]
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

fn acct(id: &str, balance: i64) -> Acct {
    Acct { id: id.into(), balance, version: 0 }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv9_threads")]
struct Post {
    #[dynamo(hash_key)]
    forum: String,
    #[dynamo(range_key)]
    seq: u32,
    #[dynamo(validate(min = 0))]
    votes: i64,
}

fn lower(value: &str) -> String {
    value.to_lowercase()
}

mod as_text {
    use super::*;

    pub fn to_attribute(value: &i64) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(format!("#{value}")))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<i64, DecodeError> {
        match value {
            AttributeValue::S(text) => text
                .strip_prefix('#')
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| DecodeError::new("#integer", text.clone())),
            _ => Err(DecodeError::new("S", "another type")),
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
enum Kind {
    Plain,
    Tagged { weight: u8, label: String },
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
struct Meta {
    kind: Kind,
    tags: Vec<String>,
    nested: HashMap<String, Vec<u16>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv9_shaped")]
struct Shaped {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(set = lower)]
    email: String,
    #[dynamo(with = as_text)]
    num: i64,
    #[dynamo(serde)]
    meta: Meta,
    #[dynamo(created_at)]
    created: u64,
}

fn shaped(id: &str) -> Shaped {
    Shaped {
        id: id.into(),
        email: "MiXeD@Example.COM".into(),
        num: -42,
        meta: Meta {
            kind: Kind::Tagged { weight: 7, label: "Ü".into() },
            tags: vec!["a".into(), "".into()],
            nested: HashMap::from([("k".to_owned(), vec![1, 2, 3])]),
        },
        created: 0,
    }
}

/// A view with a field `Thing` does not have.
#[derive(Document, Debug, Clone, PartialEq)]
struct ThingWithColor {
    level: i64,
    color: String,
}

/// A view with an optional field `Thing` does not have.
#[derive(Document, Debug, Clone, PartialEq)]
struct ThingMaybeColor {
    level: i64,
    color: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn batch_error<T: Debug>(result: dynamo_model::Result<T>) -> Box<BatchError> {
    match result {
        Err(Error::Batch(batch)) => batch,
        other => panic!("expected Error::Batch, got {other:?}"),
    }
}

fn refused_index(batch: &BatchError) -> Option<usize> {
    match &batch.cause {
        BatchCause::Refused(error) => match &**error {
            Error::Action { index, .. } => Some(*index),
            other => panic!("a refusal is an Error::Action, got {other:?}"),
        },
        _ => None,
    }
}

fn pending_indexes(batch: &BatchError) -> Vec<usize> {
    batch.pending.iter().map(|pending| pending.index).collect()
}

/// The accounting promise of `BatchError`: every write or key taken is done or pending,
/// except one refused before it compiled (named in the cause and not in `pending`).
fn accounts_for_everything(batch: &BatchError) {
    let refused_uncompiled = match refused_index(batch) {
        Some(index) => usize::from(!pending_indexes(batch).contains(&index)),
        None => 0,
    };
    assert_eq!(
        batch.done + batch.pending.len() + refused_uncompiled,
        batch.taken,
        "done {} + pending {} (+ {refused_uncompiled} refused) != taken {}: {batch}",
        batch.done,
        batch.pending.len(),
        batch.taken
    );
    let indexes = pending_indexes(batch);
    let mut sorted = indexes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(indexes, sorted, "pending in input order, each once");
    assert!(indexes.iter().all(|i| *i < batch.taken), "pending beyond taken: {indexes:?}");
}

/// A mocked table that never processes the writes of `stuck` ids and records the ids it
/// did write.
fn sticky_table(
    stuck: HashSet<u32>,
) -> (aws_smithy_mocks::Rule, crate::faults::Log<BatchWriteItemInput>, Arc<Mutex<Vec<u32>>>) {
    let written = Arc::new(Mutex::new(Vec::new()));
    let seen = written.clone();
    let (rule, log) = scripted(mock!(Client::batch_write_item), move |_, input| {
        let (left, made): (Vec<WriteRequest>, Vec<WriteRequest>) =
            writes(input).into_iter().partition(|w| stuck.contains(&write_id(w)));
        seen.lock().unwrap().extend(made.iter().map(write_id));
        leaving(left)
    });
    (rule, log, written)
}

/// Checks a batch error against what the mocked table really wrote: `done` is exactly
/// the writes made, and the pending ids are exactly the taken ones not made (item `i` is
/// at input position `i`).
fn matches_the_table(batch: &BatchError, written: &[u32]) {
    accounts_for_everything(batch);
    let written: BTreeSet<u32> = written.iter().copied().collect();
    assert_eq!(batch.done, written.len(), "done counts the writes made");
    let expected: Vec<usize> = (0..batch.taken).filter(|i| !written.contains(&u32::try_from(*i).unwrap())).collect();
    assert_eq!(pending_indexes(batch), expected, "pending = taken minus written");
    for pending in &batch.pending {
        let item = pending.item::<Order>().unwrap().unwrap();
        assert_eq!(item, order(u32::try_from(pending.index).unwrap()));
    }
}

// ---------------------------------------------------------------------------------------
// Batch write accounting
// ---------------------------------------------------------------------------------------

/// Mocked: chunk 0 of 12 keeps three writes unprocessed, with `RetryPolicy::none()`. With
/// concurrency 1 the call stops after that one request: 22 done, 0..3 pending, 25 taken,
/// attempts 1.
#[test]
fn adversarial9_no_retries_concurrency_one_stops_after_the_first_request() {
    let (rule, log, written) = sticky_table(HashSet::from([0, 1, 2]));
    let db = crate::faults::db(&rule, RetryPolicy::none());
    let batch = batch_error(block_on(Order::batch_put(&db, (0..300).map(order)).concurrency(1)));
    assert!(matches!(batch.cause, BatchCause::RetriesExhausted { attempts: 1, last_error: None }), "{:?}", batch.cause);
    assert_eq!(log.len(), 1);
    assert_eq!((batch.done, batch.taken), (22, 25));
    assert_eq!(pending_indexes(&batch), [0, 1, 2]);
    matches_the_table(&batch, &written.lock().unwrap());
}

/// The same at concurrency 8: what is in flight finishes, what was not sent is pending;
/// every taken write is either written (as the mocked table saw) or pending.
#[test]
fn adversarial9_no_retries_concurrency_eight_accounts_for_every_write() {
    for stuck in [vec![0u32], vec![60], vec![199, 3], vec![310]] {
        let (rule, log, written) = sticky_table(stuck.iter().copied().collect());
        let db = crate::faults::db(&rule, RetryPolicy::none());
        let batch = batch_error(block_on(Order::batch_put(&db, (0..400).map(order)).concurrency(8)));
        assert!(matches!(batch.cause, BatchCause::RetriesExhausted { attempts: 1, .. }), "{:?}", batch.cause);
        matches_the_table(&batch, &written.lock().unwrap());
        for id in &stuck {
            if (*id as usize) < batch.taken {
                assert!(pending_indexes(&batch).contains(&(*id as usize)), "{stuck:?}: {id} pending");
            }
        }
        // No more requests than chunks taken.
        assert!(log.len() <= batch.taken.div_ceil(25), "{stuck:?}: {} requests, {} taken", log.len(), batch.taken);
    }
}

/// Control of the two above: nothing stuck, everything written, `Ok`.
#[test]
fn adversarial9_no_retries_nothing_stuck_is_ok() {
    let (rule, log, written) = sticky_table(HashSet::new());
    let db = crate::faults::db(&rule, RetryPolicy::none());
    let done = block_on(Order::batch_put(&db, (0..400).map(order)).concurrency(8)).unwrap();
    assert_eq!(done.written, 400);
    assert_eq!(log.len(), 16);
    assert_eq!(written.lock().unwrap().iter().copied().collect::<BTreeSet<_>>(), (0..400).collect());
}

/// Real DynamoDB Local: one single write, 39 from an iterator (the 31st position broken),
/// one single write after it, at concurrency 8. The first request (positions 0..25) is
/// written; 25..31 pending; 31 refused; nothing after it taken or written.
#[test]
fn adversarial9_refusal_among_mixed_singles_and_an_iterator_at_concurrency_eight() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let first = thing("p00");
        let mut middle: Vec<Thing> = (1..40).map(|i| thing(format!("p{i:02}"))).collect();
        middle[30].level = 11; // input position 31
        let last = thing("p40");
        let batch = batch_error(c.batch_write().put(&first).put_all(&middle).put(&last).concurrency(8).await);
        accounts_for_everything(&batch);
        assert_eq!(refused_index(&batch), Some(31));
        assert_eq!((batch.done, batch.taken), (25, 32));
        assert_eq!(pending_indexes(&batch), (25..31).collect::<Vec<_>>());
        assert_eq!(requests.count(), 1);
        let stored: BTreeSet<String> = Thing::scan(&c).consistent().await.unwrap().into_iter().map(|t| t.id).collect();
        assert_eq!(stored, (0..25).map(|i| format!("p{i:02}")).collect());
    });
}

/// A broken single write AFTER an iterator is checked as taken (not before the first
/// request): the 40 earlier writes' first request goes out, 25..40 are pending, 40 is
/// refused. A broken single write BEFORE the iterator sends nothing (the control).
#[test]
fn adversarial9_a_single_write_after_an_iterator_is_checked_when_taken() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let items: Vec<Thing> = (0..40).map(|i| thing(format!("q{i:02}"))).collect();
        let bad = Thing { level: -1, ..thing("bad") };
        let batch = batch_error(c.batch_write().put_all(&items).put(&bad).concurrency(8).await);
        accounts_for_everything(&batch);
        assert_eq!(refused_index(&batch), Some(40));
        assert_eq!((batch.done, batch.taken), (25, 41));
        assert_eq!(pending_indexes(&batch), (25..40).collect::<Vec<_>>());
        assert_eq!(requests.count(), 1);
        assert_eq!(Thing::scan(&c).consistent().await.unwrap().len(), 25);

        let before = requests.count();
        let batch = batch_error(c.batch_write().put(&bad).put_all(&items).concurrency(8).await);
        assert_eq!(refused_index(&batch), Some(0));
        assert_eq!((batch.done, batch.taken, batch.pending.len()), (0, 1, 0));
        assert_eq!(requests.count(), before);
    });
}

/// A stream that yields a refused item after four full requests, at concurrency 1 and 8:
/// 100 done, nothing pending, taken 101, and the table holds exactly those 100.
#[test]
fn adversarial9_a_refusal_after_several_full_requests() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        for concurrency in [1usize, 8] {
            let (c, requests) = counted(&db);
            let prefix = format!("c{concurrency}-");
            let items: Vec<Thing> = (0..130)
                .map(|i| Thing { level: if i == 100 { 99 } else { 1 }, ..thing(format!("{prefix}{i:03}")) })
                .collect();
            let stream = futures::stream::iter(items.clone());
            let batch = batch_error(c.batch_write().put_stream::<Thing, _>(stream).concurrency(concurrency).await);
            accounts_for_everything(&batch);
            assert_eq!(refused_index(&batch), Some(100));
            assert_eq!((batch.done, batch.taken, batch.pending.len()), (100, 101, 0), "concurrency {concurrency}");
            assert_eq!(requests.count(), 4);
            let stored = Thing::scan(&c).consistent().await.unwrap();
            let stored: BTreeSet<String> =
                stored.into_iter().map(|t| t.id).filter(|id| id.starts_with(&prefix)).collect();
            assert_eq!(stored, (0..100).map(|i| format!("{prefix}{i:03}")).collect());
        }
    });
}

// ---------------------------------------------------------------------------------------
// Batch get accounting
// ---------------------------------------------------------------------------------------

/// `batch_get` of keys [a, a, "", b, ""]: the empty key at 2 is refused. The promise:
/// every key taken is done or pending, except the refused one. Keys 1 (a duplicate of
/// 0) and 4 (a second bad key) are neither.
#[test]
fn adversarial9_batch_get_refusal_accounts_for_every_key() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let keys = ["a", "a", "", "b", ""].map(Thing::key);
        let batch = batch_error(Thing::batch_get(&c, keys).await);
        assert_eq!(requests.count(), 0);
        assert_eq!(refused_index(&batch), Some(2));
        // The call stops taking keys at the refused one, as a batch write does.
        assert_eq!(batch.taken, 3);
        accounts_for_everything(&batch);
    });
}

/// The same keys: the keys before the refused one are pending, each at its position
/// (the repeat too); the keys after it were never taken.
#[test]
fn adversarial9_batch_get_refusal_pending_positions() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let keys = ["a", "a", "", "b", ""].map(Thing::key);
        let batch = batch_error(Thing::batch_get(&c, keys).await);
        assert_eq!(requests.count(), 0);
        assert_eq!(refused_index(&batch), Some(2));
        assert_eq!((batch.done, batch.taken), (0, 3));
        assert_eq!(pending_indexes(&batch), [0, 1]);
    });
}

fn get_keys(input: &BatchGetItemInput) -> Vec<Item> {
    input.request_items().unwrap().values().flat_map(|k| k.keys().to_vec()).collect()
}

/// Mocked: keys [1, 1, 2] on a table that never reads anything, no retries: keys taken
/// 3, done 0, pending holds key positions 0 and 2 only: position 1 (a repeat) is in
/// neither.
#[test]
fn adversarial9_batch_get_leftovers_with_a_repeated_key_account_for_every_key() {
    let (rule, log) = scripted(mock!(Client::batch_get_item), |_, input: &BatchGetItemInput| {
        let keys = get_keys(input);
        let table = input.request_items().unwrap().keys().next().unwrap().clone();
        MockResponse::Output(
            BatchGetItemOutput::builder()
                .set_responses(Some(HashMap::new()))
                .set_unprocessed_keys(Some(HashMap::from([(
                    table,
                    KeysAndAttributes::builder().set_keys(Some(keys)).build().unwrap(),
                )])))
                .build(),
        )
    });
    let db = crate::faults::db(&rule, RetryPolicy::none());
    let batch = batch_error(block_on(Order::batch_get(&db, [1, 1, 2].map(Order::key))));
    assert_eq!(log.len(), 1);
    assert_eq!(batch.taken, 3);
    accounts_for_everything(&batch);
}

// ---------------------------------------------------------------------------------------
// Retry policies at their edges
// ---------------------------------------------------------------------------------------

/// A base delay of an hour capped at 2 ms: four attempts wait 3 × 2 ms, not hours. And
/// with zero delays, ten attempts are ten requests.
#[test]
fn adversarial9_delays_stay_capped_by_max_delay() {
    let huge = RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_secs(3600))
        .max_delay(Duration::from_millis(2))
        .jitter(Jitter::None);
    for retry in [1, 2, 3, 30, 31, 32, u32::MAX] {
        assert_eq!(huge.delay(retry), Duration::from_millis(2));
        assert!(huge.clone().jitter(Jitter::Full).delay(retry) <= Duration::from_millis(2));
    }
    let (rule, log) = scripted(mock!(Client::batch_write_item), |_, input| leaving(writes(input)));
    let db = crate::faults::db(&rule, huge);
    let started = Instant::now();
    let batch = batch_error(block_on(Order::batch_put(&db, (0..5).map(order))));
    let elapsed = started.elapsed();
    assert!(matches!(batch.cause, BatchCause::RetriesExhausted { attempts: 4, .. }));
    assert_eq!(log.len(), 4);
    assert!(elapsed >= Duration::from_millis(6), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    let seen = log.all();
    for pair in seen.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(2));
    }

    let zero = RetryPolicy::default().max_attempts(10).base_delay(Duration::ZERO).max_delay(Duration::ZERO);
    let (rule, log) = scripted(mock!(Client::batch_write_item), |_, input| leaving(writes(input)));
    let db = crate::faults::db(&rule, zero);
    let batch = batch_error(block_on(Order::batch_put(&db, (0..5).map(order))));
    assert!(matches!(batch.cause, BatchCause::RetriesExhausted { attempts: 10, .. }));
    assert_eq!(log.len(), 10);
    assert_eq!(batch.pending.len(), 5);

    // max_attempts(0) is one attempt.
    let (rule, log) = scripted(mock!(Client::batch_write_item), |_, input| leaving(writes(input)));
    let db = crate::faults::db(&rule, RetryPolicy::default().max_attempts(0));
    let batch = batch_error(block_on(Order::batch_put(&db, (0..5).map(order))));
    assert!(matches!(batch.cause, BatchCause::RetriesExhausted { attempts: 1, .. }));
    assert_eq!(log.len(), 1);
}

const CONFLICT_BODY: &str = r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]","CancellationReasons":[{"Code":"None"},{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}]}"#;

/// `RetryPolicy::none()`: a transaction canceled by a conflict is sent once, and the
/// error says sending again may help. With two attempts it is sent twice (the control).
#[test]
fn adversarial9_no_retries_sends_a_conflicted_transaction_once() {
    for (policy, expected) in [(RetryPolicy::none(), 1usize), (crate::faults::fast(2), 2)] {
        let rule = mock!(Client::transact_write_items)
            .sequence()
            .http_status(400, Some(CONFLICT_BODY.to_owned()))
            .repeatedly()
            .build();
        let db = crate::faults::mocked(
            &[&rule],
            RuleMode::MatchAny,
            aws_sdk_dynamodb::config::retry::RetryConfig::disabled(),
            policy,
        );
        let err = block_on(
            db.transaction()
                .put(Order::put(&db, &order(1)))
                .update(Order::update(&db, Order::key(2)).set(&Order::NOTE, "x")),
        )
        .unwrap_err();
        assert_eq!(rule.num_calls(), expected);
        assert!(err.is_retryable(), "{err:?}");
        let Error::TransactionCanceled { actions } = &err else { panic!("{err:?}") };
        assert_eq!(actions[1].reason, CancelReason::TransactionConflict);
    }
}

// ---------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------

/// `overwrite_all` writes version + 1; a normal put of the item read back (or of the
/// given item with version + 1) then succeeds, and a put of the version given fails.
#[test]
fn adversarial9_overwrite_all_then_put_with_the_next_version() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        Acct::put(&db, &acct("a", 1)).await.unwrap();
        let items = vec![Acct { version: 5, ..acct("a", 2) }, Acct { version: 0, ..acct("b", 3) }];
        let written = db.batch_write().overwrite_all(&items).await.unwrap();
        assert_eq!(written.written, 2);
        let a = Acct::get(&db, Acct::key("a")).consistent().await.unwrap().unwrap();
        let b = Acct::get(&db, Acct::key("b")).consistent().await.unwrap().unwrap();
        assert_eq!((a.version, b.version), (6, 1));
        let err = Acct::put(&db, &items[0]).await.unwrap_err();
        assert!(matches!(err, Error::VersionConflict { expected: 5, .. }), "{err:?}");
        let next = Acct::put(&db, &Acct { balance: 9, version: 6, ..items[0].clone() }).await.unwrap();
        assert_eq!(next.version, 7);
        let next = Acct::put(&db, &Acct { balance: 9, ..b }).await.unwrap();
        assert_eq!(next.version, 2);
    });
}

/// An item at version `u64::MAX`: a put refuses to go past it, and so does a batch
/// overwrite (in a call and by `Model::batch_overwrite`) and a transaction put: nothing
/// sent, nothing stored. One below the last writes exactly `u64::MAX` (the control).
#[test]
fn adversarial9_no_version_past_the_last_one_in_batches_and_transactions() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let last = Acct { version: u64::MAX, ..acct("m", 1) };
        let alone = c.transaction().put(Acct::put(&c, &last)).await.unwrap_err();
        let Error::Action { index: 0, error } = alone else { panic!("{alone:?}") };
        assert!(matches!(*error, Error::Validation { .. }), "{error:?}");
        let single = Acct::put(&c, &last).await.unwrap_err();
        assert!(matches!(single, Error::Validation { .. }), "{single:?}");
        let batch = batch_error(Acct::batch_overwrite(&c, [last.clone()]).await);
        assert_eq!(refused_index(&batch), Some(0));
        let BatchCause::Refused(cause) = &batch.cause else { unreachable!() };
        let Error::Action { error, .. } = &**cause else { unreachable!() };
        assert_eq!(error.to_string(), single.to_string());
        let batch = batch_error(c.batch_write().overwrite(&acct("x", 1)).overwrite(&last).await);
        assert_eq!((refused_index(&batch), batch.done, batch.pending.len()), (Some(1), 0, 1));
        assert_eq!(requests.count(), 0);
        assert!(raw::<Acct>(&c, &Acct::key("m")).await.is_none());
        assert!(raw::<Acct>(&c, &Acct::key("x")).await.is_none());

        let below = Acct { version: u64::MAX - 1, ..acct("m", 1) };
        Acct::batch_overwrite(&c, [below.clone()]).await.unwrap();
        let stored = Acct::get(&c, Acct::key("m")).consistent().await.unwrap().unwrap();
        assert_eq!(stored.version, u64::MAX);
        let err = Acct::put(&c, &stored).await.unwrap_err();
        assert!(matches!(err, Error::Validation { .. }), "{err:?}");
        let err = c.transaction().update(Acct::update(&c, Acct::key("m")).add(&Acct::BALANCE, 1)).await.unwrap_err();
        // The update's bound on the version fails inside the transaction.
        let Error::TransactionCanceled { actions } = &err else { panic!("{err:?}") };
        assert_eq!(actions[0].reason, CancelReason::ConditionalCheckFailed);
        assert!(matches!(actions[0].error.as_deref(), Some(Error::Validation { .. })), "{:?}", actions[0].error);
        assert_eq!(Acct::get(&c, Acct::key("m")).consistent().await.unwrap().unwrap(), stored);
    });
}

// ---------------------------------------------------------------------------------------
// Converted fields
// ---------------------------------------------------------------------------------------

/// `set`, `with` and `serde` fields stored by a batch put, a `put_stream` of owned items,
/// and a transaction put are exactly what a single put stores (key and stamp aside).
#[test]
fn adversarial9_converted_fields_in_batches_and_transactions_store_as_put() {
    run(|db| async move {
        Shaped::create_table(&db).await.unwrap();
        let alone = Shaped::put(&db, &shaped("alone")).await.unwrap();
        Shaped::batch_put(&db, [shaped("batch")]).await.unwrap();
        db.batch_write().put_stream::<Shaped, _>(futures::stream::iter(vec![shaped("stream")])).await.unwrap();
        let by_ref = [shaped("refs")];
        db.batch_write().put_stream::<Shaped, _>(futures::stream::iter(by_ref.iter())).await.unwrap();
        db.transaction().put(Shaped::put(&db, &shaped("tx"))).await.unwrap();
        let strip = |mut item: Item| {
            item.remove("id");
            item.remove("created");
            item
        };
        let reference = strip(raw::<Shaped>(&db, &Shaped::key("alone")).await.unwrap());
        assert_eq!(reference.get("email"), Some(&AttributeValue::S("mixed@example.com".into())));
        assert_eq!(reference.get("num"), Some(&AttributeValue::S("#-42".into())));
        for id in ["batch", "stream", "refs", "tx"] {
            let stored = raw::<Shaped>(&db, &Shaped::key(id)).await.unwrap();
            assert!(matches!(stored.get("created"), Some(AttributeValue::N(_))), "{id}: stamped");
            assert_eq!(strip(stored), reference, "{id}");
            let read = Shaped::get(&db, Shaped::key(id)).consistent().await.unwrap().unwrap();
            assert_eq!(Shaped { id: "alone".into(), created: alone.created, ..read }, alone, "{id}");
        }
        // Read back through a transaction, too.
        let mut read = db.transaction_get();
        let handle = read.get(Shaped::get(&db, Shaped::key("tx")));
        let got = read.await.unwrap();
        assert_eq!(got.get(&handle).unwrap().unwrap().meta, alone.meta);
    });
}

// ---------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------

/// A check on (f, 1) and an update of (f, 2) in one transaction: different items of one
/// table (same hash key, different sort key) are applied together; when the check fails
/// the update is not applied; (f, 1) twice is refused before sending.
#[test]
fn adversarial9_check_and_update_on_sibling_items() {
    run(|db| async move {
        Post::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        Post::batch_put(&c, [1, 2].map(|seq| Post { forum: "f".into(), seq, votes: 3 })).await.unwrap();
        c.transaction()
            .check(Post::check(&c, Post::key("f", 1), Post::VOTES.eq(3)))
            .update(Post::update(&c, Post::key("f", 2)).add(&Post::VOTES, 1))
            .await
            .unwrap();
        assert_eq!(Post::get(&c, Post::key("f", 2)).consistent().await.unwrap().unwrap().votes, 4);
        let err = c
            .transaction()
            .check(Post::check(&c, Post::key("f", 1), Post::VOTES.eq(4)))
            .update(Post::update(&c, Post::key("f", 2)).add(&Post::VOTES, 1))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { actions } = &err else { panic!("{err:?}") };
        assert_eq!(actions[0].reason, CancelReason::ConditionalCheckFailed);
        assert_eq!(actions[0].kind, ActionKind::Check);
        assert!(matches!(actions[0].error.as_deref(), Some(Error::ConditionFailed { .. })));
        assert_eq!(actions[0].current_item::<Post>().unwrap().unwrap().votes, 3);
        assert_eq!(actions[1].reason, CancelReason::None);
        assert_eq!(Post::get(&c, Post::key("f", 2)).consistent().await.unwrap().unwrap().votes, 4);
        let before = requests.count();
        let err = c
            .transaction()
            .check(Post::check(&c, Post::key("f", 1), Post::VOTES.eq(3)))
            .update(Post::update(&c, Post::key("f", 1)).add(&Post::VOTES, 1))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidTransaction { reason: TransactionReason::SameItem { first: 0, second: 1 } }),
            "{err:?}"
        );
        assert_eq!(requests.count(), before);
    });
}

/// Several refused actions: the first is reported, with its position among all actions
/// given, even when the item-twice check or the size check would fail too.
#[test]
fn adversarial9_the_first_refused_action_is_reported() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let err = c
            .transaction()
            .put(Thing::put(&c, &thing("a")))
            .put(Thing::put(&c, &thing("a")))
            .update(Thing::update(&c, Thing::key("b")).set(&Thing::LEVEL, 2).upsert())
            .put(Thing::put(&c, &Thing { level: 11, ..thing("c") }))
            .delete(Thing::delete(&c, Thing::key("")))
            .await
            .unwrap_err();
        let Error::Action { index, error } = &err else { panic!("{err:?}") };
        assert_eq!(*index, 2);
        assert!(
            matches!(**error, Error::InvalidRequest { reason: RequestReason::IncompleteUpsert { .. }, .. }),
            "{error:?}"
        );
        assert_eq!(requests.count(), 0);
        assert!(raw::<Thing>(&c, &Thing::key("a")).await.is_none());
    });
}

/// A delete with `expect_version` of a missing item in a transaction: a VersionConflict
/// with no current item, as alone; a check with `expect_version` on a moved item too.
#[test]
fn adversarial9_versioned_delete_and_check_of_missing_or_moved_items() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        Thing::create_table(&db).await.unwrap();
        let v1 = Acct::put(&db, &acct("v", 5)).await.unwrap();
        let v2 = Acct::put(&db, &Acct { balance: 6, ..v1.clone() }).await.unwrap();
        let err = db
            .transaction()
            .put(Thing::put(&db, &thing("side")))
            .delete(Acct::delete(&db, Acct::key("gone")).expect_version(3))
            .await
            .unwrap_err();
        let alone = Acct::delete(&db, Acct::key("gone")).expect_version(3).await.unwrap_err();
        let Error::TransactionCanceled { actions } = &err else { panic!("{err:?}") };
        assert_eq!(actions[1].kind, ActionKind::Delete);
        assert_eq!(actions[1].reason, CancelReason::ConditionalCheckFailed);
        let in_tx = actions[1].error.as_deref().unwrap();
        assert!(matches!(in_tx, Error::VersionConflict { expected: 3, current: None, .. }), "{in_tx:?}");
        assert_eq!(in_tx.to_string(), alone.to_string());

        let err = db
            .transaction()
            .put(Thing::put(&db, &thing("side")))
            .check(Acct::check(&db, Acct::key("v"), Acct::BALANCE.gt(0)).expect_version(v1.version))
            .delete(Acct::delete(&db, Acct::key("gone")).expect_version(3))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { actions } = &err else { panic!("{err:?}") };
        assert!(
            matches!(actions[1].error.as_deref(), Some(Error::VersionConflict { expected: 1, current: Some(_), .. })),
            "{:?}",
            actions[1].error
        );
        assert!(matches!(actions[2].error.as_deref(), Some(Error::VersionConflict { current: None, .. })));
        assert!(raw::<Thing>(&db, &Thing::key("side")).await.is_none());
        // The control: the right version holds and everything applies.
        db.transaction()
            .put(Thing::put(&db, &thing("side")))
            .check(Acct::check(&db, Acct::key("v"), Acct::BALANCE.gt(0)).expect_version(v2.version))
            .await
            .unwrap();
        assert!(raw::<Thing>(&db, &Thing::key("side")).await.is_some());
    });
}

/// `project_into` a view with a field the model lacks: in a transaction read as alone, a
/// required one is a Decode error of that field, an optional one reads `None`; 100 reads
/// across three models in one request.
#[test]
fn adversarial9_transaction_reads_of_fields_the_model_lacks() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        Acct::create_table(&db).await.unwrap();
        Post::create_table(&db).await.unwrap();
        Thing::batch_put(&db, (0..40).map(|i| thing(format!("t{i}")))).await.unwrap();
        Acct::batch_overwrite(&db, (0..30).map(|i| acct(&format!("a{i}"), i))).await.unwrap();
        let (c, requests) = counted(&db);
        let mut read = c.transaction_get();
        let colored = read.get(Thing::get(&c, Thing::key("t0")).project_into::<ThingWithColor>());
        let maybe = read.get(Thing::get(&c, Thing::key("t1")).project_into::<ThingMaybeColor>());
        let things: Vec<_> = (2..40).map(|i| read.get(Thing::get(&c, Thing::key(format!("t{i}"))))).collect();
        let accts: Vec<_> = (0..30).map(|i| read.get(Acct::get(&c, Acct::key(format!("a{i}"))))).collect();
        let posts: Vec<_> = (0..30).map(|i| read.get(Post::get(&c, Post::key("f", i)))).collect();
        assert_eq!(posts.last().unwrap().index(), 99);
        let got = read.await.unwrap();
        assert_eq!(requests.count(), 1);
        let in_tx = got.get(&colored).unwrap_err();
        let alone = Thing::get(&c, Thing::key("t0")).project_into::<ThingWithColor>().await.unwrap_err();
        assert!(matches!(&in_tx, Error::Decode { attribute, .. } if attribute == "color"), "{in_tx:?}");
        assert_eq!(in_tx.to_string(), alone.to_string());
        assert_eq!(got.get(&maybe).unwrap(), Some(ThingMaybeColor { level: 1, color: None }));
        for (i, handle) in things.iter().enumerate() {
            assert_eq!(got.get(handle).unwrap().unwrap().id, format!("t{}", i + 2));
        }
        for (i, handle) in accts.iter().enumerate() {
            let a = got.get(handle).unwrap().unwrap();
            assert_eq!((a.balance, a.version), (i as i64, 1));
        }
        assert!(posts.iter().all(|h| got.get(h).unwrap().is_none()));
        // 101 reads are refused before sending.
        let mut read = c.transaction_get();
        for i in 0..101 {
            read.get(Thing::get(&c, Thing::key(format!("t{i}"))));
        }
        let err = read.await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidTransaction { reason: TransactionReason::TooManyActions { count: 101, .. } }),
            "{err:?}"
        );
        assert_eq!(requests.count(), 2, "the transaction read and the get alone; nothing for 101 reads");
    });
}

/// A delete in a batch of a key that was never written, and of a key of a versioned
/// model, are unconditional: `Ok`, written counts them.
#[test]
fn adversarial9_batch_deletes_are_unconditional() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        let stored = Acct::put(&db, &acct("v", 5)).await.unwrap();
        let done = db.batch_write().delete::<Acct>(Acct::key("v")).delete::<Acct>(Acct::key("never")).await.unwrap();
        assert_eq!(done.written, 2);
        assert!(raw::<Acct>(&db, &stored.key()).await.is_none());
        let pending = PendingRequest::Delete(Acct::key("v").to_key_item().unwrap());
        assert!(matches!(pending, PendingRequest::Delete(_)));
    });
}
