//! Load run of the items API on one machine: 16 concurrent clients send 10,000 mixed
//! requests (create, read, list, change, delete) over HTTP to the API served on
//! 127.0.0.1, on DynamoDB Local, with the local stream runner keeping counts.
//! Afterwards a scan checks that exactly the items created and not deleted are there,
//! and that the counts equal a recount.
//!
//! ```text
//! cargo bench -p items-api --bench load                        # 16 clients, 10,000 requests
//! cargo bench -p items-api --bench load -- --clients 4 --requests 2000
//! cargo bench -p items-api --bench load -- --stream-after   # the stream runner after the clients
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use dynamo_model::cursor::CursorKey;
use dynamo_model::local::DynamoDbLocal;
use dynamo_model::{Db, Model, Table};
use items_api::api::{self, ApiConfig};
use items_api::{counts, local_stream, CategoryCount, Item};
use serde_json::{json, Value};

static CLIENTS_DONE: AtomicBool = AtomicBool::new(false);

const CATEGORIES: [&str; 4] = ["books", "games", "music", "tools"];

#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    statuses: BTreeMap<u16, usize>,
    /// Ids created and not deleted, as this client saw them answered.
    live: BTreeSet<String>,
    /// Answers other than the one expected.
    unexpected: Vec<String>,
}

/// A small deterministic generator: each client's mix is the same from run to run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What one request does, and to which of the client's items.
enum Op {
    Create(String),
    Read,
    List,
    Patch(usize),
    Delete(usize),
}

async fn client_run(base: String, client: usize, requests: usize) -> Tally {
    let http = reqwest::Client::new();
    let mut tally = Tally::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (client as u64 + 1));
    // This client's live items and their versions: only it writes them, so every
    // version it sends is current, and every status but the expected one is a defect.
    let mut mine: Vec<(String, u64)> = Vec::new();
    let mut next_id = 0;
    for _ in 0..requests {
        let roll = rng.below(100);
        let pick = |rng: &mut Rng, mine: &Vec<(String, u64)>| rng.below(mine.len() as u64) as usize;
        let op = if mine.is_empty() || roll < 30 {
            next_id += 1;
            Op::Create(format!("c{client:02}-{next_id:05}"))
        } else if roll < 65 {
            Op::Read
        } else if roll < 75 {
            Op::List
        } else if roll < 92 {
            Op::Patch(pick(&mut rng, &mine))
        } else {
            Op::Delete(pick(&mut rng, &mine))
        };
        let (route, expected, request) = match &op {
            Op::Create(id) => {
                let body = json!({"id": id, "name": format!("item {id}"), "category": CATEGORIES[rng.below(4) as usize],
                                  "price_cents": rng.below(100_000), "tags": ["load"]});
                ("POST /items", 201, http.post(format!("{base}/items")).json(&body))
            }
            Op::Read => {
                let (id, _) = &mine[pick(&mut rng, &mine)];
                ("GET /items/{id}", 200, http.get(format!("{base}/items/{id}")))
            }
            Op::List => {
                let category = CATEGORIES[rng.below(4) as usize];
                let request = http.get(format!("{base}/items")).query(&[("category", category), ("limit", "20")]);
                ("GET /items?category", 200, request)
            }
            Op::Patch(index) => {
                let (id, version) = &mine[*index];
                let body = json!({"category": CATEGORIES[rng.below(4) as usize], "price_cents": rng.below(1000)});
                let request =
                    http.patch(format!("{base}/items/{id}")).header("If-Match", format!("\"{version}\"")).json(&body);
                ("PATCH /items/{id}", 200, request)
            }
            Op::Delete(index) => ("DELETE /items/{id}", 204, http.delete(format!("{base}/items/{}", mine[*index].0))),
        };
        let start = Instant::now();
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        tally.latencies.entry(route).or_default().push(start.elapsed());
        *tally.statuses.entry(status).or_default() += 1;
        if status != expected {
            tally.unexpected.push(format!("{route}: {status} {body}"));
            continue;
        }
        match op {
            Op::Create(id) => mine.push((id, 1)),
            Op::Patch(index) => mine[index].1 = body["version"].as_u64().expect("a version"),
            Op::Delete(index) => {
                mine.swap_remove(index);
            }
            Op::Read | Op::List => {}
        }
    }
    tally.live = mine.into_iter().map(|(id, _)| id).collect();
    tally
}

/// Waits (up to a minute) until the stream handler's counts equal a recount by scan.
async fn settled(db: &Db) -> dynamo_model::Result<(BTreeMap<String, i64>, BTreeMap<String, i64>)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let counted: BTreeMap<String, i64> = CategoryCount::scan(db)
            .consistent()
            .await?
            .into_iter()
            .filter(|c| c.count != 0)
            .map(|c| (c.category, c.count))
            .collect();
        let mut recount = BTreeMap::new();
        for item in Item::scan(db).consistent().await? {
            *recount.entry(item.category).or_insert(0) += 1;
        }
        if counted == recount || Instant::now() > deadline {
            return Ok((counted, recount));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let clients = arg("--clients", 16);
    let requests = arg("--requests", 10_000);
    let local = DynamoDbLocal::start().await?;
    let access_key = "itemsload";
    let db = local.db_with_access_key(access_key).with_cursor_key(CursorKey::generate());
    if items_api::ItemsTable::table_exists(&db).await? {
        items_api::ItemsTable::delete_table(&db).await?;
    }
    items_api::ensure_table(&db).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = api::router(db.clone(), &ApiConfig::default());
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, router).await });
    let streams = local_stream::client(local.endpoint(), access_key);
    let stream_db = db.clone();
    let table = db.table_name::<Item>();
    let runner = tokio::spawn(async move {
        // `--stream-after`: the stream runner starts once the clients are done, so the
        // latencies are the API's alone; it then catches up from the stream's start.
        while std::env::args().any(|a| a == "--stream-after") && !CLIENTS_DONE.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let handler = |event| {
            let db = stream_db.clone();
            async move { counts::handle(&db, &event).await.response }
        };
        local_stream::run(&streams, &stream_db.clone(), &table, 100, handler).await
    });

    println!("load: {clients} clients, {requests} requests, API at {base}, DynamoDB Local at {}", local.endpoint());
    let started = Instant::now();
    let per_client = requests / clients;
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            tokio::spawn(client_run(base.clone(), client, per_client + usize::from(client < requests % clients)))
        })
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let tally = task.await?;
        for (route, latencies) in tally.latencies {
            all.latencies.entry(route).or_default().extend(latencies);
        }
        for (status, n) in tally.statuses {
            *all.statuses.entry(status).or_default() += n;
        }
        all.live.extend(tally.live);
        all.unexpected.extend(tally.unexpected);
    }
    let elapsed = started.elapsed();
    CLIENTS_DONE.store(true, Ordering::Release);
    let total: usize = all.statuses.values().sum();
    println!();
    println!("| route | requests | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    let mut every: Vec<Duration> = Vec::new();
    for (route, latencies) in &mut all.latencies {
        latencies.sort();
        println!(
            "| `{route}` | {} | {} | {} |",
            latencies.len(),
            ms(percentile(latencies, 0.5)),
            ms(percentile(latencies, 0.99))
        );
        every.extend(latencies.iter().copied());
    }
    every.sort();
    println!("| all | {total} | {} | {} |", ms(percentile(&every, 0.5)), ms(percentile(&every, 0.99)));
    println!();
    println!(
        "{total} requests in {:.2} s: {:.0} requests/s; statuses {:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        all.statuses
    );

    // Checks: no 5xx, no answer but the expected one, and exactly the live items stored.
    let server_errors: usize = all.statuses.iter().filter(|(status, _)| **status >= 500).map(|(_, n)| n).sum();
    let stored: Vec<String> = Item::scan(&db).consistent().await?.into_iter().map(|item| item.id).collect();
    let stored_set: BTreeSet<String> = stored.iter().cloned().collect();
    let lost = all.live.difference(&stored_set).count();
    let extra = stored_set.difference(&all.live).count();
    let duplicated = stored.len() - stored_set.len();
    println!("5xx: {server_errors}; unexpected answers: {}; items stored: {}; lost: {lost}; not deleted or never created: {extra}; duplicated: {duplicated}", all.unexpected.len(), stored.len());
    for line in all.unexpected.iter().take(10) {
        println!("  unexpected: {line}");
    }
    let (counted, recount) = settled(&db).await?;
    println!("category counts from the stream: {counted:?}; recount by scan: {recount:?}");
    runner.abort();
    let ok = server_errors == 0
        && all.unexpected.is_empty()
        && lost == 0
        && extra == 0
        && duplicated == 0
        && counted == recount;
    if !ok {
        return Err("the load run found a defect (see above)".into());
    }
    println!("ok: no 5xx, no lost or extra item, counts equal the recount");
    Ok(())
}
