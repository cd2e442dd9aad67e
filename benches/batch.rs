//! Batch-write throughput and memory against a live DynamoDB Local.
//!
//! ```sh
//! cargo bench --bench batch
//! ```
//!
//! One DynamoDB Local, started by the library's own launcher (or the one named by
//! `AWS_ENDPOINT_URL_DYNAMODB`), serves every measurement; each measurement writes into a
//! table of its own, in a namespace of its own, deleted afterwards. After a warm-up (the
//! JVM of DynamoDB Local compiles its hot paths during the first thousands of requests),
//! each variant runs `BENCH_ROUNDS` (7) times, interleaved, and the median is reported:
//!
//! 1. `Order::batch_put` of `BENCH_ITEMS` (10,000) items (default concurrency);
//! 2. `Order::put` one after another over the first `BENCH_SEQUENTIAL` (2,000) items, as items/s;
//! 3. hand-written `BatchWriteItem` with the raw SDK client: attribute maps built by hand,
//!    requests of 25, the same concurrency, unprocessed items retried: the baseline.
//!
//! Then the peak memory of `batch_put` of `BENCH_MEMORY_ITEMS` (200,000) items from a lazy iterator,
//! measured in a child process (this binary run again with `--memory`) from `VmHWM` in
//! `/proc/self/status`, before the batch (runtime, SDK client, one table) and after it.
//!
//! Built but not run by `cargo test --benches` / `cargo build --all-targets`: without the
//! `--bench` argument that `cargo bench` passes, it exits at once.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, Select, WriteRequest};
use aws_sdk_dynamodb::Client;
use dynamo_model::batch::{DEFAULT_CONCURRENCY, MAX_BATCH_WRITES};
use dynamo_model::local::DynamoDbLocal;
use dynamo_model::{Db, Document, Model};
use futures::stream::{self, StreamExt, TryStreamExt};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;

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

/// The item as hand-written code would build it: no library, same attributes and values.
fn hand_item(order: &Order) -> HashMap<String, AttributeValue> {
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

/// The baseline: concurrent `BatchWriteItem` with the raw SDK client.
async fn hand_written(client: &Client, table: &str, items: &[Order], concurrency: usize) -> Result<usize> {
    stream::iter(items.chunks(MAX_BATCH_WRITES))
        .map(|chunk| write_chunk(client, table, chunk))
        .buffer_unordered(concurrency)
        .try_fold(0, |total, written| async move { Ok(total + written) })
        .await
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    BatchPut,
    HandWritten,
    Sequential,
}

impl Variant {
    fn label(self) -> &'static str {
        match self {
            Variant::BatchPut => "batch_put",
            Variant::HandWritten => "hand-written",
            Variant::Sequential => "sequential put",
        }
    }
}

/// Items stored in the model's table, counted by a scan.
async fn count(db: &Db) -> Result<usize> {
    let table = db.table_name::<Order>();
    let mut total = 0;
    let mut start = None;
    loop {
        let page =
            db.client().scan().table_name(&table).select(Select::Count).set_exclusive_start_key(start).send().await?;
        total += page.count as usize;
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(total);
        }
    }
}

/// CPU time (user + system) of a process so far, in seconds: this one, or the one with
/// this id; `None` where `/proc` does not tell.
fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0) // USER_HZ
}

/// One measurement: wall time, and the CPU time this process and DynamoDB Local spent.
#[derive(Clone, Copy, Debug)]
struct Sample {
    elapsed: Duration,
    client_cpu: f64,
    server_cpu: Option<f64>,
}

/// Writes `items` with one variant into a fresh table in a fresh namespace; checks that
/// all were stored; returns the time and CPU the writes took.
async fn measure(local: &DynamoDbLocal, variant: Variant, items: &[Order]) -> Result<Sample> {
    let db = local.isolated_db();
    Order::create_table(&db).await?;
    let (client_before, server_before) = (cpu_seconds(None), local.pid().and_then(|pid| cpu_seconds(Some(pid))));
    let started = Instant::now();
    let written = match variant {
        Variant::BatchPut => Order::batch_put(&db, items).await?.written,
        Variant::HandWritten => {
            hand_written(db.client(), &db.table_name::<Order>(), items, DEFAULT_CONCURRENCY).await?
        }
        Variant::Sequential => {
            for item in items {
                Order::put(&db, item).await?;
            }
            items.len()
        }
    };
    let elapsed = started.elapsed();
    let client_cpu = cpu_seconds(None).zip(client_before).map_or(0.0, |(after, before)| after - before);
    let server_cpu = local.pid().and_then(|pid| cpu_seconds(Some(pid))).zip(server_before).map(|(a, b)| a - b);
    let stored = count(&db).await?;
    if written != items.len() || stored != items.len() {
        return Err(format!("{}: {written} written, {stored} stored of {}", variant.label(), items.len()).into());
    }
    Order::delete_table(&db).await?;
    Ok(Sample { elapsed, client_cpu, server_cpu })
}

fn rate(items: usize, elapsed: Duration) -> f64 {
    items as f64 / elapsed.as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn env_usize(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(value) => Ok(value.parse().map_err(|e| format!("{name}={value}: {e}"))?),
        Err(_) => Ok(default),
    }
}

/// A field of `/proc/self/status` in kB, such as `VmHWM`.
fn proc_status_kb(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')))
        .ok_or_else(|| format!("no {field} in /proc/self/status"))?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}

/// `/proc/loadavg`'s first three fields: other work on the machine skews the numbers.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// CPU cost per item without the network: the hand-built map, the library's encoding
/// (`to_item`) and a put's full compile (validate, encode, check, decode back).
fn cpu_per_item(db: &Db, items: &[Order]) -> Result<[(&'static str, f64); 3]> {
    let time = |f: &mut dyn FnMut() -> Result<usize>| -> Result<f64> {
        f()?; // warm
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let started = Instant::now();
            let n = f()?;
            best = best.min(started.elapsed().as_secs_f64() * 1e6 / n as f64);
        }
        Ok(best)
    };
    let hand = time(&mut || {
        let mut n = 0;
        for item in items {
            std::hint::black_box(write_request(item)?);
            n += 1;
        }
        Ok(n)
    })?;
    let encode = time(&mut || {
        let mut n = 0;
        for item in items {
            std::hint::black_box(item.to_item()?);
            n += 1;
        }
        Ok(n)
    })?;
    let compile = time(&mut || {
        let mut n = 0;
        for item in items {
            std::hint::black_box(Order::put(db, item).compile()?);
            n += 1;
        }
        Ok(n)
    })?;
    Ok([("hand-built WriteRequest", hand), ("Order::to_item", encode), ("Order::put(..).compile()", compile)])
}

/// The child process: peak memory of one `batch_put` from a lazy iterator.
async fn memory_child(items: usize) -> Result<()> {
    let local = DynamoDbLocal::start().await?;
    let db = local.isolated_db();
    Order::create_table(&db).await?;
    let baseline = proc_status_kb("VmHWM")?;
    let started = Instant::now();
    let written = Order::batch_put(&db, (0..items as u64).map(make_item)).await?.written;
    let elapsed = started.elapsed();
    let peak = proc_status_kb("VmHWM")?;
    let rss = proc_status_kb("VmRSS")?;
    if written != items {
        return Err(format!("memory run: {written} of {items} written").into());
    }
    // DynamoDB Local counts a table's items exactly in `DescribeTable` (AWS updates the
    // count only every few hours); a `Scan` of 200,000 items there takes minutes.
    let table = db.client().describe_table().table_name(db.table_name::<Order>()).send().await?.table;
    let stored = table.and_then(|table| table.item_count).unwrap_or(-1);
    if stored != items as i64 {
        return Err(format!("memory run: {stored} of {items} stored").into());
    }
    println!(
        "MEMORY baseline_kb={baseline} peak_kb={peak} rss_kb={rss} written={written} secs={}",
        elapsed.as_secs_f64()
    );
    Ok(())
}

/// Runs this binary again with `--memory` against the same DynamoDB Local.
fn memory_run(endpoint: &str, items: usize) -> Result<(u64, u64, f64)> {
    let output = std::process::Command::new(std::env::current_exe()?)
        .arg("--memory")
        .env(dynamo_model::local::ENDPOINT_VAR, endpoint)
        .env("BENCH_MEMORY_ITEMS", items.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("the memory run failed ({}): {stdout}", output.status).into());
    }
    let line = stdout.lines().find_map(|line| line.strip_prefix("MEMORY ")).ok_or("no MEMORY line")?;
    let field = |name: &str| -> Result<String> {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
            .map(str::to_owned)
            .ok_or_else(|| format!("no {name} in `{line}`").into())
    };
    Ok((field("baseline_kb")?.parse()?, field("peak_kb")?.parse()?, field("secs")?.parse()?))
}

async fn bench() -> Result<()> {
    let run_started = Instant::now();
    let n = env_usize("BENCH_ITEMS", 10_000)?;
    let sequential_n = env_usize("BENCH_SEQUENTIAL", 2_000)?.min(n);
    let rounds = env_usize("BENCH_ROUNDS", 7)?.max(1);
    let memory_items = env_usize("BENCH_MEMORY_ITEMS", 200_000)?;

    println!("load average before: {}", load_average());
    let local = DynamoDbLocal::start().await?;
    println!("DynamoDB Local at {} (started in {:.1?})", local.endpoint(), run_started.elapsed());
    let items: Vec<Order> = (0..n as u64).map(make_item).collect();
    let sequential_items = &items[..sequential_n];

    // Warm-up: the JVM of DynamoDB Local compiles its hot paths in the first requests.
    let warm = Instant::now();
    for variant in [Variant::BatchPut, Variant::HandWritten, Variant::BatchPut, Variant::HandWritten] {
        measure(&local, variant, &items).await?;
    }
    measure(&local, Variant::Sequential, &items[..sequential_n.min(500)]).await?;
    println!("warm-up: {:.1?}", warm.elapsed());
    let cpu = cpu_per_item(&local.isolated_db(), &items)?;
    // Every variant stores the same data: the library's item is the hand-built one.
    let db = local.isolated_db();
    for item in &items {
        let compiled = Order::put(&db, item).compile()?.item;
        if compiled != hand_item(item) {
            return Err(format!("the library stores {compiled:?}, the hand-written code {:?}", hand_item(item)).into());
        }
    }

    let mut samples: HashMap<&'static str, Vec<(f64, f64)>> = HashMap::new();
    for round in 0..rounds {
        // Alternate which batch variant goes first, so neither always follows the other.
        let order = if round % 2 == 0 {
            [Variant::BatchPut, Variant::HandWritten, Variant::Sequential]
        } else {
            [Variant::HandWritten, Variant::BatchPut, Variant::Sequential]
        };
        for variant in order {
            let batch = if variant == Variant::Sequential { sequential_items } else { &items[..] };
            let sample = measure(&local, variant, batch).await?;
            let items_per_s = rate(batch.len(), sample.elapsed);
            let per_item = |seconds: f64| seconds * 1e6 / batch.len() as f64;
            println!(
                "round {}: {:<15} {:>6} items in {:>6.3} s = {:>5.0} items/s; CPU µs/item: bench {:>5.1}, DynamoDB Local {:>6.1}",
                round + 1,
                variant.label(),
                batch.len(),
                sample.elapsed.as_secs_f64(),
                items_per_s,
                per_item(sample.client_cpu),
                per_item(sample.server_cpu.unwrap_or(f64::NAN)),
            );
            samples.entry(variant.label()).or_default().push((items_per_s, per_item(sample.client_cpu)));
        }
    }
    let rates = |variant: Variant| samples.get(variant.label()).map(|s| s.iter().map(|s| s.0).collect::<Vec<_>>());
    let client_cpu = |variant: Variant| median(samples[variant.label()].iter().map(|s| s.1).collect());
    let batch_put = median(rates(Variant::BatchPut).unwrap_or_default());
    let hand = median(rates(Variant::HandWritten).unwrap_or_default());
    let sequential = median(rates(Variant::Sequential).unwrap_or_default());
    // The same ratio taken round by round (each pair ran back to back), as a check on noise.
    let paired = median(
        rates(Variant::BatchPut)
            .unwrap_or_default()
            .iter()
            .zip(rates(Variant::HandWritten).unwrap_or_default())
            .map(|(library, hand)| library / hand * 100.0)
            .collect(),
    );
    println!("rounds done: {:.1?}", run_started.elapsed());

    println!("memory: batch_put of {memory_items} items from a lazy iterator, in a child process ...");
    let (baseline_kb, peak_kb, memory_secs) = memory_run(local.endpoint(), memory_items)?;

    let speedup = batch_put / sequential;
    let share = batch_put / hand * 100.0;
    let peak_mb = mib(peak_kb);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!();
    println!("CPU per item, no network (best of 3 passes over {n} items, µs/item):");
    for (what, micros) in cpu {
        println!("  {what:<26} {micros:>7.2}");
    }
    println!();
    println!(
        "Batch writes to DynamoDB Local ({} CPUs, concurrency {DEFAULT_CONCURRENCY}, median of {rounds} rounds, {} items per batch run):",
        std::thread::available_parallelism().map(usize::from).unwrap_or(1),
        n
    );
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!("| `Order::batch_put`, {n} items | {batch_put:.0} items/s |");
    println!("| hand-written `BatchWriteItem` (raw SDK, 25 per request, {DEFAULT_CONCURRENCY} in flight) | {hand:.0} items/s |");
    println!("| `Order::put` one after another ({sequential_n} items) | {sequential:.0} items/s |");
    println!("| batch_put / sequential put | {speedup:.1}× (target ≥ 3×: {}) |", verdict(speedup >= 3.0));
    println!(
        "| batch_put / hand-written | {share:.1} % (target ≥ 90 %: {}; median of per-round ratios {paired:.1} %) |",
        verdict(share >= 90.0)
    );
    println!(
        "| bench-process CPU per item written (median) | batch_put {:.1} µs, hand-written {:.1} µs, sequential put {:.1} µs |",
        client_cpu(Variant::BatchPut),
        client_cpu(Variant::HandWritten),
        client_cpu(Variant::Sequential)
    );
    println!(
        "| peak memory (VmHWM), batch_put of {memory_items} items from an iterator | {peak_mb:.1} MiB = {:.1} MB ({:.1} MiB before the batch; {:.0} items/s) (target < 64 MB: {}) |",
        peak_kb as f64 * 1024.0 / 1e6,
        mib(baseline_kb),
        memory_items as f64 / memory_secs,
        verdict(peak_kb * 1024 < 64_000_000)
    );
    println!();
    println!("total run time: {:.1?}; load average after: {}", run_started.elapsed(), load_average());
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let memory = args.iter().any(|arg| arg == "--memory");
    if !memory && !args.iter().any(|arg| arg == "--bench") {
        // Built and run by `cargo test --benches`: the benchmark needs `cargo bench`.
        println!("batch: skipped (run it with `cargo bench --bench batch`)");
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if memory {
        runtime.block_on(memory_child(env_usize("BENCH_MEMORY_ITEMS", 200_000)?))
    } else {
        runtime.block_on(bench())
    }
}
