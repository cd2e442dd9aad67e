//! Tracing without leaks: every request is a `dynamodb` span on the one send path, and
//! nothing a user writes (values, keys, expression values), no error message, and no
//! credential appears in any span or event, the SDK's own included, at every level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use dynamo_model::{Db, Error, Model};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;

/// A value that must appear in no trace: in keys, attributes, conditions, filters.
const SECRET: &str = "SeCrEt-7f3a9c";
/// The client's secret access key: no credential may be logged either.
const SECRET_KEY: &str = "KeY-5b1e0d-never-logged";

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "vault", gsi(name = "by_owner", hash = owner))]
struct Entry {
    #[dynamo(hash_key)]
    id: String,
    owner: String,
    note: String,
    #[dynamo(validate(len(max = 40)))]
    label: String,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the capture").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("the capture")).into_owned()
    }
}

/// A client on the shared DynamoDB Local with credentials of its own (DynamoDB Local
/// keeps tables apart per access key).
fn db(access_key: &str) -> Db {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url(crate::common::local().endpoint())
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(access_key, SECRET_KEY, None, None, "test"))
        .build();
    Db::new(aws_sdk_dynamodb::Client::from_conf(config))
}

fn entry(id: &str) -> Entry {
    Entry { id: id.into(), owner: SECRET.into(), note: format!("note {SECRET}"), label: "l".into() }
}

/// Every kind of operation, each carrying the secret in a key, a value, a condition or
/// a filter, some failing on purpose.
async fn every_operation(db: &Db) -> Result<(), Error> {
    if Entry::table_exists(db).await? {
        Entry::delete_table(db).await?;
    }
    Entry::create_table(db).await?;
    let secret_id = format!("id-{SECRET}");
    Entry::put(db, &entry(&secret_id)).await?;
    assert!(Entry::get(db, Entry::key(secret_id.as_str())).consistent().await?.is_some());
    Entry::update(db, Entry::key(secret_id.as_str())).set(&Entry::NOTE, format!("updated {SECRET}")).await?;
    // A condition that fails: DynamoDB returns the item (with the secret) in the error.
    let failed = Entry::update(db, Entry::key(secret_id.as_str()))
        .set(&Entry::NOTE, "x")
        .condition(Entry::OWNER.eq(format!("not {SECRET}")))
        .await;
    assert!(matches!(failed, Err(Error::ConditionFailed { .. })), "{failed:?}");
    // A put refused before sending: the error holds the value, nothing is traced.
    let refused = Entry::put(db, &Entry { label: SECRET.repeat(10), ..entry("refused") }).await;
    assert!(matches!(refused, Err(Error::Validation { .. })), "{refused:?}");
    assert_eq!(Entry::query(db, secret_id.as_str()).filter(Entry::NOTE.contains(SECRET)).await?.len(), 1);
    assert_eq!(Entry::BY_OWNER.query(db, SECRET).await?.len(), 1);
    assert_eq!(Entry::scan(db).filter(Entry::OWNER.eq(SECRET)).await?.len(), 1);
    let ids: Vec<String> = (0..30).map(|i| format!("{SECRET}-{i}")).collect();
    db.batch_write().put_all(ids.iter().map(|id| entry(id)).collect::<Vec<_>>().iter()).await?;
    assert_eq!(Entry::batch_get(db, ids.iter().map(|id| Entry::key(id.as_str()))).await?.items.len(), 30);
    db.transaction()
        .put(Entry::put(db, &entry(&format!("tx-{SECRET}"))))
        .update(Entry::update(db, Entry::key(ids[0].as_str())).set(&Entry::NOTE, SECRET))
        .check(Entry::check(db, Entry::key(ids[1].as_str()), Entry::OWNER.eq(SECRET)))
        .await?;
    let canceled = db
        .transaction()
        .delete(Entry::delete(db, Entry::key(ids[2].as_str())).condition(Entry::NOTE.eq(format!("no {SECRET}"))))
        .await;
    assert!(matches!(canceled, Err(Error::TransactionCanceled { .. })), "{canceled:?}");
    let mut read = db.transaction_get();
    let handle = read.get(Entry::get(db, Entry::key(secret_id.as_str())));
    assert!(read.await?.get(&handle)?.is_some());
    Entry::delete(db, Entry::key(secret_id.as_str())).condition(Entry::OWNER.eq(SECRET)).await?;
    Ok(())
}

/// Everything traced at every level while `run` runs on this thread.
pub(crate) fn traced<F: FnOnce()>(run: F) -> String {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, run);
    capture.text()
}

#[test]
fn no_value_key_or_credential_reaches_any_trace() {
    let db = db("traceredacted");
    let output = traced(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(every_operation(&db)).expect("every operation runs");
    });
    // The capture saw the library's span of every kind of request, closed with its
    // outcome and latency, and the SDK's own output at every level.
    for operation in [
        "CreateTable",
        "PutItem",
        "GetItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchWriteItem",
        "BatchGetItem",
        "TransactWriteItems",
        "TransactGetItems",
    ] {
        assert!(output.contains(&format!("operation=\"{operation}\"")), "no span of {operation}");
    }
    assert!(output.contains("table=\"vault\""));
    assert!(output.contains("index=\"by_owner\""));
    assert!(output.contains("outcome=\"ConditionalCheckFailedException\""));
    assert!(output.contains("outcome=\"TransactionCanceledException\""));
    assert!(output.contains("items=30"), "the batch get's span counts its items");
    assert!(output.contains("latency_us="));
    assert!(output.contains("attempts=1"), "each span counts the SDK's attempts");
    assert!(output.contains("TRACE"), "the SDK's trace-level output was captured");
    assert!(output.len() > 10_000, "{} bytes", output.len());

    if let Ok(path) = std::env::var("DYNAMO_MODEL_TRACE_DUMP") {
        std::fs::write(path, &output).expect("the dump is written");
    }
    for needle in [SECRET, SECRET_KEY] {
        let at = output.find(needle);
        assert!(
            at.is_none(),
            "`{needle}` is in the trace: …{}…",
            at.map(|at| &output[at.saturating_sub(900)..(at + 100).min(output.len())]).unwrap_or_default()
        );
    }
}

/// Control: the same capture finds the secret when something does trace it, so the
/// absence above is not the capture missing output.
#[test]
fn the_capture_finds_a_secret_that_is_traced() {
    let output = traced(|| {
        let span = tracing::trace_span!("user code", value = SECRET);
        let _entered = span.enter();
        tracing::trace!(secret_key = SECRET_KEY, "a careless log line");
    });
    assert!(output.contains(SECRET) && output.contains(SECRET_KEY), "{output}");
}

/// Control: with value tracing on, the SDK's trace events print the responses, secret
/// and all, into the same capture: the redaction is what keeps the first test clean.
#[test]
fn value_tracing_lets_the_sdk_print_values() {
    let db = db("tracevalues").with_value_tracing(true);
    assert!(db.traces_values());
    let output = traced(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime
            .block_on(async {
                if !Entry::table_exists(&db).await? {
                    Entry::create_table(&db).await?;
                }
                Entry::put(&db, &entry("control")).await?;
                Entry::get(&db, Entry::key("control")).consistent().await
            })
            .expect("a put and a get");
    });
    assert!(output.contains("operation=\"GetItem\""));
    assert!(output.contains(SECRET), "the control did not see the secret it wrote");
    // Credentials stay out even then.
    assert!(!output.contains(SECRET_KEY));
}

/// Consumed capacity is asked for only when the `Db` says so, and then every kind of
/// request's span records it; without it (the control) no span has it.
#[test]
fn consumed_capacity_is_recorded_when_asked_for() {
    let spans = |db: Db| {
        let output = traced(|| {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime
                .block_on(async {
                    if !Entry::table_exists(&db).await? {
                        Entry::create_table(&db).await?;
                    }
                    Entry::put(&db, &entry("capacity")).await?;
                    Entry::get(&db, Entry::key("capacity")).await?;
                    Entry::update(&db, Entry::key("capacity")).set(&Entry::NOTE, "n").await?;
                    Entry::query(&db, "capacity".to_owned()).await?;
                    Entry::scan(&db).await?;
                    Entry::batch_put(&db, [entry("b1"), entry("b2")]).await?;
                    Entry::batch_get(&db, [Entry::key("b1"), Entry::key("b2")]).await?;
                    db.transaction().put(Entry::put(&db, &entry("t1"))).await?;
                    let mut read = db.transaction_get();
                    read.get(Entry::get(&db, Entry::key("t1")));
                    read.await?;
                    Entry::delete(&db, Entry::key("capacity")).await?;
                    Ok::<_, Error>(())
                })
                .expect("every operation runs");
        });
        output
            .lines()
            .filter(|line| line.contains("dynamo_model::send: close") && !line.contains("Table\""))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let asked = spans(db("capacityon").with_consumed_capacity(true));
    assert_eq!(asked.len(), 10, "{asked:#?}");
    for span in &asked {
        assert!(span.contains("consumed_capacity="), "{span}");
    }
    let control = spans(db("capacityoff"));
    assert_eq!(control.len(), 10, "{control:#?}");
    assert!(control.iter().all(|span| !span.contains("consumed_capacity=")), "{control:#?}");
}
