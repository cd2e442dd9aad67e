//! Single-table design: several models in one table, keys built from templates, an
//! entity marker every read checks, collections, and index keys kept in step with
//! the fields they are built from.

use dynamo_model::{Collection, Db, Document, Error, Model, ModelKey, RequestReason, Table};
use futures::TryStreamExt;

use crate::common::{counted, run, s};

#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct App;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "USER", hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "ORDER",
    hash = "USER#{user_id}",
    range = "ORDER#{created}#{order_id}",
    gsi(name = "gsi1", hash = "STATUS#{status}", range = "{created}#{order_id}")
)]
struct Order {
    user_id: String,
    created: u32,
    order_id: String,
    status: String,
    total: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "ITEM", hash = "ORDER#{order_id}", range = "ITEM#{line}")]
struct OrderItem {
    order_id: String,
    line: u16,
    sku: String,
}

#[derive(Collection, Debug, PartialEq)]
enum UserData {
    User(User),
    Order(Order),
}

/// A model on the same table that knows nothing of markers: reads through it decode
/// whatever is under a key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "app")]
struct Raw {
    #[dynamo(hash_key)]
    pk: String,
    #[dynamo(range_key)]
    sk: String,
    name: Option<String>,
}

/// An index key built from two fields that are not in the item's key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "SHIPMENT", hash = "SHIP#{id}", range = "META",
         gsi(name = "gsi1", hash = "CARRIER#{carrier}#{region}", range = "{id}"))]
struct Shipment {
    id: String,
    carrier: String,
    region: String,
}

fn order(user: &str, created: u32, id: &str, status: &str) -> Order {
    Order { user_id: user.into(), created, order_id: id.into(), status: status.into(), total: 100 }
}

async fn seed(db: &Db) {
    App::create_table(db).await.unwrap();
    User::put(db, &User { user_id: "42".into(), name: "Ada".into() }).await.unwrap();
    for (created, id, status) in [(1, "a", "paid"), (2, "b", "shipped"), (3, "c", "paid")] {
        Order::put(db, &order("42", created, id, status)).await.unwrap();
    }
    Order::put(db, &order("7", 5, "z", "paid")).await.unwrap();
    OrderItem::put(db, &OrderItem { order_id: "a".into(), line: 1, sku: "X".into() }).await.unwrap();
}

#[test]
fn keys_are_rendered_from_templates_and_read_back() {
    let item = order("42#ORDER#x", 7, "o%1", "paid").to_item().unwrap();
    assert_eq!(item["pk"], s("USER#42\"$ORDER\"$x"));
    assert_eq!(item["sk"], s("ORDER#0000000007#o%1"));
    assert_eq!(item["gsi1pk"], s("STATUS#paid"));
    assert_eq!(item["gsi1sk"], s("0000000007#o%1"));
    assert_eq!(item["_type"], s("ORDER"));
    assert_eq!(Order::from_item(item).unwrap(), order("42#ORDER#x", 7, "o%1", "paid"));
    let key = Order::key("42#ORDER#x", 7u32, "o%1").to_key_item().unwrap();
    assert_eq!(key.len(), 2);
    assert_eq!(key["sk"], s("ORDER#0000000007#o%1"));
}

#[test]
fn models_share_a_table_and_never_cross() {
    run(|db| async move {
        seed(&db).await;
        let user = User::get(&db, User::key("42")).await.unwrap().unwrap();
        assert_eq!(user.name, "Ada");
        let orders = Order::query(&db, "42").await.unwrap();
        assert_eq!(orders.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        let scanned = Order::scan(&db).await.unwrap();
        assert_eq!(scanned.len(), 4);
        assert_eq!(User::scan(&db).await.unwrap().len(), 1);
        assert_eq!(OrderItem::scan(&db).await.unwrap().len(), 1);
        // Control: a model without the marker check reads every item of the partition.
        let raw = Raw::query(&db, "USER#42").await.unwrap();
        assert_eq!(raw.len(), 4);
        assert_eq!(Raw::scan(&db).await.unwrap().len(), 6);
    })
}

#[test]
fn a_collection_reads_each_item_as_its_own_model_across_pages() {
    run(|db| async move {
        seed(&db).await;
        let all = UserData::query(&db, User::partition("42")).await.unwrap();
        assert_eq!(all.len(), 4);
        assert!(matches!(&all[3], UserData::User(user) if user.name == "Ada"));
        assert!(matches!(&all[0], UserData::Order(order) if order.order_id == "a"));

        // Pages of one item, with a cursor between them.
        let mut cursor = None;
        let mut seen = Vec::new();
        loop {
            let page = UserData::query(&db, User::partition("42")).limit(1).page(cursor.take()).await.unwrap();
            seen.extend(page.items);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, all);
        let streamed: Vec<UserData> =
            UserData::query(&db, User::partition("42")).page_size(1).stream().try_collect().await.unwrap();
        assert_eq!(streamed, all);
        assert_eq!(UserData::query(&db, User::partition("42")).limit(2).await.unwrap().len(), 2);
    })
}

#[test]
fn sort_key_conditions_follow_the_template() {
    run(|db| async move {
        seed(&db).await;
        let ids = |orders: Vec<Order>| orders.into_iter().map(|o| o.order_id).collect::<Vec<_>>();
        assert_eq!(ids(Order::query(&db, "42").range(Order::sk().created_gt(1u32)).await.unwrap()), ["b", "c"]);
        assert_eq!(ids(Order::query(&db, "42").range(Order::sk().created_ge(2u32)).await.unwrap()), ["b", "c"]);
        assert_eq!(ids(Order::query(&db, "42").range(Order::sk().created_lt(3u32)).await.unwrap()), ["a", "b"]);
        assert_eq!(ids(Order::query(&db, "42").range(Order::sk().created_le(2u32)).await.unwrap()), ["a", "b"]);
        assert_eq!(
            ids(Order::query(&db, "42").range(Order::sk().created_between(2u32, 3u32)).await.unwrap()),
            ["b", "c"]
        );
        assert_eq!(ids(Order::query(&db, "42").range(Order::sk().created(2u32)).await.unwrap()), ["b"]);
        assert_eq!(ids(Order::query(&db, "42").range(Order::sk().created(2u32).order_id("b")).await.unwrap()), ["b"]);
        let paid = Order::GSI1.query(&db, "paid").await.unwrap();
        assert_eq!(ids(paid), ["a", "c", "z"]);
        let late = Order::GSI1.query(&db, "paid").range(Order::gsi1_sk().created_gt(2u32)).await.unwrap();
        assert_eq!(ids(late), ["c", "z"]);
    })
}

#[test]
fn index_keys_follow_updates_or_the_update_is_refused() {
    run(|db| async move {
        seed(&db).await;
        let (counted_db, requests) = counted(&db);
        Order::update(&counted_db, Order::key("42", 1u32, "a")).set(&Order::STATUS, "shipped").await.unwrap();
        let shipped = Order::GSI1.query(&db, "shipped").await.unwrap();
        assert_eq!(shipped.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(Order::GSI1.query(&db, "paid").await.unwrap().len(), 2);

        refused!(
            requests,
            Order::update(&counted_db, Order::key("42", 1u32, "a")).set(&Order::ORDER_ID, "b"),
            Error::InvalidRequest { reason: RequestReason::KeyUpdate { .. }, .. }
        );

        // One field of a two-field index template cannot be changed alone: the index
        // key would be stale. Nothing is sent, and the index still finds the item.
        Shipment::put(&db, &Shipment { id: "s1".into(), carrier: "ups".into(), region: "eu".into() }).await.unwrap();
        refused!(
            requests,
            Shipment::update(&counted_db, Shipment::key("s1")).set(&Shipment::CARRIER, "dhl"),
            Error::InvalidRequest { reason: RequestReason::StaleIndexKey { index: "gsi1", key: "gsi1pk", ref field }, .. }
                if field == "region"
        );
        let by = |carrier: &str, region: &str| Shipment::GSI1.query(&db, (carrier.to_owned(), region.to_owned()));
        assert_eq!(by("ups", "eu").await.unwrap().len(), 1);
        // Control: both fields given, the index key follows.
        Shipment::update(&db, Shipment::key("s1"))
            .set(&Shipment::CARRIER, "dhl")
            .set(&Shipment::REGION, "us")
            .await
            .unwrap();
        assert_eq!(by("ups", "eu").await.unwrap().len(), 0);
        assert_eq!(by("dhl", "us").await.unwrap()[0].id, "s1");
    })
}

#[test]
fn a_write_never_replaces_another_models_item() {
    run(|db| async move {
        seed(&db).await;
        // An order whose key text equals the user's profile key is impossible: the
        // templates differ. A model on the same key with another marker is refused.
        Raw::put(&db, &Raw { pk: "USER#9".into(), sk: "PROFILE".into(), name: Some("raw".into()) }).await.unwrap();
        let error = User::put(&db, &User { user_id: "9".into(), name: "x".into() }).await.unwrap_err();
        assert!(matches!(error, Error::WrongEntity { .. }), "{error:?}");
        assert_eq!(User::get(&db, User::key("9")).await.unwrap(), None);
        let error = User::delete(&db, User::key("9")).await.unwrap_err();
        assert!(matches!(error, Error::WrongEntity { .. }), "{error:?}");
        // Control: the item is still there, as written.
        let raw = Raw::get(&db, Raw::key("USER#9", "PROFILE")).await.unwrap().unwrap();
        assert_eq!(raw.name.as_deref(), Some("raw"));
    })
}

/// Keys of every field type a template takes, with separators and escapes likely.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "PROBE", hash = "P#{a}#{b}", range = "{c}#{d}#{e}")]
struct Probe {
    a: String,
    b: i64,
    c: String,
    d: u8,
    e: i16,
}

mod properties {
    use std::collections::HashMap;

    use dynamo_model::{Document, Item, Model, ModelKey};
    use proptest::prelude::*;

    use super::Probe;

    /// Strings dense in what could confuse a key: separators, escapes, template text.
    fn tricky() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("#".to_owned()),
                Just("%".to_owned()),
                Just("\"".to_owned()),
                Just("\"$".to_owned()),
                Just("\"!".to_owned()),
                Just("P".to_owned()),
                Just("0".to_owned()),
                Just("é".to_owned()),
                "[a-z]{0,2}".prop_map(String::from),
            ],
            0..6,
        )
        .prop_map(|parts| parts.concat())
    }

    fn probe() -> impl Strategy<Value = Probe> {
        (tricky(), any::<i64>(), tricky(), any::<u8>(), any::<i16>()).prop_map(|(a, b, c, d, e)| Probe {
            a,
            b,
            c,
            d,
            e,
        })
    }

    fn stored_key(key: &Item) -> (String, String) {
        (key["pk"].as_s().unwrap().clone(), key["sk"].as_s().unwrap().clone())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Keys round-trip exactly, and no two distinct key values share a stored key.
        #[test]
        fn keys_round_trip_and_never_collide(probes in proptest::collection::vec(probe(), 1..24)) {
            let mut seen: HashMap<(String, String), Probe> = HashMap::new();
            for probe in probes {
                let item = probe.to_item().unwrap();
                let key = probe.key().to_key_item().unwrap();
                prop_assert_eq!(&key["pk"], &item["pk"]);
                prop_assert_eq!(&key["sk"], &item["sk"]);
                // Read back from the keys alone (every field restored from them).
                let keys_only: Item = key.clone().into_iter().chain([("_type".to_owned(), item["_type"].clone())]).collect();
                prop_assert_eq!(Probe::from_item(keys_only).unwrap(), probe.clone());
                prop_assert_eq!(Probe::from_item(item).unwrap(), probe.clone());
                if let Some(other) = seen.insert(stored_key(&key), probe.clone()) {
                    prop_assert_eq!(other, probe, "two keys share one stored key");
                }
            }
        }

        /// Integers in a sort key sort as numbers.
        #[test]
        fn numbers_sort_as_their_text(x in any::<i16>(), y in any::<i16>(), d in any::<u8>(), f in any::<u8>()) {
            let text = |e: i16, d: u8| {
                let probe = Probe { a: "a".into(), b: 0, c: "c".into(), d, e };
                stored_key(&probe.key().to_key_item().unwrap()).1
            };
            prop_assert_eq!(text(x, d).cmp(&text(y, d)), x.cmp(&y));
            prop_assert_eq!(text(x, d).cmp(&text(x, f)), d.cmp(&f));
        }
    }
}
