//! DynamoDB's request rules (issue 7, items 2 to 5), against DynamoDB Local.
//!
//! Every request DynamoDB would reject must be a typed error before anything is sent: a
//! counting interceptor (`counted`) proves that no request left. Next to each refusal a
//! control sends the valid variant, at the limit where there is one, and DynamoDB Local
//! accepts it, so no refusal passes by refusing too much.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;

use dynamo_model::cursor::CursorKey;
use dynamo_model::expr::Condition;
use dynamo_model::{
    AttributeValue, Cursor, Db, Document, Error, InvalidReason, Item, Model, Page, RequestReason, Rule,
};

use crate::common::{base64url_decode, base64url_encode, counted, n, raw, run, s};

// ------------------------------------------------------------------------------- models

#[derive(Document, Debug, Clone, PartialEq, Default)]
struct Address {
    city: String,
    zip: String,
}

/// Keys of every kind: the table's (`cust`, `sk`), a GSI with a string sort key, a
/// keys-only GSI, an INCLUDE GSI and an LSI.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = "rule_orders",
    gsi(name = "by_status", hash = status, range = placed),
    gsi(name = "by_status_keys", hash = status, projection = keys_only),
    gsi(name = "by_status_note", hash = status, range = placed, projection = include(note)),
    lsi(name = "by_note", range = note)
)]
struct Order {
    #[dynamo(hash_key)]
    cust: String,
    #[dynamo(range_key)]
    sk: String,
    status: String,
    placed: String,
    total: i64,
    note: String,
    counts: HashMap<String, i64>,
    addr: Address,
    label: Option<String>,
}

/// What the keys-only GSI `by_status_keys` holds.
#[derive(Document, Debug, Clone, PartialEq)]
struct OrderKeys {
    cust: String,
    sk: String,
    status: String,
}

/// What the INCLUDE GSI `by_status_note` holds.
#[derive(Document, Debug, Clone, PartialEq)]
struct OrderNote {
    cust: String,
    sk: String,
    status: String,
    placed: String,
    note: String,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct OrderAddr {
    cust: String,
    sk: String,
    addr: Address,
}

/// A projection of the `counts` map.
#[derive(Document, Debug, Clone, PartialEq)]
struct OrderCounts {
    cust: String,
    sk: String,
    counts: HashMap<String, i64>,
}

fn order(cust: &str, sk: &str, status: &str, placed: &str, total: i64) -> Order {
    Order {
        cust: cust.into(),
        sk: sk.into(),
        status: status.into(),
        placed: placed.into(),
        total,
        note: format!("note-{sk}"),
        counts: HashMap::from([("a".to_owned(), 1)]),
        addr: Address { city: "Porto".into(), zip: format!("zip-{sk}") },
        label: Some(format!("label-{sk}")),
    }
}

/// c1: a1 (open), a2 (open), b1 (done); c2: a1 (open).
async fn orders(db: &Db) {
    Order::create_table(db).await.unwrap();
    for (cust, sk, status, placed, total) in [
        ("c1", "a1", "open", "2024-01", 1),
        ("c1", "a2", "open", "2024-02", 2),
        ("c1", "b1", "done", "2024-03", 3),
        ("c2", "a1", "open", "2024-04", 4),
    ] {
        Order::put(db, &order(cust, sk, status, placed, total)).await.unwrap();
    }
}

/// `cust/sk` of each item, sorted.
fn ids(items: &[Order]) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().map(|o| format!("{}/{}", o.cust, o.sk)).collect();
    ids.sort();
    ids
}

// ------------------------------------------------------- item 2: filters on key attributes

mod filters_on_keys {
    use super::*;

    #[test]
    fn query_filter_on_a_key_of_the_table_or_index_queried_is_refused_before_sending() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            macro_rules! on_key {
                ($op:expr, $key:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::FilterOnKey { attribute }, .. }
                            if attribute == $key
                    )
                };
            }
            // The table: its partition and sort key, also inside OR, NOT and functions.
            on_key!(Order::query(&cdb, "c1").filter(Order::SK.eq("a1")), "sk");
            on_key!(Order::query(&cdb, "c1").filter(Order::CUST.eq("c1")), "cust");
            on_key!(Order::query(&cdb, "c1").filter(Order::TOTAL.gt(0) | Order::SK.begins_with("a")), "sk");
            on_key!(Order::query(&cdb, "c1").filter(!Order::SK.eq("a1")), "sk");
            on_key!(Order::query(&cdb, "c1").filter(Order::SK.size().gt(1)), "sk");
            on_key!(Order::query(&cdb, "c1").filter(Order::SK.eq("a1")).count(), "sk");
            on_key!(Order::query(&cdb, "c1").filter(Order::SK.eq("a1")).limit(1).page(None), "sk");
            // A GSI: its own keys.
            on_key!(Order::BY_STATUS.query(&cdb, "open").filter(Order::PLACED.eq("2024-01")), "placed");
            on_key!(Order::BY_STATUS.query(&cdb, "open").filter(Order::STATUS.eq("open")), "status");
            on_key!(Order::BY_STATUS.query(&cdb, "open").filter(Order::PLACED.exists()), "placed");
            on_key!(Order::BY_STATUS.query(&cdb, "open").filter(Order::TOTAL.gt(0) & Order::PLACED.lt("z")), "placed");
            on_key!(
                Order::BY_STATUS_KEYS.query(&cdb, "open").project_into::<OrderKeys>().filter(Order::STATUS.ne("x")),
                "status"
            );
            // An LSI: the table's partition key and the index's sort key.
            on_key!(Order::BY_NOTE.query(&cdb, "c1").filter(Order::NOTE.eq("note-a1")), "note");
            on_key!(Order::BY_NOTE.query(&cdb, "c1").filter(Order::CUST.eq("c1")), "cust");
            assert_eq!(requests.count(), 0);
        });
    }

    #[test]
    fn query_filters_on_keys_of_other_indexes_and_scan_filters_on_keys_are_sent_and_accepted() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            // A table query may filter on index keys.
            let got = accepted!(requests, Order::query(&cdb, "c1").filter(Order::STATUS.eq("open")));
            assert_eq!(ids(&got), ["c1/a1", "c1/a2"]);
            let got = accepted!(requests, Order::query(&cdb, "c1").filter(Order::NOTE.eq("note-b1")));
            assert_eq!(ids(&got), ["c1/b1"]);
            let got = accepted!(requests, Order::query(&cdb, "c1").filter(Order::PLACED.ge("2024-02")));
            assert_eq!(ids(&got), ["c1/a2", "c1/b1"]);
            // A GSI query may filter on the table's keys.
            let got = accepted!(requests, Order::BY_STATUS.query(&cdb, "open").filter(Order::SK.eq("a1")));
            assert_eq!(ids(&got), ["c1/a1", "c2/a1"]);
            let got = accepted!(requests, Order::BY_STATUS.query(&cdb, "open").filter(Order::CUST.eq("c2")));
            assert_eq!(ids(&got), ["c2/a1"]);
            let got = accepted!(requests, Order::BY_STATUS.query(&cdb, "open").filter(Order::NOTE.eq("note-a2")));
            assert_eq!(ids(&got), ["c1/a2"]);
            // An LSI query may filter on the table's sort key and on other indexes' keys.
            let got = accepted!(requests, Order::BY_NOTE.query(&cdb, "c1").filter(Order::SK.eq("a2")));
            assert_eq!(ids(&got), ["c1/a2"]);
            let got = accepted!(requests, Order::BY_NOTE.query(&cdb, "c1").filter(Order::STATUS.eq("done")));
            assert_eq!(ids(&got), ["c1/b1"]);
            // A scan filters on any attribute, keys included.
            let got = accepted!(requests, Order::scan(&cdb).filter(Order::CUST.eq("c1") & Order::SK.begins_with("a")));
            assert_eq!(ids(&got), ["c1/a1", "c1/a2"]);
            let got = accepted!(
                requests,
                Order::BY_STATUS.scan(&cdb).filter(Order::STATUS.eq("open") & Order::PLACED.lt("2024-04"))
            );
            assert_eq!(ids(&got), ["c1/a1", "c1/a2"]);
            let got = accepted!(requests, Order::BY_NOTE.scan(&cdb).filter(Order::NOTE.eq("note-a1")));
            assert_eq!(ids(&got), ["c1/a1", "c2/a1"]);
        });
    }

    #[test]
    fn consistent_reads_of_a_local_secondary_index_and_of_the_table_are_sent_and_accepted() {
        run(|db| async move {
            // (`consistent()` on a GSI does not compile: a trybuild case covers it.)
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            assert!(Order::BY_NOTE.query(&cdb, "c1").consistent().compile().unwrap().consistent);
            assert!(Order::BY_NOTE.scan(&cdb).consistent().compile().unwrap().consistent);
            let got = accepted!(requests, Order::BY_NOTE.query(&cdb, "c1").consistent().descending());
            assert_eq!(got.iter().map(|o| o.note.as_str()).collect::<Vec<_>>(), ["note-b1", "note-a2", "note-a1"]);
            let got = accepted!(requests, Order::BY_NOTE.scan(&cdb).consistent());
            assert_eq!(got.len(), 4);
            let got = accepted!(requests, Order::query(&cdb, "c1").consistent());
            assert_eq!(ids(&got), ["c1/a1", "c1/a2", "c1/b1"]);
            let got = accepted!(requests, Order::scan(&cdb).consistent().segments(2));
            assert_eq!(got.len(), 4);
        });
    }
}

// ----------------------------------------------------- item 2: index key values on writes

mod index_keys {
    use super::*;

    /// A sparse GSI (its keys are `Option`s) next to an `extra` map, which can hold the
    /// index key attributes with any type.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_tagged", gsi(name = "by_tag", hash = tag, range = rank))]
    struct Tagged {
        #[dynamo(hash_key)]
        id: String,
        tag: Option<String>,
        rank: Option<i64>,
        #[dynamo(extra)]
        extra: HashMap<String, AttributeValue>,
    }

    fn tagged(id: &str, extra: &[(&str, AttributeValue)]) -> Tagged {
        Tagged {
            id: id.into(),
            tag: None,
            rank: None,
            extra: extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        }
    }

    #[test]
    fn empty_or_overlong_index_key_values_in_a_put_are_refused_and_the_limits_themselves_are_stored() {
        run(|db| async move {
            Order::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let with = |f: fn(&mut Order)| {
                let mut o = order("c1", "x1", "open", "2024-01", 1);
                f(&mut o);
                o
            };
            let o = with(|o| o.status = String::new());
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::EmptyKey, .. } if attribute == "status");
            let o = with(|o| o.placed = String::new());
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::EmptyKey, .. } if attribute == "placed");
            let o = with(|o| o.note = String::new());
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::EmptyKey, .. } if attribute == "note");
            let o = with(|o| o.status = "s".repeat(2049));
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 2049, max: 2048 }, .. } if attribute == "status");
            let o = with(|o| o.status = "é".repeat(1025));
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 2050, max: 2048 }, .. } if attribute == "status");
            let o = with(|o| o.placed = "p".repeat(1025));
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 1025, max: 1024 }, .. } if attribute == "placed");
            let o = with(|o| o.note = "n".repeat(1025));
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 1025, max: 1024 }, .. } if attribute == "note");
            let o = with(|o| o.note = "é".repeat(513));
            refused!(requests, Order::put(&cdb, &o), Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 1026, max: 1024 }, .. } if attribute == "note");
            assert_eq!(requests.count(), 0);

            // At the limits: stored, and found through both indexes.
            let at_limit = with(|o| {
                o.status = "s".repeat(2048);
                o.placed = "p".repeat(1024);
                o.note = "é".repeat(512);
            });
            let stored = accepted!(requests, Order::put(&cdb, &at_limit));
            assert_eq!(stored, at_limit);
            let found = accepted!(
                requests,
                Order::BY_STATUS.query(&cdb, "s".repeat(2048)).range(Order::PLACED.eq("p".repeat(1024)))
            );
            assert_eq!(found, std::slice::from_ref(&at_limit));
            let found = accepted!(requests, Order::BY_NOTE.query(&cdb, "c1").range(Order::NOTE.eq("é".repeat(512))));
            assert_eq!(found, [at_limit]);
        });
    }

    #[test]
    fn index_key_values_of_the_wrong_type_from_extra_are_refused_on_put() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            // An index key is a declared field: `extra` cannot carry one, of any type.
            for (name, value) in
                [("tag", n("1")), ("rank", s("x")), ("tag", AttributeValue::B(vec![1u8].into())), ("tag", s(""))]
            {
                let t = tagged("t1", &[(name, value)]);
                refused!(requests, Tagged::put(&cdb, &t), Error::Invalid { attribute, reason: InvalidReason::DeclaredName, .. } if attribute == name);
            }
            let t = Tagged { tag: Some(String::new()), ..tagged("t1", &[]) };
            refused!(requests, Tagged::put(&cdb, &t), Error::Invalid { attribute, reason: InvalidReason::EmptyKey, .. } if attribute == "tag");
            assert_eq!(requests.count(), 0);

            // Control: the right types, beside other extra attributes, are stored and indexed.
            let t = Tagged { tag: Some("t".into()), rank: Some(3), ..tagged("t1", &[("other", n("5"))]) };
            let stored = accepted!(requests, Tagged::put(&cdb, &t));
            assert_eq!(stored, t);
            let found = accepted!(requests, Tagged::BY_TAG.query(&cdb, "t").range(Tagged::RANK.eq(3)));
            assert_eq!(found, [t]);
        });
    }

    #[test]
    fn empty_or_overlong_index_key_values_in_an_update_are_refused_and_the_limits_themselves_are_written() {
        run(|db| async move {
            orders(&db).await;
            Tagged::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let key = || Order::key("c1", "a1");
            macro_rules! bad {
                ($op:expr, $attr:literal, $reason:pat) => {
                    refused!(requests, $op, Error::Invalid { attribute, reason: $reason, .. } if attribute == $attr)
                };
            }
            bad!(Order::update(&cdb, key()).set(&Order::STATUS, ""), "status", InvalidReason::EmptyKey);
            bad!(Order::update(&cdb, key()).set(&Order::PLACED, ""), "placed", InvalidReason::EmptyKey);
            bad!(Order::update(&cdb, key()).set(&Order::NOTE, ""), "note", InvalidReason::EmptyKey);
            bad!(Order::update(&cdb, key()).set_if_not_exists(&Order::STATUS, ""), "status", InvalidReason::EmptyKey);
            bad!(
                Order::update(&cdb, key()).set(&Order::STATUS, "s".repeat(2049)),
                "status",
                InvalidReason::KeyTooLong { len: 2049, max: 2048 }
            );
            bad!(
                Order::update(&cdb, key()).set(&Order::PLACED, "p".repeat(1025)),
                "placed",
                InvalidReason::KeyTooLong { len: 1025, max: 1024 }
            );
            // DynamoDB Local accepts a 1025-byte LSI key in an update (not in a put); the
            // library refuses both alike.
            bad!(
                Order::update(&cdb, key()).set(&Order::NOTE, "n".repeat(1025)),
                "note",
                InvalidReason::KeyTooLong { len: 1025, max: 1024 }
            );
            bad!(
                Order::update(&cdb, key()).set(&Order::TOTAL, 5).set(&Order::STATUS, "").upsert(),
                "status",
                InvalidReason::EmptyKey
            );
            bad!(Tagged::update(&cdb, Tagged::key("t1")).set(&Tagged::TAG, ""), "tag", InvalidReason::EmptyKey);
            assert_eq!(requests.count(), 0);

            // At the limits: written, and found through the indexes.
            let updated = accepted!(
                requests,
                Order::update(&cdb, key())
                    .set(&Order::STATUS, "s".repeat(2048))
                    .set(&Order::PLACED, "p".repeat(1024))
                    .set(&Order::NOTE, "n".repeat(1024))
            )
            .into_item()
            .unwrap();
            assert_eq!((updated.status.len(), updated.placed.len(), updated.note.len()), (2048, 1024, 1024));
            let found = accepted!(requests, Order::BY_STATUS.query(&cdb, "s".repeat(2048)));
            assert_eq!(ids(&found), ["c1/a1"]);
            let found = accepted!(requests, Order::BY_NOTE.query(&cdb, "c1").range(Order::NOTE.eq("n".repeat(1024))));
            assert_eq!(ids(&found), ["c1/a1"]);
        });
    }
}

// ------------------------------------------------------ item 2: key-condition values

mod key_conditions {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_readings")]
    struct Reading {
        #[dynamo(hash_key)]
        sensor: String,
        #[dynamo(range_key)]
        at: i64,
        value: f64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_blobs")]
    struct Blobs {
        #[dynamo(hash_key)]
        pk: Vec<u8>,
        #[dynamo(range_key)]
        sk: Vec<u8>,
        x: Vec<u8>,
    }

    fn sks(items: &[Order]) -> Vec<&str> {
        items.iter().map(|o| o.sk.as_str()).collect()
    }

    #[test]
    fn string_key_condition_values_empty_or_over_1024_bytes_or_between_reversed_are_refused() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            macro_rules! bad {
                ($op:expr, $attr:literal, $reason:pat) => {
                    refused!(requests, $op, Error::Invalid { attribute, reason: $reason, .. } if attribute == $attr)
                };
            }
            let long = "k".repeat(1025);
            bad!(Order::query(&cdb, ""), "cust", InvalidReason::EmptyKey);
            bad!(Order::query(&cdb, "c1").range(Order::SK.eq("")), "sk", InvalidReason::EmptyKey);
            bad!(Order::query(&cdb, "c1").range(Order::SK.lt("")), "sk", InvalidReason::EmptyKey);
            bad!(Order::query(&cdb, "c1").range(Order::SK.gt("")), "sk", InvalidReason::EmptyKey);
            bad!(Order::query(&cdb, "c1").range(Order::SK.begins_with("")), "sk", InvalidReason::EmptyKey);
            bad!(Order::query(&cdb, "c1").range(Order::SK.between("", "x")), "sk", InvalidReason::EmptyKey);
            bad!(
                Order::query(&cdb, "c1").range(Order::SK.eq(&long)),
                "sk",
                InvalidReason::KeyTooLong { len: 1025, max: 1024 }
            );
            bad!(Order::query(&cdb, "c1").range(Order::SK.lt(&long)), "sk", InvalidReason::KeyTooLong { .. });
            bad!(Order::query(&cdb, "c1").range(Order::SK.begins_with(&long)), "sk", InvalidReason::KeyTooLong { .. });
            bad!(Order::query(&cdb, "c1").range(Order::SK.between("a", &long)), "sk", InvalidReason::KeyTooLong { .. });
            bad!(
                Order::query(&cdb, "c1").range(Order::SK.between(&long, "zz")),
                "sk",
                InvalidReason::KeyTooLong { .. }
            );
            bad!(
                Order::query(&cdb, "c1").range(Order::SK.eq("é".repeat(513))),
                "sk",
                InvalidReason::KeyTooLong { len: 1026, max: 1024 }
            );
            // Index key conditions, GSI and LSI.
            bad!(Order::BY_STATUS.query(&cdb, ""), "status", InvalidReason::EmptyKey);
            bad!(Order::BY_STATUS.query(&cdb, "open").range(Order::PLACED.eq("")), "placed", InvalidReason::EmptyKey);
            bad!(
                Order::BY_STATUS.query(&cdb, "open").range(Order::PLACED.begins_with("p".repeat(1025))),
                "placed",
                InvalidReason::KeyTooLong { len: 1025, max: 1024 }
            );
            bad!(Order::BY_NOTE.query(&cdb, "c1").range(Order::NOTE.eq("")), "note", InvalidReason::EmptyKey);
            bad!(Order::BY_NOTE.query(&cdb, "").range(Order::NOTE.eq("x")), "cust", InvalidReason::EmptyKey);
            bad!(
                Order::BY_NOTE.query(&cdb, "c1").range(Order::NOTE.eq("n".repeat(1025))),
                "note",
                InvalidReason::KeyTooLong { len: 1025, max: 1024 }
            );
            // between, low above high: by bytes (U+1F600 is above U+FFFF in UTF-8, below in UTF-16).
            macro_rules! reversed {
                ($op:expr, $attr:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::BetweenBounds { attribute }, .. }
                            if attribute == $attr
                    )
                };
            }
            reversed!(Order::query(&cdb, "c1").range(Order::SK.between("b", "a")), "sk");
            reversed!(Order::query(&cdb, "c1").range(Order::SK.between("😀", "\u{ffff}")), "sk");
            reversed!(
                Order::BY_STATUS.query(&cdb, "open").range(Order::PLACED.between("2024-09", "2024-01")),
                "placed"
            );
            reversed!(Order::BY_NOTE.query(&cdb, "c1").range(Order::NOTE.between("z", "a")).count(), "note");
            assert_eq!(requests.count(), 0);

            // Controls, at the limits: sent, accepted, with the right items.
            let k1024 = "k".repeat(1024);
            assert!(accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.eq(&k1024))).is_empty());
            assert!(accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.begins_with(&k1024))).is_empty());
            assert!(accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.eq("é".repeat(512)))).is_empty());
            let got = accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.lt(&k1024)));
            assert_eq!(sks(&got), ["a1", "a2", "b1"]);
            let got = accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.between("a2", &k1024)));
            assert_eq!(sks(&got), ["a2", "b1"]);
            let got = accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.between("b1", "b1")));
            assert_eq!(sks(&got), ["b1"]);
            // Uppercase sorts below lowercase: "B" <= "a1" <= "b".
            let got = accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.between("B", "b")));
            assert_eq!(sks(&got), ["a1", "a2"]);
            let got = accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.between("\u{ffff}", "😀")));
            assert!(got.is_empty());
            let got = accepted!(
                requests,
                Order::BY_STATUS.query(&cdb, "open").range(Order::PLACED.between("2024-01", "2024-02"))
            );
            assert_eq!(ids(&got), ["c1/a1", "c1/a2"]);
            let got = accepted!(requests, Order::BY_NOTE.query(&cdb, "c1").range(Order::NOTE.begins_with("note-a")));
            assert_eq!(ids(&got), ["c1/a1", "c1/a2"]);
        });
    }

    #[test]
    fn number_key_condition_between_is_ordered_by_value_not_text() {
        run(|db| async move {
            Reading::create_table(&db).await.unwrap();
            for at in [1, 9, 10, 100] {
                Reading::put(&db, &Reading { sensor: "s".into(), at, value: at as f64 / 2.0 }).await.unwrap();
            }
            let (cdb, requests) = counted(&db);
            macro_rules! reversed {
                ($op:expr, $attr:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::BetweenBounds { attribute }, .. }
                            if attribute == $attr
                    )
                };
            }
            // "10" < "9" as text, but 10 > 9.
            reversed!(Reading::query(&cdb, "s").range(Reading::AT.between(10, 9)), "at");
            reversed!(Reading::query(&cdb, "s").range(Reading::AT.between(-1, -2)), "at");
            reversed!(Reading::query(&cdb, "s").filter(Reading::VALUE.between(2.0, 1.5)), "value");
            refused!(
                requests,
                Reading::query(&cdb, ""),
                Error::Invalid { attribute, reason: InvalidReason::EmptyKey, .. } if attribute == "sensor"
            );
            assert_eq!(requests.count(), 0);

            let ats = |items: Vec<Reading>| items.into_iter().map(|r| r.at).collect::<Vec<_>>();
            assert_eq!(ats(accepted!(requests, Reading::query(&cdb, "s").range(Reading::AT.between(9, 10)))), [9, 10]);
            assert_eq!(ats(accepted!(requests, Reading::query(&cdb, "s").range(Reading::AT.between(10, 10)))), [10]);
            assert!(ats(accepted!(requests, Reading::query(&cdb, "s").range(Reading::AT.between(-2, -1)))).is_empty());
            let got = accepted!(requests, Reading::query(&cdb, "s").filter(Reading::VALUE.between(0.5, 5.0)));
            assert_eq!(ats(got), [1, 9, 10]);
        });
    }

    #[test]
    fn binary_key_condition_values_are_checked_and_ordered_as_unsigned_bytes() {
        run(|db| async move {
            Blobs::create_table(&db).await.unwrap();
            for sk in [1u8, 5, 0x80] {
                Blobs::put(&db, &Blobs { pk: vec![0x70], sk: vec![sk], x: vec![sk] }).await.unwrap();
            }
            let (cdb, requests) = counted(&db);
            let empty = Vec::<u8>::new;
            macro_rules! bad {
                ($op:expr, $attr:literal, $reason:pat) => {
                    refused!(requests, $op, Error::Invalid { attribute, reason: $reason, .. } if attribute == $attr)
                };
            }
            let q = || Blobs::query(&cdb, vec![0x70u8]);
            bad!(Blobs::query(&cdb, empty()), "pk", InvalidReason::EmptyKey);
            bad!(q().range(Blobs::SK.eq(empty())), "sk", InvalidReason::EmptyKey);
            bad!(q().range(Blobs::SK.lt(empty())), "sk", InvalidReason::EmptyKey);
            bad!(q().range(Blobs::SK.begins_with(empty())), "sk", InvalidReason::EmptyKey);
            bad!(q().range(Blobs::SK.between(empty(), vec![1u8])), "sk", InvalidReason::EmptyKey);
            bad!(q().range(Blobs::SK.eq(vec![7u8; 1025])), "sk", InvalidReason::KeyTooLong { len: 1025, max: 1024 });
            bad!(q().range(Blobs::SK.begins_with(vec![7u8; 1025])), "sk", InvalidReason::KeyTooLong { .. });
            bad!(q().range(Blobs::SK.between(vec![0u8], vec![7u8; 1025])), "sk", InvalidReason::KeyTooLong { .. });
            macro_rules! reversed {
                ($op:expr, $attr:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::BetweenBounds { attribute }, .. }
                            if attribute == $attr
                    )
                };
            }
            reversed!(q().range(Blobs::SK.between(vec![5u8], vec![1u8])), "sk");
            // Unsigned: 0x80 is above 0x01 (a signed comparison would say below).
            reversed!(q().range(Blobs::SK.between(vec![0x80u8], vec![0x01u8])), "sk");
            // A longer value with the same prefix is above the shorter one.
            reversed!(q().range(Blobs::SK.between(vec![1u8, 1], vec![1u8])), "sk");
            reversed!(Blobs::scan(&cdb).filter(Blobs::X.between(vec![5u8], vec![1u8])), "x");
            assert_eq!(requests.count(), 0);

            let sks = |items: Vec<Blobs>| items.into_iter().map(|b| b.sk).collect::<Vec<_>>();
            let got = accepted!(requests, q().range(Blobs::SK.between(vec![1u8], vec![0x80u8])));
            assert_eq!(sks(got), [vec![1u8], vec![5], vec![0x80]]);
            assert_eq!(sks(accepted!(requests, q().range(Blobs::SK.between(vec![1u8], vec![1u8])))), [vec![1u8]]);
            assert!(accepted!(requests, q().range(Blobs::SK.eq(vec![7u8; 1024]))).is_empty());
            assert!(accepted!(requests, q().range(Blobs::SK.begins_with(vec![7u8; 1024]))).is_empty());
            let got = accepted!(requests, Blobs::scan(&cdb).filter(Blobs::X.between(vec![2u8], vec![0x80u8])));
            assert_eq!(sks(got).len(), 2);
        });
    }

    #[test]
    fn between_with_low_above_high_in_filters_and_conditions_is_refused() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            macro_rules! reversed {
                ($op:expr, $attr:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::BetweenBounds { attribute }, .. }
                            if attribute == $attr
                    )
                };
            }
            let a1 = order("c1", "a1", "open", "2024-01", 1);
            reversed!(Order::scan(&cdb).filter(Order::TOTAL.between(5, 1)), "total");
            reversed!(Order::query(&cdb, "c1").filter(Order::NOTE.between("z", "a")), "note");
            reversed!(Order::query(&cdb, "c1").filter(Order::ADDR.then(Address::ZIP).between("z", "a")), "addr.zip");
            reversed!(Order::BY_STATUS.scan(&cdb).filter(Order::TOTAL.ge(0) & !Order::TOTAL.between(3, 2)), "total");
            reversed!(Order::put(&cdb, &a1).condition(Order::TOTAL.between(5, 1)), "total");
            reversed!(
                Order::update(&cdb, a1.key()).set(&Order::TOTAL, 2).condition(Order::TOTAL.between(5, 1)),
                "total"
            );
            reversed!(Order::delete(&cdb, a1.key()).condition(Order::NOTE.between("z", "a")), "note");
            assert_eq!(requests.count(), 0);

            let got = accepted!(requests, Order::scan(&cdb).filter(Order::TOTAL.between(1, 3)));
            assert_eq!(ids(&got), ["c1/a1", "c1/a2", "c1/b1"]);
            let got = accepted!(requests, Order::query(&cdb, "c1").filter(Order::NOTE.between("note-a2", "note-a2")));
            assert_eq!(ids(&got), ["c1/a2"]);
            accepted!(requests, Order::put(&cdb, &a1).condition(Order::TOTAL.between(1, 1)));
            accepted!(
                requests,
                Order::update(&cdb, a1.key()).set(&Order::TOTAL, 2).condition(Order::TOTAL.between(0, 1))
            );
        });
    }
}

// ------------------------------------------------------- item 2: empty attribute names

mod empty_names {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Default)]
    struct Blob {
        inner: HashMap<String, i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_names")]
    struct Names {
        #[dynamo(hash_key)]
        id: String,
        map: HashMap<String, i64>,
        tree: BTreeMap<String, String>,
        nested: Vec<HashMap<String, i64>>,
        #[dynamo(serde)]
        doc: Blob,
        #[dynamo(extra)]
        extra: HashMap<String, AttributeValue>,
    }

    #[derive(Document, Debug, Clone, PartialEq)]
    struct NamesMap {
        id: String,
        map: HashMap<String, i64>,
    }

    fn names(key: &str) -> Names {
        Names {
            id: "n".into(),
            map: HashMap::from([(key.to_owned(), 1)]),
            tree: BTreeMap::from([(key.to_owned(), "x".to_owned())]),
            nested: vec![HashMap::from([(key.to_owned(), 2)])],
            doc: Blob { inner: HashMap::from([(key.to_owned(), 3)]) },
            extra: HashMap::from([(format!("x{key}"), AttributeValue::M(HashMap::from([(key.to_owned(), s("v"))])))]),
        }
    }

    fn empty_name(error: &Error) -> bool {
        matches!(error, Error::Invalid { reason: InvalidReason::EmptyName, .. })
    }

    #[test]
    fn empty_map_keys_in_put_items_are_refused_for_every_kind_of_map() {
        run(|db| async move {
            Names::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let fine = names("k");
            let cases: [(&str, Names); 7] = [
                ("HashMap key", Names { map: HashMap::from([(String::new(), 1)]), ..fine.clone() }),
                ("BTreeMap key", Names { tree: BTreeMap::from([(String::new(), "x".into())]), ..fine.clone() }),
                (
                    "map key in a list",
                    Names { nested: vec![HashMap::new(), HashMap::from([(String::new(), 1)])], ..fine.clone() },
                ),
                ("serde map key", Names { doc: Blob { inner: HashMap::from([(String::new(), 1)]) }, ..fine.clone() }),
                ("extra attribute name", Names { extra: HashMap::from([(String::new(), s("x"))]), ..fine.clone() }),
                (
                    "map key inside an extra value",
                    Names {
                        extra: HashMap::from([(
                            "m".to_owned(),
                            AttributeValue::M(HashMap::from([(String::new(), s("x"))])),
                        )]),
                        ..fine.clone()
                    },
                ),
                (
                    "map key inside a list inside an extra value",
                    Names {
                        extra: HashMap::from([(
                            "l".to_owned(),
                            AttributeValue::L(vec![AttributeValue::M(HashMap::from([(String::new(), s("x"))]))]),
                        )]),
                        ..fine.clone()
                    },
                ),
            ];
            for (what, item) in &cases {
                let error = refused!(requests, Names::put(&cdb, item), Error::Invalid { .. });
                assert!(empty_name(&error), "{what}: {error:?}");
            }
            assert_eq!(requests.count(), 0);

            // Control: the same shapes with a key are stored and read back.
            let stored = accepted!(requests, Names::put(&cdb, &fine));
            assert_eq!(stored, fine);
            assert_eq!(accepted!(requests, Names::get(&cdb, Names::key("n")).consistent()), Some(fine));
        });
    }

    #[test]
    fn empty_map_keys_in_paths_of_updates_conditions_filters_and_projections_are_refused() {
        run(|db| async move {
            Names::create_table(&db).await.unwrap();
            Names::put(&db, &names("k")).await.unwrap();
            let (cdb, requests) = counted(&db);
            let key = || Names::key("n");
            macro_rules! empty {
                ($op:expr) => {{
                    let error = refused!(requests, $op, Error::Invalid { .. });
                    assert!(empty_name(&error), "`{}`: {error:?}", stringify!($op));
                }};
            }
            empty!(Names::update(&cdb, key()).set(&Names::MAP.key(""), 5));
            empty!(Names::update(&cdb, key()).add(&Names::MAP.key(""), 1));
            empty!(Names::update(&cdb, key()).remove(&Names::MAP.key("")));
            empty!(Names::update(&cdb, key()).set_if_not_exists(&Names::MAP.key(""), 1));
            empty!(Names::update(&cdb, key()).set(&Names::MAP, HashMap::from([(String::new(), 1)])));
            empty!(Names::update(&cdb, key()).set(&Names::TREE.key(""), "x"));
            empty!(Names::update(&cdb, key()).set(&Names::NESTED.index(0).key(""), 1));
            empty!(Names::update(&cdb, key()).set(&Names::DOC, Blob { inner: HashMap::from([(String::new(), 1)]) }));
            empty!(Names::update(&cdb, key()).set(&Names::MAP.key("k"), 2).condition(Names::MAP.key("").exists()));
            empty!(Names::put(&cdb, &names("k")).condition(Names::MAP.key("").not_exists()));
            empty!(Names::delete(&cdb, key()).condition(Names::TREE.key("").eq("x")));
            empty!(Names::scan(&cdb).filter(Names::MAP.key("").eq(1)));
            empty!(Names::query(&cdb, "n").filter(Names::MAP.key("").exists()));
            empty!(Names::query(&cdb, "n").select(&Names::MAP.key("")).project_into::<NamesMap>());
            assert_eq!(requests.count(), 0);

            // Controls: the same paths with a key.
            let updated = accepted!(
                requests,
                Names::update(&cdb, key())
                    .set(&Names::MAP.key("k2"), 5)
                    .set(&Names::TREE.key("k2"), "y")
                    .set(&Names::NESTED.index(0).key("k2"), 1)
                    .condition(Names::MAP.key("k").exists())
            )
            .into_item()
            .unwrap();
            assert_eq!(updated.map, HashMap::from([("k".to_owned(), 1), ("k2".to_owned(), 5)]));
            assert_eq!(updated.nested[0]["k2"], 1);
            assert_eq!(accepted!(requests, Names::scan(&cdb).filter(Names::MAP.key("k2").eq(5))).len(), 1);
            let got =
                accepted!(requests, Names::query(&cdb, "n").select(&Names::MAP.key("k2")).project_into::<NamesMap>());
            assert_eq!(got[0].map, HashMap::from([("k2".to_owned(), 5)]));
        });
    }
}

// ------------------------------------------------------------ item 2: projections

mod projections {
    use super::*;

    #[test]
    fn a_projection_naming_a_path_twice_or_overlapping_paths_is_refused() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            macro_rules! overlap {
                ($op:expr, $path:literal, $other:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::OverlappingProjection { path, other }, .. }
                            if path == $path && other == $other
                    )
                };
            }
            let q = || Order::query(&cdb, "c1");
            overlap!(q().select(&Order::NOTE).select(&Order::NOTE).project_into::<OrderNote>(), "note", "note");
            overlap!(q().select(&Order::SK).select(&Order::SK), "sk", "sk");
            overlap!(
                q().select(&Order::ADDR).select(&Order::ADDR.then(Address::CITY)).project_into::<OrderAddr>(),
                "addr.city",
                "addr"
            );
            overlap!(
                q().select(&Order::ADDR.then(Address::CITY)).select(&Order::ADDR).project_into::<OrderAddr>(),
                "addr",
                "addr.city"
            );
            overlap!(q().select(&Order::COUNTS.key("a")).select(&Order::COUNTS), "counts", "counts.a");
            overlap!(
                Order::scan(&cdb).select(&Order::ADDR.then(Address::ZIP)).select(&Order::ADDR.then(Address::ZIP)),
                "addr.zip",
                "addr.zip"
            );
            overlap!(
                q().select(&Order::ADDR).select(&Order::ADDR.then(Address::ZIP)).limit(1).page(None),
                "addr.zip",
                "addr"
            );
            assert_eq!(requests.count(), 0);

            // Siblings inside one map do not overlap.
            let got = accepted!(
                requests,
                q().select(&Order::ADDR.then(Address::CITY))
                    .select(&Order::ADDR.then(Address::ZIP))
                    .project_into::<OrderAddr>()
            );
            assert_eq!(got.iter().map(|o| o.addr.zip.as_str()).collect::<Vec<_>>(), ["zip-a1", "zip-a2", "zip-b1"]);
            assert_eq!(got[0].addr.city, "Porto");
            // A key selected once is not added a second time.
            let got = accepted!(requests, q().select(&Order::SK).select(&Order::STATUS).project_into::<OrderKeys>());
            assert_eq!(got.len(), 3);
        });
    }

    #[test]
    fn selecting_attributes_an_index_does_not_project_is_unprojected_before_sending() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            macro_rules! unprojected {
                ($op:expr, $missing:expr) => {
                    refused!(requests, $op, Error::Unprojected { missing, .. } if *missing == $missing)
                };
            }
            unprojected!(Order::BY_STATUS_KEYS.query(&cdb, "open").select(&Order::LABEL), ["label"]);
            unprojected!(Order::BY_STATUS_KEYS.scan(&cdb).select(&Order::TOTAL), ["total"]);
            unprojected!(Order::BY_STATUS_NOTE.query(&cdb, "open").select(&Order::TOTAL), ["total"]);
            unprojected!(
                Order::BY_STATUS_NOTE.query(&cdb, "open").select(&Order::NOTE).select(&Order::LABEL),
                ["label"]
            );
            unprojected!(Order::BY_STATUS_NOTE.query(&cdb, "open").select(&Order::ADDR.then(Address::CITY)), ["addr"]);
            unprojected!(
                Order::BY_STATUS_NOTE.query(&cdb, "open").select(&Order::TOTAL).project_into::<OrderNote>(),
                ["total"]
            );
            refused!(requests, Order::BY_STATUS_KEYS.query(&cdb, "open"), Error::Unprojected { .. });
            refused!(requests, Order::BY_STATUS_NOTE.scan(&cdb), Error::Unprojected { .. });
            assert_eq!(requests.count(), 0);

            // What the indexes do project.
            let got = accepted!(requests, Order::BY_STATUS_KEYS.query(&cdb, "open").project_into::<OrderKeys>());
            assert_eq!(got.len(), 3);
            let got = accepted!(
                requests,
                Order::BY_STATUS_NOTE.query(&cdb, "open").select(&Order::NOTE).project_into::<OrderNote>()
            );
            assert_eq!(got.iter().map(|o| o.note.as_str()).collect::<Vec<_>>(), ["note-a1", "note-a2", "note-a1"]);
            let got = accepted!(requests, Order::BY_STATUS_NOTE.scan(&cdb).project_into::<OrderNote>());
            assert_eq!(got.len(), 4);
        });
    }
}

// ------------------------------------------------------------ item 2: expression limits

mod expression_limits {
    use super::*;

    /// `total = 0 OR total = 1 OR …`: `n` comparisons and `n - 1` ORs.
    fn or_chain(n: i64) -> Condition<Order> {
        let mut chain: Condition<Order> = Order::TOTAL.eq(0).into();
        for i in 1..n {
            chain = chain | Order::TOTAL.eq(i);
        }
        chain
    }

    #[test]
    fn more_than_300_operators_is_refused_and_exactly_300_is_accepted() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            macro_rules! too_many {
                ($op:expr, $expression:literal, $count:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest {
                            reason: RequestReason::TooManyOperators {
                                expression: $expression,
                                count: $count,
                                max: 300
                            },
                            ..
                        }
                    )
                };
            }
            // 151 comparisons and 150 ORs.
            too_many!(Order::scan(&cdb).filter(or_chain(151)), "filter", 301);
            too_many!(Order::query(&cdb, "c1").filter(or_chain(151)), "filter", 301);
            too_many!(Order::scan(&cdb).filter(!!or_chain(150)), "filter", 301);
            too_many!(
                Order::put(&cdb, &order("c9", "z1", "open", "2024-01", 9)).condition(or_chain(151)),
                "condition",
                301
            );
            too_many!(Order::delete(&cdb, Order::key("c1", "a1")).condition(or_chain(151)), "condition", 301);
            assert_eq!(requests.count(), 0);

            // 150 comparisons, 149 ORs and one NOT: exactly 300.
            let got = accepted!(requests, Order::scan(&cdb).filter(!or_chain(150)));
            assert!(got.is_empty(), "every total is below 150");
            let got = accepted!(requests, Order::scan(&cdb).filter(or_chain(150)));
            assert_eq!(got.len(), 4);
            // On an absent item every comparison is false, so NOT of the chain holds.
            accepted!(requests, Order::put(&cdb, &order("c9", "z1", "open", "2024-01", 9)).condition(!or_chain(150)));
            // Key condition and filter are counted apart: 2 + 300.
            let got =
                accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.begins_with("a")).filter(!or_chain(150)));
            assert!(got.is_empty());
        });
    }

    /// `total >= 0 AND attribute_not_exists(counts.absentN) … AND total > -1 …`: true
    /// for every stored order; its length is tuned by the counts of each clause.
    fn padded(absent: usize, ge: usize, gt: usize) -> Condition<Order> {
        let mut c: Condition<Order> = Order::TOTAL.ge(0).into();
        for i in 0..absent {
            c = c & Order::COUNTS.key(format!("absent{i}")).not_exists();
        }
        for _ in 0..ge {
            c = c & Order::TOTAL.ge(0);
        }
        for _ in 0..gt {
            c = c & Order::TOTAL.gt(-1);
        }
        c
    }

    /// A condition whose expression, as sent, is exactly `len` bytes.
    fn condition_of_len(len: usize) -> Condition<Order> {
        let rendered = |c: &Condition<Order>| c.render().unwrap().expression.len();
        let most = (0..200).take_while(|&a| rendered(&padded(a, 0, 0)) <= len).last().unwrap();
        for absent in (most.saturating_sub(4)..=most).rev() {
            for ge in 0..30 {
                for gt in 0..30 {
                    let c = padded(absent, ge, gt);
                    if rendered(&c) == len {
                        return c;
                    }
                }
            }
        }
        panic!("no condition of {len} bytes");
    }

    #[test]
    fn a_condition_or_filter_over_4096_bytes_is_refused_and_exactly_4096_is_accepted() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            let long = condition_of_len(4097);
            let at_limit = condition_of_len(4096);
            let a1 = order("c1", "a1", "open", "2024-01", 1);
            macro_rules! too_long {
                ($op:expr, $expression:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest {
                            reason: RequestReason::ExpressionTooLong { expression: $expression, len: 4097, max: 4096 },
                            ..
                        }
                    )
                };
            }
            too_long!(Order::scan(&cdb).filter(long.clone()), "filter");
            // In a query the key condition takes the first placeholders, so the same filter
            // is a few bytes longer.
            refused!(
                requests,
                Order::query(&cdb, "c1").filter(long.clone()),
                Error::InvalidRequest { reason: RequestReason::ExpressionTooLong { expression: "filter", .. }, .. }
            );
            too_long!(Order::put(&cdb, &a1).condition(long.clone()), "condition");
            too_long!(Order::delete(&cdb, a1.key()).condition(long.clone()), "condition");
            assert_eq!(requests.count(), 0);

            let compiled = Order::scan(&cdb).filter(at_limit.clone()).compile().unwrap();
            assert_eq!(compiled.expressions.filter.as_deref().map(str::len), Some(4096));
            let got = accepted!(requests, Order::scan(&cdb).filter(at_limit.clone()));
            assert_eq!(got.len(), 4);
            let compiled = Order::put(&cdb, &a1).condition(at_limit.clone()).compile().unwrap();
            assert_eq!(compiled.expressions.condition.as_deref().map(str::len), Some(4096));
            accepted!(requests, Order::put(&cdb, &a1).condition(at_limit));
        });
    }

    fn update_len(result: dynamo_model::Result<dynamo_model::compile::CompiledUpdate>) -> usize {
        match result {
            Ok(compiled) => compiled.expressions.update.unwrap().len(),
            Err(Error::InvalidRequest {
                reason: RequestReason::ExpressionTooLong { expression: "update", len, .. },
                ..
            }) => len,
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_update_over_4096_bytes_is_refused_and_exactly_4096_is_accepted() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            let build = |sets: usize, removes: usize| {
                let mut update = Order::update(&cdb, Order::key("c1", "a1"));
                for i in 0..sets {
                    update = update.set(&Order::COUNTS.key(format!("s{i}")), 1);
                }
                for i in 0..removes {
                    update = update.remove(&Order::COUNTS.key(format!("r{i}")));
                }
                update
            };
            let most = (150..400).take_while(|&s| update_len(build(s, 0).compile()) <= 4096).last().unwrap();
            let of_len = |len: usize| {
                for sets in (most - 6..=most).rev() {
                    for removes in 0..12 {
                        if update_len(build(sets, removes).compile()) == len {
                            return (sets, removes);
                        }
                    }
                }
                panic!("no update of {len} bytes");
            };
            let (sets, removes) = of_len(4097);
            refused!(
                requests,
                build(sets, removes),
                Error::InvalidRequest {
                    reason: RequestReason::ExpressionTooLong { expression: "update", len: 4097, max: 4096 },
                    ..
                }
            );
            refused!(
                requests,
                build(most + 1, 0),
                Error::InvalidRequest { reason: RequestReason::ExpressionTooLong { expression: "update", .. }, .. }
            );
            assert_eq!(requests.count(), 0);

            let (sets, removes) = of_len(4096);
            let updated = accepted!(requests, build(sets, removes)).into_item().unwrap();
            assert_eq!(updated.counts.len(), sets + 1, "{sets} entries set beside `a`");
        });
    }

    #[test]
    fn substitutions_over_2_mb_are_refused_and_just_under_is_accepted() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            // Three expressions of one query, each under DynamoDB's 1 MB expression size,
            // whose names and values together are over 2 MB: a 2048-byte partition, a
            // filter value near 1 MB and a projection of 16 map keys of about 64 KB each.
            let partition = "c".repeat(2048);
            let keys: Vec<String> = (0..16u8)
                .map(|i| char::from(b'a' + i).to_string().repeat(if i < 15 { 65_535 } else { 64_000 }))
                .collect();
            let query = |value_len: usize| {
                let mut query = Order::query(&cdb, &partition).filter(Order::LABEL.eq("v".repeat(value_len)));
                for key in &keys {
                    query = query.select(&Order::COUNTS.key(key.as_str()));
                }
                query.project_into::<OrderCounts>()
            };
            let error = refused!(
                requests,
                query(1_048_500).limit(1).page(None),
                Error::InvalidRequest { reason: RequestReason::SubstitutionsTooLarge { max: 2_097_152, .. }, .. }
            );
            if let Error::InvalidRequest { reason: RequestReason::SubstitutionsTooLarge { size, .. }, .. } = error {
                assert!(size > 2_097_152 && size < 2_098_500, "{size}");
            }
            assert_eq!(requests.count(), 0);

            // About 8 KB less: under 2 MB, accepted.
            assert!(query(1_040_000).compile().is_ok());
            let got = accepted!(requests, query(1_040_000));
            assert!(got.is_empty());
        });
    }

    #[test]
    fn in_with_101_values_is_refused_and_100_is_accepted() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            macro_rules! too_many {
                ($op:expr, $count:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::InOperands { attribute, count: $count, max: 100 }, .. }
                            if attribute == "total"
                    )
                };
            }
            too_many!(Order::scan(&cdb).filter(Order::TOTAL.is_in(0i64..101)), 101);
            too_many!(Order::query(&cdb, "c1").filter(Order::LABEL.exists() & !Order::TOTAL.is_in(0i64..101)), 101);
            too_many!(Order::scan(&cdb).filter(Order::TOTAL.is_in(std::iter::repeat_n(1i64, 101))), 101);
            too_many!(
                Order::put(&cdb, &order("c1", "a1", "open", "2024-01", 1)).condition(Order::TOTAL.is_in(0i64..101)),
                101
            );
            too_many!(Order::scan(&cdb).filter(Order::TOTAL.is_in(Vec::<i64>::new())), 0);
            assert_eq!(requests.count(), 0);

            let got = accepted!(requests, Order::scan(&cdb).filter(Order::TOTAL.is_in(0i64..100)));
            assert_eq!(got.len(), 4);
            let got = accepted!(requests, Order::scan(&cdb).filter(Order::TOTAL.is_in(std::iter::repeat_n(1i64, 100))));
            assert_eq!(ids(&got), ["c1/a1"]);
            accepted!(
                requests,
                Order::put(&cdb, &order("c1", "a1", "open", "2024-01", 1)).condition(Order::TOTAL.is_in(0i64..100))
            );
        });
    }
}

// ------------------------------------------------------------ item 2: binary paths

mod binary_paths {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_bins")]
    struct Bin {
        #[dynamo(hash_key)]
        id: String,
        bin: Vec<u8>,
        nums: Vec<i64>,
    }

    #[test]
    fn list_paths_on_a_vec_u8_are_not_a_list_and_binary_operations_work() {
        run(|db| async move {
            Bin::create_table(&db).await.unwrap();
            let b = Bin { id: "b".into(), bin: vec![1, 2, 3], nums: vec![1, 2, 3] };
            Bin::put(&db, &b).await.unwrap();
            let (cdb, requests) = counted(&db);
            macro_rules! not_a_list {
                ($op:expr, $attr:literal) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::NotAList { attribute }, .. } if attribute == $attr
                    )
                };
            }
            not_a_list!(Bin::update(&cdb, b.key()).set(&Bin::BIN.index(0), 9u8), "bin[0]");
            not_a_list!(Bin::update(&cdb, b.key()).remove(&Bin::BIN.index(0)), "bin[0]");
            not_a_list!(Bin::update(&cdb, b.key()).append(&Bin::BIN, [4u8]), "bin");
            not_a_list!(Bin::update(&cdb, b.key()).prepend(&Bin::BIN, [4u8]), "bin");
            not_a_list!(Bin::scan(&cdb).filter(Bin::BIN.contains(1u8)), "bin");
            not_a_list!(Bin::scan(&cdb).filter(Bin::BIN.index(0).eq(1u8)), "bin[0]");
            not_a_list!(Bin::put(&cdb, &b).condition(Bin::BIN.index(0).exists()), "bin[0]");
            not_a_list!(Bin::query(&cdb, "b").select(&Bin::BIN.index(0)), "bin[0]");
            assert_eq!(requests.count(), 0);

            // Binary as binary: written whole, compared, prefix-matched, sized.
            let updated =
                accepted!(requests, Bin::update(&cdb, b.key()).set(&Bin::BIN, vec![9u8, 2, 3])).into_item().unwrap();
            assert_eq!(updated.bin, [9, 2, 3]);
            assert_eq!(accepted!(requests, Bin::scan(&cdb).filter(Bin::BIN.begins_with([9u8]))).len(), 1);
            assert_eq!(accepted!(requests, Bin::scan(&cdb).filter(Bin::BIN.eq(vec![9u8, 2, 3]))).len(), 1);
            assert_eq!(accepted!(requests, Bin::scan(&cdb).filter(Bin::BIN.size().eq(3))).len(), 1);
            // A list of numbers has elements.
            let updated =
                accepted!(requests, Bin::update(&cdb, b.key()).set(&Bin::NUMS.index(0), 7)).into_item().unwrap();
            assert_eq!(updated.nums, [7, 2, 3]);
            let updated = accepted!(requests, Bin::update(&cdb, b.key()).append(&Bin::NUMS, [4])).into_item().unwrap();
            assert_eq!(updated.nums, [7, 2, 3, 4]);
            assert_eq!(accepted!(requests, Bin::scan(&cdb).filter(Bin::NUMS.contains(4))).len(), 1);
            assert_eq!(accepted!(requests, Bin::scan(&cdb).filter(Bin::NUMS.index(0).eq(7))).len(), 1);
        });
    }
}

// ------------------------------------------------------------ item 2: raw values

mod raw_values {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_raw")]
    struct Raw {
        #[dynamo(hash_key)]
        id: String,
        raw: Option<AttributeValue>,
        #[dynamo(default)]
        x: f64,
        #[dynamo(extra)]
        extra: HashMap<String, AttributeValue>,
    }

    fn raw_item(id: &str) -> Raw {
        Raw { id: id.into(), raw: None, x: 0.0, extra: HashMap::new() }
    }

    /// A value, what it is, and the reason it must be refused for.
    type BadValue = (&'static str, AttributeValue, fn(&InvalidReason) -> bool);

    fn bad_values() -> Vec<BadValue> {
        vec![
            ("SS []", AttributeValue::Ss(vec![]), |r| *r == InvalidReason::EmptySet),
            ("NS []", AttributeValue::Ns(vec![]), |r| *r == InvalidReason::EmptySet),
            ("BS []", AttributeValue::Bs(vec![]), |r| *r == InvalidReason::EmptySet),
            ("NULL false", AttributeValue::Null(false), |r| *r == InvalidReason::NullFalse),
            ("N abc", n("abc"), |r| matches!(r, InvalidReason::NotANumber { .. })),
            ("N empty", n(""), |r| matches!(r, InvalidReason::NotANumber { .. })),
            ("N NaN", n("NaN"), |r| matches!(r, InvalidReason::NotANumber { .. })),
            ("N Infinity", n("Infinity"), |r| matches!(r, InvalidReason::NotANumber { .. })),
            ("N 1e400", n("1e400"), |r| matches!(r, InvalidReason::NumberOutOfRange { .. })),
            ("N 1e-131", n("1e-131"), |r| matches!(r, InvalidReason::NumberOutOfRange { .. })),
            ("N 39 digits", n(&"1".repeat(39)), |r| matches!(r, InvalidReason::NumberOutOfRange { .. })),
            ("NS 1 and 1.0", AttributeValue::Ns(vec!["1".into(), "1.0".into()]), |r| {
                matches!(r, InvalidReason::DuplicateSetMember { .. })
            }),
            ("NULL false in a list", AttributeValue::L(vec![s("x"), AttributeValue::Null(false)]), |r| {
                *r == InvalidReason::NullFalse
            }),
            ("SS [] in a map", AttributeValue::M(HashMap::from([("k".to_owned(), AttributeValue::Ss(vec![]))])), |r| {
                *r == InvalidReason::EmptySet
            }),
            (
                "N abc in a list in a map",
                AttributeValue::M(HashMap::from([("k".to_owned(), AttributeValue::L(vec![n("abc")]))])),
                |r| matches!(r, InvalidReason::NotANumber { .. }),
            ),
        ]
    }

    #[test]
    fn raw_values_dynamodb_cannot_store_are_refused_wherever_they_come_from() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            Raw::put(&db, &raw_item("u")).await.unwrap();
            let (cdb, requests) = counted(&db);
            let key = || Raw::key("u");
            for (label, value, expected) in bad_values() {
                let check = |where_: &str, error: Error| match &error {
                    Error::Invalid { reason, .. } if expected(reason) => {}
                    other => panic!("{label} in {where_}: {other:?}"),
                };
                let field = Raw { raw: Some(value.clone()), ..raw_item("f") };
                check(
                    "a put's AttributeValue field",
                    refused!(requests, Raw::put(&cdb, &field), Error::Invalid { .. }),
                );
                let extra = Raw { extra: HashMap::from([("other".to_owned(), value.clone())]), ..raw_item("e") };
                check("a put's extra", refused!(requests, Raw::put(&cdb, &extra), Error::Invalid { .. }));
                check(
                    "an update's set",
                    refused!(requests, Raw::update(&cdb, key()).set(&Raw::RAW, value.clone()), Error::Invalid { .. }),
                );
                check(
                    "an update's set_if_not_exists",
                    refused!(
                        requests,
                        Raw::update(&cdb, key()).set_if_not_exists(&Raw::RAW, value.clone()),
                        Error::Invalid { .. }
                    ),
                );
                check(
                    "an upsert",
                    refused!(
                        requests,
                        Raw::update(&cdb, Raw::key("new")).set(&Raw::RAW, value.clone()).upsert(),
                        Error::Invalid { .. }
                    ),
                );
                check(
                    "a condition",
                    refused!(
                        requests,
                        Raw::put(&cdb, &raw_item("u")).condition(Raw::RAW.eq(value.clone())),
                        Error::Invalid { .. }
                    ),
                );
                check(
                    "a filter",
                    refused!(requests, Raw::scan(&cdb).filter(Raw::RAW.ne(value.clone())), Error::Invalid { .. }),
                );
                check(
                    "an IN",
                    refused!(
                        requests,
                        Raw::scan(&cdb).filter(Raw::RAW.is_in([s("ok"), value.clone()])),
                        Error::Invalid { .. }
                    ),
                );
            }
            assert_eq!(requests.count(), 0);
            assert_eq!(raw::<Raw>(&db, &Raw::key("f")).await, None);
            assert_eq!(raw::<Raw>(&db, &Raw::key("e")).await, None);
            assert_eq!(raw::<Raw>(&db, &Raw::key("new")).await, None);

            // Controls: values DynamoDB takes, in each place.
            let good = Raw {
                raw: Some(AttributeValue::M(HashMap::from([
                    ("n".to_owned(), n("-0.5")),
                    ("null".to_owned(), AttributeValue::Null(true)),
                    ("ss".to_owned(), AttributeValue::Ss(vec!["a".into(), "b".into()])),
                ]))),
                extra: HashMap::from([("other".to_owned(), n("9.9999999999999999999999999999999999999e125"))]),
                ..raw_item("g")
            };
            let stored = accepted!(requests, Raw::put(&cdb, &good));
            assert_eq!(stored.raw, good.raw);
            let read = accepted!(requests, Raw::get(&cdb, Raw::key("g")).consistent()).unwrap();
            assert_eq!(read, stored, "the put returns the item as DynamoDB stores it");
            assert!(read.extra.contains_key("other"));
            let updated = accepted!(
                requests,
                Raw::update(&cdb, key()).set(&Raw::RAW, AttributeValue::Ns(vec!["1".into(), "2".into()]))
            )
            .into_item()
            .unwrap();
            assert_eq!(updated.raw, Some(AttributeValue::Ns(vec!["1".into(), "2".into()])));
            let got = accepted!(requests, Raw::scan(&cdb).filter(Raw::RAW.eq(good.raw.clone().unwrap())));
            assert_eq!(got.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["g"]);
        });
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
    struct Meta {
        ratio: f64,
        notes: Vec<String>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_serde_raw")]
    struct WithSerde {
        #[dynamo(hash_key)]
        id: String,
        #[dynamo(serde)]
        meta: Meta,
    }

    #[test]
    fn non_finite_numbers_inside_serde_fields_are_refused_on_put_and_update() {
        run(|db| async move {
            WithSerde::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let item = |ratio: f64| WithSerde { id: "s".into(), meta: Meta { ratio, notes: vec!["n".into()] } };
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                refused!(requests, WithSerde::put(&cdb, &item(bad)), Error::Invalid { attribute, .. } if attribute.starts_with("meta"));
                refused!(
                    requests,
                    WithSerde::update(&cdb, WithSerde::key("s")).set(&WithSerde::META, item(bad).meta),
                    Error::Invalid { attribute, .. } if attribute.starts_with("meta")
                );
            }
            assert_eq!(requests.count(), 0);
            let stored = accepted!(requests, WithSerde::put(&cdb, &item(1.5)));
            assert_eq!(stored, item(1.5));
            let updated = accepted!(
                requests,
                WithSerde::update(&cdb, WithSerde::key("s")).set(&WithSerde::META, item(-2.25).meta)
            )
            .into_item()
            .unwrap();
            assert_eq!(updated, item(-2.25));
            assert_eq!(WithSerde::get(&db, WithSerde::key("s")).consistent().await.unwrap(), Some(item(-2.25)));
        });
    }

    /// A put returns the item as stored, so the next write starts from it. DynamoDB
    /// stores numbers in a canonical form (`1e5` as `100000`, `+1.50` as `1.5`): the raw
    /// `N` values a put returns are those it reads back.
    #[test]
    fn put_returns_raw_numbers_as_dynamodb_stores_them() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            let item = Raw {
                raw: Some(n("+1.50")),
                extra: HashMap::from([("big".to_owned(), n("1e5")), ("zero".to_owned(), n("-0"))]),
                ..raw_item("n")
            };
            let returned = Raw::put(&db, &item).await.unwrap();
            let read = Raw::get(&db, Raw::key("n")).consistent().await.unwrap().unwrap();
            assert_eq!(read.raw, Some(n("1.5")));
            assert_eq!(returned, read, "the put returned another item than the one stored");
        });
    }

    #[test]
    fn non_finite_floats_are_refused_in_puts_updates_and_conditions() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            Raw::put(&db, &raw_item("u")).await.unwrap();
            let (cdb, requests) = counted(&db);
            let key = || Raw::key("u");
            macro_rules! non_finite {
                ($op:expr) => {
                    refused!(
                        requests,
                        $op,
                        Error::Invalid { attribute, reason: InvalidReason::NonFiniteNumber, .. } if attribute == "x"
                    )
                };
            }
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                non_finite!(Raw::put(&cdb, &Raw { x: bad, ..raw_item("f") }));
                non_finite!(Raw::update(&cdb, key()).set(&Raw::X, bad));
                non_finite!(Raw::scan(&cdb).filter(Raw::X.gt(bad)));
                non_finite!(Raw::scan(&cdb).filter(Raw::X.between(0.0, bad)));
                non_finite!(Raw::delete(&cdb, key()).condition(Raw::X.ne(bad)));
            }
            refused!(
                requests,
                Raw::put(&cdb, &Raw { x: 1e126, ..raw_item("f") }),
                Error::Invalid { reason: InvalidReason::NumberOutOfRange { .. }, .. }
            );
            assert_eq!(requests.count(), 0);

            let updated = accepted!(requests, Raw::update(&cdb, key()).set(&Raw::X, 2.5)).into_item().unwrap();
            assert_eq!(updated.x, 2.5);
            assert_eq!(accepted!(requests, Raw::scan(&cdb).filter(Raw::X.between(2.0, 3.0))).len(), 1);
        });
    }
}

// ------------------------------------------------------------------ item 2: cursors

mod cursors {
    use super::*;

    /// Stream `p` holds `a`..`g`; their GSI sort key `at` and LSI sort key `rank` repeat
    /// on `c`, `d` and `e`. Stream `q` holds one more item.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_log", gsi(name = "by_kind", hash = kind, range = at), lsi(name = "by_rank", range = rank))]
    struct Log {
        #[dynamo(hash_key)]
        stream: String,
        #[dynamo(range_key)]
        seq: String,
        kind: String,
        at: String,
        rank: i64,
    }

    async fn logs(db: &Db) {
        Log::create_table(db).await.unwrap();
        let at = ["t1", "t2", "t3", "t3", "t3", "t4", "t5"];
        let rank = [1, 2, 3, 3, 3, 4, 5];
        for (i, seq) in ["a", "b", "c", "d", "e", "f", "g"].into_iter().enumerate() {
            let log = Log { stream: "p".into(), seq: seq.into(), kind: "k".into(), at: at[i].into(), rank: rank[i] };
            Log::put(db, &log).await.unwrap();
        }
        let other = Log { stream: "q".into(), seq: "a".into(), kind: "other".into(), at: "t1".into(), rank: 1 };
        Log::put(db, &other).await.unwrap();
    }

    fn seqs(items: &[Log]) -> Vec<&str> {
        items.iter().map(|l| l.seq.as_str()).collect()
    }

    fn sorted_seqs(items: &[Log]) -> Vec<&str> {
        let mut seqs = seqs(items);
        seqs.sort_unstable();
        seqs
    }

    /// Every page of a walk, each cursor passed on as text, as over HTTP.
    async fn pages<T, F, Fut>(next: F) -> Vec<Vec<T>>
    where
        F: Fn(Option<Cursor>) -> Fut,
        Fut: Future<Output = dynamo_model::Result<Page<T>>>,
    {
        let mut cursor = None;
        let mut out = Vec::new();
        loop {
            let page = next(cursor.take()).await.unwrap_or_else(|e| panic!("page {}: {e:?}", out.len() + 1));
            out.push(page.items);
            match page.cursor {
                Some(next) => cursor = Some(next.to_string().parse::<Cursor>().unwrap()),
                None => return out,
            }
            assert!(out.len() < 20, "the walk does not end");
        }
    }

    fn page_seqs(pages: &[Vec<Log>]) -> Vec<Vec<&str>> {
        pages.iter().map(|page| seqs(page)).collect()
    }

    /// `text` with the character at `i` replaced by another base64url character.
    fn flipped(text: &str, i: usize) -> Cursor {
        let mut bytes = text.as_bytes().to_vec();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap().parse().unwrap()
    }

    #[test]
    fn a_cursor_from_another_partition_index_or_read_kind_is_invalid_cursor() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            let first = |page: dynamo_model::Result<Page<Order>>| page.unwrap().cursor.expect("a cursor");
            let table_c1 = first(Order::query(&db, "c1").limit(1).page(None).await);
            let gsi = first(Order::BY_STATUS.query(&db, "open").limit(1).page(None).await);
            let lsi = first(Order::BY_NOTE.query(&db, "c1").limit(1).page(None).await);
            let scan = first(Order::scan(&db).limit(1).page(None).await);
            let keys_only = Order::BY_STATUS_KEYS
                .query(&db, "open")
                .project_into::<OrderKeys>()
                .limit(1)
                .page(None)
                .await
                .unwrap()
                .cursor
                .unwrap();
            macro_rules! invalid {
                ($op:expr) => {
                    refused!(requests, $op, Error::InvalidCursor { .. })
                };
            }
            invalid!(Order::query(&cdb, "c2").page(Some(table_c1.clone())));
            invalid!(Order::query(&cdb, "c2").limit(5).page(Some(table_c1.clone())));
            invalid!(Order::BY_STATUS.query(&cdb, "open").page(Some(table_c1.clone())));
            invalid!(Order::BY_NOTE.query(&cdb, "c1").page(Some(table_c1.clone())));
            invalid!(Order::scan(&cdb).page(Some(table_c1.clone())));
            invalid!(Order::query(&cdb, "c1").page(Some(scan.clone())));
            invalid!(Order::query(&cdb, "c1").page(Some(lsi.clone())));
            invalid!(Order::BY_NOTE.query(&cdb, "c2").page(Some(lsi.clone())));
            invalid!(Order::BY_STATUS.query(&cdb, "done").page(Some(gsi.clone())));
            invalid!(Order::BY_STATUS.scan(&cdb).page(Some(gsi.clone())));
            invalid!(Order::BY_STATUS.query(&cdb, "open").page(Some(keys_only.clone())));
            invalid!(Order::BY_STATUS_KEYS.query(&cdb, "open").project_into::<OrderKeys>().page(Some(gsi.clone())));
            invalid!(Order::BY_STATUS_NOTE.query(&cdb, "open").project_into::<OrderNote>().page(Some(gsi.clone())));
            assert_eq!(requests.count(), 0);

            // Controls: each cursor resumes its own read, after the first item.
            let rest = accepted!(requests, Order::query(&cdb, "c1").page(Some(table_c1)));
            assert_eq!(ids(&rest.items), ["c1/a2", "c1/b1"]);
            let rest = accepted!(requests, Order::BY_STATUS.query(&cdb, "open").page(Some(gsi)));
            assert_eq!(rest.items.len(), 2);
            let rest = accepted!(requests, Order::BY_NOTE.query(&cdb, "c1").page(Some(lsi)));
            assert_eq!(ids(&rest.items), ["c1/a2", "c1/b1"]);
            let rest = accepted!(requests, Order::scan(&cdb).page(Some(scan)));
            assert_eq!(rest.items.len(), 3);
            let rest = accepted!(
                requests,
                Order::BY_STATUS_KEYS.query(&cdb, "open").project_into::<OrderKeys>().page(Some(keys_only))
            );
            assert_eq!(rest.items.len(), 2);
        });
    }

    #[test]
    fn a_cursor_outside_the_sort_key_condition_is_invalid_cursor() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            let after_a1 = Order::query(&db, "c1")
                .range(Order::SK.begins_with("a"))
                .limit(1)
                .page(None)
                .await
                .unwrap()
                .cursor
                .expect("a cursor after a1");
            macro_rules! invalid {
                ($range:expr) => {
                    refused!(
                        requests,
                        Order::query(&cdb, "c1").range($range).page(Some(after_a1.clone())),
                        Error::InvalidCursor { .. }
                    )
                };
            }
            invalid!(Order::SK.begins_with("b"));
            invalid!(Order::SK.gt("a9"));
            invalid!(Order::SK.gt("a1"));
            invalid!(Order::SK.eq("a2"));
            invalid!(Order::SK.between("a2", "b1"));
            // On the bound the query reads towards, nothing can follow.
            invalid!(Order::SK.le("a1"));
            invalid!(Order::SK.between("a0", "a1"));
            refused!(
                requests,
                Order::query(&cdb, "c1").range(Order::SK.lt("a1")).descending().page(Some(after_a1.clone())),
                Error::InvalidCursor { .. }
            );
            assert_eq!(requests.count(), 0);

            // Inside the condition: resumes after a1.
            let rest =
                accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.ge("a1")).page(Some(after_a1.clone())));
            assert_eq!(ids(&rest.items), ["c1/a2", "c1/b1"]);
            let rest = accepted!(
                requests,
                Order::query(&cdb, "c1").range(Order::SK.between("a1", "b1")).page(Some(after_a1.clone()))
            );
            assert_eq!(ids(&rest.items), ["c1/a2", "c1/b1"]);
            let rest =
                accepted!(requests, Order::query(&cdb, "c1").range(Order::SK.begins_with("a")).page(Some(after_a1)));
            assert_eq!(ids(&rest.items), ["c1/a2"]);
        });
    }

    #[test]
    fn a_tampered_or_malformed_cursor_is_invalid_cursor() {
        run(|db| async move {
            orders(&db).await;
            let (cdb, requests) = counted(&db);
            let cursor = Order::query(&db, "c1").limit(1).page(None).await.unwrap().cursor.unwrap();
            let json = String::from_utf8(base64url_decode(&cursor.to_string()).expect("base64url")).unwrap();
            let (cust, sk) = (r#""cust":{"S":"c1"}"#, r#""sk":{"S":"a1"}"#);
            assert!(json.contains(cust) && json.contains(sk), "{json}");
            let binding = json.find(r#""b":""#).map(|i| &json[i + 5..i + 21]).unwrap();
            let edits = [
                ("another partition", json.replace(cust, r#""cust":{"S":"c2"}"#)),
                ("a number partition", json.replace(cust, r#""cust":{"N":"1"}"#)),
                ("a number sort key", json.replace(sk, r#""sk":{"N":"1"}"#)),
                ("a binary sort key", json.replace(sk, r#""sk":{"B":"AQ=="}"#)),
                ("an empty sort key", json.replace(sk, r#""sk":{"S":""}"#)),
                ("a 1025-byte sort key", json.replace(sk, &format!(r#""sk":{{"S":"{}"}}"#, "k".repeat(1025)))),
                ("a NULL sort key", json.replace(sk, r#""sk":{"NULL":true}"#)),
                ("another attribute name", json.replace(r#""sk":"#, r#""skx":"#)),
                ("an extra attribute", json.replace(sk, &format!(r#"{sk},"total":{{"N":"1"}}"#))),
                ("no sort key", json.replace(&format!(",{sk}"), "")),
                ("another query's binding", json.replace(binding, "0123456789abcdef")),
                ("no binding", json.replace(&format!(r#""b":"{binding}","#), "")),
                ("not JSON", json.replace('}', "")),
            ];
            for (what, edited) in &edits {
                assert_ne!(edited, &json, "{what}: the edit did not apply");
                let tampered: Cursor = base64url_encode(edited.as_bytes()).parse().unwrap();
                let result = Order::query(&cdb, "c1").page(Some(tampered)).await;
                assert!(matches!(result, Err(Error::InvalidCursor { .. })), "{what}: {result:?}");
                assert_eq!(requests.count(), 0, "{what}: a request was sent");
            }
            let text = cursor.to_string();
            for i in [0, text.len() - 1] {
                refused!(requests, Order::query(&cdb, "c1").page(Some(flipped(&text, i))), Error::InvalidCursor { .. });
            }
            // Text that is no cursor at all.
            for text in ["", "not a cursor!", "a b", "%%%"] {
                assert!(matches!(text.parse::<Cursor>(), Err(Error::InvalidCursor { .. })), "{text:?}");
            }
            for text in ["e30", "W10", "bm90IGpzb24", "AQ"] {
                let cursor: Cursor = text.parse().unwrap();
                refused!(requests, Order::query(&cdb, "c1").page(Some(cursor)), Error::InvalidCursor { .. });
            }
            assert_eq!(requests.count(), 0);

            // Control: the untouched cursor, re-encoded by this test, still works.
            let same: Cursor = base64url_encode(json.as_bytes()).parse().unwrap();
            assert_eq!(same, cursor);
            let rest = accepted!(requests, Order::query(&cdb, "c1").page(Some(same)));
            assert_eq!(ids(&rest.items), ["c1/a2", "c1/b1"]);
        });
    }

    #[test]
    fn sealed_cursors_need_the_same_key_and_hide_the_key_values() {
        run(|db| async move {
            orders(&db).await;
            for sk in ["a1", "a2", "b1"] {
                Order::put(&db, &order("secret-partition", sk, "open", "2024-01", 1)).await.unwrap();
            }
            let (cdb, requests) = counted(&db);
            let sealing = cdb.clone().with_cursor_key(CursorKey::from_bytes([7; 32]));
            let other_key = cdb.clone().with_cursor_key(CursorKey::from_bytes([8; 32]));
            let sealing_setup = db.clone().with_cursor_key(CursorKey::from_bytes([7; 32]));
            let sealed =
                Order::query(&sealing_setup, "secret-partition").limit(1).page(None).await.unwrap().cursor.unwrap();
            let plain = Order::query(&db, "secret-partition").limit(1).page(None).await.unwrap().cursor.unwrap();
            // A plain cursor can be read; a sealed one cannot.
            assert!(String::from_utf8_lossy(&base64url_decode(&plain.to_string()).expect("base64url"))
                .contains("secret-partition"));
            assert!(
                !String::from_utf8_lossy(&base64url_decode(&sealed.to_string()).expect("base64url")).contains("secret")
            );

            macro_rules! invalid {
                ($op:expr) => {
                    refused!(requests, $op, Error::InvalidCursor { .. })
                };
            }
            invalid!(Order::query(&other_key, "secret-partition").page(Some(sealed.clone())));
            invalid!(Order::query(&cdb, "secret-partition").page(Some(sealed.clone())));
            invalid!(Order::query(&sealing, "secret-partition").page(Some(plain.clone())));
            invalid!(Order::query(&sealing, "c1").page(Some(sealed.clone())));
            invalid!(Order::BY_NOTE.query(&sealing, "secret-partition").page(Some(sealed.clone())));
            invalid!(Order::scan(&sealing).page(Some(sealed.clone())));
            let text = sealed.to_string();
            for i in [0, 1, 10, text.len() / 2, text.len() - 2, text.len() - 1] {
                invalid!(Order::query(&sealing, "secret-partition").page(Some(flipped(&text, i))));
            }
            assert_eq!(requests.count(), 0);

            // Through text and back, with the same key (another Db holding the same bytes).
            let back: Cursor = text.parse().unwrap();
            let again = cdb.clone().with_cursor_key(CursorKey::from_bytes([7; 32]));
            let rest = accepted!(requests, Order::query(&again, "secret-partition").page(Some(back)));
            assert_eq!(ids(&rest.items), ["secret-partition/a2", "secret-partition/b1"]);
            let walked = pages(|c| Order::query(&sealing, "secret-partition").limit(1).page(c)).await;
            let all: Vec<String> = walked.iter().flat_map(|page| ids(page)).collect();
            assert_eq!(all, ["secret-partition/a1", "secret-partition/a2", "secret-partition/b1"]);
        });
    }

    #[test]
    fn cursors_round_trip_through_text_forwards_and_descending() {
        run(|db| async move {
            logs(&db).await;
            let (cdb, requests) = counted(&db);
            let walked = pages(|c| Log::query(&cdb, "p").limit(2).page(c)).await;
            assert_eq!(page_seqs(&walked), [vec!["a", "b"], vec!["c", "d"], vec!["e", "f"], vec!["g"]]);
            let walked = pages(|c| Log::query(&cdb, "p").descending().limit(2).page(c)).await;
            assert_eq!(page_seqs(&walked), [vec!["g", "f"], vec!["e", "d"], vec!["c", "b"], vec!["a"]]);
            let walked = pages(|c| Log::query(&cdb, "p").range(Log::SEQ.between("b", "f")).limit(2).page(c)).await;
            assert_eq!(page_seqs(&walked), [vec!["b", "c"], vec!["d", "e"], vec!["f"]]);
            let walked =
                pages(|c| Log::query(&cdb, "p").range(Log::SEQ.between("b", "f")).descending().limit(2).page(c)).await;
            assert_eq!(page_seqs(&walked), [vec!["f", "e"], vec!["d", "c"], vec!["b"]]);
            let walked = pages(|c| Log::query(&cdb, "p").page_size(3).page(c)).await;
            assert_eq!(walked.concat().len(), 7);
            // Indexes: every item once, in index order.
            let walked = pages(|c| Log::BY_KIND.query(&cdb, "k").limit(2).page(c)).await;
            let items = walked.concat();
            assert_eq!(sorted_seqs(&items), ["a", "b", "c", "d", "e", "f", "g"]);
            assert!(items.windows(2).all(|w| w[0].at <= w[1].at));
            let walked = pages(|c| Log::BY_KIND.query(&cdb, "k").descending().limit(3).page(c)).await;
            let items = walked.concat();
            assert_eq!(sorted_seqs(&items), ["a", "b", "c", "d", "e", "f", "g"]);
            assert!(items.windows(2).all(|w| w[0].at >= w[1].at));
            let walked = pages(|c| Log::BY_RANK.query(&cdb, "p").limit(2).page(c)).await;
            let items = walked.concat();
            assert_eq!(sorted_seqs(&items), ["a", "b", "c", "d", "e", "f", "g"]);
            assert!(items.windows(2).all(|w| w[0].rank <= w[1].rank));
            let walked = pages(|c| Log::scan(&cdb).limit(3).page(c)).await;
            assert_eq!(walked.concat().len(), 8);
            assert!(requests.count() > 0);
        });
    }

    #[test]
    fn a_page_ending_on_the_inclusive_bound_of_the_range_ends_the_walk() {
        run(|db| async move {
            logs(&db).await;
            let (cdb, requests) = counted(&db);
            // With page_size(2), DynamoDB stops on `e`, the upper bound, and returns it as
            // LastEvaluatedKey; DynamoDB Local rejects it as a start key, so the walk must
            // end there rather than hand out a cursor.
            let walked =
                pages(|c| Log::query(&cdb, "p").range(Log::SEQ.between("b", "e")).page_size(2).limit(2).page(c)).await;
            assert_eq!(page_seqs(&walked), [vec!["b", "c"], vec!["d", "e"]]);
            let walked = pages(|c| Log::query(&cdb, "p").range(Log::SEQ.between("b", "e")).page_size(2).page(c)).await;
            assert_eq!(page_seqs(&walked), [vec!["b", "c"], vec!["d", "e"]]);
            let walked =
                pages(|c| Log::query(&cdb, "p").range(Log::SEQ.between("b", "e")).descending().page_size(2).page(c))
                    .await;
            assert_eq!(page_seqs(&walked), [vec!["e", "d"], vec!["c", "b"]]);
            let all = accepted!(requests, Log::query(&cdb, "p").range(Log::SEQ.between("b", "e")).page_size(1));
            assert_eq!(seqs(&all), ["b", "c", "d", "e"]);
            let all = accepted!(requests, Log::query(&cdb, "p").range(Log::SEQ.le("c")).page_size(1));
            assert_eq!(seqs(&all), ["a", "b", "c"]);
            let all = accepted!(requests, Log::query(&cdb, "p").range(Log::SEQ.ge("e")).descending().page_size(1));
            assert_eq!(seqs(&all), ["g", "f", "e"]);
            let all = accepted!(requests, Log::BY_RANK.query(&cdb, "p").range(Log::RANK.le(2)).page_size(1));
            assert_eq!(seqs(&all), ["a", "b"]);
            let all =
                accepted!(requests, Log::BY_KIND.query(&cdb, "k").range(Log::AT.between("t1", "t2")).page_size(1));
            assert_eq!(seqs(&all), ["a", "b"]);
            let n = Log::query(&cdb, "p").range(Log::SEQ.between("b", "e")).page_size(1).count();
            assert_eq!(accepted!(requests, n), 4);
        });
    }

    /// Queries an index of stream `p` / kind `k` with the SDK client: `range` is the
    /// sort-key condition on `#a`; `start` an ExclusiveStartKey. The `seq` of each item.
    async fn direct(
        db: &Db,
        index: &str,
        range: (&str, AttributeValue, AttributeValue),
        start: Option<Item>,
    ) -> Vec<String> {
        let (hash_name, hash) = if index == "by_kind" { ("kind", s("k")) } else { ("stream", s("p")) };
        let out = db
            .client()
            .query()
            .table_name(db.table_name::<Log>())
            .index_name(index)
            .key_condition_expression("#h = :h AND #a BETWEEN :lo AND :hi")
            .expression_attribute_names("#h", hash_name)
            .expression_attribute_names("#a", range.0)
            .expression_attribute_values(":h", hash)
            .expression_attribute_values(":lo", range.1)
            .expression_attribute_values(":hi", range.2)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DynamoDB Local refused the start key: {e:?}"));
        out.items.unwrap_or_default().iter().map(|item| item["seq"].as_s().unwrap().clone()).collect()
    }

    /// In an index, several items can share the sort-key value of the bound (`at` t3 and
    /// `rank` 3 are on c, d and e): a page that ends on the first of them is not the end.
    /// DynamoDB Local takes such an item's key as a start key and returns the others.
    #[test]
    fn paging_a_gsi_whose_sort_key_repeats_on_the_upper_bound_returns_every_item() {
        run(|db| async move {
            logs(&db).await;
            let (cdb, requests) = counted(&db);
            let range = || ("at", s("t2"), s("t3"));
            let order = direct(&db, "by_kind", range(), None).await;
            let first_on_bound = order.iter().position(|seq| seq != "b").unwrap();
            let start = HashMap::from([
                ("kind".to_owned(), s("k")),
                ("at".to_owned(), s("t3")),
                ("stream".to_owned(), s("p")),
                ("seq".to_owned(), s(&order[first_on_bound])),
            ]);
            let after = direct(&db, "by_kind", range(), Some(start)).await;
            assert_eq!(after, order[first_on_bound + 1..], "DynamoDB Local resumes after an item on the bound");

            let got =
                accepted!(requests, Log::BY_KIND.query(&cdb, "k").range(Log::AT.between("t2", "t3")).page_size(1));
            assert_eq!(sorted_seqs(&got), ["b", "c", "d", "e"], "between t2 and t3, one item per page");
            let got = accepted!(requests, Log::BY_KIND.query(&cdb, "k").range(Log::AT.le("t3")).page_size(2));
            assert_eq!(sorted_seqs(&got), ["a", "b", "c", "d", "e"], "at <= t3, two items per page");
            let got =
                accepted!(requests, Log::BY_KIND.query(&cdb, "k").range(Log::AT.ge("t3")).descending().page_size(1));
            assert_eq!(sorted_seqs(&got), ["c", "d", "e", "f", "g"], "at >= t3 descending, one item per page");
        });
    }

    #[test]
    fn paging_an_lsi_whose_sort_key_repeats_on_the_upper_bound_returns_every_item() {
        run(|db| async move {
            logs(&db).await;
            let (cdb, requests) = counted(&db);
            let range = || ("rank", n("2"), n("3"));
            let order = direct(&db, "by_rank", range(), None).await;
            let first_on_bound = order.iter().position(|seq| seq != "b").unwrap();
            let start = HashMap::from([
                ("rank".to_owned(), n("3")),
                ("stream".to_owned(), s("p")),
                ("seq".to_owned(), s(&order[first_on_bound])),
            ]);
            let after = direct(&db, "by_rank", range(), Some(start)).await;
            assert_eq!(after, order[first_on_bound + 1..], "DynamoDB Local resumes after an item on the bound");

            let got = accepted!(requests, Log::BY_RANK.query(&cdb, "p").range(Log::RANK.between(2, 3)).page_size(1));
            assert_eq!(sorted_seqs(&got), ["b", "c", "d", "e"], "rank between 2 and 3, one item per page");
            let walked = pages(|c| Log::BY_RANK.query(&cdb, "p").range(Log::RANK.le(3)).limit(3).page(c)).await;
            assert_eq!(sorted_seqs(&walked.concat()), ["a", "b", "c", "d", "e"], "rank <= 3, pages of 3 through text");
        });
    }
}

// ------------------------------------------------- item 3: conversion is exact or refused

mod conversion {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_conv")]
    struct Conv {
        #[dynamo(hash_key)]
        id: String,
        #[dynamo(range_key)]
        sk: String,
        list_of_sets: Vec<BTreeSet<String>>,
        opt_map: HashMap<String, Option<i64>>,
        set_map: HashMap<String, BTreeSet<String>>,
        deep: BTreeMap<String, Vec<BTreeSet<i64>>>,
    }

    fn set<const N: usize>(members: [&str; N]) -> BTreeSet<String> {
        members.iter().map(|m| (*m).to_owned()).collect()
    }

    fn conv(sk: &str) -> Conv {
        Conv {
            id: "c".into(),
            sk: sk.into(),
            list_of_sets: Vec::new(),
            opt_map: HashMap::new(),
            set_map: HashMap::new(),
            deep: BTreeMap::new(),
        }
    }

    // (`Option<Option<_>>` and a `version` narrower than u64 do not compile: trybuild cases.)
    #[test]
    fn empty_sets_in_lists_and_maps_and_none_in_maps_read_back_exactly() {
        run(|db| async move {
            Conv::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let items = vec![
                Conv { list_of_sets: vec![set(["x"]), BTreeSet::new()], ..conv("a") },
                Conv { opt_map: HashMap::from([("k".to_owned(), None), ("j".to_owned(), Some(1))]), ..conv("b") },
                Conv {
                    set_map: HashMap::from([("e".to_owned(), BTreeSet::new()), ("f".to_owned(), set(["y"]))]),
                    ..conv("c")
                },
                Conv {
                    list_of_sets: vec![BTreeSet::new(), BTreeSet::new()],
                    opt_map: HashMap::from([("n".to_owned(), None)]),
                    set_map: HashMap::from([("e".to_owned(), BTreeSet::new())]),
                    deep: BTreeMap::from([("k".to_owned(), vec![BTreeSet::new(), BTreeSet::from([1, 2])])]),
                    ..conv("d")
                },
            ];
            for item in &items {
                assert_eq!(&accepted!(requests, Conv::put(&cdb, item)), item, "put returns the item as stored");
            }
            for item in &items {
                let got = accepted!(requests, Conv::get(&cdb, item.key()).consistent());
                assert_eq!(got.as_ref(), Some(item), "get");
            }
            assert_eq!(accepted!(requests, Conv::query(&cdb, "c").consistent()), items, "query");
            let mut scanned = accepted!(requests, Conv::scan(&cdb).consistent());
            scanned.sort_by(|a, b| a.sk.cmp(&b.sk));
            assert_eq!(scanned, items, "scan");
            let filtered = accepted!(requests, Conv::query(&cdb, "c").filter(Conv::LIST_OF_SETS.size().eq(2)));
            assert_eq!(filtered, [items[0].clone(), items[3].clone()]);

            // An update writes them exactly too.
            let expected = Conv {
                list_of_sets: vec![BTreeSet::new(), set(["q"])],
                opt_map: HashMap::from([("z".to_owned(), None)]),
                set_map: HashMap::from([("e".to_owned(), BTreeSet::new())]),
                ..conv("a")
            };
            let updated = accepted!(
                requests,
                Conv::update(&cdb, Conv::key("c", "a"))
                    .set(&Conv::LIST_OF_SETS, expected.list_of_sets.clone())
                    .set(&Conv::OPT_MAP, expected.opt_map.clone())
                    .set(&Conv::SET_MAP, expected.set_map.clone())
            )
            .into_item()
            .unwrap();
            assert_eq!(updated, expected);
            assert_eq!(Conv::get(&db, Conv::key("c", "a")).consistent().await.unwrap(), Some(expected.clone()));

            // So do entries and elements written one by one: `None` and an empty set are
            // NULL there, as in a whole map or list.
            let entries = accepted!(
                requests,
                Conv::update(&cdb, Conv::key("c", "a"))
                    .set(&Conv::OPT_MAP.key("y"), None)
                    .set(&Conv::SET_MAP.key("g"), BTreeSet::new())
                    .set(&Conv::LIST_OF_SETS.index(0), set(["r"]))
            )
            .into_item()
            .unwrap();
            assert_eq!(entries.opt_map, HashMap::from([("z".to_owned(), None), ("y".to_owned(), None)]));
            assert_eq!(entries.set_map["g"], BTreeSet::new());
            assert_eq!(entries.list_of_sets, [set(["r"]), set(["q"])]);
            assert_eq!(Conv::get(&db, Conv::key("c", "a")).consistent().await.unwrap(), Some(entries));
        });
    }
}

// ------------------------------------------- item 4: rules and transforms where they belong

mod transforms {
    use super::*;

    fn lowercase(value: &str) -> String {
        value.to_lowercase()
    }

    fn lowercase_all(values: &[String]) -> Vec<String> {
        values.iter().map(|v| v.to_lowercase()).collect()
    }

    fn lowercase_set(values: &BTreeSet<String>) -> BTreeSet<String> {
        values.iter().map(|v| v.to_lowercase()).collect()
    }

    fn lowercase_values(map: &HashMap<String, String>) -> HashMap<String, String> {
        map.iter().map(|(k, v)| (k.clone(), v.to_lowercase())).collect()
    }

    fn magnitude(value: &i64) -> i64 {
        value.abs()
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_contacts", gsi(name = "by_email", hash = email, range = code))]
    struct Contact {
        #[dynamo(hash_key)]
        id: String,
        #[dynamo(set = lowercase)]
        email: String,
        #[dynamo(set = lowercase)]
        code: String,
        #[dynamo(set = magnitude)]
        score: i64,
        #[dynamo(set = lowercase_all)]
        words: Vec<String>,
        #[dynamo(set = lowercase_set)]
        tags: BTreeSet<String>,
        #[dynamo(set = lowercase_values)]
        labels: HashMap<String, String>,
    }

    #[test]
    fn set_transform_applies_to_index_query_values_and_to_every_update_and_contains_operand() {
        run(|db| async move {
            Contact::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let contact = Contact {
                id: "c".into(),
                email: "MiXeD@Example.ORG".into(),
                code: "ABC-1".into(),
                score: -3,
                words: vec!["Hello".into()],
                tags: BTreeSet::from(["Red".to_owned()]),
                labels: HashMap::new(),
            };
            let stored = accepted!(requests, Contact::put(&cdb, &contact));
            assert_eq!((stored.email.as_str(), stored.code.as_str(), stored.score), ("mixed@example.org", "abc-1", 3));
            assert_eq!(raw::<Contact>(&db, &contact.key()).await.unwrap()["email"], s("mixed@example.org"));

            // Index partition and sort values.
            assert_eq!(
                accepted!(requests, Contact::BY_EMAIL.query(&cdb, "MiXeD@Example.ORG")),
                std::slice::from_ref(&stored)
            );
            let q = || Contact::BY_EMAIL.query(&cdb, "MIXED@EXAMPLE.ORG");
            assert_eq!(accepted!(requests, q().range(Contact::CODE.eq("ABC-1"))).len(), 1);
            assert_eq!(accepted!(requests, q().range(Contact::CODE.begins_with("ABC"))).len(), 1);
            assert_eq!(accepted!(requests, q().range(Contact::CODE.between("ABC-0", "ABC-2"))).len(), 1);
            assert_eq!(accepted!(requests, q().range(Contact::CODE.gt("ABC"))).len(), 1);

            // Update operands.
            let updated =
                accepted!(requests, Contact::update(&cdb, contact.key()).add(&Contact::SCORE, -5)).into_item().unwrap();
            assert_eq!(updated.score, 8, "add(-5) through `magnitude` adds 5");
            let updated = accepted!(requests, Contact::update(&cdb, contact.key()).append(&Contact::WORDS, ["WORLD"]))
                .into_item()
                .unwrap();
            assert_eq!(updated.words, ["hello", "world"]);
            let updated = accepted!(requests, Contact::update(&cdb, contact.key()).prepend(&Contact::WORDS, ["FIRST"]))
                .into_item()
                .unwrap();
            assert_eq!(updated.words, ["first", "hello", "world"]);
            let updated =
                accepted!(requests, Contact::update(&cdb, contact.key()).add_to_set(&Contact::TAGS, ["BLUE"]))
                    .into_item()
                    .unwrap();
            assert_eq!(updated.tags, BTreeSet::from(["blue".to_owned(), "red".to_owned()]));
            let updated =
                accepted!(requests, Contact::update(&cdb, contact.key()).delete_from_set(&Contact::TAGS, ["RED"]))
                    .into_item()
                    .unwrap();
            assert_eq!(updated.tags, BTreeSet::from(["blue".to_owned()]));
            let updated = accepted!(
                requests,
                Contact::update(&cdb, contact.key())
                    .set(&Contact::EMAIL, "NEW@X.ORG")
                    .condition(Contact::CODE.eq("ABC-1"))
            )
            .into_item()
            .unwrap();
            assert_eq!(updated.email, "new@x.org");

            // Compared values: eq and contains.
            let scan = |c: Condition<Contact>| Contact::scan(&cdb).filter(c);
            assert_eq!(accepted!(requests, scan(Contact::WORDS.contains("HELLO"))).len(), 1);
            assert_eq!(accepted!(requests, scan(Contact::TAGS.contains("BLUE"))).len(), 1);
            assert_eq!(accepted!(requests, scan(Contact::EMAIL.contains("X.ORG"))).len(), 1);
            assert_eq!(accepted!(requests, scan(Contact::EMAIL.eq("New@x.org").into())).len(), 1);
            assert_eq!(accepted!(requests, scan(Contact::SCORE.eq(-8).into())).len(), 1);
        });
    }

    /// A `set` transform of a list or map field, applied to one element or entry
    /// written or compared through a path into it (`WORDS.index(0)`,
    /// `LABELS.key("k")`), as it is to `append` and `contains`.
    #[test]
    fn set_transform_applies_to_list_elements_and_map_entries_written_or_compared_by_path() {
        run(|db| async move {
            Contact::create_table(&db).await.unwrap();
            let contact = Contact {
                id: "c".into(),
                email: "a@b.org".into(),
                code: "c".into(),
                score: 1,
                words: vec!["hello".into()],
                tags: BTreeSet::new(),
                labels: HashMap::from([("k".to_owned(), "MiXeD".to_owned())]),
            };
            let stored = Contact::put(&db, &contact).await.unwrap();
            assert_eq!(stored.labels["k"], "mixed", "put transforms the whole map");
            let (cdb, requests) = counted(&db);
            let mut wrong = Vec::new();
            let found = accepted!(requests, Contact::scan(&cdb).filter(Contact::WORDS.index(0).eq("HELLO")));
            if found.len() != 1 {
                wrong.push(format!("filter WORDS[0] = \"HELLO\" found {} items; stored is \"hello\"", found.len()));
            }
            let found = accepted!(requests, Contact::scan(&cdb).filter(Contact::LABELS.key("k").eq("MIXED")));
            if found.len() != 1 {
                wrong.push(format!("filter LABELS.k = \"MIXED\" found {} items; stored is \"mixed\"", found.len()));
            }
            let updated =
                accepted!(requests, Contact::update(&cdb, contact.key()).set(&Contact::WORDS.index(0), "ZERO"))
                    .into_item()
                    .unwrap();
            if updated.words != ["zero"] {
                wrong.push(format!("set WORDS[0] = \"ZERO\" stored {:?}", updated.words));
            }
            let updated =
                accepted!(requests, Contact::update(&cdb, contact.key()).set(&Contact::LABELS.key("n"), "NEW"))
                    .into_item()
                    .unwrap();
            if updated.labels["n"] != "new" {
                wrong.push(format!("set LABELS.n = \"NEW\" stored {:?}", updated.labels["n"]));
            }
            assert!(wrong.is_empty(), "the transform was bypassed: {wrong:#?}");
        });
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_quotas")]
    struct Quota {
        #[dynamo(hash_key)]
        id: String,
        #[dynamo(range_key, validate(regex = "^ORDER#[0-9]{4}$"))]
        sk: String,
        #[dynamo(validate(len(min = 2)))]
        name: String,
        #[dynamo(validate(min = 0, max = 1000))]
        quota: i64,
        #[dynamo(validate(min = 0, max = 100))]
        stock: Option<i64>,
    }

    fn quota(sk: &str, name: &str, quota: i64) -> Quota {
        Quota { id: "r".into(), sk: sk.into(), name: name.into(), quota, stock: None }
    }

    fn broke(error: &Error, attribute: &str, rule: &Rule) -> bool {
        matches!(error, Error::Validation { errors, .. }
            if errors.len() == 1 && errors[0].attribute == attribute && errors[0].rule == *rule)
    }

    #[test]
    fn add_cannot_take_a_bounded_field_out_of_its_min_or_max_and_writes_nothing() {
        run(|db| async move {
            Quota::create_table(&db).await.unwrap();
            let item = quota("ORDER#0001", "Ada", 0);
            Quota::put(&db, &item).await.unwrap();
            let (cdb, requests) = counted(&db);
            let key = || item.key();
            let stored = || async { Quota::get(&db, item.key()).consistent().await.unwrap().unwrap() };

            let min = Rule::Min("0".into());
            let max = Rule::Max("1000".into());
            let error = Quota::update(&cdb, key()).add(&Quota::QUOTA, -5).await.unwrap_err();
            assert!(broke(&error, "quota", &min), "{error:?}");
            assert_eq!(stored().await, item, "nothing written");
            let error = Quota::update(&cdb, key()).set_to(&Quota::QUOTA, Quota::QUOTA.minus(1)).await.unwrap_err();
            assert!(broke(&error, "quota", &min), "{error:?}");
            assert_eq!(stored().await, item);

            let at_995 = accepted!(requests, Quota::update(&cdb, key()).add(&Quota::QUOTA, 995)).into_item().unwrap();
            assert_eq!(at_995.quota, 995);
            let error = Quota::update(&cdb, key()).add(&Quota::QUOTA, 10).await.unwrap_err();
            assert!(broke(&error, "quota", &max), "{error:?}");
            let error = Quota::update(&cdb, key()).add(&Quota::QUOTA, 2000).await.unwrap_err();
            assert!(broke(&error, "quota", &max), "{error:?}");
            assert_eq!(stored().await, at_995, "nothing written");
            // The bounds themselves are reachable.
            let at_max = accepted!(requests, Quota::update(&cdb, key()).add(&Quota::QUOTA, 5)).into_item().unwrap();
            assert_eq!(at_max.quota, 1000);
            let at_min = accepted!(requests, Quota::update(&cdb, key()).add(&Quota::QUOTA, -1000)).into_item().unwrap();
            assert_eq!(at_min.quota, 0);
        });
    }

    #[test]
    fn add_on_an_absent_bounded_attribute_counts_from_zero() {
        run(|db| async move {
            Quota::create_table(&db).await.unwrap();
            let item = quota("ORDER#0001", "Ada", 0);
            Quota::put(&db, &item).await.unwrap();
            let (cdb, requests) = counted(&db);
            let stored = || async { Quota::get(&db, item.key()).consistent().await.unwrap().unwrap() };
            let error = Quota::update(&cdb, item.key()).add(&Quota::STOCK, -1).await.unwrap_err();
            assert!(broke(&error, "stock", &Rule::Min("0".into())), "{error:?}");
            let error = Quota::update(&cdb, item.key()).add(&Quota::STOCK, 101).await.unwrap_err();
            assert!(broke(&error, "stock", &Rule::Max("100".into())), "{error:?}");
            assert_eq!(stored().await, item, "stock still absent");
            let updated =
                accepted!(requests, Quota::update(&cdb, item.key()).add(&Quota::STOCK, 100)).into_item().unwrap();
            assert_eq!(updated.stock, Some(100));
        });
    }

    #[test]
    fn validate_rules_do_not_apply_to_comparison_operands() {
        run(|db| async move {
            Quota::create_table(&db).await.unwrap();
            for (sk, name, q) in [("ORDER#0001", "Ada", 10), ("ORDER#0002", "Bob", 1000)] {
                Quota::put(&db, &quota(sk, name, q)).await.unwrap();
            }
            let (cdb, requests) = counted(&db);
            let names = |items: Vec<Quota>| items.into_iter().map(|q| q.name).collect::<Vec<_>>();
            let q = || Quota::query(&cdb, "r");
            assert_eq!(names(accepted!(requests, q().range(Quota::SK.begins_with("ORDER#")))), ["Ada", "Bob"]);
            assert_eq!(names(accepted!(requests, q().range(Quota::SK.between("ORDER#", "ORDER#9")))), ["Ada", "Bob"]);
            assert_eq!(names(accepted!(requests, q().range(Quota::SK.gt("ORDER#0001")))), ["Bob"]);
            assert_eq!(names(accepted!(requests, q().filter(Quota::NAME.begins_with("A")))), ["Ada"]);
            assert_eq!(names(accepted!(requests, q().filter(Quota::NAME.eq("A")))), Vec::<String>::new());
            assert_eq!(names(accepted!(requests, q().filter(Quota::NAME.contains("d")))), ["Ada"]);
            assert_eq!(names(accepted!(requests, q().filter(Quota::QUOTA.lt(1001)))), ["Ada", "Bob"]);
            assert_eq!(names(accepted!(requests, q().filter(Quota::QUOTA.gt(-1)))), ["Ada", "Bob"]);
            assert_eq!(names(accepted!(requests, q().filter(Quota::QUOTA.between(-5, 5000)))), ["Ada", "Bob"]);
            assert_eq!(names(accepted!(requests, q().filter(Quota::QUOTA.is_in([1001, 10])))), ["Ada"]);
            let bob = quota("ORDER#0002", "Bob", 1000);
            accepted!(
                requests,
                Quota::update(&cdb, bob.key()).set(&Quota::NAME, "Bo").condition(Quota::QUOTA.lt(1001))
            );

            // Written values still follow the rules, before sending.
            let sent = requests.count();
            let error = Quota::update(&cdb, bob.key()).set(&Quota::QUOTA, 1001).await.unwrap_err();
            assert!(broke(&error, "quota", &Rule::Max("1000".into())), "{error:?}");
            let error = Quota::update(&cdb, bob.key()).set(&Quota::NAME, "A").await.unwrap_err();
            assert!(matches!(&error, Error::Validation { errors, .. } if errors[0].attribute == "name"), "{error:?}");
            let error = Quota::put(&cdb, &quota("ORDER#1", "Ann", 1)).await.unwrap_err();
            assert!(matches!(&error, Error::Validation { errors, .. } if errors[0].attribute == "sk"), "{error:?}");
            assert_eq!(requests.count(), sent, "a request was sent");
        });
    }
}

// ---------------------------------------------------------- item 5: writes are truthful

mod writes {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_docs")]
    struct Doc {
        #[dynamo(hash_key)]
        id: String,
        body: String,
        #[dynamo(version)]
        version: u64,
        #[dynamo(created_at)]
        created_at: i64,
        #[dynamo(updated_at = "millis")]
        updated_at: i64,
    }

    #[test]
    fn put_returns_the_stored_item_which_can_be_put_again_while_the_stale_struct_conflicts() {
        run(|db| async move {
            Doc::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let fresh = Doc { id: "d".into(), body: "one".into(), version: 0, created_at: 0, updated_at: 0 };
            let stored = accepted!(requests, Doc::put(&cdb, &fresh));
            assert_eq!(stored.version, 1);
            assert!(stored.created_at > 0 && stored.updated_at > 0, "{stored:?}");
            assert_eq!(
                Doc::get(&db, fresh.key()).consistent().await.unwrap(),
                Some(stored.clone()),
                "exactly as stored"
            );

            let next = Doc { body: "two".into(), ..stored.clone() };
            let again = accepted!(requests, Doc::put(&cdb, &next));
            assert_eq!((again.version, again.created_at, again.body.as_str()), (2, stored.created_at, "two"));
            assert!(again.updated_at >= stored.updated_at);
            assert_eq!(Doc::get(&db, fresh.key()).consistent().await.unwrap(), Some(again.clone()));

            // The stale structs: read at version 1, and never written (version 0).
            match Doc::put(&cdb, &stored).await {
                Err(error @ Error::VersionConflict { expected: 1, .. }) => {
                    assert_eq!(error.current_item::<Doc>().unwrap().unwrap(), again);
                }
                other => panic!("expected a version conflict, got {other:?}"),
            }
            assert!(matches!(Doc::put(&cdb, &fresh).await, Err(Error::VersionConflict { expected: 0, .. })));
            assert_eq!(Doc::get(&db, fresh.key()).consistent().await.unwrap(), Some(again), "nothing written");
        });
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_required")]
    struct Req {
        #[dynamo(hash_key)]
        id: String,
        a: String,
        b: i64,
        c: Option<String>,
        #[dynamo(default)]
        d: i64,
        tags: BTreeSet<String>,
    }

    #[test]
    fn an_upsert_lacking_required_fields_is_refused_naming_them_and_writes_nothing() {
        run(|db| async move {
            Req::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            macro_rules! incomplete {
                ($op:expr, $missing:expr) => {
                    refused!(
                        requests,
                        $op,
                        Error::InvalidRequest { reason: RequestReason::IncompleteUpsert { missing }, .. }
                            if *missing == $missing
                    )
                };
            }
            incomplete!(Req::update(&cdb, Req::key("new")).set(&Req::A, "x").upsert(), ["b"]);
            incomplete!(Req::update(&cdb, Req::key("new")).add(&Req::D, 1).upsert(), ["a", "b"]);
            incomplete!(
                Req::update(&cdb, Req::key("new")).set(&Req::C, "c").add_to_set(&Req::TAGS, ["t"]).upsert(),
                ["a", "b"]
            );
            incomplete!(Req::update(&cdb, Req::key("new")).set(&Req::A, "x").remove(&Req::C).upsert(), ["b"]);
            assert_eq!(requests.count(), 0);
            assert_eq!(raw::<Req>(&db, &Req::key("new")).await, None, "nothing written");

            // Complete upserts create the item and return it.
            let created =
                accepted!(requests, Req::update(&cdb, Req::key("new")).set(&Req::A, "x").set(&Req::B, 2).upsert())
                    .into_item()
                    .unwrap();
            assert_eq!(created, Req { id: "new".into(), a: "x".into(), b: 2, c: None, d: 0, tags: BTreeSet::new() });
            let created =
                accepted!(requests, Req::update(&cdb, Req::key("n2")).add(&Req::B, 5).set(&Req::A, "y").upsert())
                    .into_item()
                    .unwrap();
            assert_eq!(created.b, 5);
            assert_eq!(Req::get(&db, Req::key("n2")).consistent().await.unwrap(), Some(created));
        });
    }

    #[test]
    fn update_and_delete_of_an_undecodable_item_are_applied_and_return_ok() {
        run(|db| async move {
            Req::create_table(&db).await.unwrap();
            let table = db.table_name::<Req>();
            for id in ["u", "d"] {
                // No `b`, which the model needs.
                db.client().put_item().table_name(&table).item("id", s(id)).item("a", s("x")).send().await.unwrap();
            }
            let (cdb, requests) = counted(&db);
            let returned = accepted!(requests, Req::update(&cdb, Req::key("u")).set(&Req::A, "changed"));
            assert!(
                matches!(returned.into_item(), Err(Error::Decode { attribute, .. }) if attribute == "b"),
                "the returned item does not decode"
            );
            assert_eq!(raw::<Req>(&db, &Req::key("u")).await.unwrap()["a"], s("changed"), "the update was applied");

            let returned = accepted!(requests, Req::delete(&cdb, Req::key("d")).condition(Req::A.eq("x")));
            assert!(matches!(returned.into_item(), Err(Error::Decode { attribute, .. }) if attribute == "b"));
            assert_eq!(raw::<Req>(&db, &Req::key("d")).await, None, "the delete was applied");

            // Setting the missing field makes the item readable again, in the same call.
            let fixed = accepted!(requests, Req::update(&cdb, Req::key("u")).set(&Req::B, 1)).into_item().unwrap();
            assert_eq!((fixed.a.as_str(), fixed.b), ("changed", 1));
            assert!(Req::delete(&cdb, Req::key("u")).await.unwrap().into_item().unwrap().is_some());
        });
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "rule_nested")]
    struct Nest {
        #[dynamo(hash_key)]
        id: String,
        value: i64,
        addr: Option<Address>,
        places: HashMap<String, Address>,
        counts: Option<HashMap<String, i64>>,
        list: Option<Vec<String>>,
        spare: Option<i64>,
    }

    #[test]
    fn nested_update_under_an_absent_parent_is_path_not_found_and_writes_nothing() {
        run(|db| async move {
            Nest::create_table(&db).await.unwrap();
            let item = Nest {
                id: "n".into(),
                value: 1,
                addr: None,
                places: HashMap::new(),
                counts: None,
                list: None,
                spare: None,
            };
            Nest::put(&db, &item).await.unwrap();
            let (cdb, requests) = counted(&db);
            let key = || Nest::key("n");
            macro_rules! not_found {
                ($op:expr, $path:literal) => {{
                    let result = $op.await;
                    assert!(
                        matches!(&result, Err(Error::PathNotFound { path, .. }) if path == $path),
                        "`{}`: expected PathNotFound {}, got {result:?}",
                        stringify!($op),
                        $path
                    );
                    assert_eq!(Nest::get(&db, key()).consistent().await.unwrap().as_ref(), Some(&item), "nothing written");
                }};
            }
            not_found!(
                Nest::update(&cdb, key()).set(&Nest::ADDR.then(Address::CITY), "Porto").set(&Nest::VALUE, 2),
                "addr"
            );
            not_found!(
                Nest::update(&cdb, key()).set(&Nest::PLACES.key("home").then(Address::CITY), "Porto"),
                "places.home"
            );
            not_found!(Nest::update(&cdb, key()).add(&Nest::COUNTS.key("x"), 1).add(&Nest::VALUE, 1), "counts");
            not_found!(Nest::update(&cdb, key()).remove(&Nest::COUNTS.key("x")), "counts");
            not_found!(Nest::update(&cdb, key()).set(&Nest::LIST.index(0), "x"), "list");
            not_found!(Nest::update(&cdb, key()).set_to(&Nest::VALUE, Nest::SPARE.plus(1)), "spare");
            not_found!(
                Nest::update(&cdb, key()).set_from(&Nest::SPARE, &Nest::VALUE).set_from(&Nest::VALUE, &Nest::SPARE),
                "spare"
            );
            assert!(requests.count() > 0, "DynamoDB decides whether the parent exists");

            // With the parents there, the same updates apply.
            accepted!(
                requests,
                Nest::update(&cdb, key())
                    .set(&Nest::ADDR, Address::default())
                    .set(&Nest::PLACES.key("home"), Address::default())
                    .set(&Nest::COUNTS, HashMap::new())
                    .set(&Nest::LIST, vec!["a".to_owned()])
            );
            let updated = accepted!(
                requests,
                Nest::update(&cdb, key())
                    .set(&Nest::ADDR.then(Address::CITY), "Porto")
                    .set(&Nest::PLACES.key("home").then(Address::CITY), "Faro")
                    .add(&Nest::COUNTS.key("x"), 1)
                    .set(&Nest::LIST.index(0), "x")
            )
            .into_item()
            .unwrap();
            assert_eq!(updated.addr.unwrap().city, "Porto");
            assert_eq!(updated.places["home"].city, "Faro");
            assert_eq!(updated.counts, Some(HashMap::from([("x".to_owned(), 1)])));
            assert_eq!(updated.list, Some(vec!["x".to_owned()]));
        });
    }
}
