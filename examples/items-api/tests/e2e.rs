//! The whole flow on DynamoDB Local: `cargo run -p items-api`'s binary serving HTTP, its
//! local stream runner delivering every change, and the counts equal to a recount.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dynamo_model::{Db, Model};
use items_api::{counts, local_stream, CategoryCount, Item};
use serde_json::json;

use crate::common::{client, env, local};

/// The binary, stopped (by its PID) when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Counts from the counter items, and from a scan of the items themselves.
async fn counted_and_recounted(db: &Db) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let counted = CategoryCount::scan(db).consistent().await.expect("a scan of counts");
    let counted = counted.into_iter().filter(|c| c.count != 0).map(|c| (c.category, c.count)).collect();
    let mut recount = BTreeMap::new();
    for item in Item::scan(db).consistent().await.expect("a scan of items") {
        *recount.entry(item.category).or_insert(0) += 1;
    }
    (counted, recount)
}

/// Waits until the stream handler has caught up: the counts equal the recount.
async fn settled(db: &Db) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (counted, recount) = counted_and_recounted(db).await;
        if counted == recount || Instant::now() > deadline {
            return (counted, recount);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_binary_serves_http_and_its_stream_runner_keeps_counts() {
    let local = local().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_items-api"))
        .env("AWS_ENDPOINT_URL_DYNAMODB", local.endpoint())
        .env("PORT", "0")
        .env_remove("ITEMS_API_TOKEN")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("its output");
    let server = Server(child);
    let base = tokio::task::spawn_blocking(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("a line");
            if let Some(url) = line.strip_prefix("listening on ") {
                return url.to_owned();
            }
        }
        panic!("the binary ended without listening");
    })
    .await
    .expect("its output is read");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let http = client();
    let categories = ["books", "games", "music"];
    for i in 0..30 {
        let item = json!({"id": format!("i{i:02}"), "name": format!("item {i}"), "category": categories[i % 3],
                          "price_cents": 100 + i});
        let response = http.post(format!("{base}/items")).json(&item).send().await.expect("an answer");
        assert_eq!(response.status(), 201);
    }
    // Category moves, other changes, and deletes.
    for i in (0..30).step_by(3) {
        let response = http
            .patch(format!("{base}/items/i{i:02}"))
            .header("If-Match", "\"1\"")
            .json(&json!({"category": "games", "price_cents": 1}))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 200);
    }
    for i in (1..30).step_by(4) {
        let response = http
            .patch(format!("{base}/items/i{i:02}"))
            .header("If-Match", "*")
            .json(&json!({"name": "renamed"}))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 200);
    }
    for i in (2..30).step_by(5) {
        let response = http.delete(format!("{base}/items/i{i:02}")).send().await.expect("an answer");
        assert_eq!(response.status(), 204);
    }

    // The binary's tables are under its own access key.
    let db = local.db_with_access_key("itemsapi");
    let (counted, recount) = settled(&db).await;
    assert_eq!(counted, recount);
    assert_eq!(recount.values().sum::<i64>(), 30 - 6);
    assert_eq!(recount.get("books"), None, "every book moved to games or was deleted");
    drop(server);
}

#[tokio::test]
async fn the_local_runner_retries_from_a_failed_record_as_lambda_does() {
    let env = env().await;
    let db = env.db.clone();
    let streams = local_stream::client(&env.endpoint, &env.access_key);
    for i in 0..12 {
        let item = Item {
            id: format!("r{i}"),
            name: "n".into(),
            category: if i % 2 == 0 { "even".into() } else { "odd".into() },
            price_cents: 1,
            tags: vec![],
            version: 0,
            created_at: 0,
            updated_at: 0,
        };
        Item::put(&db, &item).await.expect("a put");
    }
    Item::delete(&db, Item::key("r0")).await.expect("a delete");

    // A handler that fails the first time it sees item r5's record: the runner hands
    // the batch again from that record, as Lambda does with a batch item failure.
    let deliveries: Arc<Mutex<Vec<String>>> = Arc::default();
    let failed_once = Arc::new(Mutex::new(false));
    let table = db.table_name::<Item>();
    let runner = {
        let db = db.clone();
        let deliveries = deliveries.clone();
        tokio::spawn(async move {
            let handler = |event: dynamo_model::stream::StreamEvent| {
                let db = db.clone();
                let deliveries = deliveries.clone();
                let failed_once = failed_once.clone();
                async move {
                    let mut processed = counts::handle(&db, &event).await;
                    for record in &event.records {
                        // The item's records (sort key `ITEM`), not the counts' and markers'.
                        let key = |name| record.change.keys.get(name).map(|value| format!("{value:?}"));
                        if key("sk").as_deref() != Some("S(\"ITEM\")") {
                            continue;
                        }
                        let id = key("pk").unwrap_or_default();
                        deliveries.lock().expect("a lock").push(id.clone());
                        let mut failed = failed_once.lock().expect("a lock");
                        if id.contains("ITEM#r5") && !*failed {
                            *failed = true;
                            let mut failure = dynamo_model::stream::DynamoDbBatchItemFailure::default();
                            failure.item_identifier = record.change.sequence_number.clone();
                            processed.response.batch_item_failures = vec![failure];
                            break;
                        }
                    }
                    processed.response
                }
            };
            local_stream::run(&streams, &db, &table, 5, handler).await
        })
    };
    let (counted, recount) = settled(&db).await;
    runner.abort();
    assert_eq!(counted, recount);
    assert_eq!(recount, BTreeMap::from([("even".to_owned(), 5), ("odd".to_owned(), 6)]));
    let deliveries = deliveries.lock().expect("a lock");
    let r5 = deliveries.iter().filter(|id| id.contains("ITEM#r5")).count();
    assert_eq!(r5, 2, "r5's record came again after its failure: {deliveries:?}");
}
