//! Building and rendering a 5-clause condition plus a 5-action update: through the
//! library (`Update::compile`: typed paths, rules, placeholders, DynamoDB's limits) and
//! as the strings and maps a careful engineer writes for the SDK by hand, in one run.
//!
//! ```text
//! cargo bench -p dynamo-model --bench expressions
//! ```
//!
//! After criterion's report, prints the library's time relative to the hand-written code.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;

use aws_sdk_dynamodb::types::AttributeValue;
use criterion::Criterion;
use dynamo_model::{Db, Model};

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    total_cents: i64,
    quantity: u32,
    note: Option<String>,
    paid: bool,
    priority: u8,
}

/// What the library renders, for the hand-written code to match in size and kind.
struct Request {
    key: HashMap<String, AttributeValue>,
    update: String,
    condition: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

/// By hand: the key, two expressions (the condition with the existence check an update
/// needs not to create the item), every name behind a placeholder (`status` is a
/// reserved word; the others are placed the same way, as careful code does), and the
/// values.
fn by_hand(customer: &str, order: &str) -> Request {
    let mut key = HashMap::with_capacity(2);
    key.insert("customer_id".to_owned(), AttributeValue::S(customer.to_owned()));
    key.insert("order_id".to_owned(), AttributeValue::S(order.to_owned()));
    let mut names = HashMap::with_capacity(7);
    for (placeholder, name) in [
        ("#customer", "customer_id"),
        ("#status", "status"),
        ("#total", "total_cents"),
        ("#quantity", "quantity"),
        ("#note", "note"),
        ("#paid", "paid"),
        ("#priority", "priority"),
    ] {
        names.insert(placeholder.to_owned(), name.to_owned());
    }
    let mut values = HashMap::with_capacity(9);
    values.insert(":shipped".to_owned(), AttributeValue::S("SHIPPED".to_owned()));
    values.insert(":fee".to_owned(), AttributeValue::N(250.to_string()));
    values.insert(":quantity".to_owned(), AttributeValue::N(3.to_string()));
    values.insert(":note".to_owned(), AttributeValue::S("leave at the door".to_owned()));
    values.insert(":true".to_owned(), AttributeValue::Bool(true));
    values.insert(":paid".to_owned(), AttributeValue::S("PAID".to_owned()));
    values.insert(":min".to_owned(), AttributeValue::N(100.to_string()));
    values.insert(":max".to_owned(), AttributeValue::N(50.to_string()));
    values.insert(":urgent".to_owned(), AttributeValue::N(9.to_string()));
    let update = format!(
        "SET {} = {}, {} = {}, {} = {}, {} = {} ADD {} {}",
        "#status", ":shipped", "#quantity", ":quantity", "#note", ":note", "#paid", ":true", "#total", ":fee"
    );
    // The item must exist: an update, not an upsert.
    let condition = format!(
        "attribute_exists({}) AND {} = {} AND {} >= {} AND {} < {} AND attribute_not_exists({}) AND {} <> {}",
        "#customer", "#status", ":paid", "#total", ":min", "#quantity", ":max", "#note", "#priority", ":urgent"
    );
    Request { key, update, condition, names, values }
}

fn by_library(db: &Db, customer: &str, order: &str) -> Request {
    let compiled = Order::update(db, Order::key(customer, order))
        .set(&Order::STATUS, "SHIPPED")
        .add(&Order::TOTAL_CENTS, 250)
        .set(&Order::QUANTITY, 3u32)
        .set(&Order::NOTE, "leave at the door")
        .set(&Order::PAID, true)
        .condition(
            Order::STATUS.eq("PAID")
                & Order::TOTAL_CENTS.ge(100)
                & Order::QUANTITY.lt(50u32)
                & Order::NOTE.not_exists()
                & Order::PRIORITY.ne(9u8),
        )
        .compile()
        .expect("a valid update");
    let expressions = compiled.expressions;
    Request {
        key: compiled.key,
        update: expressions.update.expect("an update expression"),
        condition: expressions.condition.expect("a condition"),
        names: expressions.names.unwrap_or_default(),
        values: expressions.values.unwrap_or_default(),
    }
}

const CONTENDERS: [&str; 2] = ["hand_written", "library"];

fn bench(c: &mut Criterion) {
    // No request is sent: a client is needed only to build the `Db`.
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .build();
    let db = Db::new(aws_sdk_dynamodb::Client::from_conf(config));

    // The same work: the same key, five actions, five clauses, as many values.
    let hand = by_hand("customer-00042", "2026-11-21-7f3a");
    let library = by_library(&db, "customer-00042", "2026-11-21-7f3a");
    assert_eq!(library.key, hand.key);
    assert_eq!(library.names.len(), hand.names.len(), "{:?}", library.names);
    // One value more: the library guards the `ADD` against overflowing `i64` (a clause
    // `total_cents <= i64::MAX - 250` that the hand-written code does not have).
    assert_eq!(library.values.len(), hand.values.len() + 1, "{:?}", library.values);
    assert_eq!(library.update.matches(',').count() + 1, 4, "four SET actions: {}", library.update);
    assert!(library.update.contains(" ADD "), "{}", library.update);
    assert_eq!(
        library.condition.matches(" AND ").count() + 1,
        7,
        "the existence check, five clauses and the guard: {}",
        library.condition
    );
    println!("library:      UPDATE {}  IF {}", library.update, library.condition);
    println!("hand-written: UPDATE {}  IF {}", hand.update, hand.condition);

    let mut group = c.benchmark_group("update_with_condition");
    group.bench_function(CONTENDERS[0], |b| {
        b.iter(|| by_hand(black_box("customer-00042"), black_box("2026-11-21-7f3a")))
    });
    group.bench_function(CONTENDERS[1], |b| {
        b.iter(|| by_library(&db, black_box("customer-00042"), black_box("2026-11-21-7f3a")))
    });
    group.finish();
}

fn output_directory() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("criterion"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/criterion"),
    }
}

/// The mean time criterion estimated for one benchmark, in nanoseconds.
fn mean_ns(name: &str) -> Option<f64> {
    let path = output_directory().join("update_with_condition").join(name).join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn main() {
    let mut c = Criterion::default().output_directory(&output_directory()).configure_from_args();
    bench(&mut c);
    c.final_summary();
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        if let (Some(base), Some(library)) = (mean_ns(CONTENDERS[0]), mean_ns(CONTENDERS[1])) {
            println!(
                "\nupdate + condition: hand-written {base:.0} ns, library {library:.0} ns, {:.2}x",
                library / base
            );
        }
    }
}
