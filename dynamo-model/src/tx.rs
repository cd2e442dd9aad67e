//! Transactions: `TransactWriteItems` and `TransactGetItems` over the same compiled
//! operations that `put`, `update`, `delete`, `check` and `get` send alone, so version
//! conditions, timestamps, `if_not_exists`, upsert rules and validation apply exactly as
//! there.
//!
//! ```no_run
//! use dynamo_model::{Db, Error, Model};
//!
//! #[derive(Model, Debug, Clone)]
//! #[dynamo(table = "accounts")]
//! struct Account { #[dynamo(hash_key)] id: String, #[dynamo(validate(min = 0))] balance: i64 }
//!
//! # async fn run(db: &Db) -> dynamo_model::Result<()> {
//! let moved = db
//!     .transaction()
//!     .update(Account::update(db, Account::key("a")).add(&Account::BALANCE, -5))
//!     .update(Account::update(db, Account::key("b")).add(&Account::BALANCE, 5))
//!     .await;
//! match moved {
//!     Ok(()) => {}
//!     Err(Error::TransactionCanceled { actions }) => {
//!         for action in actions.iter().filter(|action| action.is_cause()) {
//!             println!("action {} on {:?}: {}", action.index, action.key, action.reason);
//!         }
//!     }
//!     Err(other) => return Err(other),
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::transact_get_items::builders::TransactGetItemsFluentBuilder;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError;
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::error::TransactionCanceledException;
use aws_sdk_dynamodb::types::{Get as TxGet, TransactGetItem, TransactWriteItem};

use crate::compile::identity::{identity, KeyNames};
use crate::compile::{CompiledCheck, CompiledDelete, CompiledUpdate, TransactWrite, WriteFailure};
use crate::ops::{Check, Delete, Get, OpFuture, Put, Update};
use crate::send::TransactionFailure;
use crate::{Db, Document, Error, Item, Model, Result};

/// Actions in one transaction: DynamoDB's limit.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;
/// The size of one transaction's items: DynamoDB's limit, 4 MB.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

/// What kind of action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActionKind {
    /// A put.
    Put,
    /// An update.
    Update,
    /// A delete.
    Delete,
    /// A condition check.
    Check,
    /// A read.
    Get,
}

/// What makes a transaction one DynamoDB would reject as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionReason {
    /// No actions: DynamoDB takes at least one.
    Empty,
    /// More actions than DynamoDB takes in one transaction.
    TooManyActions {
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// More bytes of items than DynamoDB takes in one transaction, counted with the item
    /// size formula (items written, keys, and the values of expressions).
    TooLarge {
        /// The size in bytes.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// An idempotency token of another length than DynamoDB takes (1 to 36
    /// characters).
    Token {
        /// Its length in characters.
        len: usize,
    },
    /// Two actions on the same item.
    SameItem {
        /// The first action on it.
        first: usize,
        /// The second action on it.
        second: usize,
    },
}

impl fmt::Display for TransactionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("a transaction needs at least one action"),
            Self::TooManyActions { count, max } => write!(f, "{count} actions, DynamoDB takes at most {max}"),
            Self::TooLarge { size, max } => write!(f, "{size} bytes of items, DynamoDB takes at most {max}"),
            Self::Token { len } => write!(f, "a token of {len} characters; DynamoDB takes 1 to 36"),
            Self::SameItem { first, second } => {
                write!(f, "actions {first} and {second} are on the same item; DynamoDB takes one action per item")
            }
        }
    }
}

/// Why DynamoDB canceled a transaction, for one action (its `CancellationReason` code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CancelReason {
    /// This action was not the cause.
    None,
    /// Its condition failed (the action's own error says which part).
    ConditionalCheckFailed,
    /// Another transaction or write was on the same item at the same time: worth retrying.
    TransactionConflict,
    /// DynamoDB refused the action itself.
    ValidationError,
    /// An item collection of a local index grew over 10 GB.
    ItemCollectionSizeLimitExceeded,
    /// The table's provisioned throughput was exceeded: worth retrying.
    ProvisionedThroughputExceeded,
    /// Throttled: worth retrying.
    ThrottlingError,
    /// Another code, as DynamoDB gave it (or `unknown` when it gave none).
    Other(String),
}

impl CancelReason {
    fn from_code(code: Option<&str>) -> Self {
        match code {
            Some("None") => Self::None,
            Some("ConditionalCheckFailed") => Self::ConditionalCheckFailed,
            Some("TransactionConflict") => Self::TransactionConflict,
            Some("ValidationError") => Self::ValidationError,
            Some("ItemCollectionSizeLimitExceeded") => Self::ItemCollectionSizeLimitExceeded,
            Some("ProvisionedThroughputExceeded") => Self::ProvisionedThroughputExceeded,
            Some("ThrottlingError") => Self::ThrottlingError,
            Some(other) => Self::Other(other.to_owned()),
            None => Self::Other("unknown".to_owned()),
        }
    }

    /// Whether the transaction may go through when sent again.
    fn retryable(&self) -> bool {
        matches!(
            self,
            Self::None | Self::TransactionConflict | Self::ProvisionedThroughputExceeded | Self::ThrottlingError
        )
    }
}

impl fmt::Display for CancelReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::ConditionalCheckFailed => f.write_str("ConditionalCheckFailed"),
            Self::TransactionConflict => f.write_str("TransactionConflict"),
            Self::ValidationError => f.write_str("ValidationError"),
            Self::ItemCollectionSizeLimitExceeded => f.write_str("ItemCollectionSizeLimitExceeded"),
            Self::ProvisionedThroughputExceeded => f.write_str("ProvisionedThroughputExceeded"),
            Self::ThrottlingError => f.write_str("ThrottlingError"),
            Self::Other(code) => f.write_str(code),
        }
    }
}

/// One action of a canceled transaction: which, on what item, and why.
#[derive(Debug)]
#[non_exhaustive]
pub struct CanceledAction {
    /// Its position in the transaction (from 0).
    pub index: usize,
    /// What it did.
    pub kind: ActionKind,
    /// The model.
    pub model: &'static str,
    /// The full table name.
    pub table: String,
    /// The key of its item.
    pub key: Item,
    /// DynamoDB's reason.
    pub reason: CancelReason,
    /// DynamoDB's message, if any.
    pub message: Option<String>,
    /// The item as stored when its condition failed (DynamoDB returns it on request,
    /// which every action makes).
    pub item: Option<Item>,
    /// For a failed condition: the error the action would have had alone
    /// ([`Error::VersionConflict`] for a version that moved, [`Error::AlreadyExists`],
    /// [`Error::NotFound`], [`Error::PathNotFound`], [`Error::Validation`] for an
    /// increment's bound, or [`Error::ConditionFailed`]).
    pub error: Option<Box<Error>>,
}

impl CanceledAction {
    /// Whether this action is a cause of the cancellation (its reason is not `None`).
    pub fn is_cause(&self) -> bool {
        self.reason != CancelReason::None
    }

    /// The item as stored, decoded as `D`; `None` if DynamoDB returned none.
    pub fn current_item<D: Document>(&self) -> Option<Result<D>> {
        self.item.clone().map(D::from_item)
    }
}

/// The causes of a cancellation, for its message.
pub(crate) struct Reasons<'a>(pub(crate) &'a [CanceledAction]);

impl fmt::Display for Reasons<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut causes = self.0.iter().filter(|action| action.is_cause()).peekable();
        if causes.peek().is_none() {
            return f.write_str("no reason given");
        }
        for (i, action) in causes.enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(
                f,
                "action {} ({:?} {} in `{}`): {}",
                action.index, action.kind, action.model, action.table, action.reason
            )?;
            if let Some(error) = &action.error {
                write!(f, " ({error})")?;
            }
        }
        Ok(())
    }
}

/// Whether a canceled transaction may go through when sent again: every cause is a
/// conflict or throttling.
pub(crate) fn retryable(actions: &[CanceledAction]) -> bool {
    actions.iter().any(CanceledAction::is_cause) && actions.iter().all(|action| action.reason.retryable())
}

/// One compiled write action.
#[derive(Debug, Clone)]
struct Action {
    kind: ActionKind,
    model: &'static str,
    keys: KeyNames,
    write: TransactWrite,
}

fn key_names<M: Model>() -> KeyNames {
    (M::KEY_SCHEMA.hash.name, M::KEY_SCHEMA.range.map(|range| range.name))
}

/// Writes of any models applied all together or not at all (`TransactWriteItems`);
/// awaits to `()`. Made by [`Db::transaction`].
///
/// Each action is the operation that would be sent alone, compiled with every check it
/// has there; a refused one makes the whole transaction an [`Error::Action`] naming it,
/// and nothing is sent. Before sending, the transaction itself is checked: at least 1
/// and at most 100 actions, at most 4 MB of items, never two actions on one item
/// ([`Error::InvalidTransaction`]).
///
/// Every transaction carries an idempotency token ([`token`](Self::token), or one made
/// per call), kept through the library's retries, so a transaction retried after a
/// lost answer is applied once. A transaction canceled only by conflicts or throttling
/// is retried with the [`Db`]'s retry policy; any other cancellation is
/// [`Error::TransactionCanceled`], listing every action with its reason, its key, the
/// item as stored and, for a failed condition, the error the action would have had
/// alone (a moved version is an [`Error::VersionConflict`] for that action).
///
/// ```
/// use dynamo_model::{Db, Model};
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "orders")]
/// struct Order { #[dynamo(hash_key)] id: String, total: i64 }
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "customers")]
/// struct Customer { #[dynamo(hash_key)] id: String, active: bool }
///
/// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// let order = Order { id: "o1".into(), total: 5 };
/// let transaction = db
///     .transaction()
///     .put(Order::put(&db, &order).if_not_exists())
///     .check(Customer::check(&db, Customer::key("c1"), Customer::ACTIVE.eq(true)))
///     .token("order-o1");
/// let request = transaction.request()?; // the SDK request, unsent
/// assert_eq!(request.get_transact_items().as_ref().map(Vec::len), Some(2));
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[must_use = "a transaction does nothing until it is awaited"]
pub struct Transaction<'a> {
    db: &'a Db,
    actions: Vec<Action>,
    given: usize,
    refused: Option<Error>,
    token: Option<String>,
}

impl fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("actions", &self.given)
            .field("refused", &self.refused)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl<'a> Transaction<'a> {
    pub(crate) fn new(db: &'a Db) -> Self {
        Self { db, actions: Vec::new(), given: 0, refused: None, token: None }
    }

    fn push(mut self, action: Result<Action>) -> Self {
        let index = self.given;
        self.given += 1;
        match action {
            Ok(action) => self.actions.push(action),
            Err(error) => {
                self.refused.get_or_insert(Error::Action { index, error: Box::new(error) });
            }
        }
        self
    }

    fn write<M: Model>(self, kind: ActionKind, write: Result<TransactWrite>) -> Self {
        let action = write.map(|write| Action { kind, model: M::NAME, keys: key_names::<M>(), write });
        self.push(action)
    }

    /// Adds a put, with its conditions (`if_not_exists`, its version, its own).
    pub fn put<M: Model>(self, put: Put<'_, M>) -> Self {
        let write = put.compile().map(|compiled| compiled.into_transact(key_names::<M>()));
        self.write::<M>(ActionKind::Put, write)
    }

    /// Adds an update, with its conditions (the item exists unless `upsert`, its
    /// version, an increment's bounds, its own).
    pub fn update<M: Model>(self, update: Update<'_, M>) -> Self {
        let write = update.compile().and_then(CompiledUpdate::into_transact);
        self.write::<M>(ActionKind::Update, write)
    }

    /// Adds a delete, with its conditions.
    pub fn delete<M: Model>(self, delete: Delete<'_, M>) -> Self {
        let write = delete.compile().map(CompiledDelete::into_transact);
        self.write::<M>(ActionKind::Delete, write)
    }

    /// Adds a condition check: the transaction applies only if it holds.
    pub fn check<M: Model>(self, check: Check<'_, M>) -> Self {
        let write = check.compile().map(CompiledCheck::into_transact);
        self.write::<M>(ActionKind::Check, write)
    }

    /// The idempotency token (1 to 36 characters): the same transaction sent again
    /// with it within 10 minutes is applied once. Without one, each call makes its own,
    /// kept through its retries.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The actions, checked as a whole.
    fn checked(self) -> Result<(&'a Db, Vec<Action>, Option<String>)> {
        if let Some(error) = self.refused {
            return Err(error);
        }
        if let Some(len) = self.token.as_ref().map(|token| token.chars().count()).filter(|len| !(1..=36).contains(len))
        {
            return Err(Error::InvalidTransaction { reason: TransactionReason::Token { len } });
        }
        check_actions(
            self.actions
                .iter()
                .map(|action| (action.write.table.as_str(), action.keys, &action.write.key, action.write.size)),
        )?;
        Ok((self.db, self.actions, self.token))
    }

    /// The `TransactWriteItems` request this transaction sends, unsent (with its token
    /// if one was given).
    pub fn request(self) -> Result<TransactWriteItemsFluentBuilder> {
        let (db, actions, token) = self.checked()?;
        Ok(db
            .client()
            .transact_write_items()
            .set_transact_items(Some(actions.into_iter().map(|action| action.write.item).collect()))
            .set_client_request_token(token))
    }

    async fn send(self) -> Result<()> {
        let (db, actions, token) = self.checked()?;
        let token = token.unwrap_or_else(new_token);
        let items: Vec<TransactWriteItem> = actions.iter().map(|action| action.write.item.clone()).collect();
        let table = actions.first().map(|action| action.write.table.clone()).unwrap_or_default();
        // Whether a try before the last may have been applied unseen, and the tries.
        let unsure = std::sync::atomic::AtomicBool::new(false);
        let tries = std::sync::atomic::AtomicU32::new(0);
        let sent = crate::retry::retrying(db, || async {
            let request = db
                .client()
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(&token)
                .set_return_consumed_capacity(db.capacity());
            tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match db.send_transaction("TransactWriteItems", &table, request.send(), write_canceled, true).await {
                Ok(_) => Ok(()),
                Err(TransactionFailure::Canceled(reasons)) => Err(canceled(&actions, reasons)),
                Err(TransactionFailure::Other(error)) => {
                    if matches!(error, Error::OutcomeUnknown { .. }) {
                        unsure.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(error)
                }
            }
        })
        .await;
        match sent {
            Ok(()) => Ok(()),
            // A cancellation answers for every try (the token makes them one); any other
            // error after an unsettled try leaves the outcome unknown.
            Err(error @ (Error::TransactionCanceled { .. } | Error::OutcomeUnknown { .. })) => Err(error),
            Err(error) if unsure.load(std::sync::atomic::Ordering::Relaxed) => Err(Error::OutcomeUnknown {
                operation: "TransactWriteItems",
                table,
                attempts: tries.load(std::sync::atomic::Ordering::Relaxed),
                cause: Box::new(error),
            }),
            Err(error) => {
                let tables = actions.iter().map(|action| action.write.table.clone()).collect();
                Err(db.name_missing_table(error, tables).await)
            }
        }
    }
}

impl<'a> IntoFuture for Transaction<'a> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// DynamoDB's rules for a transaction as a whole, on its actions' tables, keys and sizes.
fn check_actions<'k>(actions: impl ExactSizeIterator<Item = (&'k str, KeyNames, &'k Item, usize)>) -> Result<()> {
    let count = actions.len();
    if count == 0 {
        return Err(Error::InvalidTransaction { reason: TransactionReason::Empty });
    }
    if count > MAX_TRANSACTION_ACTIONS {
        return Err(Error::InvalidTransaction {
            reason: TransactionReason::TooManyActions { count, max: MAX_TRANSACTION_ACTIONS },
        });
    }
    let mut seen: Vec<Vec<u8>> = Vec::with_capacity(count);
    let mut size = 0;
    for (second, (table, names, key, action_size)) in actions.enumerate() {
        size += action_size;
        if let Some(id) = identity(table, names, key) {
            if let Some(first) = seen.iter().position(|other| *other == id) {
                return Err(Error::InvalidTransaction { reason: TransactionReason::SameItem { first, second } });
            }
            seen.push(id);
        } else {
            seen.push(Vec::new());
        }
    }
    if size > MAX_TRANSACTION_BYTES {
        return Err(Error::InvalidTransaction {
            reason: TransactionReason::TooLarge { size, max: MAX_TRANSACTION_BYTES },
        });
    }
    Ok(())
}

/// A token no other call makes: 32 random hex digits.
fn new_token() -> String {
    format!("{:016x}{:016x}", crate::retry::random(), crate::retry::random())
}

/// The typed error of a canceled transaction: each action with its reason, its item,
/// and for a failed condition the action's own reading of it.
fn canceled(actions: &[Action], reasons: Vec<aws_sdk_dynamodb::types::CancellationReason>) -> Error {
    let actions = actions
        .iter()
        .map(|action| (action.kind, action.model, &action.write.table, &action.write.key, Some(&action.write.failure)));
    cancellation(actions, reasons)
}

/// The cancellation among `TransactWriteItems`' errors.
fn write_canceled(error: &TransactWriteItemsError) -> Option<&TransactionCanceledException> {
    match error {
        TransactWriteItemsError::TransactionCanceledException(canceled) => Some(canceled),
        _ => None,
    }
}

/// The cancellation among `TransactGetItems`' errors.
fn read_canceled(error: &TransactGetItemsError) -> Option<&TransactionCanceledException> {
    match error {
        TransactGetItemsError::TransactionCanceledException(canceled) => Some(canceled),
        _ => None,
    }
}

/// Each action (kind, model, table, key, and for a write how to read its failed
/// condition) with DynamoDB's reason for it, in order.
fn cancellation<'t>(
    actions: impl Iterator<Item = (ActionKind, &'static str, &'t String, &'t Item, Option<&'t WriteFailure>)>,
    reasons: Vec<aws_sdk_dynamodb::types::CancellationReason>,
) -> Error {
    let mut reasons = reasons.into_iter();
    let actions = actions
        .enumerate()
        .map(|(index, (kind, model, table, key, failure))| {
            let reason = reasons.next();
            let code = CancelReason::from_code(reason.as_ref().and_then(|reason| reason.code.as_deref()));
            let message = reason.as_ref().and_then(|reason| reason.message.clone());
            let item = reason.and_then(|reason| reason.item).filter(|item| !item.is_empty());
            let error = failure
                .filter(|_| code == CancelReason::ConditionalCheckFailed)
                .map(|failure| Box::new(failure.clone().explain(item.clone())));
            CanceledAction {
                index,
                kind,
                model,
                table: table.clone(),
                key: key.clone(),
                reason: code,
                message,
                item,
                error,
            }
        })
        .collect();
    Error::TransactionCanceled { actions }
}

/// Reads of any models, all from one point in time (`TransactGetItems`). Made by
/// [`Db::transaction_get`]: add reads with [`get`](Self::get), keep the typed
/// [`Handle`] each gives back, await, and take each result with its handle.
///
/// At most 100 reads, never two of one item (checked before sending). Projections
/// ([`Get::project_into`]) and `skip_expired` apply as for a get alone.
///
/// ```no_run
/// # use dynamo_model::{Db, Model};
/// # #[derive(Model, Debug, Clone)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] id: String, total: i64 }
/// # #[derive(Model, Debug, Clone)] #[dynamo(table = "customers")]
/// # struct Customer { #[dynamo(hash_key)] id: String, active: bool }
/// # async fn run(db: &Db) -> dynamo_model::Result<()> {
/// let mut read = db.transaction_get();
/// let order = read.get(Order::get(db, Order::key("o1")));
/// let customer = read.get(Customer::get(db, Customer::key("c1")));
/// let got = read.await?;
/// let order: Option<Order> = got.get(&order)?;
/// let customer: Option<Customer> = got.get(&customer)?;
/// # Ok(()) }
/// ```
#[must_use = "a read does nothing until it is awaited"]
pub struct TransactionGet<'a> {
    db: &'a Db,
    id: u64,
    given: usize,
    reads: Vec<Read>,
    refused: Option<Error>,
}

impl fmt::Debug for TransactionGet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransactionGet").field("reads", &self.reads.len()).finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Read {
    model: &'static str,
    table: String,
    keys: KeyNames,
    key: Item,
    item: TransactGetItem,
    expired: Option<fn(&Item) -> bool>,
}

/// The typed ticket of one read of a [`TransactionGet`]: give it to
/// [`TransactionGot::get`] for that read's result, as `Option<P>`.
#[derive(Debug)]
pub struct Handle<P> {
    index: usize,
    id: u64,
    marker: PhantomData<fn() -> P>,
}

impl<P> Clone for Handle<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Handle<P> {}

impl<P> Handle<P> {
    /// The position of the read in its transaction (from 0).
    pub fn index(&self) -> usize {
        self.index
    }
}

/// The items a [`TransactionGet`] read; take each with its [`Handle`].
#[derive(Debug, Clone)]
pub struct TransactionGot {
    id: u64,
    items: Vec<Option<Item>>,
}

impl TransactionGot {
    /// The result of one read: `None` when there was no item.
    pub fn get<P: Document>(&self, handle: &Handle<P>) -> Result<Option<P>> {
        match self.items.get(handle.index) {
            Some(item) if handle.id == self.id => item.clone().map(P::from_item).transpose(),
            _ => Err(Error::InvalidRequest { model: P::NAME, reason: crate::RequestReason::ForeignHandle }),
        }
    }

    /// The raw items read, in order.
    pub fn items(&self) -> &[Option<Item>] {
        &self.items
    }
}

impl<'a> TransactionGet<'a> {
    pub(crate) fn new(db: &'a Db) -> Self {
        Self { db, id: crate::retry::random(), given: 0, reads: Vec::new(), refused: None }
    }

    /// Adds a read; its result is `Option<P>`, taken with the handle.
    pub fn get<M: Model, P: Document>(&mut self, get: Get<'_, M, P>) -> Handle<P> {
        let index = self.given;
        self.given += 1;
        let handle = Handle { index: self.reads.len(), id: self.id, marker: PhantomData };
        match get.parts() {
            Ok((compiled, expired)) => {
                let request = TxGet::builder()
                    .table_name(&compiled.table)
                    .set_key(Some(compiled.key.clone()))
                    .set_projection_expression(compiled.expressions.projection)
                    .set_expression_attribute_names(compiled.expressions.names)
                    .build()
                    .expect("table and key are set");
                self.reads.push(Read {
                    model: M::NAME,
                    table: compiled.table,
                    keys: key_names::<M>(),
                    key: compiled.key,
                    item: TransactGetItem::builder().get(request).build(),
                    expired,
                });
            }
            Err(error) => {
                self.refused.get_or_insert(Error::Action { index, error: Box::new(error) });
            }
        }
        handle
    }

    fn checked(self) -> Result<(&'a Db, u64, Vec<Read>)> {
        if let Some(error) = self.refused {
            return Err(error);
        }
        check_actions(self.reads.iter().map(|read| (read.table.as_str(), read.keys, &read.key, 0)))?;
        Ok((self.db, self.id, self.reads))
    }

    /// The `TransactGetItems` request, unsent.
    pub fn request(self) -> Result<TransactGetItemsFluentBuilder> {
        let (db, _, reads) = self.checked()?;
        Ok(db.client().transact_get_items().set_transact_items(Some(reads.into_iter().map(|read| read.item).collect())))
    }

    async fn send(self) -> Result<TransactionGot> {
        let (db, id, reads) = self.checked()?;
        let items: Vec<TransactGetItem> = reads.iter().map(|read| read.item.clone()).collect();
        let table = reads.first().map(|read| read.table.clone()).unwrap_or_default();
        let output = crate::retry::retrying(db, || async {
            let request = db
                .client()
                .transact_get_items()
                .set_transact_items(Some(items.clone()))
                .set_return_consumed_capacity(db.capacity());
            match db.send_transaction("TransactGetItems", &table, request.send(), read_canceled, false).await {
                Ok(output) => Ok(output),
                Err(TransactionFailure::Canceled(reasons)) => Err(canceled_reads(&reads, reasons)),
                Err(TransactionFailure::Other(error)) => Err(error),
            }
        })
        .await;
        let output = match output {
            Ok(output) => output,
            Err(error) => {
                let tables = reads.iter().map(|read| read.table.clone()).collect();
                return Err(db.name_missing_table(error, tables).await);
            }
        };
        let mut responses = output.responses.unwrap_or_default().into_iter();
        let items = reads
            .iter()
            .map(|read| {
                let item = responses.next().and_then(|response| response.item).filter(|item| !item.is_empty());
                item.filter(|item| !read.expired.is_some_and(|expired| expired(item)))
            })
            .collect();
        Ok(TransactionGot { id, items })
    }
}

/// The typed error of a canceled read: each read with its reason.
fn canceled_reads(reads: &[Read], reasons: Vec<aws_sdk_dynamodb::types::CancellationReason>) -> Error {
    cancellation(reads.iter().map(|read| (ActionKind::Get, read.model, &read.table, &read.key, None)), reasons)
}

impl<'a> IntoFuture for TransactionGet<'a> {
    type Output = Result<TransactionGot>;
    type IntoFuture = OpFuture<'a, TransactionGot>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
