//! Batches: `BatchWriteItem` and `BatchGetItem` over the same compiled operations that
//! `put`, `delete` and `get` send alone, so every rule, transform, stamp and limit is
//! checked exactly as there.
//!
//! A batch never loses data quietly. DynamoDB answers a batch with the items and keys it
//! did not get to (`UnprocessedItems`, `UnprocessedKeys`); they are retried with the
//! [`Db`]'s [`RetryPolicy`](crate::retry::RetryPolicy) (exponential backoff, full jitter)
//! and, when the policy gives up, the call fails with [`Error::Batch`] carrying exactly
//! the writes not made or the keys not read: never `Ok` with data missing.
//!
//! ```no_run
//! use dynamo_model::{Db, Model};
//!
//! #[derive(Model, Debug, Clone)]
//! #[dynamo(table = "orders")]
//! struct Order { #[dynamo(hash_key)] id: u64, total: i64 }
//!
//! # async fn run(db: &Db) -> dynamo_model::Result<()> {
//! // Any number of items, from an iterator: split into requests of 25, sent 4 at a time.
//! let written = Order::batch_put(db, (0..10_000).map(|id| Order { id, total: 0 })).await?;
//! assert_eq!(written.written, 10_000);
//!
//! let got = Order::batch_get(db, (0..200).map(Order::key)).await?;
//! assert_eq!(got.items.len() + got.not_found.len(), 200);
//! # Ok(()) }
//! ```

use std::collections::{HashMap, VecDeque};
use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest};
use futures::stream::{self, Stream, StreamExt};

use crate::compile::identity::{identity, same_key, Fingerprints, KeyNames};
use crate::error::RequestReason;
use crate::ops::OpFuture;
use crate::retry::library_retries;
use crate::{Db, Document, Error, Item, Model, ModelKey, Result};

/// Writes in one `BatchWriteItem` request: DynamoDB's limit.
pub const MAX_BATCH_WRITES: usize = 25;
/// Keys in one `BatchGetItem` request: DynamoDB's limit.
pub const MAX_BATCH_KEYS: usize = 100;
/// The size of one batch request's items: DynamoDB's limit.
pub const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;
/// Requests a batch keeps in flight at once, unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

// 25 items of at most 400 KB each always fit in one 16 MB request, so splitting by count
// alone keeps both limits.
const _: () = assert!(MAX_BATCH_WRITES * crate::limits::MAX_ITEM_SIZE < MAX_BATCH_BYTES);

/// A model that a batch may write without losing what a put would check: one without a
/// `#[dynamo(version)]` field. `#[derive(Model)]` implements it for those models only.
///
/// `BatchWriteItem` takes no conditions, so a versioned item written in a batch would
/// overwrite whatever version is stored. For such a model, `batch_put` does not compile;
/// write it in a transaction, one `put` at a time, or say that an unconditional overwrite
/// is meant with [`Model::batch_overwrite`] / [`BatchWrite::overwrite`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has a `#[dynamo(version)]` field, which a batch write cannot check",
    label = "versioned model",
    note = "BatchWriteItem takes no conditions: use `put` or a transaction to keep the version check, or `batch_overwrite` to overwrite whatever is stored on purpose"
)]
pub trait Unversioned: Model {}

/// What a batch did not get to, one write or key each, in input order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Pending {
    /// The position of the write or key among all the call was given (from 0).
    pub index: usize,
    /// The model.
    pub model: &'static str,
    /// The full table name.
    pub table: String,
    /// The write or the key.
    pub request: PendingRequest,
    /// For a write: whether a request that carried it may have been applied without
    /// DynamoDB's answer reaching the client (a timeout, a broken connection, a server
    /// error; see [`Error::OutcomeUnknown`]). It is not counted as done; a put or delete
    /// is safe to send again. Always `false` for a read.
    pub maybe_applied: bool,
}

/// A write or read a batch did not make.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PendingRequest {
    /// An item not written, exactly as it was to be stored.
    Put(Item),
    /// The key of an item not deleted.
    Delete(Item),
    /// The key of an item not read.
    Get(Item),
}

impl Pending {
    /// The item of a put not made, decoded as `M`; `None` for a delete or a read.
    pub fn item<M: Document>(&self) -> Option<Result<M>> {
        match &self.request {
            PendingRequest::Put(item) => Some(M::from_item(item.clone())),
            PendingRequest::Delete(_) | PendingRequest::Get(_) => None,
        }
    }
}

/// Why a batch stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchCause {
    /// DynamoDB kept answering with unprocessed items or keys, or with errors worth
    /// retrying, through every attempt the retry policy allows.
    RetriesExhausted {
        /// Attempts made without progress.
        attempts: u32,
        /// The last error, when the attempts ended in errors rather than leftovers.
        last_error: Option<Box<Error>>,
    },
    /// A write was refused before it was sent (a broken rule, a value DynamoDB cannot
    /// store, a key written twice in the call): [`Error::Action`] with its index. The
    /// call stopped taking input there.
    Refused(Box<Error>),
    /// A request failed with an error the library does not retry: one not worth
    /// retrying (a missing table, a validation error), or one the SDK's own retries
    /// already gave up on (see [`retry`](crate::retry)); [`Error::is_retryable`] of the
    /// batch error says which.
    Failed(Box<Error>),
}

impl std::fmt::Display for BatchCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchCause::RetriesExhausted { attempts, last_error: None } => {
                write!(f, "still unprocessed after {attempts} attempts")
            }
            BatchCause::RetriesExhausted { attempts, last_error: Some(error) } => {
                write!(f, "still failing after {attempts} attempts: {error}")
            }
            BatchCause::Refused(error) => write!(f, "refused: {error}"),
            BatchCause::Failed(error) => write!(f, "failed: {error}"),
        }
    }
}

/// A batch that stopped before doing all its work: why, how much it did, and exactly
/// what it did not do. Every write or key it took from its input is either done or in
/// `pending`; input after the first `taken` was never taken. A write whose request may
/// have been applied unseen is pending, marked [`Pending::maybe_applied`]: it is never
/// counted as done.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchError {
    /// `BatchWriteItem` or `BatchGetItem`.
    pub operation: &'static str,
    /// Why it stopped (the first reason, when requests in flight failed too).
    pub cause: BatchCause,
    /// Writes made, or keys read (found or not; a key given several times counts at
    /// each of its positions).
    pub done: usize,
    /// Writes or keys taken from the input.
    pub taken: usize,
    /// What was taken and not done, in input order.
    pub pending: Vec<Pending>,
    /// For a read: the items read before it stopped.
    pub read: Vec<Item>,
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} stopped with {} of {} taken done and {} not done: {}",
            self.operation,
            self.done,
            self.taken,
            self.pending.len(),
            self.cause
        )
    }
}

/// One write, compiled and checked, ready for a batch request.
#[derive(Debug)]
struct Prepared {
    index: usize,
    model: &'static str,
    table: String,
    keys: KeyNames,
    request: PendingRequest,
}

impl Prepared {
    fn put<M: Model>(db: &Db, item: &M, overwrite: bool) -> Result<Self> {
        let compiled = crate::ops::Put::new(db, item).compile()?;
        // A versioned model's put carries its version condition, and only `overwrite`
        // takes one (by `Unversioned`); dropping it is what `overwrite` asks for. The
        // entity condition of a model in a shared table is dropped too: BatchWriteItem
        // takes none (see "No conditions" below).
        if M::VERSION.is_some() && !overwrite {
            return Err(Error::InvalidRequest { model: M::NAME, reason: RequestReason::ConditionalBatchWrite });
        }
        Ok(Self {
            index: 0,
            model: M::NAME,
            table: compiled.table,
            keys: key_names::<M>(),
            request: PendingRequest::Put(compiled.item),
        })
    }

    fn delete<M: Model>(db: &Db, key: &M::Key) -> Result<Self> {
        Ok(Self {
            index: 0,
            model: M::NAME,
            table: db.table_name::<M>(),
            keys: key_names::<M>(),
            request: PendingRequest::Delete(key.to_key_item()?),
        })
    }

    fn item(&self) -> &Item {
        match &self.request {
            PendingRequest::Put(item) | PendingRequest::Delete(item) | PendingRequest::Get(item) => item,
        }
    }

    fn write_request(&self) -> WriteRequest {
        match &self.request {
            PendingRequest::Put(item) => WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(item.clone())).build().expect("item is set"))
                .build(),
            PendingRequest::Delete(key) | PendingRequest::Get(key) => WriteRequest::builder()
                .delete_request(DeleteRequest::builder().set_key(Some(key.clone())).build().expect("key is set"))
                .build(),
        }
    }

    fn into_pending(self, maybe_applied: bool) -> Pending {
        Pending { index: self.index, model: self.model, table: self.table, request: self.request, maybe_applied }
    }
}

fn key_names<M: Model>() -> KeyNames {
    (M::KEY_SCHEMA.hash.name, M::KEY_SCHEMA.range.map(|range| range.name))
}

type Source<'a> = Pin<Box<dyn Stream<Item = Result<Prepared>> + Send + 'a>>;

/// Writes (puts and deletes, of any models) sent as `BatchWriteItem` requests of at most
/// 25, a few at a time; awaits to [`BatchWritten`]. Made by [`Db::batch_write`],
/// [`Model::batch_put`], [`Model::batch_overwrite`] and [`Model::batch_delete`].
///
/// - **Checked like single writes.** Each put is compiled as [`Model::put`] compiles it
///   (rules, `set` transforms, timestamps, sizes, keys), each delete as
///   [`Model::delete`]. Writes given one by one ([`put`](Self::put),
///   [`delete`](Self::delete)) before any iterator or stream are all checked before the
///   first request; writes from iterators and streams are checked as they are taken, so a
///   million items never sit in memory. A write refused there stops the call: requests
///   already sent finish, and the error says what was written and what was not.
/// - **No key twice.** Two writes of the same item in one call are refused
///   ([`RequestReason::DuplicateItem`]): DynamoDB rejects them in one request, and
///   across requests their order would be a race. The call remembers a 128-bit
///   fingerprint and the position of each write to find them (about 25 bytes a write:
///   some 10 MB for 200,000 writes).
/// - **Nothing lost.** Unprocessed items are retried with the [`Db`]'s retry policy;
///   when it gives up the call fails with [`Error::Batch`], whose
///   [`pending`](BatchError::pending) holds exactly the writes not made.
/// - **No conditions.** `BatchWriteItem` takes none, so a model with a
///   `#[dynamo(version)]` cannot be put by a batch unless asked with
///   [`overwrite`](Self::overwrite) (see [`Unversioned`]). A delete in a batch is
///   unconditional, like [`Model::delete`] without `expect_version`. For a model in a
///   shared table this means the entity marker is not checked either: a batch write
///   under a key holding another model's item replaces or deletes it (alone or in a
///   transaction, the same write fails with [`Error::WrongEntity`]). Keys of different
///   models never meet when each model's templates have a literal segment of their own.
///
/// ```no_run
/// # use dynamo_model::{Db, Model};
/// # #[derive(Model, Debug, Clone)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] id: String, total: i64 }
/// # #[derive(Model, Debug, Clone)] #[dynamo(table = "carts")]
/// # struct Cart { #[dynamo(hash_key)] id: String }
/// # async fn run(db: &Db, orders: Vec<Order>) -> dynamo_model::Result<()> {
/// let written = db
///     .batch_write()
///     .put_all(&orders)
///     .delete::<Cart>(Cart::key("c1"))
///     .concurrency(8)
///     .await?;
/// println!("{} writes", written.written);
/// # Ok(()) }
/// ```
#[must_use = "a batch does nothing until it is awaited"]
pub struct BatchWrite<'a> {
    db: &'a Db,
    sources: Vec<Source<'a>>,
    /// Writes given one by one, before any iterator or stream: checked before sending.
    leading: usize,
    lazy: bool,
    concurrency: usize,
}

impl std::fmt::Debug for BatchWrite<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchWrite")
            .field("sources", &self.sources.len())
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// What a batch write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchWritten {
    /// The writes made: every write the call was given.
    pub written: usize,
}

impl<'a> BatchWrite<'a> {
    pub(crate) fn new(db: &'a Db) -> Self {
        Self { db, sources: Vec::new(), leading: 0, lazy: false, concurrency: DEFAULT_CONCURRENCY }
    }

    fn one(mut self, write: Result<Prepared>) -> Self {
        if !self.lazy {
            self.leading += 1;
        }
        self.sources.push(Box::pin(stream::iter(Some(write))));
        self
    }

    fn many(mut self, source: Source<'a>) -> Self {
        self.lazy = true;
        self.sources.push(source);
        self
    }

    /// Puts one item (compiled now).
    pub fn put<M: Unversioned>(self, item: &M) -> Self {
        let write = Prepared::put(self.db, item, false);
        self.one(write)
    }

    /// Puts one item of any model, replacing whatever is stored under its key without
    /// checking its version (it is written with its version + 1).
    pub fn overwrite<M: Model>(self, item: &M) -> Self {
        let write = Prepared::put(self.db, item, true);
        self.one(write)
    }

    /// Deletes one item by key, whatever it holds.
    pub fn delete<M: Model>(self, key: M::Key) -> Self {
        let write = Prepared::delete::<M>(self.db, &key);
        self.one(write)
    }

    /// Puts every item of an iterator of references (a `Vec`, a slice), taking them as
    /// requests go out. For items made on the fly, [`Model::batch_put`] and
    /// [`put_stream`](Self::put_stream) take them by value.
    pub fn put_all<M, I>(self, items: I) -> Self
    where
        M: Unversioned + 'a,
        I: IntoIterator<Item = &'a M> + 'a,
        I::IntoIter: Send + 'a,
    {
        self.put_items::<M, _>(items)
    }

    /// Puts every item of an iterator of items or references.
    pub(crate) fn put_items<M, I>(self, items: I) -> Self
    where
        M: Unversioned,
        I: IntoIterator + 'a,
        I::IntoIter: Send + 'a,
        I::Item: std::borrow::Borrow<M> + Send,
    {
        self.put_stream(stream::iter(items))
    }

    /// Puts every item of a stream (of items or references), taking them as requests go
    /// out.
    pub fn put_stream<M, S>(self, items: S) -> Self
    where
        M: Unversioned,
        S: Stream + Send + 'a,
        S::Item: std::borrow::Borrow<M> + Send,
    {
        self.puts::<M, S>(items, false)
    }

    /// Puts (or, with `overwrite`, overwrites) every item of a stream.
    fn puts<M, S>(self, items: S, overwrite: bool) -> Self
    where
        M: Model,
        S: Stream + Send + 'a,
        S::Item: std::borrow::Borrow<M> + Send,
    {
        let db = self.db;
        self.many(Box::pin(
            items.map(move |item| Prepared::put(db, std::borrow::Borrow::<M>::borrow(&item), overwrite)),
        ))
    }

    /// Overwrites with every item of an iterator of references, versions unchecked (see
    /// [`overwrite`](Self::overwrite)). [`Model::batch_overwrite`] takes items by value.
    pub fn overwrite_all<M, I>(self, items: I) -> Self
    where
        M: Model + 'a,
        I: IntoIterator<Item = &'a M> + 'a,
        I::IntoIter: Send + 'a,
    {
        self.overwrite_items::<M, _>(items)
    }

    /// Overwrites with every item of an iterator of items or references.
    pub(crate) fn overwrite_items<M, I>(self, items: I) -> Self
    where
        M: Model,
        I: IntoIterator + 'a,
        I::IntoIter: Send + 'a,
        I::Item: std::borrow::Borrow<M> + Send,
    {
        self.puts::<M, _>(stream::iter(items), true)
    }

    /// Deletes the items of every key of an iterator.
    pub fn delete_all<M, I>(self, keys: I) -> Self
    where
        M: Model,
        I: IntoIterator<Item = M::Key> + 'a,
        I::IntoIter: Send + 'a,
    {
        self.delete_stream::<M, _>(stream::iter(keys))
    }

    /// Deletes the items of every key of a stream.
    pub fn delete_stream<M, S>(self, keys: S) -> Self
    where
        M: Model,
        S: Stream<Item = M::Key> + Send + 'a,
    {
        let db = self.db;
        self.many(Box::pin(keys.map(move |key| Prepared::delete::<M>(db, &key))))
    }

    /// How many requests are in flight at once (at least 1; default
    /// [`DEFAULT_CONCURRENCY`]).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    async fn send(self) -> Result<BatchWritten> {
        let BatchWrite { db, mut sources, leading, concurrency, .. } = self;
        let stop = Arc::new(AtomicBool::new(false));
        let singles: Vec<Source<'a>> = sources.drain(..leading).collect();
        let mut chunker = Chunker {
            input: Box::pin(stream::iter(sources).flatten()),
            ready: VecDeque::with_capacity(leading),
            taken: 0,
            seen: HashMap::new(),
            fingerprints: Fingerprints::new(),
            stop: stop.clone(),
            done: false,
        };
        // Writes given one by one are in memory already: all are checked (compiled, no
        // item twice) before anything is sent.
        for mut single in singles {
            let Some(write) = single.next().await else { continue };
            match chunker.admit(write) {
                Ok(write) => chunker.ready.push_back(write),
                Err(refusal) => {
                    let (error, write) = *refusal;
                    let pending = chunker.ready.drain(..).chain(write).map(|write| write.into_pending(false)).collect();
                    return Err(Error::Batch(Box::new(BatchError {
                        operation: "BatchWriteItem",
                        cause: BatchCause::Refused(Box::new(error)),
                        done: 0,
                        taken: chunker.taken,
                        pending,
                        read: Vec::new(),
                    })));
                }
            }
        }
        let mut totals = Totals::default();
        let results = chunks(chunker).map(|chunk| write_chunk(db, chunk, &stop)).buffer_unordered(concurrency);
        let mut results = std::pin::pin!(results);
        while let Some(outcome) = results.next().await {
            totals.add(outcome);
        }
        let done = totals.finish("BatchWriteItem")?;
        Ok(BatchWritten { written: done })
    }
}

impl<'a> IntoFuture for BatchWrite<'a> {
    type Output = Result<BatchWritten>;
    type IntoFuture = OpFuture<'a, BatchWritten>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The chunks of a call, as a stream. Built outside `async` code and boxed: the
/// compiler cannot yet prove an `unfold` over an `async fn` `Send` inside another one.
fn chunks<'a>(chunker: Chunker<'a>) -> Pin<Box<dyn Stream<Item = Chunk> + Send + 'a>> {
    Box::pin(stream::unfold(chunker, Chunker::next_chunk))
}

/// Takes writes from the input, numbers and checks them, and cuts them into requests.
struct Chunker<'a> {
    input: Source<'a>,
    /// Writes taken and checked already (those given one by one), sent first.
    ready: VecDeque<Prepared>,
    taken: usize,
    seen: HashMap<[u64; 2], usize>,
    fingerprints: Fingerprints,
    stop: Arc<AtomicBool>,
    done: bool,
}

/// The writes of one request, or the last writes taken before one was refused.
struct Chunk {
    writes: Vec<Prepared>,
    taken: usize,
    refused: Option<Error>,
}

impl<'a> Chunker<'a> {
    /// Numbers a write taken from the input and checks what a single write cannot: that
    /// no write of this call is on the same item. A refusal keeps the write, if it
    /// compiled, for the error's pending list.
    fn admit(&mut self, write: Result<Prepared>) -> std::result::Result<Prepared, Box<(Error, Option<Prepared>)>> {
        let index = self.taken;
        self.taken += 1;
        let mut write = write.map_err(|error| Box::new((Error::Action { index, error: Box::new(error) }, None)))?;
        write.index = index;
        // Compiled keys are always complete; an item without one has no identity to repeat.
        if let Some(id) = identity(&write.table, write.keys, write.item()) {
            let fingerprint = self.fingerprints.of(&id);
            if let Some(&first) = self.seen.get(&fingerprint) {
                let reason = RequestReason::DuplicateItem { first };
                let error = Error::InvalidRequest { model: write.model, reason };
                return Err(Box::new((Error::Action { index, error: Box::new(error) }, Some(write))));
            }
            self.seen.insert(fingerprint, index);
        }
        Ok(write)
    }

    async fn next_chunk(mut self) -> Option<(Chunk, Self)> {
        if self.done || self.stop.load(Ordering::SeqCst) {
            return None;
        }
        let mut writes = Vec::with_capacity(MAX_BATCH_WRITES);
        let mut refused = None;
        while writes.len() < MAX_BATCH_WRITES {
            if let Some(write) = self.ready.pop_front() {
                writes.push(write);
                continue;
            }
            let Some(write) = self.input.next().await else {
                self.done = true;
                break;
            };
            match self.admit(write) {
                Ok(write) => writes.push(write),
                Err(refusal) => {
                    let (error, write) = *refusal;
                    writes.extend(write);
                    refused = Some(error);
                    self.done = true;
                    break;
                }
            }
        }
        if writes.is_empty() && refused.is_none() {
            return None;
        }
        Some((Chunk { writes, taken: self.taken, refused }, self))
    }
}

/// What one request (and its retries) did.
#[derive(Default)]
struct Outcome {
    done: usize,
    taken: usize,
    pending: Vec<Pending>,
    cause: Option<BatchCause>,
    read: Vec<Item>,
}

/// The sum of all outcomes of a call.
#[derive(Default)]
struct Totals {
    done: usize,
    taken: usize,
    pending: Vec<Pending>,
    cause: Option<BatchCause>,
    read: Vec<Item>,
}

impl Totals {
    fn add(&mut self, outcome: Outcome) {
        self.done += outcome.done;
        self.taken = self.taken.max(outcome.taken);
        self.pending.extend(outcome.pending);
        self.read.extend(outcome.read);
        if self.cause.is_none() {
            self.cause = outcome.cause;
        }
    }

    fn finish(mut self, operation: &'static str) -> Result<usize> {
        match self.cause {
            None => Ok(self.done),
            Some(cause) => {
                self.pending.sort_by_key(|pending| pending.index);
                Err(Error::Batch(Box::new(BatchError {
                    operation,
                    cause,
                    done: self.done,
                    taken: self.taken,
                    pending: self.pending,
                    read: self.read,
                })))
            }
        }
    }
}

/// Sends one chunk's request, then its unprocessed items again with backoff, until all
/// are written or the policy gives up.
async fn write_chunk(db: &Db, chunk: Chunk, stop: &AtomicBool) -> Outcome {
    let Chunk { writes, taken, refused } = chunk;
    let mut outcome = Outcome { taken, ..Outcome::default() };
    if let Some(error) = refused {
        stop.store(true, Ordering::SeqCst);
        outcome.pending = writes.into_iter().map(|write| write.into_pending(false)).collect();
        outcome.cause = Some(BatchCause::Refused(Box::new(error)));
        return outcome;
    }
    // Another request stopped the call after this one was taken: it is not sent.
    if stop.load(Ordering::SeqCst) {
        outcome.pending = writes.into_iter().map(|write| write.into_pending(false)).collect();
        return outcome;
    }
    let policy = db.retry_policy();
    let mut remaining = writes;
    let mut tries = 0;
    // Whether a request may have been applied unseen: then what remains may be written.
    let mut unsettled = false;
    loop {
        let mut request_items: HashMap<String, Vec<WriteRequest>> = HashMap::new();
        for write in &remaining {
            request_items.entry(write.table.clone()).or_default().push(write.write_request());
        }
        let table = remaining.first().map(|write| write.table.clone()).unwrap_or_default();
        let request = db
            .client()
            .batch_write_item()
            .set_request_items(Some(request_items))
            .set_return_consumed_capacity(db.capacity())
            .send();
        tries += 1;
        let mut last_error = None;
        let (sent, attempts) = db.send_unsure("BatchWriteItem", &table, request).await;
        // An attempt applied unseen may have written what a later one left unprocessed.
        unsettled |= attempts.unsettled;
        match sent {
            Ok(output) => {
                let unprocessed = output.unprocessed_items.unwrap_or_default();
                let before = remaining.len();
                remaining = left_over(remaining, &unprocessed);
                outcome.done += before - remaining.len();
                if remaining.is_empty() {
                    return outcome;
                }
                if remaining.len() < before {
                    tries = 1;
                }
            }
            Err(error) if library_retries(db, &error) => last_error = Some(Box::new(error)),
            Err(error) => {
                stop.store(true, Ordering::SeqCst);
                let tables = remaining.iter().map(|write| write.table.clone()).collect();
                let error = db.name_missing_table(error, tables).await;
                outcome.pending = remaining.into_iter().map(|write| write.into_pending(unsettled)).collect();
                outcome.cause = Some(BatchCause::Failed(Box::new(error)));
                return outcome;
            }
        }
        if tries >= policy.attempts() {
            stop.store(true, Ordering::SeqCst);
            outcome.pending = remaining.into_iter().map(|write| write.into_pending(unsettled)).collect();
            outcome.cause = Some(BatchCause::RetriesExhausted { attempts: tries, last_error });
            return outcome;
        }
        policy.wait(tries).await;
    }
}

/// The writes of `sent` that DynamoDB answered as unprocessed, matched by table and key.
fn left_over(sent: Vec<Prepared>, unprocessed: &HashMap<String, Vec<WriteRequest>>) -> Vec<Prepared> {
    if unprocessed.values().all(Vec::is_empty) {
        return Vec::new();
    }
    sent.into_iter()
        .filter(|write| {
            unprocessed.get(&write.table).is_some_and(|requests| {
                requests.iter().any(|request| {
                    let item = match (&write.request, request) {
                        (PendingRequest::Put(_), WriteRequest { put_request: Some(put), .. }) => &put.item,
                        (PendingRequest::Delete(_), WriteRequest { delete_request: Some(delete), .. }) => &delete.key,
                        _ => return false,
                    };
                    same_key(write.keys, write.item(), item)
                })
            })
        })
        .collect()
}

/// Reads items by key with `BatchGetItem`, 100 keys per request, a few requests at a
/// time; awaits to [`BatchGot`]. Made by [`Model::batch_get`].
///
/// Keys given twice are read once. All keys are encoded and checked before the first
/// request; a key that cannot be (an empty or oversized key value) is refused as
/// [`Error::Batch`] with [`BatchCause::Refused`], and the keys before it are pending.
/// Keys DynamoDB leaves unprocessed are retried with the [`Db`]'s retry policy; when it
/// gives up the call fails with [`Error::Batch`], whose
/// [`pending`](BatchError::pending) holds exactly the keys not read (a key given several
/// times at each of its positions) and [`read`](BatchError::read) the items read until
/// then.
#[must_use = "a batch does nothing until it is awaited"]
pub struct BatchGet<'a, M: Model> {
    db: &'a Db,
    keys: Vec<M::Key>,
    consistent: bool,
    concurrency: usize,
}

impl<M: Model> std::fmt::Debug for BatchGet<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchGet").field("keys", &self.keys.len()).finish_non_exhaustive()
    }
}

/// The items a batch read found, in the order of the keys given (each once, where its
/// key first appears), and the keys of the items not found, in the same order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchGot<M: Model> {
    /// The items found.
    pub items: Vec<M>,
    /// The keys with no item.
    pub not_found: Vec<M::Key>,
}

impl<'a, M: Model> BatchGet<'a, M> {
    pub(crate) fn new(db: &'a Db, keys: Vec<M::Key>) -> Self {
        Self { db, keys, consistent: false, concurrency: DEFAULT_CONCURRENCY }
    }

    /// Strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// How many requests are in flight at once (at least 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    async fn send(self) -> Result<BatchGot<M>> {
        let table = self.db.table_name::<M>();
        let names = key_names::<M>();
        // Each distinct key once, in the order first given; `repeats[u]` holds every
        // position of the distinct key `u` (its first included).
        let mut unique: Vec<(usize, Item)> = Vec::new();
        let mut repeats: Vec<Vec<usize>> = Vec::new();
        let mut position: HashMap<Vec<u8>, usize> = HashMap::new();
        for (index, key) in self.keys.iter().enumerate() {
            let item = match key.to_key_item() {
                Ok(item) => item,
                // The keys are all in memory: one that cannot be read is refused before
                // sending. The call stops there: the keys before it are pending.
                Err(error) => {
                    let pending = (0..index).filter_map(|at| {
                        let key = self.keys[at].to_key_item().ok()?;
                        Some(Pending {
                            index: at,
                            model: M::NAME,
                            table: table.clone(),
                            request: PendingRequest::Get(key),
                            maybe_applied: false,
                        })
                    });
                    return Err(Error::Batch(Box::new(BatchError {
                        operation: "BatchGetItem",
                        cause: BatchCause::Refused(Box::new(Error::Action { index, error: Box::new(error) })),
                        done: 0,
                        taken: index + 1,
                        pending: pending.collect(),
                        read: Vec::new(),
                    })));
                }
            };
            let Some(id) = identity(&table, names, &item) else { continue };
            match position.entry(id) {
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(unique.len());
                    unique.push((index, item));
                    repeats.push(vec![index]);
                }
                std::collections::hash_map::Entry::Occupied(entry) => repeats[*entry.get()].push(index),
            }
        }
        let mut found: Vec<Option<Item>> = vec![None; unique.len()];
        let mut totals = Totals { taken: self.keys.len(), ..Totals::default() };
        let chunks: Vec<Vec<(usize, Item)>> = unique.chunks(MAX_BATCH_KEYS).map(<[(usize, Item)]>::to_vec).collect();
        let stop = AtomicBool::new(false);
        let mut results = stream::iter(chunks)
            .map(|chunk| read_chunk::<M>(self.db, &table, chunk, self.consistent, &stop))
            .buffer_unordered(self.concurrency);
        while let Some((outcome, items)) = results.next().await {
            for item in items {
                if let Some(&at) = identity(&table, names, &item).and_then(|id| position.get(&id)) {
                    found[at] = Some(item);
                }
            }
            totals.add(outcome);
        }
        drop(results);
        if totals.cause.is_some() {
            totals.read = found.iter().flatten().cloned().collect();
            // A key given several times is pending at each of its positions; every other
            // position was read (found or not).
            let first: HashMap<usize, usize> = unique.iter().enumerate().map(|(u, (index, _))| (*index, u)).collect();
            let pending = std::mem::take(&mut totals.pending);
            for pending in pending {
                let at = first.get(&pending.index).map_or(&[][..], |&u| &repeats[u][..]);
                for &index in at {
                    totals.pending.push(Pending { index, ..pending.clone() });
                }
            }
            totals.done = self.keys.len() - totals.pending.len();
        }
        totals.finish("BatchGetItem")?;
        let mut got = BatchGot { items: Vec::with_capacity(found.len()), not_found: Vec::new() };
        for ((index, _), item) in unique.into_iter().zip(found) {
            // An item of another model of a shared table is not one of this model's.
            match item.filter(|item| !crate::single_table::foreign::<M>(item)) {
                Some(item) => got.items.push(M::from_item(item)?),
                None => got.not_found.push(self.keys[index].clone()),
            }
        }
        Ok(got)
    }
}

impl<'a, M: Model + 'a> IntoFuture for BatchGet<'a, M> {
    type Output = Result<BatchGot<M>>;
    type IntoFuture = OpFuture<'a, BatchGot<M>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Reads one chunk of keys, then its unprocessed keys again with backoff.
async fn read_chunk<M: Model>(
    db: &Db,
    table: &str,
    chunk: Vec<(usize, Item)>,
    consistent: bool,
    stop: &AtomicBool,
) -> (Outcome, Vec<Item>) {
    {
        let names = key_names::<M>();
        let policy = db.retry_policy();
        let mut outcome = Outcome::default();
        let mut items = Vec::new();
        let mut remaining = chunk;
        let mut tries = 0;
        if stop.load(Ordering::SeqCst) {
            outcome.pending = pending_gets::<M>(table, remaining);
            return (outcome, items);
        }
        loop {
            let keys = KeysAndAttributes::builder()
                .set_keys(Some(remaining.iter().map(|(_, key)| key.clone()).collect()))
                .set_consistent_read(consistent.then_some(true))
                .build()
                .expect("keys are set");
            let request = db
                .client()
                .batch_get_item()
                .request_items(table, keys)
                .set_return_consumed_capacity(db.capacity())
                .send();
            tries += 1;
            let mut last_error = None;
            match db.send("BatchGetItem", table, request).await {
                Ok(mut output) => {
                    let read =
                        output.responses.as_mut().and_then(|responses| responses.remove(table)).unwrap_or_default();
                    let unprocessed: Vec<Item> = output
                        .unprocessed_keys
                        .as_mut()
                        .and_then(|keys| keys.remove(table))
                        .map(|keys| keys.keys)
                        .unwrap_or_default();
                    items.extend(read);
                    let before = remaining.len();
                    remaining.retain(|(_, key)| unprocessed.iter().any(|other| same_key(names, key, other)));
                    outcome.done += before - remaining.len();
                    if remaining.is_empty() {
                        return (outcome, items);
                    }
                    if remaining.len() < before {
                        tries = 1;
                    }
                }
                Err(error) if library_retries(db, &error) => last_error = Some(Box::new(error)),
                Err(error) => {
                    stop.store(true, Ordering::SeqCst);
                    outcome.pending = pending_gets::<M>(table, remaining);
                    outcome.cause = Some(BatchCause::Failed(Box::new(error)));
                    return (outcome, items);
                }
            }
            if tries >= policy.attempts() {
                stop.store(true, Ordering::SeqCst);
                outcome.pending = pending_gets::<M>(table, remaining);
                outcome.cause = Some(BatchCause::RetriesExhausted { attempts: tries, last_error });
                return (outcome, items);
            }
            policy.wait(tries).await;
        }
    }
}

fn pending_gets<M: Model>(table: &str, keys: Vec<(usize, Item)>) -> Vec<Pending> {
    keys.into_iter()
        .map(|(index, key)| Pending {
            index,
            model: M::NAME,
            table: table.to_owned(),
            request: PendingRequest::Get(key),
            maybe_applied: false,
        })
        .collect()
}
