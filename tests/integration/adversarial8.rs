//! Eighth round of adversarial probes: batches and transactions against DynamoDB Local.
//!
//! Odd keys (numbers spelled differently, `-0`, binary, maximum lengths, unicode), the
//! exact limits (25/26 writes, 100/101 keys and actions, items of exactly 400 KB, a
//! transaction of exactly 4 MB), two models on one table and one model on two prefixes,
//! every failed action read as it would be alone, transaction reads with TTLs and
//! projections, slow streams with refusals deep inside, tokens, and concurrency.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::future::IntoFuture;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dynamo_model::batch::{BatchCause, BatchError, PendingRequest};
use dynamo_model::limits::item_size;
use dynamo_model::tx::{ActionKind, CancelReason, TransactionReason};
use dynamo_model::{AttributeValue, Db, Document, Error, InvalidReason, Model, ModelKey, RequestReason};
use futures::StreamExt;

use crate::common::{counted, run, sent};

// ---------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------

fn lower(value: &str) -> String {
    value.to_lowercase()
}

fn trim(value: &str) -> String {
    value.trim().to_owned()
}

/// Stamps, `set` transforms (one on a GSI key), rules, an empty-able string.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_users", gsi(name = "by_email", hash = email))]
struct User {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(set = lower)]
    email: String,
    #[dynamo(validate(len(min = 2)), set = trim)]
    name: String,
    note: String,
    #[dynamo(validate(min = 0, max = 10))]
    level: i64,
    #[dynamo(created_at)]
    created: u64,
    #[dynamo(updated_at)]
    updated: u64,
}

fn user(id: impl Into<String>) -> User {
    let id = id.into();
    User {
        email: format!("{}@EXAMPLE.com", id.to_uppercase()),
        name: format!("  name {id}  "),
        id,
        note: String::new(),
        level: 1,
        created: 0,
        updated: 0,
    }
}

/// A numeric sort key and a local index.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_events", lsi(name = "by_size", range = size, projection = keys_only))]
struct Event {
    #[dynamo(hash_key)]
    stream: String,
    #[dynamo(range_key)]
    seq: f64,
    size: i64,
    body: String,
}

fn event(seq: f64) -> Event {
    Event { stream: "s".into(), seq, size: 1, body: format!("at {seq}") }
}

/// Two models on one table, keyed by the same attribute as `f64` and as `i64`.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_shared")]
struct SharedF {
    #[dynamo(hash_key)]
    n: f64,
    a: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_shared")]
struct SharedI {
    #[dynamo(hash_key)]
    n: i64,
    b: Option<String>,
}

/// Binary keys.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_bins")]
struct Bin {
    #[dynamo(hash_key)]
    key: Vec<u8>,
    v: u32,
}

/// String keys at their maximum lengths.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_docs")]
struct Doc8 {
    #[dynamo(hash_key)]
    owner: String,
    #[dynamo(range_key)]
    path: String,
    body: String,
}

/// 39-digit numbers as keys.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_big")]
struct Big {
    #[dynamo(hash_key)]
    n: u128,
    v: u32,
}

/// Items sized to the byte.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_blob")]
struct Blob8 {
    #[dynamo(hash_key)]
    id: u32,
    body: String,
}

/// Numbers counted by the item-size formula.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_nums")]
struct Nums {
    #[dynamo(hash_key)]
    id: u32,
    nums: Vec<u64>,
    set: BTreeSet<i64>,
    body: String,
}

fn sized_nums(id: u32, size: usize) -> Nums {
    let mut item = Nums {
        id,
        nums: vec![u64::MAX; 1000],
        set: (0..1000).map(|i| -1_000_000_000_000_000 - i).collect(),
        body: String::new(),
    };
    let base = item_size(&item.to_item().unwrap());
    item.body = "x".repeat(size - base);
    assert_eq!(item_size(&item.to_item().unwrap()), size);
    item
}

/// Optimistic locking, bounds, nested maps.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_accounts")]
struct Acct {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(min = 0, max = 100))]
    balance: i64,
    #[dynamo(default)]
    nested: BTreeMap<String, BTreeMap<String, i64>>,
    #[dynamo(version)]
    version: u64,
}

fn acct(id: &str, balance: i64) -> Acct {
    Acct { id: id.into(), balance, nested: BTreeMap::new(), version: 0 }
}

/// TTL and an optional field a projection requires.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_sessions")]
struct Session {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(ttl)]
    expires: Option<u64>,
    note: Option<String>,
    data: String,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct SessionData {
    data: String,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct SessionNote {
    note: String,
}

/// Counters for concurrent transactions.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_counters")]
struct Counter {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(counter)]
    n: i64,
}

/// A model whose table is never created.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv8_never_created")]
struct Missing {
    #[dynamo(hash_key)]
    id: String,
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The batch error of a failed call.
fn batch_error<T: Debug>(result: dynamo_model::Result<T>) -> Box<BatchError> {
    match result {
        Err(Error::Batch(batch)) => batch,
        other => panic!("expected Error::Batch, got {other:?}"),
    }
}

/// The write refused and why, from a batch refused before sending it.
fn refusal(batch: &BatchError) -> (usize, &Error) {
    match &batch.cause {
        BatchCause::Refused(error) => match &**error {
            Error::Action { index, error } => (*index, &**error),
            other => panic!("a refusal is an Error::Action, got {other:?}"),
        },
        other => panic!("expected BatchCause::Refused, got {other:?}"),
    }
}

fn pending_indexes(batch: &BatchError) -> Vec<usize> {
    batch.pending.iter().map(|pending| pending.index).collect()
}

fn is_duplicate(error: &Error, first_write: usize) -> bool {
    matches!(error, Error::InvalidRequest { reason: RequestReason::DuplicateItem { first }, .. } if *first == first_write)
}

fn sized_blob(id: u32, size: usize) -> Blob8 {
    let mut blob = Blob8 { id, body: String::new() };
    let base = item_size(&blob.to_item().unwrap());
    blob.body = "x".repeat(size - base);
    assert_eq!(item_size(&blob.to_item().unwrap()), size);
    blob
}

/// What an error says, for comparing a transaction action's error with the one the
/// same operation has alone (items compared as decoded, not as maps printed).
fn shape(error: &Error) -> String {
    match error {
        Error::VersionConflict { model, table, expected, current } => {
            format!("VersionConflict {model} {table} expected {expected} current {}", current.is_some())
        }
        Error::ConditionFailed { model, table, item } => format!("ConditionFailed {model} {table} {}", item.is_some()),
        Error::AlreadyExists { model, table } => format!("AlreadyExists {model} {table}"),
        Error::NotFound { model, table } => format!("NotFound {model} {table}"),
        Error::PathNotFound { model, table, path, item } => {
            format!("PathNotFound {model} {table} {path} {}", item.is_some())
        }
        Error::Validation { model, errors } => format!("Validation {model} {errors:?}"),
        other => format!("other: {other}"),
    }
}

/// DynamoDB's answer to a request sent with the SDK alone, which must be a refusal:
/// its error, printed (code and message).
fn dynamodb_refusal<T: Debug, E>(result: Result<T, E>) -> String
where
    aws_sdk_dynamodb::Error: From<E>,
{
    match result {
        Ok(output) => panic!("DynamoDB took it: {output:?}"),
        Err(error) => format!("{:?}", aws_sdk_dynamodb::Error::from(error)),
    }
}

fn token_ok(len: usize) -> String {
    "t".repeat(len)
}

// ---------------------------------------------------------------------------------------
// Batches: empty, exact counts, order, deduplication
// ---------------------------------------------------------------------------------------

/// Zero items in every form: `Ok` with nothing written, no request at all.
#[test]
fn adversarial8_empty_batches_send_nothing() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let none: Vec<User> = Vec::new();
        assert_eq!(User::batch_put(&c, &none).await.unwrap().written, 0);
        assert_eq!(User::batch_delete(&c, Vec::<UserKey>::new()).await.unwrap().written, 0);
        assert_eq!(c.batch_write().await.unwrap().written, 0);
        let written = c
            .batch_write()
            .put_all(&Vec::<User>::new())
            .delete_all::<User, _>(Vec::<UserKey>::new())
            .put_stream::<User, _>(futures::stream::empty::<User>())
            .await
            .unwrap();
        assert_eq!(written.written, 0);
        let got = User::batch_get(&c, Vec::<UserKey>::new()).await.unwrap();
        assert!(got.items.is_empty() && got.not_found.is_empty());
        assert_eq!(requests.count(), 0, "empty batches send nothing");
        // The control: one item is one request.
        assert_eq!(User::batch_put(&c, [user("a")]).await.unwrap().written, 1);
        assert_eq!(requests.count(), 1);
    });
}

/// 100 keys with one spelled twice are one request; 101 distinct keys are two. Items come
/// back in key order, each once, and the keys not found in order.
#[test]
fn adversarial8_batch_get_at_100_and_101_keys() {
    run(|db| async move {
        Blob8::create_table(&db).await.unwrap();
        Blob8::batch_put(&db, (0..101).filter(|id| id % 10 != 3).map(|id| Blob8 { id, body: format!("b{id}") }))
            .await
            .unwrap();
        let (c, requests) = counted(&db);
        // 101 keys, 100 distinct (key 50 twice, at positions 50 and 100).
        let keys: Vec<Blob8Key> = (0..100).rev().chain([50]).map(Blob8::key).collect();
        let (count, got) = sent(&requests, Blob8::batch_get(&c, keys).into_future()).await;
        let got = got.unwrap();
        assert_eq!(count, 1, "100 distinct keys are one request");
        let expected: Vec<u32> = (0..100).rev().filter(|id| id % 10 != 3).collect();
        assert_eq!(got.items.iter().map(|b| b.id).collect::<Vec<_>>(), expected);
        let missing: Vec<Blob8Key> = (0..100).rev().filter(|id| id % 10 == 3).map(Blob8::key).collect();
        assert_eq!(got.not_found, missing);
        // The control: 101 distinct keys are two requests.
        let (count, got) = sent(&requests, Blob8::batch_get(&c, (0..101).map(Blob8::key)).into_future()).await;
        let got = got.unwrap();
        assert_eq!(count, 2);
        assert_eq!(got.items.len() + got.not_found.len(), 101);
        assert_eq!(got.items.last().unwrap().id, 100);
    });
}

/// `-0`, `0`, `1`, `1.0`, `2.5` and `2.50` as sort keys: DynamoDB's numbers, so `-0` and
/// `0` are one item, read once where first asked for.
#[test]
fn adversarial8_numeric_keys_spelled_differently_are_one_item() {
    run(|db| async move {
        Event::create_table(&db).await.unwrap();
        // The control: DynamoDB itself takes -0 and 0 for one key.
        Event::put(&db, &event(-0.0)).await.unwrap();
        let zero = Event::get(&db, Event::key("s", 0.0)).consistent().await.unwrap();
        assert_eq!(zero.map(|e| e.body), Some("at -0".to_owned()));
        Event::delete(&db, Event::key("s", 0.0)).await.unwrap();

        let (c, requests) = counted(&db);
        // -0 and 0 in one batch: one item written twice.
        let batch = batch_error(Event::batch_put(&c, [event(1.0), event(0.0), event(-0.0)]).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 2);
        assert!(is_duplicate(error, 1), "{error:?}");
        assert_eq!((batch.done, batch.taken), (0, 3));
        assert_eq!(pending_indexes(&batch), [0, 1, 2]);
        assert_eq!(requests.count(), 0, "refused before sending");
        assert!(Event::query(&c, "s").consistent().await.unwrap().is_empty(), "nothing written");

        // The smallest number DynamoDB holds is not zero.
        Event::batch_put(&c, [event(0.0), event(1e-130), event(1.0), event(2.5)]).await.unwrap();
        let keys = [2.5, -0.0, 1.0, 7.0, 0.0, 1e-130, 1.0, 2.5].map(|seq| Event::key("s", seq));
        let before = requests.count();
        let got = Event::batch_get(&c, keys).consistent().await.unwrap();
        assert_eq!(requests.count() - before, 1);
        let seqs: Vec<f64> = got.items.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [2.5, 0.0, 1.0, 1e-130]);
        assert_eq!(got.not_found, [Event::key("s", 7.0)]);
    });
}

/// One table, two models: `SharedF { n: 1.0 }` and `SharedI { n: 1 }` are one item, in a
/// batch and in a transaction; `1.5` and `1` are two.
#[test]
fn adversarial8_one_item_through_two_models_of_one_table() {
    run(|db| async move {
        SharedF::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let f = SharedF { n: 1.0, a: Some("f".into()) };
        let batch = batch_error(c.batch_write().put(&f).delete::<SharedI>(SharedI::key(1)).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 1);
        assert!(is_duplicate(error, 0), "{error:?}");
        let err = c
            .transaction()
            .put(SharedF::put(&c, &f))
            .check(SharedI::check(&c, SharedI::key(1), SharedI::B.not_exists()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidTransaction { reason: TransactionReason::SameItem { first: 0, second: 1 } }),
            "{err:?}"
        );
        assert_eq!(requests.count(), 0);

        // The control: 1.5 and 1 are two items, in a batch and in a transaction.
        let other = SharedF { n: 1.5, a: Some("g".into()) };
        let written = c.batch_write().put(&other).put(&SharedI { n: 1, b: Some("i".into()) }).await.unwrap();
        assert_eq!(written.written, 2);
        c.transaction()
            .put(SharedF::put(&c, &SharedF { n: 1.5, a: Some("h".into()) }))
            .check(SharedI::check(&c, SharedI::key(1), SharedI::B.exists()))
            .await
            .unwrap();
        let read = SharedF::get(&c, SharedF::key(1.5)).consistent().await.unwrap().unwrap();
        assert_eq!(read.a.as_deref(), Some("h"));
        // And the item of `1` is the item of `1.0`, read through the other model.
        let read = SharedF::get(&c, SharedF::key(1.0)).consistent().await.unwrap().unwrap();
        assert_eq!(read.n, 1.0);
    });
}

/// The same key in two tables (two models, or one model under two prefixes) is two items:
/// allowed in one batch and in one transaction; the same prefix twice is one item.
#[test]
fn adversarial8_one_key_in_two_tables_is_two_items() {
    run(|db| async move {
        let p1 = db.clone().with_table_prefix("p1_");
        User::create_table(&db).await.unwrap();
        User::create_table(&p1).await.unwrap();
        Session::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let session = Session { id: "a".into(), expires: None, note: None, data: "d".into() };
        let written = c.batch_write().put(&user("a")).put(&session).await.unwrap();
        assert_eq!(written.written, 2);
        assert_eq!(requests.count(), 1, "two tables in one request");
        assert!(Session::get(&c, Session::key("a")).await.unwrap().is_some());

        let p1c = c.clone().with_table_prefix("p1_");
        let b = user("b");
        c.transaction()
            .put(User::put(&c, &b))
            .put(User::put(&p1c, &b))
            .delete(Session::delete(&c, Session::key("b")))
            .await
            .unwrap();
        assert!(User::get(&c, User::key("b")).consistent().await.unwrap().is_some());
        assert!(User::get(&p1, User::key("b")).consistent().await.unwrap().is_some());

        // A cancellation under a prefix names the prefixed table.
        let err =
            c.transaction().put(User::put(&c, &user("c"))).put(User::put(&p1c, &b).if_not_exists()).await.unwrap_err();
        let Error::TransactionCanceled { actions } = &err else { panic!("{err:?}") };
        assert_eq!(actions[1].table, "p1_adv8_users");
        assert_eq!(actions[1].error.as_deref().map(shape).as_deref(), Some("AlreadyExists User p1_adv8_users"));
        assert!(User::get(&c, User::key("c")).consistent().await.unwrap().is_none());

        // The control: two Dbs with one prefix name one table.
        let also_p1 = db.clone().with_table_prefix("p1_");
        let before = requests.count();
        let err =
            c.transaction().put(User::put(&p1c, &b)).delete(User::delete(&also_p1, User::key("b"))).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidTransaction { reason: TransactionReason::SameItem { first: 0, second: 1 } }),
            "{err:?}"
        );
        assert_eq!(requests.count(), before);
    });
}

// ---------------------------------------------------------------------------------------
// Batches: checks before sending, refusals deep in the input
// ---------------------------------------------------------------------------------------

/// Thirty writes given one by one, the last of them an item already written at
/// position 3: the writes given one by one are all checked before the first request, so
/// nothing may be sent.
#[test]
fn adversarial8_leading_writes_are_all_checked_before_the_first_request() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let users: Vec<User> = (0..30).map(|i| user(format!("u{i}"))).collect();
        let again = User { note: "second".into(), ..users[3].clone() };
        let mut batch = c.batch_write();
        for u in &users[..29] {
            batch = batch.put(u);
        }
        let batch = batch_error(batch.put(&again).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 29);
        assert!(is_duplicate(error, 3), "{error:?}");
        assert_eq!(requests.count(), 0, "nothing sent");
        assert_eq!(batch.done, 0);
        assert_eq!(pending_indexes(&batch), (0..30).collect::<Vec<_>>());
        assert!(User::scan(&c).await.unwrap().is_empty());
    });
}

/// The control of the test above: thirty distinct leading writes are written, in two
/// requests; and a duplicate among fewer than 26 leading writes sends nothing.
#[test]
fn adversarial8_leading_writes_control() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let users: Vec<User> = (0..30).map(|i| user(format!("u{i}"))).collect();
        let mut batch = c.batch_write();
        for u in &users {
            batch = batch.put(u);
        }
        assert_eq!(batch.await.unwrap().written, 30);
        assert_eq!(requests.count(), 2);
        let before = requests.count();
        let mut batch = c.batch_write();
        for u in &users[..24] {
            batch = batch.put(u);
        }
        let batch = batch_error(batch.delete::<User>(users[3].key()).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 24);
        assert!(is_duplicate(error, 3), "{error:?}");
        assert_eq!(requests.count(), before);
    });
}

/// A leading write that breaks a rule: nothing is sent, and the error is the batch's
/// (`Error::Batch` with the refusal as its cause), as for the same write from an iterator.
#[test]
fn adversarial8_a_refused_leading_write_is_a_batch_error() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let bad = User { level: 11, ..user("b") };
        let result = c.batch_write().put(&user("a")).put(&bad).await;
        assert_eq!(requests.count(), 0);
        let batch = batch_error(result);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 1);
        assert!(matches!(error, Error::Validation { .. }), "{error:?}");
        assert_eq!(batch.taken, 2);
    });
}

/// A refused leading write, and the same write from an iterator: both send nothing.
#[test]
fn adversarial8_a_refused_leading_write_sends_nothing() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let bad = User { level: 11, ..user("b") };
        let batch = batch_error(c.batch_write().put(&user("a")).put(&bad).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 1);
        assert!(matches!(error, Error::Validation { .. }), "{error:?}");
        let batch = batch_error(c.batch_write().put_all(&[user("a"), bad.clone()]).await);
        assert_eq!(refusal(&batch).0, 1);
        assert_eq!(requests.count(), 0);
        assert!(User::scan(&c).await.unwrap().is_empty());
    });
}

/// A stream that yields every 15 ms: 30 items, all written in two requests, each stored
/// as `put` would store it.
#[test]
fn adversarial8_a_slow_stream_is_written_whole() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let users: Vec<User> = (0..30).map(|i| user(format!("s{i}"))).collect();
        let slow = futures::stream::iter(users.clone()).then(|u| async move {
            tokio::time::sleep(Duration::from_millis(15)).await;
            u
        });
        let written = c.batch_write().put_stream::<User, _>(slow).await.unwrap();
        assert_eq!(written.written, 30);
        assert_eq!(requests.count(), 2);
        let got = User::batch_get(&c, users.iter().map(|u| u.key())).consistent().await.unwrap();
        assert_eq!(got.items.len(), 30);
        for (stored, given) in got.items.iter().zip(&users) {
            let alone = User::put(&c, given).compile().unwrap().item;
            let alone = User::from_item(alone).unwrap();
            assert_eq!(
                (&stored.id, &stored.email, &stored.name, &stored.note, stored.level),
                (&alone.id, &alone.email, &alone.name, &alone.note, alone.level)
            );
            assert!(stored.created > 0 && stored.updated > 0);
        }
    });
}

/// A slow stream whose 28th item breaks a rule: the first 25 are written, 25 and 26 are
/// pending, 27 is named in the cause, nothing after it is taken.
#[test]
fn adversarial8_a_refusal_deep_in_a_slow_stream_accounts_for_every_write() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let mut users: Vec<User> = (0..40).map(|i| user(format!("r{i:02}"))).collect();
        users[27].level = 11;
        let slow = futures::stream::iter(users.clone()).then(|u| async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            u
        });
        let batch = batch_error(c.batch_write().put_stream::<User, _>(slow).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 27);
        assert!(matches!(error, Error::Validation { model: "User", .. }), "{error:?}");
        assert_eq!((batch.done, batch.taken), (25, 28));
        assert_eq!(pending_indexes(&batch), [25, 26]);
        let pending: Vec<String> = batch.pending.iter().map(|p| p.item::<User>().unwrap().unwrap().id).collect();
        assert_eq!(pending, ["r25", "r26"]);
        assert_eq!(requests.count(), 1);
        let stored: BTreeSet<String> = User::scan(&c).consistent().await.unwrap().into_iter().map(|u| u.id).collect();
        assert_eq!(stored, (0..25).map(|i| format!("r{i:02}")).collect());
    });
}

/// A refusal exactly at the request boundary: at position 24 (the last write of the
/// first request) nothing is sent and 0..24 are pending; at position 25 (the first of the
/// second) the first request is written whole and nothing is pending.
#[test]
fn adversarial8_a_refusal_at_the_request_boundary() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        for bad in [24usize, 25] {
            let mut users: Vec<User> = (0..40).map(|i| user(format!("b{bad}-{i:02}"))).collect();
            users[bad].name = " ".into(); // trimmed to nothing: too short
            let before = requests.count();
            let err = User::batch_put(&c, users.clone()).concurrency(1).await.unwrap_err();
            assert!(!err.is_retryable());
            let batch = batch_error(Err::<(), _>(err));
            let (index, error) = refusal(&batch);
            assert_eq!(index, bad);
            assert!(matches!(error, Error::Validation { .. }), "{error:?}");
            assert_eq!(batch.taken, bad + 1);
            if bad == 24 {
                assert_eq!((batch.done, requests.count() - before), (0, 0));
                assert_eq!(pending_indexes(&batch), (0..24).collect::<Vec<_>>());
            } else {
                assert_eq!((batch.done, requests.count() - before), (25, 1));
                assert!(batch.pending.is_empty());
            }
        }
        let stored: Vec<String> = User::scan(&c).consistent().await.unwrap().into_iter().map(|u| u.id).collect();
        assert_eq!(stored.len(), 25);
        assert!(stored.iter().all(|id| id.starts_with("b25-")));
    });
}

/// Keys that differ only in unicode normalization (NFC "é" and NFD "e\u{301}"), or that
/// hold NUL or only blanks, are distinct items, written and read back as given.
#[test]
fn adversarial8_unicode_keys_are_their_bytes() {
    run(|db| async move {
        Doc8::create_table(&db).await.unwrap();
        let owners = ["\u{e9}", "e\u{301}", "a\0b", "a", " ", "\u{feff}", "🏳️‍🌈"];
        let items: Vec<Doc8> = owners
            .iter()
            .enumerate()
            .map(|(i, o)| Doc8 { owner: (*o).into(), path: "p".into(), body: i.to_string() })
            .collect();
        let written = Doc8::batch_put(&db, &items).await.unwrap();
        assert_eq!(written.written, owners.len());
        let got = Doc8::batch_get(&db, items.iter().rev().map(|d| d.key())).consistent().await.unwrap();
        assert_eq!(got.items, items.iter().rev().cloned().collect::<Vec<_>>());
        assert!(got.not_found.is_empty());
        let mut read = db.transaction_get();
        let handles: Vec<_> = items.iter().map(|d| read.get(Doc8::get(&db, d.key()))).collect();
        let tx = read.await.unwrap();
        for (handle, item) in handles.iter().zip(&items) {
            assert_eq!(tx.get(handle).unwrap().as_ref(), Some(item));
        }
        Doc8::batch_delete(&db, items.iter().map(|d| d.key())).await.unwrap();
        assert!(Doc8::scan(&db).consistent().await.unwrap().is_empty());
    });
}

/// A delete at position 30 of an item put at position 3: refused as a duplicate; what
/// was sent before (the first request) is done, everything taken after it is pending,
/// the duplicate included, and item 3 stays written.
#[test]
fn adversarial8_put_then_delete_of_one_item_across_requests() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let users: Vec<User> = (0..30).map(|i| user(format!("d{i:02}"))).collect();
        let batch =
            batch_error(c.batch_write().put_all(&users).delete_all::<User, _>([users[3].key()]).concurrency(1).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 30);
        assert!(is_duplicate(error, 3), "{error:?}");
        assert_eq!((batch.done, batch.taken), (25, 31));
        assert_eq!(pending_indexes(&batch), (25..31).collect::<Vec<_>>());
        assert!(matches!(batch.pending.last().unwrap().request, PendingRequest::Delete(_)));
        assert_eq!(requests.count(), 1);
        assert_eq!(User::scan(&c).consistent().await.unwrap().len(), 25);
        assert!(User::get(&c, users[3].key()).consistent().await.unwrap().is_some());
    });
}

/// Every rule of `put` applies in a batch: `set` transforms (also on a GSI key), stamps,
/// empty strings outside keys, unicode; an index key made empty is refused before sending.
#[test]
fn adversarial8_batch_writes_compile_as_put() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let odd = User {
            id: "ü-👩‍💻".into(),
            email: "ÄDA@Example.COM".into(),
            name: "\t Ådå Lövelace \n".into(),
            note: String::new(),
            level: 10,
            created: 7,
            updated: 0,
        };
        Document::validate(&odd).unwrap();
        User::batch_put(&c, [odd.clone(), user("plain")]).await.unwrap();
        let stored = User::get(&c, odd.key()).consistent().await.unwrap().unwrap();
        assert_eq!(stored.email, "äda@example.com", "the set transform of the GSI key");
        assert_eq!(stored.name, "Ådå Lövelace");
        assert_eq!(stored.note, "", "an empty string outside the keys is stored");
        assert_eq!(stored.created, 7, "created_at written as read when not 0");
        assert!(stored.updated >= now() - 5);
        let by_email = User::BY_EMAIL.query(&c, "ÄDA@EXAMPLE.COM").await.unwrap();
        assert_eq!(by_email.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), [odd.id.as_str()]);

        // An empty email is no GSI key.
        let before = requests.count();
        let items = [user("x1"), user("x2"), user("x3"), User { email: String::new(), ..user("x4") }, user("x5")];
        let batch = batch_error(User::batch_put(&c, &items).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 3);
        assert!(
            matches!(error, Error::Invalid { attribute, reason: InvalidReason::EmptyKey, .. } if attribute == "email"),
            "{error:?}"
        );
        assert_eq!(requests.count(), before, "nothing sent");
        assert_eq!(pending_indexes(&batch), [0, 1, 2]);
        // A name whose `set` transform leaves one character breaks `len(min = 2)`: the
        // rule holds on the value stored, in a batch and in a transaction.
        let short = User { name: " a ".into(), ..user("x6") };
        let batch = batch_error(User::batch_put(&c, [user("x7"), short.clone()]).await);
        assert!(matches!(refusal(&batch), (1, Error::Validation { .. })));
        let err = c.transaction().put(User::put(&c, &short)).await.unwrap_err();
        assert!(
            matches!(&err, Error::Action { index: 0, error } if matches!(**error, Error::Validation { .. })),
            "{err:?}"
        );
        // The same item alone is refused the same way.
        let alone = User::put(&c, &items[3]).await.unwrap_err();
        assert!(matches!(alone, Error::Invalid { reason: InvalidReason::EmptyKey, .. }), "{alone:?}");
        assert_eq!(requests.count(), before);
    });
}

/// Items of exactly 400 KB: 45 of them written in two requests and read back (past the
/// 16 MB of one `BatchGetItem` answer) in key order; one byte more is refused before
/// sending, as DynamoDB would refuse it.
#[test]
fn adversarial8_items_of_exactly_400_kb() {
    run(|db| async move {
        Blob8::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let items: Vec<Blob8> = (0..45).map(|id| sized_blob(id, 409_600)).collect();
        let written = Blob8::batch_put(&c, &items).concurrency(2).await.unwrap();
        assert_eq!(written.written, 45);
        assert_eq!(requests.count(), 2);
        // Reversed, with missing keys and a duplicate among them.
        let keys: Vec<Blob8Key> = [1000].into_iter().chain((0..45).rev()).chain([7, 1001]).map(Blob8::key).collect();
        let got = Blob8::batch_get(&c, keys).await.unwrap();
        assert_eq!(got.items.iter().map(|b| b.id).collect::<Vec<_>>(), (0..45).rev().collect::<Vec<_>>());
        assert!(got.items.iter().all(|b| b.body == items[b.id as usize].body));
        assert_eq!(got.not_found, [Blob8::key(1000), Blob8::key(1001)]);

        let before = requests.count();
        let over = [sized_blob(100, 409_600), sized_blob(101, 409_601)];
        let batch = batch_error(Blob8::batch_put(&c, &over).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 1);
        assert!(
            matches!(error, Error::Invalid { reason: InvalidReason::ItemTooLarge { size: 409_601, max: 409_600 }, .. }),
            "{error:?}"
        );
        assert_eq!(requests.count(), before);
        // The control: DynamoDB refuses that item.
        let raw_put = db
            .client()
            .put_item()
            .table_name(db.table_name::<Blob8>())
            .set_item(Some(over[1].to_item().unwrap()))
            .send()
            .await;
        let refused = dynamodb_refusal(raw_put);
        assert!(refused.contains("Item size has exceeded the maximum allowed size"), "{refused}");
    });
}

/// An item of exactly 400 KB in a table with a local index: its index entry makes it
/// larger than DynamoDB takes, in a batch as alone.
#[test]
fn adversarial8_a_local_index_entry_counts_in_a_batch() {
    run(|db| async move {
        Event::create_table(&db).await.unwrap();
        let mut big = Event { body: String::new(), ..event(1.0) };
        let base = item_size(&big.to_item().unwrap());
        big.body = "y".repeat(409_600 - base);
        assert_eq!(item_size(&big.to_item().unwrap()), 409_600);
        // The control: DynamoDB refuses it.
        let raw_put = db
            .client()
            .put_item()
            .table_name(db.table_name::<Event>())
            .set_item(Some(big.to_item().unwrap()))
            .send()
            .await;
        let refused = dynamodb_refusal(raw_put);
        assert!(refused.contains("Item size has exceeded the maximum allowed size"), "{refused}");
        let (c, requests) = counted(&db);
        let batch = batch_error(Event::batch_put(&c, [event(0.5), big.clone()]).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 1);
        assert!(matches!(error, Error::Invalid { reason: InvalidReason::ItemTooLarge { .. }, .. }), "{error:?}");
        let err = c.transaction().put(Event::put(&c, &big)).await.unwrap_err();
        assert!(
            matches!(&err, Error::Action { index: 0, error } if matches!(**error, Error::Invalid { reason: InvalidReason::ItemTooLarge { .. }, .. })),
            "{err:?}"
        );
        assert_eq!(requests.count(), 0);
    });
}

/// Keys at their maximum lengths in UTF-8 bytes (2048 for the partition key, 1024 for
/// the sort key, made of 1- to 4-byte characters) go through a batch and come back equal;
/// one byte more is refused before sending in a delete and in a read.
#[test]
fn adversarial8_keys_at_their_maximum_lengths() {
    run(|db| async move {
        Doc8::create_table(&db).await.unwrap();
        let hash = format!("{}{}", "€".repeat(500), "𝄞".repeat(137)); // 1500 + 548 = 2048
        let range = format!("{}{}", "日".repeat(341), "a"); // 1023 + 1
        assert_eq!((hash.len(), range.len()), (2048, 1024));
        let items = [
            Doc8 { owner: hash.clone(), path: range.clone(), body: "max".into() },
            Doc8 { owner: hash.clone(), path: "a".into(), body: "".into() },
            Doc8 { owner: "a".into(), path: range.clone(), body: "é".into() },
        ];
        let (c, requests) = counted(&db);
        Doc8::batch_put(&c, &items).await.unwrap();
        let got = Doc8::batch_get(&c, items.iter().rev().map(|d| d.key())).consistent().await.unwrap();
        assert_eq!(got.items, items.iter().rev().cloned().collect::<Vec<_>>());
        assert_eq!(requests.count(), 2);

        let too_long_hash = format!("{hash}x");
        let too_long_range = format!("{range}x");
        let batch =
            batch_error(Doc8::batch_delete(&c, [Doc8::key("a", "b"), Doc8::key(too_long_hash.clone(), "a")]).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 1);
        assert!(
            matches!(error, Error::Invalid { reason: InvalidReason::KeyTooLong { len: 2049, max: 2048 }, .. }),
            "{error:?}"
        );
        let batch = batch_error(Doc8::batch_get(&c, [Doc8::key("a", "b"), Doc8::key("a", too_long_range)]).await);
        let (index, error) = refusal(&batch);
        assert_eq!(index, 1);
        assert!(
            matches!(error, Error::Invalid { reason: InvalidReason::KeyTooLong { len: 1025, max: 1024 }, .. }),
            "{error:?}"
        );
        assert_eq!(batch.pending.len(), 1, "the key that could be read is pending");
        let batch = batch_error(Doc8::batch_delete(&c, [Doc8::key("a", "")]).await);
        assert!(matches!(refusal(&batch).1, Error::Invalid { reason: InvalidReason::EmptyKey, .. }));
        assert_eq!(requests.count(), 2, "refused before sending");
        assert_eq!(Doc8::scan(&c).await.unwrap().len(), 3);
    });
}

/// Binary keys: `[0]` and `[0, 0]` are two items, `[0]` twice is one, an empty one is no
/// key; reads come back in key order.
#[test]
fn adversarial8_binary_keys_in_batches() {
    run(|db| async move {
        Bin::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let items = [
            Bin { key: vec![0], v: 1 },
            Bin { key: vec![0, 0], v: 2 },
            Bin { key: vec![0xff; 2048], v: 3 },
            Bin { key: vec![0xc3, 0x28], v: 4 }, // not UTF-8
        ];
        Bin::batch_put(&c, &items).await.unwrap();
        let keys = [vec![0xc3, 0x28], vec![0, 0], vec![1], vec![0], vec![0xff; 2048], vec![0, 0]].map(Bin::key);
        let got = Bin::batch_get(&c, keys).consistent().await.unwrap();
        assert_eq!(got.items.iter().map(|b| b.v).collect::<Vec<_>>(), [4, 2, 1, 3]);
        assert_eq!(got.not_found, [Bin::key(vec![1])]);
        let before = requests.count();
        let batch = batch_error(Bin::batch_put(&c, [Bin { key: vec![7], v: 1 }, Bin { key: vec![7], v: 2 }]).await);
        assert!(is_duplicate(refusal(&batch).1, 0));
        let batch = batch_error(Bin::batch_delete(&c, [Bin::key(vec![7]), Bin::key(vec![])]).await);
        assert!(matches!(refusal(&batch), (1, Error::Invalid { reason: InvalidReason::EmptyKey, .. })));
        let batch = batch_error(Bin::batch_put(&c, [Bin { key: vec![1; 2049], v: 1 }]).await);
        assert!(matches!(refusal(&batch), (0, Error::Invalid { reason: InvalidReason::KeyTooLong { .. }, .. })));
        assert_eq!(requests.count(), before);
    });
}

/// 38-digit keys go through a batch; 10^38 + 1 (39 significant digits) is refused
/// before sending, as DynamoDB refuses it. 10^38 itself (one significant digit) is
/// refused too, though DynamoDB takes it: the library's own stricter rule for 128-bit
/// integers ("at most 38 digits").
#[test]
fn adversarial8_thirty_nine_digit_keys() {
    run(|db| async move {
        Big::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let e38 = 10u128.pow(38);
        Big::batch_put(&c, [Big { n: e38 - 1, v: 2 }, Big { n: 1, v: 1 }]).await.unwrap();
        let got = Big::batch_get(&c, [Big::key(e38 - 1), Big::key(1)]).consistent().await.unwrap();
        assert_eq!(got.items.iter().map(|b| (b.n, b.v)).collect::<Vec<_>>(), [(e38 - 1, 2), (1, 1)]);
        let before = requests.count();
        for n in [e38 + 1, e38] {
            let batch = batch_error(Big::batch_put(&c, [Big { n: 5, v: 1 }, Big { n, v: 2 }]).await);
            assert!(
                matches!(refusal(&batch), (1, Error::Invalid { reason: InvalidReason::NumberOutOfRange { .. }, .. })),
                "{n}"
            );
            let batch = batch_error(Big::batch_get(&c, [Big::key(n)]).await);
            assert_eq!(refusal(&batch).0, 0);
        }
        assert_eq!(requests.count(), before);
        // The controls: DynamoDB refuses 10^38 + 1 and takes 10^38.
        let raw_put = |n: u128| {
            db.client().put_item().table_name(db.table_name::<Big>()).item("n", AttributeValue::N(n.to_string())).send()
        };
        let refused = dynamodb_refusal(raw_put(e38 + 1).await);
        assert!(refused.contains("precision up to 38 digits"), "{refused}");
        raw_put(e38).await.unwrap();
    });
}

/// A versioned model overwritten in a batch: version + 1 of what was given, whatever is
/// stored; its `put` in a batch is refused by type (`Unversioned`), so only `overwrite`.
#[test]
fn adversarial8_versioned_overwrites_in_a_batch() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        let stored = Acct::put(&db, &acct("a", 5)).await.unwrap();
        let stored = Acct::put(&db, &Acct { balance: 6, ..stored }).await.unwrap();
        assert_eq!(stored.version, 2);
        let written = db
            .batch_write()
            .overwrite(&Acct { balance: 1, version: 9, ..acct("a", 0) })
            .overwrite(&acct("b", 3))
            .await
            .unwrap();
        assert_eq!(written.written, 2);
        let a = Acct::get(&db, Acct::key("a")).consistent().await.unwrap().unwrap();
        let b = Acct::get(&db, Acct::key("b")).consistent().await.unwrap().unwrap();
        assert_eq!((a.balance, a.version, b.balance, b.version), (1, 10, 3, 1));
        // A broken bound is still refused in an overwrite.
        let batch = batch_error(Acct::batch_overwrite(&db, [acct("c", 101)]).await);
        assert!(matches!(refusal(&batch), (0, Error::Validation { .. })));
    });
}

/// Six batches at once over overlapping keys: every call is `Ok`, every key is stored
/// once, by one of the calls that wrote it.
#[test]
fn adversarial8_concurrent_batches_on_overlapping_keys() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let mut tasks = Vec::new();
        for writer in 0..6u32 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let items: Vec<User> = (writer * 10..writer * 10 + 40)
                    .map(|i| User { note: format!("w{writer}"), ..user(format!("k{i:03}")) })
                    .collect();
                User::batch_put(&db, items).concurrency(3).await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().written, 40);
        }
        let stored = User::scan(&db).consistent().await.unwrap();
        assert_eq!(stored.len(), 90);
        for u in stored {
            let i: u32 = u.id[1..].parse().unwrap();
            let writer: u32 = u.note[1..].parse().unwrap();
            assert!(writer * 10 <= i && i < writer * 10 + 40, "{u:?} was written by a call that did not write it");
        }
    });
}

// ---------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------

/// Eleven puts of exactly 4 MB in all (4,194,304 bytes) apply; one byte more is refused
/// before sending, and DynamoDB refuses it too.
#[test]
fn adversarial8_a_transaction_of_exactly_4_mb() {
    run(|db| async move {
        Blob8::create_table(&db).await.unwrap();
        let total = 4 * 1024 * 1024;
        let per = total / 11;
        let mut items: Vec<Blob8> = (0..10).map(|id| sized_blob(id, per)).collect();
        items.push(sized_blob(10, total - per * 10));
        let (c, requests) = counted(&db);
        let mut transaction = c.transaction();
        for item in &items {
            transaction = transaction.put(Blob8::put(&c, item));
        }
        transaction.await.unwrap();
        assert_eq!(requests.count(), 1);
        let got = Blob8::batch_get(&c, (0..11).map(Blob8::key)).consistent().await.unwrap();
        assert_eq!(got.items, items);

        let mut over = items.clone();
        over[10] = sized_blob(10, total - per * 10 + 1);
        let before = requests.count();
        let mut transaction = c.transaction();
        for item in &over {
            transaction = transaction.put(Blob8::put(&c, item));
        }
        let err = transaction.await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidTransaction { reason: TransactionReason::TooLarge { size: 4_194_305, max: 4_194_304 } }
            ),
            "{err:?}"
        );
        assert_eq!(requests.count(), before);
        // The control: DynamoDB refuses those 4,194,305 bytes.
        let mut raw_tx = db.client().transact_write_items();
        for item in &over {
            let put = aws_sdk_dynamodb::types::Put::builder()
                .table_name(db.table_name::<Blob8>())
                .set_item(Some(item.to_item().unwrap()))
                .build()
                .unwrap();
            raw_tx = raw_tx.transact_items(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build());
        }
        let refused = dynamodb_refusal(raw_tx.send().await);
        assert!(refused.contains("Payload Size: 4194305"), "{refused}");
    });
}

/// Eleven updates of `body` whose keys and values make `total` bytes by the library's
/// count (keys and expression values), on items 1 to 11.
fn updates_totalling<'a>(db: &'a Db, total: usize) -> dynamo_model::tx::Transaction<'a> {
    let key_size = |id: u32| item_size(&Blob8::key(id).to_key_item().unwrap());
    let per = total / 11;
    let mut transaction = db.transaction();
    for id in 1..=11u32 {
        let size = if id == 11 { total - per * 10 } else { per };
        let value = "u".repeat(size - key_size(id));
        transaction = transaction.update(Blob8::update(db, Blob8::key(id)).set(&Blob8::BODY, value));
    }
    transaction
}

/// DynamoDB counts a transaction's expressions in its 4 MB (40 bytes for each of these
/// updates): at 4 MB by the library's count, DynamoDB refuses the transaction, so the
/// library must refuse it before sending (`TooLarge`) rather than send it. The same for
/// create-only puts of 4 MB of items, whose condition DynamoDB counts too.
#[test]
fn adversarial8_a_transaction_at_4_mb_with_expressions_is_refused_before_sending() {
    run(|db| async move {
        Blob8::create_table(&db).await.unwrap();
        Blob8::batch_put(&db, (1..=11).map(|id| Blob8 { id, body: "s".into() })).await.unwrap();
        let (c, requests) = counted(&db);
        let (count, result) = sent(&requests, updates_totalling(&c, 4 * 1024 * 1024).into_future()).await;
        assert!(
            matches!(result, Err(Error::InvalidTransaction { reason: TransactionReason::TooLarge { .. } })),
            "{result:?}"
        );
        assert_eq!(count, 0);
        let total = 4 * 1024 * 1024;
        let per = total / 11;
        let items: Vec<Blob8> =
            (1..=11).map(|id| sized_blob(100 + id, if id == 11 { total - per * 10 } else { per })).collect();
        let mut transaction = c.transaction();
        for item in &items {
            transaction = transaction.put(Blob8::put(&c, item).if_not_exists());
        }
        let (count, result) = sent(&requests, transaction.into_future()).await;
        assert!(
            matches!(result, Err(Error::InvalidTransaction { reason: TransactionReason::TooLarge { .. } })),
            "{result:?}"
        );
        assert_eq!(count, 0);
    });
}

/// The control of the test above: sent by hand, DynamoDB refuses the 4 MB updates
/// (payload 440 bytes over); 440 bytes fewer, which the library counts as exactly 4 MB,
/// apply.
#[test]
fn adversarial8_a_transaction_at_4_mb_with_expressions_today() {
    run(|db| async move {
        Blob8::create_table(&db).await.unwrap();
        Blob8::batch_put(&db, (1..=11).map(|id| Blob8 { id, body: "s".into() })).await.unwrap();
        // The same transaction sent by hand: DynamoDB counts its payload as 4,194,744
        // bytes (40 bytes of expressions and names per update) and refuses it.
        let total = 4 * 1024 * 1024;
        let key_size = |id: u32| item_size(&Blob8::key(id).to_key_item().unwrap());
        let mut items = Vec::new();
        for id in 1..=11u32 {
            let size = if id == 11 { total - total / 11 * 10 } else { total / 11 };
            let compiled = Blob8::update(&db, Blob8::key(id))
                .set(&Blob8::BODY, "u".repeat(size - key_size(id)))
                .compile()
                .unwrap();
            let expressions = compiled.expressions;
            let update = aws_sdk_dynamodb::types::Update::builder()
                .table_name(compiled.table)
                .set_key(Some(compiled.key))
                .set_update_expression(expressions.update)
                .set_condition_expression(expressions.condition)
                .set_expression_attribute_names(expressions.names)
                .set_expression_attribute_values(expressions.values)
                .build()
                .unwrap();
            items.push(aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build());
        }
        let err = db.client().transact_write_items().set_transact_items(Some(items)).send().await.unwrap_err();
        assert!(format!("{err:?}").contains("Payload Size: 4194744"), "{err:?}");
        // 440 bytes fewer is exactly 4 MB as DynamoDB counts it: the library lets it through.
        updates_totalling(&db, 4 * 1024 * 1024 - 440).await.unwrap();
        let stored = Blob8::get(&db, Blob8::key(1)).consistent().await.unwrap().unwrap();
        assert!(stored.body.len() > 380_000);
        // Create-only puts: their condition and its name weigh 27 bytes each, so 4 MB
        // less 27 bytes per put is exactly 4 MB, which the library lets through.
        let total = 4 * 1024 * 1024 - 11 * 27;
        let per = total / 11;
        let items: Vec<Blob8> =
            (1..=11).map(|id| sized_blob(100 + id, if id == 11 { total - per * 10 } else { per })).collect();
        let mut transaction = db.transaction();
        for item in &items {
            transaction = transaction.put(Blob8::put(&db, item).if_not_exists());
        }
        transaction.await.unwrap();
        assert!(Blob8::get(&db, Blob8::key(101)).consistent().await.unwrap().is_some());
    });
}

/// 100 actions over four models, five tables and two prefixes (the same keys under both
/// prefixes) apply together; a 101st is refused before sending.
#[test]
fn adversarial8_a_hundred_actions_across_models_tables_and_prefixes() {
    run(|db| async move {
        let p1 = db.clone().with_table_prefix("p1_");
        User::create_table(&db).await.unwrap();
        User::create_table(&p1).await.unwrap();
        Counter::create_table(&db).await.unwrap();
        Doc8::create_table(&db).await.unwrap();
        Acct::create_table(&db).await.unwrap();
        let docs: Vec<Doc8> =
            (0..10).map(|i| Doc8 { owner: "o".into(), path: format!("p{i}"), body: "b".into() }).collect();
        Doc8::batch_put(&db, &docs).await.unwrap();
        let mut accts = Vec::new();
        for i in 0..10 {
            accts.push(Acct::put(&db, &acct(&format!("a{i}"), i)).await.unwrap());
        }
        let users: Vec<User> = (0..30).map(|i| user(format!("t{i}"))).collect();
        let (c, requests) = counted(&db);
        let p1c = c.clone().with_table_prefix("p1_");
        let build = || {
            let mut transaction = c.transaction();
            for u in &users {
                transaction = transaction.put(User::put(&c, u)).put(User::put(&p1c, u).if_not_exists());
            }
            for i in 0..20 {
                transaction =
                    transaction.update(Counter::update(&c, Counter::key(format!("c{i}"))).add(&Counter::N, i).upsert());
            }
            for doc in &docs {
                transaction = transaction.delete(Doc8::delete(&c, doc.key()));
            }
            for a in &accts {
                transaction = transaction.check(Acct::check(&c, a.key(), Acct::BALANCE.lt(10)).expect_version(1));
            }
            transaction
        };
        let err = build().check(Acct::check(&c, Acct::key("zz"), Acct::BALANCE.lt(10))).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidTransaction { reason: TransactionReason::TooManyActions { count: 101, max: 100 } }
            ),
            "{err:?}"
        );
        assert_eq!(requests.count(), 0);
        build().await.unwrap();
        assert_eq!(requests.count(), 1);
        assert_eq!(User::scan(&c).await.unwrap().len(), 30);
        assert_eq!(User::scan(&p1).await.unwrap().len(), 30);
        let counters = Counter::batch_get(&c, (0..20).map(|i| Counter::key(format!("c{i}")))).await.unwrap();
        assert_eq!(counters.items.iter().map(|c| c.n).collect::<Vec<_>>(), (0..20).collect::<Vec<i64>>());
        assert!(Doc8::scan(&c).await.unwrap().is_empty());
    });
}

/// Each failed condition of a transaction reads as the same operation alone reads it:
/// the action's error, next to the error of the operation sent alone afterwards.
#[test]
fn adversarial8_each_failed_action_reads_as_it_would_alone() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        User::create_table(&db).await.unwrap();
        let read = Acct::put(&db, &acct("v", 50)).await.unwrap(); // version 1
        let moved = Acct::put(&db, &Acct { balance: 51, ..read.clone() }).await.unwrap(); // version 2
        User::put(&db, &user("exists")).await.unwrap();
        let (c, requests) = counted(&db);

        // The harmless action first, the failing one second; each scenario in its own
        // transaction, then the failing operation alone.
        macro_rules! scenario {
            ($name:literal, $kind:expr, $add:ident, $op:expr) => {{
                let before = requests.count();
                let err = c.transaction().put(User::put(&c, &user("harmless"))).$add($op).await.unwrap_err();
                assert_eq!(requests.count() - before, 1, "{}: one request, not retried", $name);
                let Error::TransactionCanceled { actions } = &err else {
                    panic!("{}: expected a cancellation, got {err:?}", $name)
                };
                assert_eq!(actions.len(), 2);
                assert_eq!(actions[0].reason, CancelReason::None, "{}", $name);
                assert!(actions[0].error.is_none());
                assert_eq!(actions[1].reason, CancelReason::ConditionalCheckFailed, "{}", $name);
                assert_eq!(actions[1].kind, $kind, "{}", $name);
                let in_tx = shape(actions[1].error.as_deref().unwrap_or_else(|| panic!("{}: no error", $name)));
                assert!(
                    User::get(&c, User::key("harmless")).consistent().await.unwrap().is_none(),
                    "{}: applied",
                    $name
                );
                (in_tx, actions[1].item.clone())
            }};
        }

        // A stale versioned put.
        let stale = Acct { balance: 20, ..read.clone() };
        let (tx, item) = scenario!("stale put", ActionKind::Put, put, Acct::put(&c, &stale));
        assert_eq!(item.map(Acct::from_item).unwrap().unwrap(), moved);
        assert_eq!(tx, shape(&Acct::put(&c, &stale).await.unwrap_err()));
        assert!(tx.starts_with("VersionConflict Acct adv8_accounts expected 1 current true"), "{tx}");

        // A new versioned item (version 0) over a stored one.
        let fresh = acct("v", 1);
        let (tx, _) = scenario!("version 0 put", ActionKind::Put, put, Acct::put(&c, &fresh));
        assert_eq!(tx, shape(&Acct::put(&c, &fresh).await.unwrap_err()));

        // Create-only over a stored item.
        let (tx, _) = scenario!("if_not_exists", ActionKind::Put, put, User::put(&c, &user("exists")).if_not_exists());
        assert_eq!(tx, shape(&User::put(&c, &user("exists")).if_not_exists().await.unwrap_err()));
        assert_eq!(tx, "AlreadyExists User adv8_users");

        // An update of a missing item, with and without an expected version.
        let (tx, _) = scenario!(
            "missing",
            ActionKind::Update,
            update,
            Acct::update(&c, Acct::key("none")).add(&Acct::BALANCE, 1)
        );
        assert_eq!(tx, shape(&Acct::update(&c, Acct::key("none")).add(&Acct::BALANCE, 1).await.unwrap_err()));
        assert_eq!(tx, "NotFound Acct adv8_accounts");
        let update = || Acct::update(&c, Acct::key("none")).add(&Acct::BALANCE, 1).expect_version(3);
        let (tx, _) = scenario!("missing versioned", ActionKind::Update, update, update());
        assert_eq!(tx, shape(&update().await.unwrap_err()));

        // An update past a bound.
        let update = || Acct::update(&c, Acct::key("v")).add(&Acct::BALANCE, 50);
        let (tx, _) = scenario!("bound", ActionKind::Update, update, update());
        assert_eq!(tx, shape(&update().await.unwrap_err()));
        assert!(tx.starts_with("Validation Acct"), "{tx}");

        // An update inside a map the item lacks.
        let update = || Acct::update(&c, Acct::key("v")).set(&Acct::NESTED.key("absent").key("k"), 1);
        let (tx, _) = scenario!("path", ActionKind::Update, update, update());
        assert_eq!(tx, shape(&update().await.unwrap_err()));
        assert!(tx.starts_with("PathNotFound"), "{tx}");

        // An update with a moved version.
        let update = || Acct::update(&c, Acct::key("v")).add(&Acct::BALANCE, 1).expect_version(1);
        let (tx, _) = scenario!("moved update", ActionKind::Update, update, update());
        assert_eq!(tx, shape(&update().await.unwrap_err()));
        assert!(tx.starts_with("VersionConflict"), "{tx}");

        // A delete with a moved version, and one with a condition on a missing item.
        let delete = || Acct::delete(&c, Acct::key("v")).expect_version(1);
        let (tx, _) = scenario!("moved delete", ActionKind::Delete, delete, delete());
        assert_eq!(tx, shape(&delete().await.unwrap_err()));
        let delete = || Acct::delete(&c, Acct::key("none")).condition(Acct::BALANCE.gt(0));
        let (tx, item) = scenario!("conditional delete", ActionKind::Delete, delete, delete());
        assert_eq!(tx, shape(&delete().await.unwrap_err()));
        assert_eq!(tx, "ConditionFailed Acct adv8_accounts false");
        assert!(item.is_none());

        // Checks: a condition, a moved version, a version on a missing item.
        let (tx, item) =
            scenario!("check", ActionKind::Check, check, Acct::check(&c, Acct::key("v"), Acct::BALANCE.gt(60)));
        assert_eq!(tx, "ConditionFailed Acct adv8_accounts true");
        assert_eq!(item.map(Acct::from_item).unwrap().unwrap(), moved);
        let (tx, _) = scenario!(
            "check version",
            ActionKind::Check,
            check,
            Acct::check(&c, Acct::key("v"), Acct::BALANCE.gt(0)).expect_version(1)
        );
        assert!(tx.starts_with("VersionConflict Acct adv8_accounts expected 1 current true"), "{tx}");
        let (tx, _) = scenario!(
            "check missing version",
            ActionKind::Check,
            check,
            Acct::check(&c, Acct::key("none"), Acct::BALANCE.not_exists()).expect_version(1)
        );
        assert_eq!(tx, "VersionConflict Acct adv8_accounts expected 1 current false");

        // Nothing of it all was applied: the item is as it was.
        assert_eq!(Acct::get(&c, Acct::key("v")).consistent().await.unwrap().unwrap(), moved);
    });
}

/// Several failed actions in one transaction: each is listed with its own error.
#[test]
fn adversarial8_every_cause_of_one_cancellation_is_listed() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        User::create_table(&db).await.unwrap();
        let read = Acct::put(&db, &acct("v", 50)).await.unwrap();
        Acct::put(&db, &Acct { balance: 51, ..read.clone() }).await.unwrap();
        User::put(&db, &user("exists")).await.unwrap();
        let err = db
            .transaction()
            .put(User::put(&db, &user("exists")).if_not_exists())
            .put(User::put(&db, &user("fine")))
            .update(Acct::update(&db, Acct::key("none")).add(&Acct::BALANCE, 1))
            .put(Acct::put(&db, &read))
            .check(Acct::check(&db, Acct::key("other"), Acct::BALANCE.exists()))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { actions } = &err else { panic!("{err:?}") };
        let reasons: Vec<&CancelReason> = actions.iter().map(|a| &a.reason).collect();
        let errors: Vec<String> = actions.iter().map(|a| a.error.as_deref().map(shape).unwrap_or_default()).collect();
        assert_eq!(actions.iter().map(|a| a.index).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        let failed = CancelReason::ConditionalCheckFailed;
        assert_eq!(reasons, [&failed, &CancelReason::None, &failed, &failed, &failed]);
        assert_eq!(
            errors,
            [
                "AlreadyExists User adv8_users",
                "",
                "NotFound Acct adv8_accounts",
                "VersionConflict Acct adv8_accounts expected 1 current true",
                "ConditionFailed Acct adv8_accounts false",
            ]
        );
        assert_eq!(
            actions.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [ActionKind::Put, ActionKind::Put, ActionKind::Update, ActionKind::Put, ActionKind::Check]
        );
        assert!(actions[0].item.is_some() && actions[2].item.is_none() && actions[4].item.is_none());
        assert!(User::get(&db, User::key("fine")).consistent().await.unwrap().is_none());
    });
}

/// An action DynamoDB itself refuses inside a transaction (a path into a string stored
/// where the model has a map): DynamoDB Local answers the whole transaction with a
/// `ValidationException` (not a cancellation with `ValidationError`, as the service
/// does): an `Error::Service`, not retried, nothing applied; alone, the same.
#[test]
fn adversarial8_a_validation_error_inside_a_transaction() {
    run(|db| async move {
        Acct::create_table(&db).await.unwrap();
        User::create_table(&db).await.unwrap();
        db.client()
            .put_item()
            .table_name(db.table_name::<Acct>())
            .item("id", AttributeValue::S("odd".into()))
            .item("balance", AttributeValue::N("1".into()))
            .item("nested", AttributeValue::S("not a map".into()))
            .item("version", AttributeValue::N("1".into()))
            .send()
            .await
            .unwrap();
        let (c, requests) = counted(&db);
        let update =
            || Acct::update(&c, Acct::key("odd")).set(&Acct::NESTED.key("a"), BTreeMap::from([("k".to_owned(), 1)]));
        let err = c.transaction().put(User::put(&c, &user("harmless"))).update(update()).await.unwrap_err();
        assert_eq!(requests.count(), 1, "not retried");
        assert!(!err.is_retryable());
        assert!(matches!(&err, Error::Service { code: Some(code), .. } if code == "ValidationException"), "{err:?}");
        assert!(User::get(&c, User::key("harmless")).consistent().await.unwrap().is_none());
        let alone = update().await.unwrap_err();
        assert!(
            matches!(&alone, Error::Service { code: Some(code), .. } if code == "ValidationException"),
            "{alone:?}"
        );
    });
}

/// Upserts, stamps, transforms and refusals in a transaction, as alone.
#[test]
fn adversarial8_upserts_stamps_and_refusals_in_a_transaction() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        Counter::create_table(&db).await.unwrap();
        let old = User { created: 1000, updated: 1000, ..user("old") };
        User::put(&db, &old).await.unwrap();
        let (c, requests) = counted(&db);
        c.transaction()
            .put(User::put(&c, &user("new")))
            .update(User::update(&c, User::key("old")).set(&User::NOTE, "touched"))
            .update(
                User::update(&c, User::key("upserted"))
                    .set(&User::EMAIL, "UP@X.COM")
                    .set(&User::NAME, "  Up  ")
                    .set(&User::NOTE, "")
                    .set(&User::LEVEL, 3)
                    .upsert(),
            )
            .update(Counter::update(&c, Counter::key("n")).add(&Counter::N, -4).upsert())
            .await
            .unwrap();
        assert_eq!(requests.count(), 1);
        let new = User::get(&c, User::key("new")).consistent().await.unwrap().unwrap();
        assert_eq!((new.email.as_str(), new.name.as_str()), ("new@example.com", "name new"));
        assert!(new.created >= now() - 5 && new.updated >= now() - 5);
        let touched = User::get(&c, User::key("old")).consistent().await.unwrap().unwrap();
        assert_eq!(touched.created, 1000, "an update keeps created_at");
        assert!(touched.updated >= now() - 5);
        let up = User::get(&c, User::key("upserted")).consistent().await.unwrap().unwrap();
        assert_eq!((up.email.as_str(), up.name.as_str(), up.note.as_str(), up.level), ("up@x.com", "Up", "", 3));
        assert!(up.created >= now() - 5, "an upsert that creates sets created_at");
        assert_eq!(Counter::get(&c, Counter::key("n")).consistent().await.unwrap().unwrap().n, -4);
        // Checks compare through the `set` transforms, as conditions alone do.
        c.transaction()
            .check(User::check(&c, User::key("upserted"), User::EMAIL.eq("UP@X.COM")).condition(User::NAME.eq("\tUp ")))
            .put(User::put(&c, &user("checked")))
            .await
            .unwrap();
        assert!(User::get(&c, User::key("checked")).consistent().await.unwrap().is_some());

        // Refused actions, each named by its position; nothing sent.
        let before = requests.count();
        let refused = |index: usize, err: Error| match err {
            Error::Action { index: at, error } if at == index => *error,
            other => panic!("expected action {index} refused, got {other:?}"),
        };
        let err = c
            .transaction()
            .put(User::put(&c, &user("a")))
            .update(User::update(&c, User::key("b")).set(&User::LEVEL, 2).upsert())
            .await
            .unwrap_err();
        assert!(matches!(
            refused(1, err),
            Error::InvalidRequest { reason: RequestReason::IncompleteUpsert { .. }, .. }
        ));
        let err = c
            .transaction()
            .put(User::put(&c, &user("a")))
            .delete(User::delete(&c, User::key("c")))
            .update(User::update(&c, User::key("old")).set(&User::LEVEL, 11))
            .await
            .unwrap_err();
        assert!(matches!(refused(2, err), Error::Validation { .. }));
        let err = c.transaction().update(User::update(&c, User::key("old")).set(&User::EMAIL, "")).await.unwrap_err();
        assert!(matches!(refused(0, err), Error::Invalid { reason: InvalidReason::EmptyKey, .. }));
        let err = c
            .transaction()
            .put(User::put(&c, &user("a")))
            .update(User::update(&c, User::key("old")).set(&User::NOTE, "a").set(&User::NOTE, "b"))
            .await
            .unwrap_err();
        assert!(matches!(
            refused(1, err),
            Error::InvalidRequest { reason: RequestReason::OverlappingPaths { .. }, .. }
        ));
        let err = c.transaction().delete(User::delete(&c, User::key(""))).await.unwrap_err();
        assert!(matches!(refused(0, err), Error::Invalid { reason: InvalidReason::EmptyKey, .. }));
        assert_eq!(requests.count(), before);
        assert!(User::get(&c, User::key("a")).consistent().await.unwrap().is_none());
    });
}

/// A token of 37 characters, or an empty one, is not a token DynamoDB takes: refused
/// before sending (the docs say 1 to 36 characters), not sent to be rejected.
#[test]
fn adversarial8_a_token_out_of_bounds_is_refused_before_sending() {
    run(|db| async move {
        Counter::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        for token in [token_ok(37), token_ok(100)] {
            let (count, result) = sent(
                &requests,
                c.transaction()
                    .update(Counter::update(&c, Counter::key("a")).add(&Counter::N, 1).upsert())
                    .token(token.clone())
                    .into_future(),
            )
            .await;
            assert_eq!(count, 0, "token of {} characters sent: {result:?}", token.len());
            assert!(result.is_err() && !matches!(result, Err(Error::Service { .. })), "{result:?}");
        }
        assert!(Counter::get(&c, Counter::key("a")).consistent().await.unwrap().is_none());
    });
}

/// A token of 36 characters applies a transaction sent twice once.
#[test]
fn adversarial8_a_token_of_36_characters_applies_once() {
    run(|db| async move {
        Counter::create_table(&db).await.unwrap();
        for _ in 0..2 {
            db.transaction()
                .update(Counter::update(&db, Counter::key("a")).add(&Counter::N, 1).upsert())
                .token(token_ok(36))
                .await
                .unwrap();
        }
        assert_eq!(Counter::get(&db, Counter::key("a")).consistent().await.unwrap().unwrap().n, 1);
        // The token on another transaction: DynamoDB's mismatch, nothing applied.
        let err = db
            .transaction()
            .update(Counter::update(&db, Counter::key("a")).add(&Counter::N, 5).upsert())
            .token(token_ok(36))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Service { code: Some(code), retryable: false, .. } if code == "IdempotentParameterMismatchException"),
            "{err:?}"
        );
        assert_eq!(Counter::get(&db, Counter::key("a")).consistent().await.unwrap().unwrap().n, 1);
    });
}

/// An empty token (DynamoDB's API says 1 to 36 characters; DynamoDB Local takes it):
/// refused before sending, like a token that is too long.
#[test]
fn adversarial8_an_empty_token_twice() {
    run(|db| async move {
        Counter::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let result =
            c.transaction().update(Counter::update(&c, Counter::key("a")).add(&Counter::N, 1).upsert()).token("").await;
        assert!(
            matches!(result, Err(Error::InvalidTransaction { reason: TransactionReason::Token { len: 0 } })),
            "{result:?}"
        );
        assert_eq!(requests.count(), 0);
        assert_eq!(Counter::get(&c, Counter::key("a")).consistent().await.unwrap(), None);
    });
}

#[test]
fn adversarial8_a_missing_table_in_a_transaction_is_named() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let err = db
            .transaction()
            .put(User::put(&db, &user("a")))
            .put(Missing::put(&db, &Missing { id: "m".into() }))
            .await
            .unwrap_err();
        match &err {
            Error::TableNotFound { table, .. } => assert_eq!(table, "adv8_never_created"),
            other => panic!("expected TableNotFound, got {other:?}"),
        }
        assert!(User::get(&db, User::key("a")).consistent().await.unwrap().is_none());
    });
}

/// A transaction read with a missing table: the error names the missing table.
#[test]
fn adversarial8_a_missing_table_in_a_transaction_read_is_named() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let mut read = db.transaction_get();
        read.get(User::get(&db, User::key("a")));
        read.get(Missing::get(&db, Missing::key("m")));
        match read.await {
            Err(Error::TableNotFound { table, .. }) => assert_eq!(table, "adv8_never_created"),
            other => panic!("expected TableNotFound, got {other:?}"),
        }
    });
}

/// A batch with a missing table: the error names the missing table, and every write is
/// pending.
#[test]
fn adversarial8_a_missing_table_in_a_batch_is_named() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let batch = batch_error(db.batch_write().put(&user("a")).put(&Missing { id: "m".into() }).await);
        match &batch.cause {
            BatchCause::Failed(error) => match &**error {
                Error::TableNotFound { table, .. } => assert_eq!(table, "adv8_never_created"),
                other => panic!("expected TableNotFound, got {other:?}"),
            },
            other => panic!("expected Failed, got {other:?}"),
        }
        assert_eq!(pending_indexes(&batch), [0, 1]);
        assert!(User::get(&db, User::key("a")).consistent().await.unwrap().is_none());
    });
}

/// What a missing table does today (the control of the two tests above): typed, nothing
/// applied, every write pending.
#[test]
fn adversarial8_a_missing_table_applies_nothing() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let err = db
            .transaction()
            .put(User::put(&db, &user("a")))
            .put(Missing::put(&db, &Missing { id: "m".into() }))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::TableNotFound { .. }), "{err:?}");
        let batch = batch_error(db.batch_write().put(&user("a")).put(&Missing { id: "m".into() }).await);
        assert!(matches!(&batch.cause, BatchCause::Failed(e) if matches!(**e, Error::TableNotFound { .. })));
        assert_eq!(pending_indexes(&batch), [0, 1]);
        assert!(User::get(&db, User::key("a")).consistent().await.unwrap().is_none());
    });
}

/// Sixteen tasks × five transactions adding 1 to two shared counters, with plain updates
/// of one of them meanwhile: every transaction that returns `Ok` applied once, every
/// other one not at all. (DynamoDB Local answered no conflict in these runs: 120
/// requests for 80 transactions and 40 updates.)
#[test]
fn adversarial8_concurrent_transactions_on_shared_items_apply_once_each() {
    run(|db| async move {
        Counter::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut applied = 0i64;
                for _ in 0..5 {
                    let result = db
                        .transaction()
                        .update(Counter::update(&db, Counter::key("a")).add(&Counter::N, 1).upsert())
                        .update(Counter::update(&db, Counter::key("b")).add(&Counter::N, 1).upsert())
                        .await;
                    match result {
                        Ok(()) => applied += 1,
                        Err(error @ Error::TransactionCanceled { .. }) => assert!(error.is_retryable(), "{error:?}"),
                        Err(other) => panic!("{other:?}"),
                    }
                }
                applied
            }));
        }
        // Plain updates of the same items meanwhile.
        let mut plain = Vec::new();
        for _ in 0..4 {
            let db = db.clone();
            plain.push(tokio::spawn(async move {
                for _ in 0..10 {
                    Counter::update(&db, Counter::key("a")).add(&Counter::N, 1000).upsert().await.unwrap();
                }
            }));
        }
        let mut applied = 0;
        for task in tasks {
            applied += task.await.unwrap();
        }
        for task in plain {
            task.await.unwrap();
        }
        assert_eq!(requests.count() as i64, applied + 40, "no conflicts, so no retries");
        let got = Counter::batch_get(&db, [Counter::key("a"), Counter::key("b")]).consistent().await.unwrap();
        let counts: Vec<i64> = got.items.iter().map(|c| c.n).collect();
        assert_eq!(counts, [applied + 40_000, applied], "applied {applied}");
        assert!(applied > 0);
    });
}

// ---------------------------------------------------------------------------------------
// Transaction reads
// ---------------------------------------------------------------------------------------

/// Transaction reads: `skip_expired` and projections as a get alone; a projection that
/// needs a field the item lacks fails that read only, as alone; handles read twice read
/// the same; a handle of another read is refused.
#[test]
fn adversarial8_transaction_reads_as_gets_alone() {
    run(|db| async move {
        Session::create_table(&db).await.unwrap();
        let t = now();
        let sessions = [
            Session { id: "expired".into(), expires: Some(t - 100), note: Some("n".into()), data: "e".into() },
            Session { id: "live".into(), expires: Some(t + 3600), note: None, data: "l".into() },
            Session { id: "forever".into(), expires: None, note: Some("f".into()), data: "".into() },
            Session { id: "noteless".into(), expires: None, note: None, data: "x".into() },
        ];
        Session::batch_put(&db, &sessions).await.unwrap();
        let (c, requests) = counted(&db);
        let mut read = c.transaction_get();
        let expired_skipped = read.get(Session::get(&c, Session::key("expired")).skip_expired());
        let live_skipped = read.get(Session::get(&c, Session::key("live")).skip_expired());
        let forever = read.get(Session::get(&c, Session::key("forever")).skip_expired().project_into::<SessionData>());
        let noteless = read.get(Session::get(&c, Session::key("noteless")).project_into::<SessionNote>());
        assert_eq!(read.get(Session::get(&c, Session::key("absent"))).index(), 4);
        let got = read.await.unwrap();
        assert_eq!(requests.count(), 1);
        assert_eq!(got.get(&expired_skipped).unwrap(), None);
        assert_eq!(got.get(&live_skipped).unwrap().as_ref(), Some(&sessions[1]));
        assert_eq!(got.get(&forever).unwrap(), Some(SessionData { data: String::new() }));
        let in_tx = got.get(&noteless).unwrap_err();
        let alone = Session::get(&c, Session::key("noteless")).project_into::<SessionNote>().await.unwrap_err();
        assert_eq!(in_tx.to_string(), alone.to_string());
        assert!(matches!(in_tx, Error::Decode { ref attribute, .. } if attribute == "note"), "{in_tx:?}");
        // Handles are tickets: reading twice reads the same.
        assert_eq!(got.get(&live_skipped).unwrap().as_ref(), Some(&sessions[1]));
        assert_eq!(got.get(&forever).unwrap(), got.get(&forever).unwrap());
        // Without skip_expired, the expired item is read (the control).
        let mut read = c.transaction_get();
        let expired = read.get(Session::get(&c, Session::key("expired")));
        let live_data = read.get(Session::get(&c, Session::key("live")).project_into::<SessionData>());
        let noteless_data =
            read.get(Session::get(&c, Session::key("noteless")).skip_expired().project_into::<SessionData>());
        let again = read.await.unwrap();
        assert_eq!(again.get(&expired).unwrap().as_ref(), Some(&sessions[0]));
        assert_eq!(again.get(&live_data).unwrap(), Some(SessionData { data: "l".into() }));
        assert_eq!(again.get(&noteless_data).unwrap(), Some(SessionData { data: "x".into() }));
        // A projection without the TTL field, on an expired item, with skip_expired.
        let mut read = c.transaction_get();
        let skipped = read.get(Session::get(&c, Session::key("expired")).skip_expired().project_into::<SessionData>());
        let kept = read.get(Session::get(&c, Session::key("live")).skip_expired().project_into::<SessionData>());
        let third = read.await.unwrap();
        assert_eq!(third.get(&skipped).unwrap(), None);
        assert_eq!(third.get(&kept).unwrap(), Some(SessionData { data: "l".into() }));
        assert_eq!(
            third.get(&skipped).unwrap(),
            Session::get(&c, Session::key("expired")).skip_expired().project_into::<SessionData>().await.unwrap()
        );
        // A handle of the first read on the second's result, and the other way round.
        assert!(matches!(
            again.get(&live_skipped),
            Err(Error::InvalidRequest { reason: RequestReason::ForeignHandle, .. })
        ));
        assert!(matches!(got.get(&expired), Err(Error::InvalidRequest { reason: RequestReason::ForeignHandle, .. })));
    });
}

/// 100 reads over two prefixes (the same keys) go in one request; a refused read is
/// named by its position and nothing is sent; no reads is refused too.
#[test]
fn adversarial8_transaction_reads_at_the_limits() {
    run(|db| async move {
        let p1 = db.clone().with_table_prefix("p1_");
        User::create_table(&db).await.unwrap();
        User::create_table(&p1).await.unwrap();
        User::batch_put(&db, (0..50).map(|i| user(format!("u{i}")))).await.unwrap();
        User::batch_put(&p1, (0..50).map(|i| User { note: "p1".into(), ..user(format!("u{i}")) })).await.unwrap();
        let (c, requests) = counted(&db);
        let p1c = c.clone().with_table_prefix("p1_");
        let mut read = c.transaction_get();
        let mut handles = Vec::new();
        for i in 0..50 {
            handles.push(read.get(User::get(&c, User::key(format!("u{i}")))));
            handles.push(read.get(User::get(&p1c, User::key(format!("u{i}")))));
        }
        let got = read.await.unwrap();
        assert_eq!(requests.count(), 1);
        for (n, handle) in handles.iter().enumerate() {
            let u = got.get(handle).unwrap().unwrap();
            assert_eq!(u.id, format!("u{}", n / 2));
            assert_eq!(u.note, if n % 2 == 0 { "" } else { "p1" });
        }
        let mut read = c.transaction_get();
        read.get(User::get(&c, User::key("u1")));
        read.get(User::get(&c, User::key("u2")));
        read.get(User::get(&c, User::key("")));
        read.get(User::get(&c, User::key("u3")));
        let err = read.await.unwrap_err();
        assert!(
            matches!(&err, Error::Action { index: 2, error } if matches!(**error, Error::Invalid { reason: InvalidReason::EmptyKey, .. })),
            "{err:?}"
        );
        let err = c.transaction_get().await.unwrap_err();
        assert!(matches!(err, Error::InvalidTransaction { reason: TransactionReason::Empty }), "{err:?}");
        assert_eq!(requests.count(), 1);
    });
}

/// Eleven items full of numbers (lists and sets of 19- and 20-digit numbers, counted by
/// the item-size formula, not by their text) make exactly 4 MB: applied; DynamoDB refuses
/// one byte more.
#[test]
fn adversarial8_a_transaction_of_exactly_4_mb_of_numbers() {
    run(|db| async move {
        Nums::create_table(&db).await.unwrap();
        let total = 4 * 1024 * 1024;
        let per = total / 11;
        let sizes = |extra: usize| (0..11u32).map(move |id| if id == 10 { total - per * 10 + extra } else { per });
        let items: Vec<Nums> = sizes(0).zip(0..).map(|(size, id)| sized_nums(id, size)).collect();
        let mut transaction = db.transaction();
        for item in &items {
            transaction = transaction.put(Nums::put(&db, item));
        }
        transaction.await.unwrap();
        assert_eq!(Nums::get(&db, Nums::key(10)).consistent().await.unwrap().as_ref(), items.last());
        // The control: one byte more is too much for DynamoDB.
        let mut raw_tx = db.client().transact_write_items();
        for (size, id) in sizes(1).zip(100..) {
            let put = aws_sdk_dynamodb::types::Put::builder()
                .table_name(db.table_name::<Nums>())
                .set_item(Some(sized_nums(id, size).to_item().unwrap()))
                .build()
                .unwrap();
            raw_tx = raw_tx.transact_items(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build());
        }
        let refused = dynamodb_refusal(raw_tx.send().await);
        assert!(refused.contains("Payload Size: 4194305"), "{refused}");
    });
}
