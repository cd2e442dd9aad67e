//! End-to-end client overhead of the library over hand-written SDK code, against a live
//! DynamoDB Local.
//!
//! ```sh
//! cargo bench --bench overhead
//! BENCH_QUICK=1 cargo bench --bench overhead   # smoke check: 1 round, few iterations
//! ```
//!
//! One DynamoDB Local, started by the library's own launcher (or the one named by
//! `AWS_ENDPOINT_URL_DYNAMODB`), and one `aws_sdk_dynamodb::Client`, made as a user makes
//! it, serve every measurement: the client used by hand (attribute maps, expressions and
//! requests built by hand, as a careful user would, items decoded by hand into the struct)
//! and the same client wrapped in the library's `Db` (`Db::new(client.clone())`, which
//! keeps a copy of the client with its attempt-counting interceptor added: so each side
//! has its own connection pool, and only the library's requests pay for the interceptor).
//! Six operations, each at concurrency 1 and 16
//! (that many tasks, each doing the operation one call after another):
//!
//! 1. put of one item (`Order`, eleven mixed fields, as in `benches/batch.rs`);
//! 2. get by key (consistent read);
//! 3. update with a condition, returning the new item: `SET` of two fields, `ADD` of a set
//!    member, `total_cents >= 0`, and (as the library does) the item must exist;
//!    `ReturnValues=ALL_NEW` decoded into the struct;
//! 4. query of one partition of 100 items, all decoded (pages followed);
//! 5. batch write of 1,000 items: `Order::batch_put` against `BatchWriteItem` requests of
//!    25, `DEFAULT_CONCURRENCY` (4) in flight, unprocessed items retried;
//! 6. a transaction of 10 actions: 8 puts, the update of 3. and a condition check.
//!
//! Before anything is timed, both sides are shown to do the same work: the SDK inputs the
//! library builds equal the hand-built ones (put, get, update, query page, transaction;
//! every item of the batches), and run against fresh tables they return and store the
//! same items (the get's item, the update's new item, the 100 items of the query, the
//! 1,000 items of a batch, the 10 actions of a transaction).
//!
//! The client runs on a current-thread tokio runtime, so one thread does all of its work
//! (the SDK, the library, hyper's connection tasks, epoll, the kernel's side of the
//! loopback TCP it sends): its CPU time (`CLOCK_THREAD_CPUTIME_ID`, through `rustix`) over
//! a run, divided by the operations (by the items for query and batch), is the client CPU
//! per operation. DynamoDB Local is pinned to one core (`taskset -a -p`) and the client
//! thread to another (`sched_setaffinity`) when the machine allows; the output says
//! whether it did. After `BENCH_WARMUP` (1) unrecorded round (the JVM of DynamoDB Local
//! compiles its hot paths during the first thousands of requests; a round sends about
//! 20,000 requests), `BENCH_ROUNDS` (7) rounds run every operation on both sides back to
//! back, alternating which goes first. The table gives the medians over the rounds of each
//! round's p50, p99 and client CPU per operation, and the spread of the per-round CPU
//! differences (the noise the difference has to be read against). Calls per task: 1,000
//! puts, gets and updates, 200 queries and transactions, 8 batches at concurrency 1; a
//! tenth of that at concurrency 16, and one batch per task there (16,000 items per side
//! per round): 30 to 60 s a round, 5 to 8 minutes in all on a 2-core machine.
//!
//! End to end, the client CPU per operation holds the SDK's and the kernel's work too,
//! which vary by more than the library adds; so the part where the two sides' code
//! differs is also timed alone, without the network (building each request, decoding an
//! item): a second table. `BENCH_OPS=put,tx` (put, get, update, query, batch, tx) runs
//! only those operations, for a profile:
//!
//! ```sh
//! CARGO_PROFILE_BENCH_DEBUG=line-tables-only cargo bench --bench overhead --no-run
//! BENCH_OPS=tx perf record --no-inherit --call-graph dwarf,16384 target/release/deps/overhead-* --bench
//! ```
//!
//! Built but not run by `cargo test --benches` / `cargo build --all-targets`: without the
//! `--bench` argument that `cargo bench` passes, it exits at once.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder;
use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Put as TransactPut, PutRequest, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update as TransactUpdate, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use dynamo_model::batch::{DEFAULT_CONCURRENCY, MAX_BATCH_WRITES};
use dynamo_model::local::DynamoDbLocal;
use dynamo_model::ops::Update;
use dynamo_model::tx::Transaction;
use dynamo_model::{Db, Document, Model};
use futures::stream::{self, FuturesUnordered, StreamExt, TryStreamExt};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;
type Item = HashMap<String, AttributeValue>;

/// An order with the usual mix of attributes: eleven fields, strings, numbers, a bool,
/// an optional string and a string set; about 300 bytes stored.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "bench_orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: u64,
    status: String,
    sku: String,
    #[dynamo(validate(min = 0))]
    total_cents: i64,
    quantity: u32,
    discount: f64,
    paid: bool,
    note: Option<String>,
    tags: BTreeSet<String>,
    created_at: i64,
}

const STATUSES: [&str; 4] = ["pending", "paid", "shipped", "delivered"];
const TAGS: [&str; 6] = ["gift", "express", "fragile", "bulk", "promo", "repeat"];

fn make_item(i: u64) -> Order {
    let tags = (0..(1 + i % 3) as usize).map(|t| TAGS[(i as usize + t * 2) % TAGS.len()].to_owned()).collect();
    Order {
        customer_id: format!("customer-{:05}", i % 1_000),
        order_id: i,
        status: STATUSES[(i % 4) as usize].to_owned(),
        sku: format!("SKU-{:06}-{}", (i * 7_919) % 1_000_000, i % 13),
        total_cents: ((i * 1_237) % 500_000) as i64,
        quantity: (1 + i % 9) as u32,
        discount: (i % 20) as f64 * 0.025,
        paid: i % 3 != 2,
        note: (i % 4 < 1).then(|| format!("leave at the door, order {i}, thanks")),
        tags,
        created_at: 1_700_000_000 + (i as i64) * 17,
    }
}

// ---------------------------------------------------------------------------------------
// The hand-written side: what a careful user writes against the SDK alone.
// ---------------------------------------------------------------------------------------

/// The item as hand-written code builds it: same attributes and values as the library.
fn hand_item(order: &Order) -> Item {
    let mut item = HashMap::with_capacity(11);
    item.insert("customer_id".to_owned(), AttributeValue::S(order.customer_id.clone()));
    item.insert("order_id".to_owned(), AttributeValue::N(order.order_id.to_string()));
    item.insert("status".to_owned(), AttributeValue::S(order.status.clone()));
    item.insert("sku".to_owned(), AttributeValue::S(order.sku.clone()));
    item.insert("total_cents".to_owned(), AttributeValue::N(order.total_cents.to_string()));
    item.insert("quantity".to_owned(), AttributeValue::N(order.quantity.to_string()));
    item.insert("discount".to_owned(), AttributeValue::N(order.discount.to_string()));
    item.insert("paid".to_owned(), AttributeValue::Bool(order.paid));
    if let Some(note) = &order.note {
        item.insert("note".to_owned(), AttributeValue::S(note.clone()));
    }
    if !order.tags.is_empty() {
        item.insert("tags".to_owned(), AttributeValue::Ss(order.tags.iter().cloned().collect()));
    }
    item.insert("created_at".to_owned(), AttributeValue::N(order.created_at.to_string()));
    item
}

fn hand_key(customer_id: &str, order_id: u64) -> Item {
    let mut key = HashMap::with_capacity(2);
    key.insert("customer_id".to_owned(), AttributeValue::S(customer_id.to_owned()));
    key.insert("order_id".to_owned(), AttributeValue::N(order_id.to_string()));
    key
}

fn take_s(item: &mut Item, name: &str) -> Result<String> {
    match item.remove(name) {
        Some(AttributeValue::S(s)) => Ok(s),
        other => Err(format!("`{name}`: expected a string, found {other:?}").into()),
    }
}

fn take_n<T>(item: &mut Item, name: &str) -> Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match item.remove(name) {
        Some(AttributeValue::N(n)) => Ok(n.parse()?),
        other => Err(format!("`{name}`: expected a number, found {other:?}").into()),
    }
}

/// The item read back by hand into the struct (moving the strings out of the map).
fn hand_decode(mut item: Item) -> Result<Order> {
    let paid = match item.remove("paid") {
        Some(AttributeValue::Bool(b)) => b,
        other => return Err(format!("`paid`: expected a bool, found {other:?}").into()),
    };
    let note = match item.remove("note") {
        None | Some(AttributeValue::Null(true)) => None,
        Some(AttributeValue::S(s)) => Some(s),
        other => return Err(format!("`note`: expected a string, found {other:?}").into()),
    };
    let tags = match item.remove("tags") {
        None => BTreeSet::new(),
        Some(AttributeValue::Ss(tags)) => tags.into_iter().collect(),
        other => return Err(format!("`tags`: expected a string set, found {other:?}").into()),
    };
    Ok(Order {
        customer_id: take_s(&mut item, "customer_id")?,
        order_id: take_n(&mut item, "order_id")?,
        status: take_s(&mut item, "status")?,
        sku: take_s(&mut item, "sku")?,
        total_cents: take_n(&mut item, "total_cents")?,
        quantity: take_n(&mut item, "quantity")?,
        discount: take_n(&mut item, "discount")?,
        paid,
        note,
        tags,
        created_at: take_n(&mut item, "created_at")?,
    })
}

fn hand_put(client: &Client, table: &str, order: &Order) -> PutItemFluentBuilder {
    client.put_item().table_name(table).set_item(Some(hand_item(order)))
}

fn hand_get(client: &Client, table: &str, order: &Order) -> GetItemFluentBuilder {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(hand_key(&order.customer_id, order.order_id)))
        .consistent_read(true)
}

/// The update of operation 3: the same expressions, names and values the library sends
/// (placeholders included), so that DynamoDB does the same work for both.
const UPDATE_EXPRESSION: &str = "SET #n0 = :v0, #n1 = :v1 ADD #n2 :v2";
const UPDATE_CONDITION: &str = "attribute_exists(#n3) AND #n4 >= :v3";

fn update_names() -> HashMap<String, String> {
    let mut names = HashMap::with_capacity(5);
    names.insert("#n0".to_owned(), "status".to_owned());
    names.insert("#n1".to_owned(), "discount".to_owned());
    names.insert("#n2".to_owned(), "tags".to_owned());
    names.insert("#n3".to_owned(), "customer_id".to_owned());
    names.insert("#n4".to_owned(), "total_cents".to_owned());
    names
}

fn update_values() -> Item {
    let mut values = HashMap::with_capacity(4);
    values.insert(":v0".to_owned(), AttributeValue::S("shipped".to_owned()));
    values.insert(":v1".to_owned(), AttributeValue::N(0.125f64.to_string()));
    values.insert(":v2".to_owned(), AttributeValue::Ss(vec!["express".to_owned()]));
    values.insert(":v3".to_owned(), AttributeValue::N(0.to_string()));
    values
}

fn hand_update(client: &Client, table: &str, order: &Order) -> UpdateItemFluentBuilder {
    client
        .update_item()
        .table_name(table)
        .set_key(Some(hand_key(&order.customer_id, order.order_id)))
        .update_expression(UPDATE_EXPRESSION)
        .condition_expression(UPDATE_CONDITION)
        .set_expression_attribute_names(Some(update_names()))
        .set_expression_attribute_values(Some(update_values()))
        .return_values(ReturnValue::AllNew)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
}

const QUERY_PARTITION: &str = "query-partition";

fn hand_query_page(client: &Client, table: &str, start: Option<Item>) -> QueryFluentBuilder {
    client
        .query()
        .table_name(table)
        .key_condition_expression("#n0 = :v0")
        .expression_attribute_names("#n0", "customer_id")
        .expression_attribute_values(":v0", AttributeValue::S(QUERY_PARTITION.to_owned()))
        .set_exclusive_start_key(start)
}

/// The whole partition, page by page, decoded by hand.
async fn hand_query(client: &Client, table: &str) -> Result<Vec<Order>> {
    let mut orders = Vec::new();
    let mut start = None;
    loop {
        let page = hand_query_page(client, table, start).send().await?;
        let items = page.items.unwrap_or_default();
        orders.reserve(items.len());
        for item in items {
            orders.push(hand_decode(item)?);
        }
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(orders),
        }
    }
}

fn write_request(order: &Order) -> Result<WriteRequest> {
    let put = PutRequest::builder().set_item(Some(hand_item(order))).build()?;
    Ok(WriteRequest::builder().put_request(put).build())
}

/// One `BatchWriteItem` of up to 25 writes, its unprocessed items sent again with
/// exponential backoff until none are left.
async fn write_chunk(client: &Client, table: &str, chunk: &[Order]) -> Result<usize> {
    let mut requests = chunk.iter().map(write_request).collect::<Result<Vec<_>>>()?;
    let mut attempt = 0u32;
    loop {
        let output = client.batch_write_item().request_items(table, requests).send().await?;
        let unprocessed = output.unprocessed_items.and_then(|mut items| items.remove(table)).unwrap_or_default();
        if unprocessed.is_empty() {
            return Ok(chunk.len());
        }
        attempt += 1;
        if attempt > 10 {
            return Err(format!("{} writes still unprocessed after {attempt} attempts", unprocessed.len()).into());
        }
        tokio::time::sleep(Duration::from_millis(25 << attempt.min(6))).await;
        requests = unprocessed;
    }
}

/// Concurrent `BatchWriteItem` requests of 25 with the raw SDK client.
async fn hand_batch(client: &Client, table: &str, items: &[Order]) -> Result<usize> {
    stream::iter(items.chunks(MAX_BATCH_WRITES))
        .map(|chunk| write_chunk(client, table, chunk))
        .buffer_unordered(DEFAULT_CONCURRENCY)
        .try_fold(0, |total, written| async move { Ok(total + written) })
        .await
}

/// Operation 6 by hand: the puts, the update of operation 3 (without return values)
/// and a condition check, in the order the library's transaction has them.
fn hand_tx(client: &Client, table: &str, tx: &TxItems) -> Result<TransactWriteItemsFluentBuilder> {
    let mut actions = Vec::with_capacity(tx.puts.len() + 2);
    for order in &tx.puts {
        let put = TransactPut::builder().table_name(table).set_item(Some(hand_item(order))).build()?;
        actions.push(TransactWriteItem::builder().put(put).build());
    }
    let update = TransactUpdate::builder()
        .table_name(table)
        .set_key(Some(hand_key(&tx.update.customer_id, tx.update.order_id)))
        .update_expression(UPDATE_EXPRESSION)
        .condition_expression(UPDATE_CONDITION)
        .set_expression_attribute_names(Some(update_names()))
        .set_expression_attribute_values(Some(update_values()))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()?;
    actions.push(TransactWriteItem::builder().update(update).build());
    let check = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(hand_key(&tx.check.customer_id, tx.check.order_id)))
        .condition_expression("#n0 >= :v0")
        .expression_attribute_names("#n0", "total_cents")
        .expression_attribute_values(":v0", AttributeValue::N(0.to_string()))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()?;
    actions.push(TransactWriteItem::builder().condition_check(check).build());
    // The SDK fills in the idempotency token, as the library makes one per call.
    Ok(client.transact_write_items().set_transact_items(Some(actions)))
}

// ---------------------------------------------------------------------------------------
// The library side.
// ---------------------------------------------------------------------------------------

fn lib_update<'a>(db: &'a Db, order: &Order) -> Update<'a, Order> {
    Order::update(db, Order::key(order.customer_id.as_str(), order.order_id))
        .set(&Order::STATUS, "shipped")
        .set(&Order::DISCOUNT, 0.125)
        .add_to_set(&Order::TAGS, ["express"])
        .condition(Order::TOTAL_CENTS.ge(0))
}

fn lib_tx<'a>(db: &'a Db, tx: &'a TxItems) -> Transaction<'a> {
    let mut transaction = db.transaction();
    for order in &tx.puts {
        transaction = transaction.put(Order::put(db, order));
    }
    transaction.update(lib_update(db, &tx.update)).check(Order::check(
        db,
        Order::key(tx.check.customer_id.as_str(), tx.check.order_id),
        Order::TOTAL_CENTS.ge(0),
    ))
}

/// The item `lib_update` / `hand_update` leaves.
fn updated(order: &Order) -> Order {
    let mut after = order.clone();
    after.status = "shipped".to_owned();
    after.discount = 0.125;
    after.tags.insert("express".to_owned());
    after
}

// ---------------------------------------------------------------------------------------
// The measurement.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    Put,
    Get,
    Update,
    Query,
    Batch,
    Tx,
}

impl Op {
    const ALL: [Op; 6] = [Op::Put, Op::Get, Op::Update, Op::Query, Op::Batch, Op::Tx];

    fn label(self) -> &'static str {
        match self {
            Op::Put => "put",
            Op::Get => "get (consistent)",
            Op::Update => "update + condition, ALL_NEW",
            Op::Query => "query, 100 items (CPU per item)",
            Op::Batch => "batch write, 1,000 items (CPU per item)",
            Op::Tx => "transaction, 10 actions",
        }
    }

    /// The operation named `name` in `BENCH_OPS`.
    fn named(name: &str) -> Result<Op> {
        Op::ALL
            .into_iter()
            .find(|op| format!("{op:?}").eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("BENCH_OPS: no operation `{name}` (put, get, update, query, batch, tx)").into())
    }

    /// The unit of the CPU figure: items for query and batch, else the operation.
    fn units(self) -> usize {
        match self {
            Op::Query => QUERY_ITEMS,
            Op::Batch => BATCH_ITEMS,
            _ => 1,
        }
    }

    /// Calls per task in one measurement.
    fn iterations(self, concurrency: usize, quick: bool) -> usize {
        let (one, many) = match (self, quick) {
            (Op::Put | Op::Get | Op::Update, false) => (1_000, 100),
            (Op::Query | Op::Tx, false) => (200, 20),
            (Op::Batch, false) => (8, 1),
            (Op::Put | Op::Get | Op::Update, true) => (50, 5),
            (Op::Query | Op::Tx, true) => (10, 2),
            (Op::Batch, true) => (1, 1),
        };
        if concurrency == 1 {
            one
        } else {
            many
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    Raw,
    Library,
}

const QUERY_ITEMS: usize = 100;
const BATCH_ITEMS: usize = 1_000;
const TX_PUTS: usize = 8;
const CONCURRENCIES: [usize; 2] = [1, 16];
const MAX_TASKS: usize = 16;

/// What one task's transaction writes and checks.
struct TxItems {
    puts: Vec<Order>,
    update: Order,
    check: Order,
}

/// The items each task works on (its own keys), and where.
struct Bench {
    db: Db,
    client: Client,
    table: String,
    put: Vec<Order>,
    get: Vec<Order>,
    update: Vec<Order>,
    query: Vec<Order>,
    batch: Vec<Vec<Order>>,
    tx: Vec<TxItems>,
    /// DynamoDB Local's process, whose CPU time the per-round lines show.
    server: Option<u32>,
}

impl Bench {
    /// The hand-written code uses `client` as it is; the library wraps it in a `Db`
    /// (whose tables carry `prefix`).
    fn new(client: Client, prefix: &str, server: Option<u32>) -> Self {
        let tasks = 0..MAX_TASKS as u64;
        let db = Db::new(client.clone()).with_table_prefix(prefix);
        let table = db.table_name::<Order>();
        let query = (0..QUERY_ITEMS as u64)
            .map(|i| Order { customer_id: QUERY_PARTITION.to_owned(), ..make_item(i) })
            .collect();
        Self {
            client,
            table,
            put: tasks.clone().map(|t| make_item(1_000_000 + t)).collect(),
            get: tasks.clone().map(|t| make_item(1_100_000 + t)).collect(),
            update: tasks.clone().map(|t| make_item(1_200_000 + t)).collect(),
            query,
            batch: tasks
                .clone()
                .map(|t| (0..BATCH_ITEMS as u64).map(|j| make_item(10_000_000 + t * 10_000 + j)).collect())
                .collect(),
            tx: tasks
                .map(|t| TxItems {
                    puts: (0..TX_PUTS as u64).map(|j| make_item(20_000_000 + t * 100 + j)).collect(),
                    update: make_item(1_300_000 + t),
                    check: make_item(1_100_000 + t),
                })
                .collect(),
            db,
            server,
        }
    }

    /// Creates the table and the items that gets, updates and queries read.
    async fn setup(&self) -> Result<()> {
        Order::create_table(&self.db).await?;
        let tx_targets = self.tx.iter().map(|tx| &tx.update);
        let items = self.get.iter().chain(&self.update).chain(tx_targets).chain(&self.query);
        Order::batch_put(&self.db, items).await?;
        Ok(())
    }

    /// One call of `op` by task `task`: the number of items it put, got or wrote.
    async fn once(&self, op: Op, side: Side, task: usize) -> Result<usize> {
        let (db, client, table) = (&self.db, &self.client, self.table.as_str());
        Ok(match (op, side) {
            (Op::Put, Side::Raw) => {
                hand_put(client, table, &self.put[task]).send().await?;
                1
            }
            (Op::Put, Side::Library) => {
                Order::put(db, &self.put[task]).await?;
                1
            }
            (Op::Get, Side::Raw) => {
                let output = hand_get(client, table, &self.get[task]).send().await?;
                output.item.map(hand_decode).transpose()?.map_or(0, |_| 1)
            }
            (Op::Get, Side::Library) => {
                let item = &self.get[task];
                Order::get(db, Order::key(item.customer_id.as_str(), item.order_id))
                    .consistent()
                    .await?
                    .map_or(0, |_| 1)
            }
            (Op::Update, Side::Raw) => {
                let output = hand_update(client, table, &self.update[task]).send().await?;
                hand_decode(output.attributes.unwrap_or_default())?;
                1
            }
            (Op::Update, Side::Library) => {
                lib_update(db, &self.update[task]).await?.into_item()?;
                1
            }
            (Op::Query, Side::Raw) => hand_query(client, table).await?.len(),
            (Op::Query, Side::Library) => Order::query(db, QUERY_PARTITION).await?.len(),
            (Op::Batch, Side::Raw) => hand_batch(client, table, &self.batch[task]).await?,
            (Op::Batch, Side::Library) => Order::batch_put(db, &self.batch[task]).await?.written,
            (Op::Tx, Side::Raw) => {
                hand_tx(client, table, &self.tx[task])?.send().await?;
                TX_PUTS + 2
            }
            (Op::Tx, Side::Library) => {
                lib_tx(db, &self.tx[task]).await?;
                TX_PUTS + 2
            }
        })
    }

    /// The items one call is expected to report.
    fn expected(op: Op) -> usize {
        match op {
            Op::Tx => TX_PUTS + 2,
            other => other.units(),
        }
    }

    /// `iterations` calls by each of `concurrency` tasks; the latency of every call.
    async fn task(&self, op: Op, side: Side, task: usize, iterations: usize) -> Result<Vec<Duration>> {
        let mut latencies = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            let items = self.once(op, side, task).await?;
            latencies.push(started.elapsed());
            if items != Self::expected(op) {
                return Err(format!("{op:?} ({side:?}): {items} items, not {}", Self::expected(op)).into());
            }
        }
        Ok(latencies)
    }

    async fn measure(&self, op: Op, side: Side, concurrency: usize, iterations: usize) -> Result<Sample> {
        let server_before = self.server.and_then(process_cpu);
        let cpu_before = thread_cpu();
        let started = Instant::now();
        let mut tasks: FuturesUnordered<_> =
            (0..concurrency).map(|task| self.task(op, side, task, iterations)).collect();
        let mut latencies = Vec::with_capacity(concurrency * iterations);
        while let Some(task) = tasks.next().await {
            latencies.extend(task?);
        }
        let cpu = thread_cpu().saturating_sub(cpu_before);
        let elapsed = started.elapsed();
        let server = self.server.and_then(process_cpu).zip(server_before).map(|(after, before)| after - before);
        latencies.sort_unstable();
        let units = (latencies.len() * op.units()) as f64;
        Ok(Sample {
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
            cpu_us: cpu.as_secs_f64() * 1e6 / units,
            server_us: server.map(|seconds| seconds * 1e6 / units),
            elapsed,
        })
    }
}

#[derive(Clone, Copy, Debug)]
struct Sample {
    p50: Duration,
    p99: Duration,
    /// Client thread CPU per operation (per item for query and batch), µs.
    cpu_us: f64,
    /// DynamoDB Local's CPU per operation (per item), µs, at 10 ms resolution.
    server_us: Option<f64>,
    elapsed: Duration,
}

/// The value at quantile `q` of sorted `values` (nearest rank).
fn percentile(values: &[Duration], q: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// CPU time (user + system) of a process so far, in seconds, from `/proc` (10 ms ticks).
fn process_cpu(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0) // USER_HZ
}

/// CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`, nanosecond resolution).
fn thread_cpu() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(now.tv_sec.max(0) as u64, now.tv_nsec.clamp(0, 999_999_999) as u32)
}

// ---------------------------------------------------------------------------------------
// Both sides do the same work.
// ---------------------------------------------------------------------------------------

fn same<T: PartialEq + std::fmt::Debug>(what: &str, library: &T, hand: &T) -> Result<()> {
    if library == hand {
        Ok(())
    } else {
        Err(format!("{what}: the library and the hand-written code differ\nlibrary: {library:?}\nhand:    {hand:?}")
            .into())
    }
}

/// The SDK inputs the library builds are the hand-built ones.
fn same_requests(bench: &Bench) -> Result<()> {
    let (db, client, table) = (&bench.db, &bench.client, bench.table.as_str());
    let order = &bench.put[0];
    same("put request", Order::put(db, order).request()?.as_input(), hand_put(client, table, order).as_input())?;
    let order = &bench.get[0];
    let get = Order::get(db, Order::key(order.customer_id.as_str(), order.order_id)).consistent();
    same("get request", get.request()?.as_input(), hand_get(client, table, order).as_input())?;
    let order = &bench.update[0];
    let update = lib_update(db, order).request()?;
    same("update request", update.as_input(), hand_update(client, table, order).as_input())?;
    let query = Order::query(db, QUERY_PARTITION).request()?;
    same("query request", query.as_input(), hand_query_page(client, table, None).as_input())?;
    for tx in &bench.tx {
        same("transaction request", lib_tx(db, tx).request()?.as_input(), hand_tx(client, table, tx)?.as_input())?;
    }
    // Every item a batch writes is encoded alike.
    for order in bench.batch.iter().flatten().chain(&bench.put).chain(&bench.query) {
        same("item", &Order::put(db, order).compile()?.item, &hand_item(order))?;
    }
    Ok(())
}

/// Run against the live tables, both sides read and write the same items.
async fn same_results(bench: &Bench, verify: &Bench) -> Result<()> {
    let (db, client, table) = (&bench.db, &bench.client, bench.table.as_str());
    // Get: the item stored, on both sides.
    let expected = &bench.get[0];
    let key = || Order::key(expected.customer_id.as_str(), expected.order_id);
    let library = Order::get(db, key()).consistent().await?;
    let hand = hand_get(client, table, expected).send().await?.item.map(hand_decode).transpose()?;
    same("get", &library, &Some(expected.clone()))?;
    same("get", &library, &hand)?;
    // Put: what one side writes, the other reads.
    let order = &bench.put[0];
    hand_put(client, table, order).send().await?;
    same("put by hand, read by the library", &Order::get(db, order.key()).consistent().await?, &Some(order.clone()))?;
    Order::put(db, order).await?;
    let read = hand_get(client, table, order).send().await?.item.map(hand_decode).transpose()?;
    same("put by the library, read by hand", &read, &Some(order.clone()))?;
    // Update: the same new item (the update is idempotent).
    let order = &bench.update[0];
    let hand = hand_decode(hand_update(client, table, order).send().await?.attributes.unwrap_or_default())?;
    let library = lib_update(db, order).await?.into_item()?;
    same("update", &library, &hand)?;
    same("update", &library, &updated(order))?;
    // Query: the 100 items of the partition.
    let hand = hand_query(client, table).await?;
    let library = Order::query(db, QUERY_PARTITION).await?;
    if library.len() != QUERY_ITEMS {
        return Err(format!("query: {} items, not {QUERY_ITEMS}", library.len()).into());
    }
    same("query", &library, &hand)?;
    same("query", &library, &bench.query)?;
    // Batch and transaction: each side on a fresh table, which holds what it should after.
    for side in [Side::Raw, Side::Library] {
        Order::create_table(&verify.db).await?;
        let written = verify.once(Op::Batch, side, 0).await?;
        let mut stored = Order::scan(&verify.db).await?;
        stored.sort_by_key(|order| order.order_id);
        if written != BATCH_ITEMS || stored != verify.batch[0] {
            return Err(format!("batch ({side:?}): {written} written, {} stored of {BATCH_ITEMS}", stored.len()).into());
        }
        Order::delete_table(&verify.db).await?;

        Order::create_table(&verify.db).await?;
        let tx = &verify.tx[0];
        Order::batch_put(&verify.db, [&tx.update, &tx.check]).await?;
        verify.once(Op::Tx, side, 0).await?;
        let mut stored = Order::scan(&verify.db).await?;
        stored.sort_by_key(|order| order.order_id);
        let mut expected: Vec<Order> = tx.puts.iter().cloned().chain([updated(&tx.update), tx.check.clone()]).collect();
        expected.sort_by_key(|order| order.order_id);
        same(&format!("transaction ({side:?}): the table after it"), &stored, &expected)?;
        Order::delete_table(&verify.db).await?;
    }
    Ok(())
}

/// Client CPU per call without the network, µs (best of 3 passes of `calls` calls): the
/// part of each operation that is building its request or decoding an item, the part
/// where the two sides' code differs. Hand-written first, then the library.
fn offline_cpu(bench: &Bench, calls: usize) -> Result<Vec<(&'static str, f64, f64)>> {
    let time = |f: &mut dyn FnMut(usize) -> Result<()>| best_of(calls, f);
    let (db, client, table) = (&bench.db, &bench.client, bench.table.as_str());
    let key = |order: &Order| Order::key(order.customer_id.as_str(), order.order_id);
    let stored: Vec<Item> = bench.query.iter().map(hand_item).collect();
    Ok(vec![
        (
            "put: the request",
            time(&mut |t| keep(hand_put(client, table, &bench.put[t])))?,
            time(&mut |t| keep(Order::put(db, &bench.put[t]).request()?))?,
        ),
        (
            "get: the request",
            time(&mut |t| keep(hand_get(client, table, &bench.get[t])))?,
            time(&mut |t| keep(Order::get(db, key(&bench.get[t])).consistent().request()?))?,
        ),
        (
            "update: the request",
            time(&mut |t| keep(hand_update(client, table, &bench.update[t])))?,
            time(&mut |t| keep(lib_update(db, &bench.update[t]).request()?))?,
        ),
        (
            "query: the request",
            time(&mut |_| keep(hand_query_page(client, table, None)))?,
            time(&mut |_| keep(Order::query(db, QUERY_PARTITION).request()?))?,
        ),
        (
            "decode one item (get, update, query)",
            time(&mut |t| keep(hand_decode(stored[t].clone())?))?,
            time(&mut |t| keep(Order::from_item(stored[t].clone())?))?,
        ),
        (
            "batch item: `WriteRequest` / `Order::put(..).compile()`",
            time(&mut |t| keep(write_request(&bench.batch[t][t])?))?,
            time(&mut |t| keep(Order::put(db, &bench.batch[t][t]).compile()?))?,
        ),
        (
            "transaction: the request",
            time(&mut |t| keep(hand_tx(client, table, &bench.tx[t])?))?,
            time(&mut |t| keep(lib_tx(db, &bench.tx[t]).request()?))?,
        ),
    ])
}

/// CPU per call of `f`, µs: the best of 3 passes of `calls` calls after one to warm up.
fn best_of(calls: usize, f: &mut dyn FnMut(usize) -> Result<()>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for pass in 0..4 {
        let started = thread_cpu();
        for i in 0..calls {
            f(i % MAX_TASKS)?;
        }
        if pass > 0 {
            best = best.min(thread_cpu().saturating_sub(started).as_secs_f64() * 1e6 / calls as f64);
        }
    }
    Ok(best)
}

/// Keeps the optimizer from dropping the work that made `value`, then drops it (freeing
/// is part of the cost).
fn keep<T>(value: T) -> Result<()> {
    drop(std::hint::black_box(value));
    Ok(())
}

/// The client a user makes for this DynamoDB Local: its endpoint, a region, and an
/// access key of this run's own (DynamoDB Local keeps tables apart per access key).
fn user_client(local: &DynamoDbLocal) -> Client {
    let access_key = format!("overhead{}", std::process::id());
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(local.endpoint())
        .credentials_provider(Credentials::new(access_key, "local", None, None, "overhead-bench"))
        .build();
    Client::from_conf(config)
}

// ---------------------------------------------------------------------------------------
// The machine.
// ---------------------------------------------------------------------------------------

/// Pins the calling thread (the client's runtime) to one core and DynamoDB Local (all
/// its threads) to another; says what it did.
fn pin(server_pid: Option<u32>) -> String {
    use rustix::thread::{sched_getaffinity, sched_setaffinity, CpuSet};
    let allowed = match sched_getaffinity(None) {
        Ok(set) => set,
        Err(err) => return format!("not pinned (sched_getaffinity: {err})"),
    };
    let cpus: Vec<usize> = (0..CpuSet::MAX_CPU).filter(|cpu| allowed.is_set(*cpu)).collect();
    let [server_cpu, client_cpu, ..] = cpus[..] else {
        return format!("not pinned ({} CPU allowed)", cpus.len());
    };
    let server = match server_pid {
        None => "DynamoDB Local not pinned (not started here)".to_owned(),
        Some(pid) => {
            let args = ["-a", "-p", "-c", &server_cpu.to_string(), &pid.to_string()];
            match std::process::Command::new("taskset").args(args).output() {
                Ok(output) if output.status.success() => format!("DynamoDB Local (pid {pid}) on CPU {server_cpu}"),
                Ok(output) => format!(
                    "DynamoDB Local NOT pinned (taskset {}: {})",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
                Err(err) => format!("DynamoDB Local NOT pinned (taskset: {err})"),
            }
        }
    };
    let mut set = CpuSet::new();
    set.set(client_cpu);
    let client = match sched_setaffinity(None, &set) {
        Ok(()) => format!("client thread on CPU {client_cpu}"),
        Err(err) => format!("client thread NOT pinned (sched_setaffinity: {err})"),
    };
    format!("{server}; {client}")
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|line| line.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, m)| m.trim()))
        .unwrap_or("unknown CPU")
        .to_owned();
    let count = info.lines().filter(|line| line.starts_with("processor")).count();
    format!("{model}, {count} logical CPUs in /proc/cpuinfo")
}

/// `/proc/loadavg`'s first three fields: other work on the machine skews the numbers.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn env_usize(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(value) => Ok(value.parse().map_err(|e| format!("{name}={value}: {e}"))?),
        Err(_) => Ok(default),
    }
}

fn latency(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.3} ms")
    } else if ms < 100.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

// ---------------------------------------------------------------------------------------

/// Every measurement of one round: each operation at each concurrency, both sides back to
/// back, the first side alternating.
async fn round(
    bench: &Bench,
    ops: &[Op],
    round: usize,
    quick: bool,
    record: bool,
    samples: &mut Samples,
) -> Result<()> {
    for (index, &op) in ops.iter().enumerate() {
        for concurrency in CONCURRENCIES {
            let iterations = op.iterations(concurrency, quick);
            let sides =
                if (round + index).is_multiple_of(2) { [Side::Raw, Side::Library] } else { [Side::Library, Side::Raw] };
            let mut line = format!("round {}: {:<40} c={concurrency:<2}", round + 1, op.label());
            for side in sides {
                let sample = bench.measure(op, side, concurrency, iterations).await?;
                line.push_str(&format!(
                    " | {:<7} p50 {:>10} p99 {:>10} CPU {:>7.2} µs, server {:>6.0} µs ({:.1?})",
                    format!("{side:?}"),
                    latency(sample.p50),
                    latency(sample.p99),
                    sample.cpu_us,
                    sample.server_us.unwrap_or(f64::NAN),
                    sample.elapsed
                ));
                if record {
                    samples.entry((op, concurrency, side)).or_default().push(sample);
                }
            }
            if record {
                println!("{line}");
            }
        }
    }
    Ok(())
}

type Samples = HashMap<(Op, usize, Side), Vec<Sample>>;

async fn bench() -> Result<()> {
    let run_started = Instant::now();
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let rounds = env_usize("BENCH_ROUNDS", if quick { 1 } else { 7 })?.max(1);
    let warmup = env_usize("BENCH_WARMUP", if quick { 0 } else { 1 })?;
    let ops = match std::env::var("BENCH_OPS") {
        Ok(names) => names.split(',').map(Op::named).collect::<Result<Vec<_>>>()?,
        Err(_) => Op::ALL.to_vec(),
    };

    println!("load average before: {}", load_average());
    let local = DynamoDbLocal::start().await?;
    println!("DynamoDB Local at {} (started in {:.1?})", local.endpoint(), run_started.elapsed());
    let cpus = num_cpus(); // before the pinning narrows what this thread may use
    let pinning = pin(local.pid());
    println!("pinning: {pinning}");

    // One client, as a user makes it: the hand-written code uses it, the library wraps it.
    let client = user_client(&local);
    let bench = Bench::new(client.clone(), "", local.pid());
    let verify = Bench::new(client, "verify_", None);
    bench.setup().await?;
    same_requests(&bench)?;
    same_results(&bench, &verify).await?;
    println!("checked: both sides send the same requests and read and write the same items");
    let offline = offline_cpu(&bench, if quick { 200 } else { 2_000 })?;

    let mut samples = Samples::new();
    let warm = Instant::now();
    for r in 0..warmup {
        round(&bench, &ops, r, quick, false, &mut samples).await?;
    }
    if warmup > 0 {
        println!("warm-up: {warmup} rounds in {:.1?}", warm.elapsed());
    }
    for r in 0..rounds {
        round(&bench, &ops, r, quick, true, &mut samples).await?;
    }

    let stat = |op: Op, concurrency: usize, side: Side, f: fn(&Sample) -> f64| -> f64 {
        median(samples.get(&(op, concurrency, side)).map(|s| s.iter().map(f).collect()).unwrap_or_default())
    };
    let p50 = |s: &Sample| s.p50.as_secs_f64();
    let p99 = |s: &Sample| s.p99.as_secs_f64();
    let cpu = |s: &Sample| s.cpu_us;
    let ms = |seconds: f64| latency(Duration::from_secs_f64(seconds));
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };

    println!();
    println!("Machine: {}; {cpus} CPUs available to this process", cpu_model());
    println!("Pinning: {pinning}");
    println!(
        "{} ({} rounds after {warmup} warm-up rounds; medians over rounds of each round's p50, p99 and client CPU)",
        if quick { "QUICK MODE, not a measurement" } else { "Full run" },
        rounds
    );
    println!();
    println!("| op | concurrency | raw p50 / p99 | library p50 / p99 | p50 ratio | raw CPU µs/op | library CPU µs/op | difference | difference per round (min … max) | targets (CPU ≤ raw + 2 µs; p50 ≤ 1.05×) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for &op in &ops {
        for concurrency in CONCURRENCIES {
            let (raw50, lib50) = (stat(op, concurrency, Side::Raw, p50), stat(op, concurrency, Side::Library, p50));
            let (raw99, lib99) = (stat(op, concurrency, Side::Raw, p99), stat(op, concurrency, Side::Library, p99));
            let (raw_cpu, lib_cpu) = (stat(op, concurrency, Side::Raw, cpu), stat(op, concurrency, Side::Library, cpu));
            let ratio = lib50 / raw50;
            let difference = lib_cpu - raw_cpu;
            // Both sides ran back to back in every round: the spread of their differences
            // shows how much of the difference is noise.
            let rounds_of = |side| samples.get(&(op, concurrency, side)).map(Vec::as_slice).unwrap_or_default();
            let paired: Vec<f64> = rounds_of(Side::Library)
                .iter()
                .zip(rounds_of(Side::Raw))
                .map(|(library, raw)| library.cpu_us - raw.cpu_us)
                .collect();
            let low = paired.iter().copied().fold(f64::INFINITY, f64::min);
            let high = paired.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            println!(
                "| {} | {concurrency} | {} / {} | {} / {} | {ratio:.3} | {raw_cpu:.2} | {lib_cpu:.2} | {difference:+.2} | {low:+.1} … {high:+.1} | CPU {}; p50 {} |",
                op.label(),
                ms(raw50),
                ms(raw99),
                ms(lib50),
                ms(lib99),
                verdict(difference <= 2.0),
                verdict(ratio <= 1.05),
            );
        }
    }
    println!();
    println!("Client CPU per call without the network (best of 3 passes), µs:");
    println!();
    println!("| part of the operation | hand-written | library | difference |");
    println!("|---|---:|---:|---:|");
    for (what, hand, library) in offline {
        println!("| {what} | {hand:.2} | {library:.2} | {:+.2} |", library - hand);
    }
    println!();
    println!(
        "Iterations per task (concurrency 1 / 16): {}",
        ops.iter()
            .map(|op| format!("{} {}/{}", op.label(), op.iterations(1, quick), op.iterations(16, quick)))
            .collect::<Vec<_>>()
            .join("; ")
    );
    println!("total run time: {:.1?}; load average after: {}", run_started.elapsed(), load_average());
    Ok(())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

fn main() -> Result<()> {
    if !std::env::args().skip(1).any(|arg| arg == "--bench") {
        // Built and run by `cargo test --benches`: the benchmark needs `cargo bench`.
        println!("overhead: skipped (run it with `cargo bench --bench overhead`)");
        return Ok(());
    }
    // One thread does all of the client's work, so its CPU clock measures it all.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(bench())
}
