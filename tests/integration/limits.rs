//! The 400 KB item limit: `limits::item_size` must count exactly as DynamoDB does.
//!
//! For every kind of value, an item that `item_size` puts at exactly 409,600 bytes must be
//! accepted by DynamoDB Local and the same item one byte larger rejected. An error of one
//! byte either way in the formula moves the server's boundary off ours and fails the test.
//! The puts are raw SDK calls on purpose: they test the formula against the server, not
//! the library's write path.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use dynamo_model::limits::{attribute_size, item_size, nesting, MAX_ITEM_SIZE, MAX_NESTING};
use dynamo_model::{Db, Error, InvalidReason, Item, Model};

use crate::common::{counted, n, run, s};

const TABLE: &str = "limits";

async fn create_table(db: &Db) {
    db.client()
        .create_table()
        .table_name(TABLE)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name("pk").attribute_type(ScalarAttributeType::S).build().unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
        .send()
        .await
        .unwrap();
}

/// Whether DynamoDB Local stores `item`; any error but a `ValidationException` fails.
async fn server_accepts(db: &Db, item: &Item) -> bool {
    match db.client().put_item().table_name(TABLE).set_item(Some(item.clone())).send().await {
        Ok(_) => true,
        Err(err) => {
            let err = err.into_service_error();
            assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
            false
        }
    }
}

/// `build(n)` must make an item one byte larger for each step of `n`, with a key `pk`
/// of its own. Finds the `n` at which `item_size` says 409,600 and checks that the server
/// draws the line at the same place.
async fn assert_boundary(db: &Db, kind: &str, build: impl Fn(usize) -> Item) {
    let smallest = item_size(&build(0));
    assert!(smallest < MAX_ITEM_SIZE - 1000, "{kind}: the fixed part alone is {smallest} bytes");
    let knob = MAX_ITEM_SIZE - smallest;

    let fits = build(knob);
    assert_eq!(item_size(&fits), MAX_ITEM_SIZE, "{kind}: the knob must add one byte per step");
    assert!(server_accepts(db, &fits).await, "{kind}: DynamoDB rejected an item of 409,600 bytes by item_size");

    let over = build(knob + 1);
    assert_eq!(item_size(&over), MAX_ITEM_SIZE + 1, "{kind}");
    assert!(!server_accepts(db, &over).await, "{kind}: DynamoDB accepted an item of 409,601 bytes by item_size");

    // What DynamoDB stored (numbers come back normalised) counts the same.
    let key = HashMap::from([("pk".to_owned(), fits["pk"].clone())]);
    let stored =
        db.client().get_item().table_name(TABLE).set_key(Some(key)).consistent_read(true).send().await.unwrap();
    assert_eq!(item_size(stored.item().expect("the accepted item")), MAX_ITEM_SIZE, "{kind}: as stored");
}

fn b(len: usize, fill: u8) -> AttributeValue {
    AttributeValue::B(Blob::new(vec![fill; len]))
}

fn item(entries: impl IntoIterator<Item = (&'static str, AttributeValue)>) -> Item {
    entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[test]
fn strings_at_the_limit() {
    run(|db| async move {
        create_table(&db).await;
        // 1-, 2-, 3- and 4-byte UTF-8 characters in names and values.
        assert_boundary(&db, "S", |pad| {
            item([
                ("pk", s("strings")),
                ("naïve", s("é€😀a".repeat(1000))),
                ("😀", s("")),
                ("body", s("x".repeat(pad))),
            ])
        })
        .await;
    });
}

#[test]
fn binary_at_the_limit() {
    run(|db| async move {
        create_table(&db).await;
        assert_boundary(&db, "B", |pad| item([("pk", s("bytes")), ("empty", b(0, 0)), ("blob", b(pad, 0xff))])).await;
    });
}

/// Numbers whose sizes the formula gets from alignment, sign, zeros, exponents and the
/// 20-pair cap on negatives, each alone in an item padded to the boundary.
#[test]
fn numbers_at_the_limit() {
    let numbers = [
        "0",
        "-0",
        "0.000",
        "1",
        "+7",
        "-1",
        "100",
        "101",
        "-101",
        "1000",
        "1.5",
        "-1.5",
        ".5",
        "0.001",
        "0.015",
        "00012.3400",
        "-00012.3400",
        "12345.678",
        "1.5e4",
        "-1.5E-7",
        "1E-130",
        "-1e-130",
        "9.99E+125",
        "12345678901234567890123456789012345678",
        "-12345678901234567890123456789012345678",
        "0.12345678901234567890123456789012345678",
        // 20 pairs: no byte for the sign.
        "-1.2345678901234567890123456789012345678",
        "-9.9999999999999999999999999999999999999E+125",
        // 19 pairs: a byte for the sign.
        "-9876543210987654321098765432109876543",
    ];
    run(|db| async move {
        create_table(&db).await;
        for number in numbers {
            assert_boundary(&db, &format!("N {number}"), |pad| {
                item([("pk", s(format!("n{number}"))), ("n", n(number)), ("pad", s("x".repeat(pad)))])
            })
            .await;
        }
        // Many numbers in one item: the sizes add up.
        let many: Vec<(String, AttributeValue)> = (0..2000)
            .map(|i| (format!("n{i}"), n(&format!("{}{}.{}e{}", ["", "-"][i % 2], i * 7919, i % 13, i % 9))))
            .collect();
        assert_boundary(&db, "many N", |pad| {
            let mut item = item([("pk", s("many")), ("pad", s("x".repeat(pad)))]);
            item.extend(many.iter().cloned());
            item
        })
        .await;
    });
}

#[test]
fn lists_at_the_limit() {
    run(|db| async move {
        create_table(&db).await;
        let fixed = vec![
            s(""),
            n("-12.5"),
            AttributeValue::Bool(true),
            AttributeValue::Null(true),
            b(17, 1),
            AttributeValue::L(vec![]),
            AttributeValue::M(HashMap::new()),
            AttributeValue::L(vec![AttributeValue::L(vec![s("deep"), n("1")])]),
            AttributeValue::Ss(vec!["a".into(), "bc".into()]),
        ];
        assert_boundary(&db, "L", |pad| {
            let mut list: Vec<AttributeValue> = (0..300).map(|i| s(format!("{i:04}").repeat(250))).collect();
            list.extend(fixed.iter().cloned());
            list.extend((0..5000).map(|_| AttributeValue::Null(true)));
            list.push(s("x".repeat(pad)));
            item([("pk", s("list")), ("list", AttributeValue::L(list))])
        })
        .await;
    });
}

#[test]
fn maps_at_the_limit() {
    run(|db| async move {
        create_table(&db).await;
        let nested = AttributeValue::M(HashMap::from([
            ("é😀".to_owned(), n("3.25")),
            ("inner".to_owned(), AttributeValue::M(HashMap::from([("x".to_owned(), AttributeValue::Null(true))]))),
            ("list".to_owned(), AttributeValue::L(vec![AttributeValue::Bool(false), s("z")])),
        ]));
        assert_boundary(&db, "M", |pad| {
            let mut map: HashMap<String, AttributeValue> =
                (0..3000).map(|i| (format!("key{i}"), s(format!("{i:05}").repeat(20)))).collect();
            map.insert("nested".to_owned(), nested.clone());
            map.insert("pad".to_owned(), s("x".repeat(pad)));
            item([("pk", s("map")), ("map", AttributeValue::M(map))])
        })
        .await;
    });
}

#[test]
fn sets_at_the_limit() {
    run(|db| async move {
        create_table(&db).await;
        // Each set grows by one byte per step through a member of its own.
        assert_boundary(&db, "SS", |pad| {
            let mut members: Vec<String> = (0..300).map(|i| format!("é{i:05}").repeat(150)).collect();
            members.push("x".repeat(pad + 1));
            item([("pk", s("ss")), ("ss", AttributeValue::Ss(members))])
        })
        .await;
        assert_boundary(&db, "BS", |pad| {
            let mut members: Vec<Blob> = (0..250u8).map(|i| Blob::new(vec![i; 1000 + usize::from(i)])).collect();
            members.push(Blob::new(vec![0xff; pad + 1]));
            item([("pk", s("bs")), ("bs", AttributeValue::Bs(members))])
        })
        .await;
        // Number members cannot grow a byte at a time; pad beside them.
        let numbers = AttributeValue::Ns(
            (1..=40_000)
                .map(|i: i64| match i % 3 {
                    0 => format!("-{i}.{}", i % 7),
                    1 => format!("{i}.{}e-3", i % 10),
                    _ => format!("{i}e+40"),
                })
                .collect(),
        );
        assert!(attribute_size(&numbers) > 150_000, "{}", attribute_size(&numbers));
        assert_boundary(&db, "NS", |pad| item([("pk", s("ns")), ("ns", numbers.clone()), ("pad", s("x".repeat(pad)))]))
            .await;
    });
}

fn nested(levels: usize, list: bool) -> AttributeValue {
    let mut value = s("x");
    for _ in 0..levels {
        value = if list {
            AttributeValue::L(vec![value])
        } else {
            AttributeValue::M(HashMap::from([("k".to_owned(), value)]))
        };
    }
    value
}

#[test]
fn nesting_limit_matches_the_server() {
    run(|db| async move {
        create_table(&db).await;
        for list in [false, true] {
            let item = |levels| HashMap::from([("pk".to_owned(), s("deep")), ("v".to_owned(), nested(levels, list))]);
            assert_eq!(nesting(&nested(MAX_NESTING, list)), MAX_NESTING);
            assert!(server_accepts(&db, &item(MAX_NESTING)).await, "list: {list}");
            assert!(!server_accepts(&db, &item(MAX_NESTING + 1)).await, "list: {list}");
        }
    });
}

/// A model whose one free-form field can hold anything.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "blobs")]
struct Blobby {
    #[dynamo(hash_key)]
    pk: String,
    body: String,
    doc: AttributeValue,
}

#[test]
fn the_library_refuses_oversized_and_overdeep_items_before_sending() {
    run(|db| async move {
        Blobby::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        // pk (2 + 1) + body (4 + n) + doc (3 + 1) = 409,600 when n = 409,589.
        let at_limit = Blobby { pk: "k".into(), body: "b".repeat(409_589), doc: s("x") };
        assert_eq!(item_size(&dynamo_model::Document::to_item(&at_limit).unwrap()), MAX_ITEM_SIZE);
        let over = Blobby { body: "b".repeat(409_590), ..at_limit.clone() };
        match Blobby::put(&db, &over).await {
            Err(Error::Invalid { attribute, reason: InvalidReason::ItemTooLarge { size: 409_601, .. }, .. }) => {
                assert_eq!(attribute, "body")
            }
            other => panic!("expected ItemTooLarge, got {other:?}"),
        }
        let deep = Blobby { doc: nested(MAX_NESTING + 1, false), body: String::new(), ..at_limit.clone() };
        match Blobby::put(&db, &deep).await {
            Err(Error::Invalid { attribute, reason: InvalidReason::TooDeep { depth: 32, max: 31 }, .. }) => {
                assert_eq!(attribute, "doc")
            }
            other => panic!("expected TooDeep, got {other:?}"),
        }
        assert_eq!(requests.count(), 0);
        // Control: the items at the limits are sent and stored.
        Blobby::put(&db, &at_limit).await.unwrap();
        Blobby::put(&db, &Blobby { pk: "d".into(), doc: nested(MAX_NESTING, true), body: String::new() })
            .await
            .unwrap();
        assert_eq!(requests.count(), 2);
    });
}
