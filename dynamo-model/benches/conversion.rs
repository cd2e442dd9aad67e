//! `to_item` / `from_item` on a 10-field struct: the derive against hand-written
//! `AttributeValue` code and against `serde_dynamo`, in one run.
//!
//! ```text
//! cargo bench -p dynamo-model --bench conversion
//! ```
//!
//! After criterion's own report, prints each contender's time relative to the
//! hand-written code, from the estimates criterion just wrote.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;

use aws_sdk_dynamodb::types::AttributeValue;
use criterion::{BatchSize, Criterion};
use dynamo_model::{Document, Model};
use serde::{Deserialize, Serialize};

#[derive(Model, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    status: String,
    total_cents: i64,
    quantity: u32,
    unit_price: f64,
    paid: bool,
    note: Option<String>,
    tags: Vec<String>,
    created_at: i64,
}

fn sample() -> Order {
    Order {
        customer_id: "customer-00042".into(),
        order_id: "2026-11-21T10:15:00Z-7f3a".into(),
        status: "SHIPPED".into(),
        total_cents: 1_234_567,
        quantity: 12,
        unit_price: 1029.75,
        paid: true,
        note: Some("leave at the door".into()),
        tags: vec!["gift".into(), "express".into(), "fragile".into()],
        created_at: 1_795_000_000_123,
    }
}

/// What a careful engineer writes against the SDK by hand.
fn hand_to_item(o: &Order) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::with_capacity(10);
    item.insert("customer_id".to_owned(), AttributeValue::S(o.customer_id.clone()));
    item.insert("order_id".to_owned(), AttributeValue::S(o.order_id.clone()));
    item.insert("status".to_owned(), AttributeValue::S(o.status.clone()));
    item.insert("total_cents".to_owned(), AttributeValue::N(o.total_cents.to_string()));
    item.insert("quantity".to_owned(), AttributeValue::N(o.quantity.to_string()));
    item.insert("unit_price".to_owned(), AttributeValue::N(o.unit_price.to_string()));
    item.insert("paid".to_owned(), AttributeValue::Bool(o.paid));
    if let Some(note) = &o.note {
        item.insert("note".to_owned(), AttributeValue::S(note.clone()));
    }
    item.insert("tags".to_owned(), AttributeValue::L(o.tags.iter().map(|t| AttributeValue::S(t.clone())).collect()));
    item.insert("created_at".to_owned(), AttributeValue::N(o.created_at.to_string()));
    item
}

fn take_s(item: &mut HashMap<String, AttributeValue>, name: &str) -> Result<String, String> {
    match item.remove(name) {
        Some(AttributeValue::S(s)) => Ok(s),
        _ => Err(format!("{name}: expected S")),
    }
}

fn take_n<T: std::str::FromStr>(item: &mut HashMap<String, AttributeValue>, name: &str) -> Result<T, String> {
    match item.remove(name) {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| format!("{name}: bad number")),
        _ => Err(format!("{name}: expected N")),
    }
}

fn hand_from_item(mut item: HashMap<String, AttributeValue>) -> Result<Order, String> {
    Ok(Order {
        customer_id: take_s(&mut item, "customer_id")?,
        order_id: take_s(&mut item, "order_id")?,
        status: take_s(&mut item, "status")?,
        total_cents: take_n(&mut item, "total_cents")?,
        quantity: take_n(&mut item, "quantity")?,
        unit_price: take_n(&mut item, "unit_price")?,
        paid: match item.remove("paid") {
            Some(AttributeValue::Bool(b)) => b,
            _ => return Err("paid: expected BOOL".into()),
        },
        note: match item.remove("note") {
            Some(AttributeValue::S(s)) => Some(s),
            None => None,
            _ => return Err("note: expected S".into()),
        },
        tags: match item.remove("tags") {
            Some(AttributeValue::L(list)) => list
                .into_iter()
                .map(|v| match v {
                    AttributeValue::S(s) => Ok(s),
                    _ => Err("tags: expected S".to_owned()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("tags: expected L".into()),
        },
        created_at: take_n(&mut item, "created_at")?,
    })
}

const CONTENDERS: [&str; 3] = ["hand_written", "derive", "serde_dynamo"];

fn bench(c: &mut Criterion) {
    let order = sample();
    // The three encoders agree, so they are measured doing the same work.
    let by_hand = hand_to_item(&order);
    assert_eq!(order.to_item().expect("encodes"), by_hand);
    let via_serde: HashMap<String, AttributeValue> =
        serde_dynamo::aws_sdk_dynamodb_1::to_item(&order).expect("encodes");
    assert_eq!(via_serde, by_hand);

    let mut group = c.benchmark_group("to_item");
    group.bench_function(CONTENDERS[0], |b| b.iter(|| hand_to_item(black_box(&order))));
    group.bench_function(CONTENDERS[1], |b| b.iter(|| black_box(&order).to_item()));
    group.bench_function(CONTENDERS[2], |b| b.iter(|| serde_dynamo::aws_sdk_dynamodb_1::to_item(black_box(&order))));
    group.finish();

    let mut group = c.benchmark_group("from_item");
    group.bench_function(CONTENDERS[0], |b| b.iter_batched(|| by_hand.clone(), hand_from_item, BatchSize::SmallInput));
    group
        .bench_function(CONTENDERS[1], |b| b.iter_batched(|| by_hand.clone(), Order::from_item, BatchSize::SmallInput));
    group.bench_function(CONTENDERS[2], |b| {
        b.iter_batched(|| by_hand.clone(), serde_dynamo::aws_sdk_dynamodb_1::from_item::<Order>, BatchSize::SmallInput)
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
fn mean_ns(group: &str, name: &str) -> Option<f64> {
    let path = output_directory().join(group).join(name).join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn print_ratios() {
    println!("\nrelative to hand-written code (lower is faster):");
    for group in ["to_item", "from_item"] {
        let Some(base) = mean_ns(group, CONTENDERS[0]) else { continue };
        for name in CONTENDERS {
            if let Some(ns) = mean_ns(group, name) {
                println!("  {group:<9} {name:<12} {:>8.0} ns  {:>5.2}x", ns, ns / base);
            }
        }
    }
}

fn main() {
    let mut c = Criterion::default().output_directory(&output_directory()).configure_from_args();
    bench(&mut c);
    c.final_summary();
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        print_ratios();
    }
}
