//! Round 10: single-table design under attack. Several models in one table, keys built
//! from templates, entity markers on every read and write, typed sort-key conditions,
//! collections, overloaded index keys kept in step by updates, and what a user does
//! around them (prefixes, versions, TTL, lifecycle timestamps in templates).
//!
//! Each test was written as the behaviour should be; the breaks it found (batch puts
//! refused, unchecked templated keys, an unbounded comparison after an equal field,
//! stamps and keys out of step, over- and under-refused projections, escapes out of
//! order) are fixed, and the tests stay as regression tests.

use std::collections::BTreeSet;

use dynamo_model::{AttributeValue, Collection, Db, Document, Error, InvalidReason, Item, Model, RequestReason, Table};
use futures::TryStreamExt;

use crate::common::{counted, n, run, s};

// ---------------------------------------------------------------------------------------
// The table and its models
// ---------------------------------------------------------------------------------------

#[derive(Table)]
#[dynamo(
    name = "adv10",
    ttl = "expires",
    gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"),
    gsi(name = "gsi2", hash = "gsi2pk", range = "gsi2sk", projection = keys_only)
)]
struct App;

/// A second shared table with no TTL and no index, for models that declare their own.
#[derive(Table)]
#[dynamo(name = "adv10_plain")]
struct Plain;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "USER", hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
    label: String,
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

/// Sorts right after every `ORDER#...` key of the partition (`S` > `#`), and shares
/// `gsi1` with orders, with the same key shapes.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "INVOICE",
    hash = "USER#{user_id}",
    range = "ORDERS#{invoice_id}",
    gsi(name = "gsi1", hash = "STATUS#{status}", range = "{created}#{invoice_id}")
)]
struct Invoice {
    user_id: String,
    invoice_id: String,
    status: String,
    created: u32,
}

/// Its sort key is `ORDER`, right before every `ORDER#...`.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "ORDER_BARE", hash = "USER#{user_id}", range = "ORDER")]
struct Bare {
    user_id: String,
    note: String,
}

/// Its sort keys start with an order's whole key: `ORDER#<created>#<id>#LINE#<n>`.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "ORDER_LINE", hash = "USER#{user_id}", range = "ORDER#{created}#{order_id}#LINE#{line}")]
struct OrderLine {
    user_id: String,
    created: u32,
    order_id: String,
    line: u8,
    sku: String,
}

#[derive(Collection, Debug, PartialEq)]
enum UserData {
    User(User),
    Order(Order),
}

/// Two models with the very same key templates: only the marker tells them apart.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "CAT", hash = "PET#{id}", range = "META")]
struct Cat {
    id: String,
    label: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "DOG", hash = "PET#{id}", range = "META")]
struct Dog {
    id: String,
    label: String,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct PetLabel {
    label: String,
}

/// An index key built from two non-key fields, and one from an integer and an `Option`.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "SHIP",
    hash = "SHIP#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "CARRIER#{carrier}#{region}", range = "{eta}#{tracking}")
)]
struct Shipment {
    id: String,
    carrier: String,
    region: String,
    eta: i64,
    tracking: Option<String>,
    weight: i64,
}

/// `updated_at` in an index key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "STAMPED",
    hash = "STAMPED#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "KIND#{kind}", range = "{updated}#{id}")
)]
struct Stamped {
    id: String,
    kind: String,
    #[dynamo(updated_at)]
    updated: u64,
    label: String,
}

/// `created_at` in an index key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "POST",
    hash = "POST#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "AUTHOR#{author}", range = "{posted}")
)]
struct Post {
    id: String,
    author: String,
    #[dynamo(created_at)]
    posted: u64,
    body: String,
}

/// `created_at` in the table's sort key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "EVENT", hash = "STREAM#{stream}", range = "AT#{at}")]
struct Event {
    stream: String,
    #[dynamo(created_at)]
    at: u64,
    label: String,
}

/// Text fields around literal text.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "TEXT", hash = "T#{a}", range = "X#{b}#END")]
struct Text {
    a: String,
    b: String,
}

/// Every integer type at once.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "INTS", hash = "I#{a}#{e}", range = "{b}#{c}#{d}#{f}#{g}")]
struct Ints {
    a: i8,
    e: u64,
    b: i16,
    c: i32,
    d: i64,
    f: u8,
    g: u16,
}

/// A signed integer, then an unsigned one, in a sort key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "SORTED", hash = "S#{g}", range = "V#{v}#{w}")]
struct Sorted {
    g: String,
    v: i64,
    w: u64,
}

/// A partition key that is one field and nothing else.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "SOLO", hash = "{id}", range = "META")]
struct Solo {
    id: String,
}

/// A keys-only index (created as `include(_type)`).
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "TAG",
    hash = "TAGGED#{item_id}",
    range = "TAG#{tag}",
    gsi(name = "gsi2", hash = "TAG#{tag}", range = "{item_id}")
)]
struct Tag {
    item_id: String,
    tag: String,
    weight: i64,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct TagKeys {
    tag: String,
    item_id: String,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct OrderTotal {
    order_id: String,
    total: i64,
}

fn lower(value: &str) -> String {
    value.to_lowercase()
}

/// A transformed key field and a renamed index field.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "MEMBER",
    hash = "MEMBER#{email}",
    range = "META",
    gsi(name = "gsi1", hash = "TEAM#{team}", range = "{email}")
)]
struct Member {
    #[dynamo(set = lower)]
    email: String,
    #[dynamo(rename = "teamName")]
    team: String,
}

/// Versioned, with a neighbour model on the same key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "ACCT", hash = "ACCT#{id}", range = "META")]
struct Account {
    id: String,
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "ACCT_NOTE", hash = "ACCT#{id}", range = "META")]
struct AccountNote {
    id: String,
    text: String,
}

/// TTL on the shared table.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "SESSION", hash = "SESSION#{id}", range = "META")]
struct Session {
    id: String,
    #[dynamo(ttl)]
    expires: Option<u64>,
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn order(user: &str, created: u32, id: &str, status: &str) -> Order {
    Order { user_id: user.into(), created, order_id: id.into(), status: status.into(), total: 10 }
}

fn invoice(user: &str, id: &str, status: &str, created: u32) -> Invoice {
    Invoice { user_id: user.into(), invoice_id: id.into(), status: status.into(), created }
}

fn line(user: &str, created: u32, id: &str, n: u8) -> OrderLine {
    OrderLine { user_id: user.into(), created, order_id: id.into(), line: n, sku: "sku".into() }
}

fn ids(orders: &[Order]) -> Vec<(u32, String)> {
    orders.iter().map(|o| (o.created, o.order_id.clone())).collect()
}

fn pairs(list: &[(u32, &str)]) -> Vec<(u32, String)> {
    list.iter().map(|(c, id)| (*c, (*id).to_owned())).collect()
}

fn item(entries: &[(&str, AttributeValue)]) -> Item {
    entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

/// Writes an item with the SDK client, as another program could.
async fn raw_put(db: &Db, entries: &[(&str, AttributeValue)]) {
    db.client()
        .put_item()
        .table_name(db.table_name::<User>())
        .set_item(Some(item(entries)))
        .send()
        .await
        .expect("the raw item is written");
}

/// The item under `pk`/`sk`, read with the SDK client.
async fn raw_get(db: &Db, pk: &str, sk: &str) -> Option<Item> {
    db.client()
        .get_item()
        .table_name(db.table_name::<User>())
        .set_key(Some(item(&[("pk", s(pk)), ("sk", s(sk))])))
        .consistent_read(true)
        .send()
        .await
        .expect("the raw item is read")
        .item
}

/// Every item of the table, read with the SDK client.
async fn raw_count(db: &Db) -> usize {
    let out = db.client().scan().table_name(db.table_name::<User>()).consistent_read(true).send().await.unwrap();
    out.items.unwrap_or_default().len()
}

/// User 42 with, in one partition: the profile, orders (1,a) (2,a) (2,b) (3,a) (10,c),
/// an `ORDER` item, an invoice `ORDERS#i1`, lines under (2,a) and (2,b), and raw items
/// with no marker and with a number marker.
async fn seed_partition(db: &Db) {
    App::create_table(db).await.unwrap();
    User::put(db, &User { user_id: "42".into(), label: "Ada".into() }).await.unwrap();
    for (created, id, status) in
        [(1, "a", "paid"), (2, "a", "paid"), (2, "b", "shipped"), (3, "a", "paid"), (10, "c", "paid")]
    {
        Order::put(db, &order("42", created, id, status)).await.unwrap();
    }
    Bare::put(db, &Bare { user_id: "42".into(), note: "bare".into() }).await.unwrap();
    Invoice::put(db, &invoice("42", "i1", "paid", 2)).await.unwrap();
    OrderLine::put(db, &line("42", 2, "a", 1)).await.unwrap();
    OrderLine::put(db, &line("42", 2, "b", 1)).await.unwrap();
    // Raw items in the orders' key range: no marker, and a number marker.
    raw_put(
        db,
        &[
            ("pk", s("USER#42")),
            ("sk", s("ORDER#0000000002#a0")),
            ("user_id", s("42")),
            ("created", n("2")),
            ("order_id", s("a0")),
            ("status", s("paid")),
            ("total", n("1")),
        ],
    )
    .await;
    raw_put(
        db,
        &[
            ("pk", s("USER#42")),
            ("sk", s("ORDER#0000000002#a1")),
            ("_type", n("1")),
            ("user_id", s("42")),
            ("created", n("2")),
            ("order_id", s("a1")),
            ("status", s("paid")),
            ("total", n("1")),
        ],
    )
    .await;
    // Another user's order, for partition checks.
    Order::put(db, &order("7", 2, "z", "paid")).await.unwrap();
}

/// The orders of user 42 in sort-key order.
fn all_orders() -> Vec<(u32, String)> {
    pairs(&[(1, "a"), (2, "a"), (2, "b"), (3, "a"), (10, "c")])
}

// ---------------------------------------------------------------------------------------
// Promise 1: reads and writes never cross models
// ---------------------------------------------------------------------------------------

/// A `Cat` under a key: every read of it through `Dog` (get, projection, batch get,
/// transaction get) is no item; the same reads through `Cat` find it (the control).
#[test]
fn adversarial10_reads_of_another_models_key_are_none_everywhere() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let cat = Cat { id: "p1".into(), label: "tom".into() };
        Cat::put(&db, &cat).await.unwrap();

        assert_eq!(Dog::get(&db, Dog::key("p1")).consistent().await.unwrap(), None);
        assert_eq!(Dog::get(&db, Dog::key("p1")).project_into::<PetLabel>().await.unwrap(), None);
        let got = Dog::batch_get(&db, [Dog::key("p1")]).consistent().await.unwrap();
        assert_eq!(got.items, Vec::<Dog>::new());
        assert_eq!(got.not_found, vec![Dog::key("p1")]);
        let mut tx = db.transaction_get();
        let dog = tx.get(Dog::get(&db, Dog::key("p1")));
        let as_cat = tx.get(Cat::get(&db, Cat::key("p2")).project_into::<PetLabel>());
        let got = tx.await.unwrap();
        assert_eq!(got.get(&dog).unwrap(), None);
        assert_eq!(got.get(&as_cat).unwrap(), None);
        assert_eq!(Dog::scan(&db).await.unwrap(), Vec::<Dog>::new());
        assert_eq!(Dog::query(&db, "p1").await.unwrap(), Vec::<Dog>::new());
        assert_eq!(Dog::query(&db, "p1").count().await.unwrap(), 0);

        // Control: the same reads through the right model find it.
        assert_eq!(Cat::get(&db, Cat::key("p1")).consistent().await.unwrap(), Some(cat.clone()));
        assert_eq!(
            Cat::get(&db, Cat::key("p1")).project_into::<PetLabel>().await.unwrap(),
            Some(PetLabel { label: "tom".into() })
        );
        let got = Cat::batch_get(&db, [Cat::key("p1")]).consistent().await.unwrap();
        assert_eq!(got.items, vec![cat.clone()]);
        let mut tx = db.transaction_get();
        let handle = tx.get(Cat::get(&db, Cat::key("p1")));
        assert_eq!(tx.await.unwrap().get(&handle).unwrap(), Some(cat.clone()));
        assert_eq!(Cat::scan(&db).await.unwrap(), vec![cat]);
    })
}

/// Every single write through `Dog` on a `Cat`'s key fails with `WrongEntity` naming
/// `CAT`, and leaves the cat as it was; the same writes through `Cat` go through.
#[test]
fn adversarial10_writes_on_another_models_key_are_wrong_entity_and_write_nothing() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let cat = Cat { id: "p1".into(), label: "tom".into() };
        Cat::put(&db, &cat).await.unwrap();
        let before = raw_get(&db, "PET#p1", "META").await.unwrap();
        let dog = Dog { id: "p1".into(), label: "rex".into() };
        let wrong = |result: dynamo_model::Result<()>, what: &str| match result {
            Err(Error::WrongEntity { model: "Dog", found, item, .. }) => {
                assert_eq!(found, "CAT", "{what}");
                assert_eq!(*item, before, "{what}: the error carries the stored item");
            }
            other => panic!("{what}: expected WrongEntity, got {other:?}"),
        };
        wrong(Dog::put(&db, &dog).await.map(drop), "put");
        wrong(Dog::put(&db, &dog).if_not_exists().await.map(drop), "put if_not_exists");
        wrong(Dog::update(&db, Dog::key("p1")).set(&Dog::LABEL, "rex").await.map(drop), "update");
        wrong(Dog::update(&db, Dog::key("p1")).set(&Dog::LABEL, "rex").upsert().await.map(drop), "upsert");
        wrong(Dog::delete(&db, Dog::key("p1")).await.map(drop), "delete");
        assert_eq!(raw_get(&db, "PET#p1", "META").await, Some(before.clone()));

        // Control: the cat's own writes go through.
        Cat::update(&db, Cat::key("p1")).set(&Cat::LABEL, "tom2").await.unwrap();
        assert_eq!(Cat::get(&db, Cat::key("p1")).consistent().await.unwrap().unwrap().label, "tom2");
        assert_eq!(
            Cat::delete(&db, Cat::key("p1")).await.unwrap().into_item().unwrap().map(|c| c.label),
            Some("tom2".to_owned())
        );
        // And with the key free, the dog's put goes through.
        Dog::put(&db, &dog).await.unwrap();
        assert_eq!(Dog::get(&db, Dog::key("p1")).consistent().await.unwrap(), Some(dog));
    })
}

/// In a transaction, a `Dog` action on a `Cat`'s key cancels it all: the action's error
/// is `WrongEntity`, and the other action (on a free key) is not applied.
#[test]
fn adversarial10_transaction_actions_on_another_models_key_cancel_with_wrong_entity() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Cat::put(&db, &Cat { id: "p1".into(), label: "tom".into() }).await.unwrap();
        let before = raw_get(&db, "PET#p1", "META").await.unwrap();
        let free = Dog { id: "p9".into(), label: "free".into() };
        let on_cat = Dog { id: "p1".into(), label: "rex".into() };
        let attempts: Vec<(&str, dynamo_model::Result<()>)> = vec![
            ("put", db.transaction().put(Dog::put(&db, &free)).put(Dog::put(&db, &on_cat)).await),
            (
                "update",
                db.transaction()
                    .put(Dog::put(&db, &free))
                    .update(Dog::update(&db, Dog::key("p1")).set(&Dog::LABEL, "x"))
                    .await,
            ),
            ("delete", db.transaction().put(Dog::put(&db, &free)).delete(Dog::delete(&db, Dog::key("p1"))).await),
            (
                "check",
                db.transaction()
                    .put(Dog::put(&db, &free))
                    .check(Dog::check(&db, Dog::key("p1"), Dog::LABEL.eq("tom")))
                    .await,
            ),
        ];
        for (what, result) in attempts {
            let Err(Error::TransactionCanceled { actions }) = result else {
                panic!("{what}: expected TransactionCanceled, got {result:?}");
            };
            let causes: Vec<usize> = actions.iter().filter(|a| a.is_cause()).map(|a| a.index).collect();
            assert_eq!(causes, [1], "{what}");
            assert!(
                matches!(actions[1].error.as_deref(), Some(Error::WrongEntity { found, .. }) if found == "CAT"),
                "{what}: {:?}",
                actions[1].error
            );
            assert_eq!(raw_get(&db, "PET#p9", "META").await, None, "{what}: nothing applied");
            assert_eq!(raw_get(&db, "PET#p1", "META").await, Some(before.clone()), "{what}");
        }
    })
}

/// Items written by another program under a model's key, with no marker, a number
/// marker or a set marker: reads skip them (no panic), writes are `WrongEntity` naming
/// what was found, and the items stay as written.
#[test]
fn adversarial10_unmarked_and_odd_marker_items_never_decode_and_block_writes() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let odd: Vec<(&str, Option<AttributeValue>, &str)> = vec![
            ("u1", None, "no entity marker"),
            ("u2", Some(n("1")), "N 1"),
            ("u3", Some(AttributeValue::Ss(vec!["USER".into()])), "SS"),
            ("u4", Some(AttributeValue::Bool(true)), "BOOL true"),
            ("u5", Some(s("user")), "user"),
            ("u6", Some(AttributeValue::M(item(&[("USER", s("USER"))]))), "M"),
        ];
        for (id, marker, _) in &odd {
            let mut entries =
                vec![("pk", s(format!("USER#{id}"))), ("sk", s("PROFILE")), ("user_id", s(*id)), ("label", s("raw"))];
            if let Some(marker) = marker {
                entries.push(("_type", marker.clone()));
            }
            raw_put(&db, &entries).await;
        }
        for (id, _, found) in &odd {
            assert_eq!(User::get(&db, User::key(*id)).consistent().await.unwrap(), None, "{id}");
            assert_eq!(User::query(&db, *id).await.unwrap(), Vec::<User>::new(), "{id}");
            assert_eq!(UserData::query(&db, User::partition(*id)).await.unwrap(), Vec::<UserData>::new(), "{id}");
            let user = User { user_id: (*id).into(), label: "mine".into() };
            match User::put(&db, &user).await {
                Err(Error::WrongEntity { found: got, .. }) => assert_eq!(got, *found, "{id}"),
                other => panic!("{id}: expected WrongEntity, got {other:?}"),
            }
            match User::update(&db, User::key(*id)).set(&User::LABEL, "x").upsert().await {
                Err(Error::WrongEntity { found: got, .. }) => assert_eq!(got, *found, "{id}"),
                other => panic!("{id}: expected WrongEntity, got {other:?}"),
            }
            let stored = raw_get(&db, &format!("USER#{id}"), "PROFILE").await.unwrap();
            assert_eq!(stored["label"], s("raw"), "{id}: untouched");
        }
        assert_eq!(User::scan(&db).await.unwrap(), Vec::<User>::new());
        assert_eq!(User::scan(&db).count().await.unwrap(), 0);
        let got = User::batch_get(&db, odd.iter().map(|(id, _, _)| User::key(*id))).await.unwrap();
        assert_eq!((got.items.len(), got.not_found.len()), (0, odd.len()));
        // Control: a marked user is read by all of them.
        User::put(&db, &User { user_id: "ok".into(), label: "fine".into() }).await.unwrap();
        assert_eq!(User::scan(&db).count().await.unwrap(), 1);
        assert_eq!(raw_count(&db).await, odd.len() + 1);
    })
}

/// Batch puts are the ordinary way to load many items; a put of a model of a shared
/// table onto free keys should go through as `Model::put` does.
#[test]
fn adversarial10_batch_put_of_single_table_models_onto_free_keys_goes_through() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let orders: Vec<Order> = (0..30).map(|i| order("42", i, "b", "paid")).collect();
        let written = Order::batch_put(&db, &orders).await;
        assert_eq!(written.map(|w| w.written).map_err(|e| e.to_string()), Ok(30));
        assert_eq!(ids(&Order::query(&db, "42").consistent().await.unwrap()), ids(&orders));
    })
}

/// Batch writes take no condition (DynamoDB's BatchWriteItem has none), so, as
/// documented, they do not check the marker: a batch write of `Dog` under a key holding
/// a `Cat` replaces or deletes it. The same writes alone fail with `WrongEntity` and
/// leave the cat (the control that the marker is there to check).
#[test]
fn adversarial10_batch_writes_do_not_check_markers_as_documented() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Cat::put(&db, &Cat { id: "p1".into(), label: "tom".into() }).await.unwrap();
        let cat = raw_get(&db, "PET#p1", "META").await.unwrap();
        let alone = Dog::put(&db, &Dog { id: "p1".into(), label: "rex".into() }).await;
        assert!(matches!(alone, Err(Error::WrongEntity { ref found, .. }) if found == "CAT"), "{alone:?}");
        let alone = Dog::delete(&db, Dog::key("p1")).await;
        assert!(matches!(alone, Err(Error::WrongEntity { .. })), "{alone:?}");
        assert_eq!(raw_get(&db, "PET#p1", "META").await, Some(cat));

        Dog::batch_overwrite(&db, [Dog { id: "p1".into(), label: "rex".into() }]).await.unwrap();
        assert_eq!(raw_get(&db, "PET#p1", "META").await.unwrap()["_type"], s("DOG"));
        Dog::batch_delete(&db, [Dog::key("p1")]).await.unwrap();
        assert_eq!(raw_get(&db, "PET#p1", "META").await, None);
    })
}

// ---------------------------------------------------------------------------------------
// Promise 2: key templates
// ---------------------------------------------------------------------------------------

/// Text values with the separator, the escape, escape-like text, the template's own
/// literals, empty strings and unicode: each round-trips, reads back by key and by
/// query, and no two of them share a stored key.
#[test]
fn adversarial10_text_values_round_trip_and_never_share_a_stored_key() {
    let values = [
        "",
        "#",
        "##",
        "%",
        "%%",
        "%23",
        "%25",
        "%2",
        "%2G",
        "a#b",
        "a%23b",
        "END",
        "#END",
        "X#y#END",
        "X",
        "T#x",
        "ü",
        "日本#語",
        "\u{0}",
        " ",
        "a b",
        "%",
        "emoji 🎉#%",
    ];
    let unique: Vec<&str> = values.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let mut keys = BTreeSet::new();
        for a in ["p", "#", "%23", ""] {
            for b in &unique {
                let text = Text { a: a.into(), b: (*b).into() };
                let item = text.to_item().unwrap();
                keys.insert((item["pk"].clone().as_s().unwrap().clone(), item["sk"].as_s().unwrap().clone()));
                assert_eq!(Text::from_item(item).unwrap(), text);
                Text::put(&db, &text).await.unwrap();
            }
        }
        assert_eq!(keys.len(), 4 * unique.len(), "two values share a stored key");
        assert_eq!(raw_count(&db).await, 4 * unique.len());
        for a in ["p", "#", "%23", ""] {
            let read: BTreeSet<String> =
                Text::query(&db, a).consistent().await.unwrap().into_iter().map(|t| t.b).collect();
            assert_eq!(read, unique.iter().map(|b| (*b).to_owned()).collect(), "partition {a:?}");
            for b in &unique {
                let got = Text::get(&db, Text::key(a, *b)).consistent().await.unwrap();
                assert_eq!(got, Some(Text { a: a.into(), b: (*b).into() }));
            }
        }
    })
}

/// Every integer type at its minimum, maximum and zero round-trips through the keys,
/// and reads back by key.
#[test]
fn adversarial10_extreme_integers_round_trip_in_keys() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let cases = [
            Ints { a: i8::MIN, e: u64::MAX, b: i16::MIN, c: i32::MIN, d: i64::MIN, f: u8::MAX, g: u16::MAX },
            Ints { a: i8::MAX, e: 0, b: i16::MAX, c: i32::MAX, d: i64::MAX, f: 0, g: 0 },
            Ints { a: 0, e: 1, b: 0, c: 0, d: 0, f: 1, g: 1 },
            Ints { a: -1, e: u64::MAX - 1, b: -1, c: -1, d: -1, f: 254, g: 65534 },
        ];
        for case in &cases {
            Ints::put(&db, case).await.unwrap();
            let key = Ints::key(case.a, case.e, case.b, case.c, case.d, case.f, case.g);
            assert_eq!(Ints::get(&db, key).consistent().await.unwrap().as_ref(), Some(case));
        }
        let item = cases[0].to_item().unwrap();
        assert_eq!(item["pk"], s("I#000#18446744073709551615"));
        assert_eq!(item["sk"], s("00000#0000000000#00000000000000000000#255#65535"));
        let item = cases[1].to_item().unwrap();
        assert_eq!(item["pk"], s("I#255#00000000000000000000"));
        assert_eq!(item["sk"], s("65535#4294967295#18446744073709551615#000#00000"));
        let scanned: BTreeSet<String> = Ints::scan(&db).await.unwrap().iter().map(|i| format!("{i:?}")).collect();
        assert_eq!(scanned, cases.iter().map(|i| format!("{i:?}")).collect());
    })
}

/// Signed and unsigned numbers in a sort key come back in numeric order, both ways,
/// and typed comparisons at the extremes return exactly the right items.
#[test]
fn adversarial10_signed_sort_keys_sort_and_compare_as_numbers() {
    let values = [i64::MIN, i64::MIN + 1, -10, -9, -1, 0, 1, 9, 10, i64::MAX - 1, i64::MAX];
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for v in values {
            Sorted::put(&db, &Sorted { g: "g".into(), v, w: 0 }).await.unwrap();
        }
        let vs = |items: Vec<Sorted>| items.into_iter().map(|x| x.v).collect::<Vec<_>>();
        assert_eq!(vs(Sorted::query(&db, "g").await.unwrap()), values);
        let mut reversed = values.to_vec();
        reversed.reverse();
        assert_eq!(vs(Sorted::query(&db, "g").descending().await.unwrap()), reversed);
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_gt(-1i64)).await.unwrap()), values[5..]);
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_ge(-1i64)).await.unwrap()), values[4..]);
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_lt(0i64)).await.unwrap()), values[..5]);
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_le(0i64)).await.unwrap()), values[..6]);
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_gt(i64::MAX)).await.unwrap()), Vec::<i64>::new());
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_lt(i64::MIN)).await.unwrap()), Vec::<i64>::new());
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_ge(i64::MIN)).await.unwrap()), values);
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v_le(i64::MAX)).await.unwrap()), values);
        assert_eq!(
            vs(Sorted::query(&db, "g").range(Sorted::sk().v_between(-10i64, 10i64)).await.unwrap()),
            values[2..9]
        );
        assert_eq!(
            vs(Sorted::query(&db, "g").range(Sorted::sk().v_between(-9i64, -9i64)).descending().await.unwrap()),
            [-9]
        );
        assert_eq!(vs(Sorted::query(&db, "g").range(Sorted::sk().v(i64::MIN)).await.unwrap()), [i64::MIN]);
        assert_eq!(Sorted::query(&db, "g").range(Sorted::sk().v_lt(0i64)).count().await.unwrap(), 5);
    })
}

/// A partition key of exactly 2048 bytes is stored; one more byte (or a value whose
/// escaping takes it over) is refused before sending, as a get of that key is.
#[test]
fn adversarial10_a_templated_key_over_the_limit_is_refused_before_sending() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        // "USER#" + 2043 bytes: 2048, the limit.
        let at_limit = User { user_id: "u".repeat(2043), label: "x".into() };
        User::put(&c, &at_limit).await.unwrap();
        assert_eq!(User::get(&c, User::key("u".repeat(2043))).consistent().await.unwrap(), Some(at_limit));

        let over = User { user_id: "u".repeat(2044), label: "x".into() };
        refused!(requests, User::get(&c, User::key("u".repeat(2044))), Error::Invalid { .. });
        refused!(
            requests,
            User::put(&c, &over),
            Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 2049, max: 2048 }, .. } if attribute == "pk"
        );
        // 1100 `#` escape to 2200 bytes.
        let escaped = User { user_id: "#".repeat(1100), label: "x".into() };
        refused!(
            requests,
            User::put(&c, &escaped),
            Error::Invalid { reason: InvalidReason::KeyTooLong { len: 2205, max: 2048 }, .. }
        );
        // Sort key: "ORDER#" + 10 digits + "#" + id; 1007 bytes of id is 1024.
        Order::put(&c, &order("42", 1, &"o".repeat(1007), "paid")).await.unwrap();
        refused!(
            requests,
            Order::put(&c, &order("42", 1, &"o".repeat(1008), "paid")),
            Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 1025, max: 1024 }, .. } if attribute == "sk"
        );
        refused!(
            requests,
            Order::update(&c, Order::key("42", 1u32, "#".repeat(600))).set(&Order::TOTAL, 1i64).upsert(),
            Error::Invalid { .. }
        );
        assert_eq!(raw_count(&db).await, 2);
    })
}

/// A templated index key over its limit is refused before sending (the index keys are
/// checked on put).
#[test]
fn adversarial10_a_templated_index_key_over_the_limit_is_refused_before_sending() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let long = order("42", 1, "a", &"s".repeat(2042));
        refused!(
            requests,
            Order::put(&c, &long),
            Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 2049, max: 2048 }, .. } if attribute == "gsi1pk"
        );
        Order::put(&c, &order("42", 1, "a", "paid")).await.unwrap();
        refused!(
            requests,
            Order::update(&c, Order::key("42", 1u32, "a")).set(&Order::STATUS, "#".repeat(1100)),
            Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { .. }, .. } if attribute == "gsi1pk"
        );
        // Reads of a partition over the limit, or empty, are refused too.
        let too_long =
            |e: &Error| matches!(e, Error::Invalid { reason: InvalidReason::KeyTooLong { len: 2049, max: 2048 }, .. });
        let e = refused!(requests, User::query(&c, "u".repeat(2044)), Error::Invalid { .. });
        assert!(too_long(&e), "{e:?}");
        let e = refused!(requests, UserData::query(&c, User::partition("u".repeat(2044))), Error::Invalid { .. });
        assert!(too_long(&e), "{e:?}");
        let e = refused!(requests, Order::GSI1.query(&c, "s".repeat(2042)), Error::Invalid { .. });
        assert!(too_long(&e), "{e:?}");
        refused!(requests, Solo::query(&c, ""), Error::Invalid { reason: InvalidReason::EmptyKey, .. });
        refused!(
            requests,
            UserData::query(&c, Solo::partition("")),
            Error::Invalid { reason: InvalidReason::EmptyKey, .. }
        );
        // Control: at the limit it is written.
        Order::update(&c, Order::key("42", 1u32, "a")).set(&Order::STATUS, "s".repeat(2041)).await.unwrap();
        assert_eq!(Order::GSI1.query(&c, "s".repeat(2041)).await.unwrap().len(), 1);
    })
}

/// A key that is one text field and nothing else, given an empty string, would be an
/// empty key: refused before sending, for a put as for a get.
#[test]
fn adversarial10_an_empty_rendered_key_is_refused_before_sending() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        refused!(requests, Solo::get(&c, Solo::key("")), Error::Invalid { reason: InvalidReason::EmptyKey, .. });
        refused!(
            requests,
            Solo::put(&c, &Solo { id: String::new() }),
            Error::Invalid { attribute, reason: InvalidReason::EmptyKey, .. } if attribute == "pk" || attribute == "id"
        );
        refused!(
            requests,
            c.transaction().put(Solo::put(&c, &Solo { id: String::new() })),
            Error::Action { index: 0, .. }
        );
        // Control: a non-empty one is written.
        Solo::put(&c, &Solo { id: "x".into() }).await.unwrap();
        assert_eq!(Solo::get(&c, Solo::key("x")).consistent().await.unwrap(), Some(Solo { id: "x".into() }));
    })
}

/// A value holding another template's literal text cannot reach another partition or
/// another model's key: `user_id = "42#ORDER#x"` is its own partition.
#[test]
fn adversarial10_literal_text_in_a_value_cannot_forge_another_key() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        User::put(&db, &User { user_id: "42".into(), label: "real".into() }).await.unwrap();
        for forged in ["42#PROFILE", "42#ORDER#0000000001#a", "42%23PROFILE", "42#"] {
            User::put(&db, &User { user_id: forged.into(), label: "forged".into() }).await.unwrap();
            Order::put(&db, &order(forged, 1, "a", "paid")).await.unwrap();
        }
        // An order whose id ends like a line's key.
        Order::put(&db, &order("42", 1, "a#LINE#001", "paid")).await.unwrap();
        assert_eq!(User::get(&db, User::key("42")).consistent().await.unwrap().unwrap().label, "real");
        assert_eq!(ids(&Order::query(&db, "42").consistent().await.unwrap()), pairs(&[(1, "a#LINE#001")]));
        assert_eq!(OrderLine::query(&db, "42").consistent().await.unwrap(), Vec::<OrderLine>::new());
        assert_eq!(UserData::query(&db, User::partition("42")).consistent().await.unwrap().len(), 2);
        for forged in ["42#PROFILE", "42#ORDER#0000000001#a", "42%23PROFILE", "42#"] {
            let data = UserData::query(&db, User::partition(forged)).consistent().await.unwrap();
            assert_eq!(data.len(), 2, "{forged}");
            assert!(matches!(&data[1], UserData::User(u) if u.user_id == forged && u.label == "forged"));
            assert!(matches!(&data[0], UserData::Order(o) if o.user_id == forged));
        }
        assert_eq!(User::scan(&db).await.unwrap().len(), 5);
    })
}

// ---------------------------------------------------------------------------------------
// Promise 3: typed sort-key conditions
// ---------------------------------------------------------------------------------------

/// Each comparison on the first field of `ORDER#{created}#{order_id}`, at and around its
/// boundaries, with `ORDER`, `ORDERS#...`, order lines and raw items in the partition.
#[test]
fn adversarial10_sort_key_comparisons_skip_neighbouring_keys() {
    run(|db| async move {
        seed_partition(&db).await;
        let q = || Order::query(&db, "42").consistent();
        let all = all_orders();
        assert_eq!(ids(&q().await.unwrap()), all);
        assert_eq!(ids(&q().range(Order::sk()).await.unwrap()), all);
        assert_eq!(ids(&q().range(Order::sk().created_gt(0u32)).await.unwrap()), all);
        assert_eq!(ids(&q().range(Order::sk().created_gt(2u32)).await.unwrap()), all[3..]);
        assert_eq!(ids(&q().range(Order::sk().created_ge(2u32)).await.unwrap()), all[1..]);
        assert_eq!(ids(&q().range(Order::sk().created_lt(2u32)).await.unwrap()), all[..1]);
        assert_eq!(ids(&q().range(Order::sk().created_le(2u32)).await.unwrap()), all[..3]);
        assert_eq!(ids(&q().range(Order::sk().created_le(u32::MAX)).await.unwrap()), all);
        assert_eq!(ids(&q().range(Order::sk().created_ge(0u32)).await.unwrap()), all);
        assert_eq!(ids(&q().range(Order::sk().created_gt(u32::MAX)).await.unwrap()), vec![]);
        assert_eq!(ids(&q().range(Order::sk().created_lt(0u32)).await.unwrap()), vec![]);
        assert_eq!(ids(&q().range(Order::sk().created_between(2u32, 3u32)).await.unwrap()), all[1..4]);
        assert_eq!(ids(&q().range(Order::sk().created_between(3u32, 3u32)).await.unwrap()), all[3..4]);
        assert_eq!(ids(&q().range(Order::sk().created(2u32)).await.unwrap()), all[1..3]);
        assert_eq!(ids(&q().range(Order::sk().created(2u32).order_id("a")).await.unwrap()), all[1..2]);
        assert_eq!(ids(&q().range(Order::sk().created(4u32)).await.unwrap()), vec![]);
        let mut reversed = all[1..].to_vec();
        reversed.reverse();
        assert_eq!(ids(&q().range(Order::sk().created_ge(2u32)).descending().await.unwrap()), reversed);
        assert_eq!(ids(&q().range(Order::sk().created_ge(2u32)).descending().limit(2).await.unwrap()), reversed[..2]);
        assert_eq!(ids(&q().range(Order::sk().created_le(2u32)).limit(2).await.unwrap()), all[..2]);
        assert_eq!(q().range(Order::sk().created_le(2u32)).count().await.unwrap(), 3);
        // The neighbours are there: their own models read them.
        assert_eq!(Bare::query(&db, "42").await.unwrap().len(), 1);
        assert_eq!(Invoice::query(&db, "42").await.unwrap().len(), 1);
        assert_eq!(OrderLine::query(&db, "42").await.unwrap().len(), 2);
        assert_eq!(
            OrderLine::query(&db, "42").range(OrderLine::sk().created(2u32).order_id("a")).await.unwrap().len(),
            1
        );
    })
}

/// A comparison of the second field after the first is given stays within that first
/// field's value: `created(2).order_id_gt("a")` is the orders of `created = 2` after
/// `a`, not every order after `(2, a)`.
#[test]
fn adversarial10_a_comparison_after_an_equal_field_stays_within_it() {
    run(|db| async move {
        seed_partition(&db).await;
        Sorted::put(&db, &Sorted { g: "g".into(), v: 0, w: 1 }).await.unwrap();
        Sorted::put(&db, &Sorted { g: "g".into(), v: 1, w: 9 }).await.unwrap();
        let q = || Order::query(&db, "42").consistent();
        assert_eq!(ids(&q().range(Order::sk().created(2u32).order_id_gt("a")).await.unwrap()), pairs(&[(2, "b")]));
        assert_eq!(ids(&q().range(Order::sk().created(2u32).order_id_lt("b")).await.unwrap()), pairs(&[(2, "a")]));
        assert_eq!(
            ids(&q().range(Order::sk().created(2u32).order_id_gt("b")).await.unwrap()),
            Vec::<(u32, String)>::new()
        );
        let rows = UserData::query(&db, User::partition("42")).range(Order::sk().created(2u32).order_id_gt("a")).await;
        assert_eq!(rows.unwrap().len(), 1, "the profile and later orders come back too");
        let late = Sorted::query(&db, "g").range(Sorted::sk().v(1i64).w_lt(5u64)).await.unwrap();
        assert_eq!(late, Vec::<Sorted>::new());
    })
}

/// The same for `_ge`, `_le` and `_between` on the last field, which carry both bounds.
#[test]
fn adversarial10_ge_le_between_after_an_equal_field_stay_within_it() {
    run(|db| async move {
        seed_partition(&db).await;
        let q = || Order::query(&db, "42").consistent();
        assert_eq!(
            ids(&q().range(Order::sk().created(2u32).order_id_ge("a")).await.unwrap()),
            pairs(&[(2, "a"), (2, "b")])
        );
        assert_eq!(ids(&q().range(Order::sk().created(2u32).order_id_ge("b")).await.unwrap()), pairs(&[(2, "b")]));
        assert_eq!(ids(&q().range(Order::sk().created(2u32).order_id_le("a")).await.unwrap()), pairs(&[(2, "a")]));
        assert_eq!(ids(&q().range(Order::sk().created(3u32).order_id_le("z")).await.unwrap()), pairs(&[(3, "a")]));
        assert_eq!(
            ids(&q().range(Order::sk().created(2u32).order_id_between("a", "b")).await.unwrap()),
            pairs(&[(2, "a"), (2, "b")])
        );
        assert_eq!(
            ids(&q().range(Order::sk().created(2u32).order_id_between("a", "a")).descending().await.unwrap()),
            pairs(&[(2, "a")])
        );
    })
}

/// Pages of one item, with cursors reused, give exactly the full answer, both ways and
/// through the index; a cursor is refused (before sending) by a query of another
/// partition, index or sort-key range.
#[test]
fn adversarial10_cursors_resume_exactly_and_stay_with_their_query() {
    run(|db| async move {
        seed_partition(&db).await;
        let (c, requests) = counted(&db);
        for descending in [false, true] {
            let query = || {
                let q = Order::query(&c, "42").consistent().range(Order::sk().created_between(1u32, 3u32));
                if descending {
                    q.descending()
                } else {
                    q
                }
            };
            let full = ids(&query().await.unwrap());
            let mut cursor = None;
            let mut seen = Vec::new();
            loop {
                let page = query().limit(1).page(cursor.take()).await.unwrap();
                assert!(page.items.len() <= 1);
                seen.extend(ids(&page.items));
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen, full, "descending {descending}");
            assert_eq!(full.len(), 4);
        }
        // Conditions whose bound is a key itself (last field `le`, `between`, `=`), read
        // a page of one at a time both ways: the pages give the full answer.
        macro_rules! paged {
            ($query:expr) => {{
                let mut cursor = None;
                let mut seen = Vec::new();
                loop {
                    let page = $query.limit(1).page(cursor.take()).await.unwrap();
                    seen.extend(ids(&page.items));
                    match page.cursor {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
                seen
            }};
        }
        type Case<F> = (&'static str, fn() -> F, Vec<(u32, String)>);
        let conditions: Vec<Case<_>> = vec![
            ("le last", || Order::sk().created(2u32).order_id_le("b"), pairs(&[(2, "a"), (2, "b")])),
            ("ge last", || Order::sk().created(2u32).order_id_ge("a"), pairs(&[(2, "a"), (2, "b")])),
            ("between last", || Order::sk().created(2u32).order_id_between("a", "b"), pairs(&[(2, "a"), (2, "b")])),
            ("le first", || Order::sk().created_le(3u32), pairs(&[(1, "a"), (2, "a"), (2, "b"), (3, "a")])),
            ("ge first", || Order::sk().created_ge(10u32), pairs(&[(10, "c")])),
        ];
        for (what, condition, expected) in conditions {
            assert_eq!(paged!(Order::query(&c, "42").consistent().range(condition())), expected, "{what}");
            let mut reversed = expected.clone();
            reversed.reverse();
            assert_eq!(
                paged!(Order::query(&c, "42").consistent().range(condition()).descending()),
                reversed,
                "{what} descending"
            );
        }
        assert_eq!(
            paged!(Order::query(&c, "42").consistent().range(Order::sk().created(2u32).order_id("b"))),
            pairs(&[(2, "b")])
        );

        // Index pages, with invoices interleaved in the index partition.
        let mut cursor = None;
        let mut seen = Vec::new();
        loop {
            let page = Order::GSI1.query(&c, "paid").page_size(1).limit(1).page(cursor.take()).await.unwrap();
            seen.extend(ids(&page.items));
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, pairs(&[(1, "a"), (2, "a"), (2, "z"), (3, "a"), (10, "c")]));

        let page = Order::query(&c, "42").limit(1).page(None).await.unwrap();
        let cursor = page.cursor.unwrap();
        refused!(requests, Order::query(&c, "7").page(Some(cursor.clone())), Error::InvalidCursor { .. });
        refused!(requests, Order::GSI1.query(&c, "paid").page(Some(cursor.clone())), Error::InvalidCursor { .. });
        refused!(
            requests,
            Order::query(&c, "42").range(Order::sk().created_ge(5u32)).page(Some(cursor.clone())),
            Error::InvalidCursor { .. }
        );
        let user_page = User::query(&c, "42").limit(1).page(None).await.unwrap();
        assert_eq!(user_page.items.len(), 1);
        // The profile's key, resumed by an order query: outside `ORDER#`.
        let profile_cursor = UserData::query(&c, User::partition("42")).descending().limit(1).page(None).await.unwrap();
        refused!(requests, Order::query(&c, "42").page(profile_cursor.cursor), Error::InvalidCursor { .. });
        // Control: the cursor resumes its own query.
        let rest = Order::query(&c, "42").page(Some(cursor)).await.unwrap();
        assert_eq!(ids(&rest.items), all_orders()[1..]);
    })
}

// ---------------------------------------------------------------------------------------
// Promise 4: entity markers
// ---------------------------------------------------------------------------------------

/// `limit`, `page_size`, `count`, scans and parallel scans see only the model's items,
/// with other models' and raw items interleaved.
#[test]
fn adversarial10_limit_count_and_scans_see_only_the_models_items() {
    run(|db| async move {
        seed_partition(&db).await;
        let all = all_orders();
        for limit in 1..=6 {
            let got = Order::query(&db, "42").consistent().limit(limit).await.unwrap();
            assert_eq!(ids(&got), all[..limit.min(5)], "limit {limit}");
            let got = Order::query(&db, "42").consistent().page_size(1).limit(limit).await.unwrap();
            assert_eq!(ids(&got), all[..limit.min(5)], "page_size 1, limit {limit}");
        }
        let streamed: Vec<Order> =
            Order::query(&db, "42").consistent().page_size(1).stream().try_collect().await.unwrap();
        assert_eq!(ids(&streamed), all);
        let totals = Order::query(&db, "42").consistent().project_into::<OrderTotal>().limit(4).await.unwrap();
        assert_eq!(totals.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["a", "a", "b", "a"]);
        let totals = Order::GSI1.query(&db, "paid").project_into::<OrderTotal>().await.unwrap();
        assert_eq!(totals.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["a", "a", "z", "a", "c"]);
        assert_eq!(Order::query(&db, "42").count().await.unwrap(), 5);
        assert_eq!(Order::scan(&db).consistent().count().await.unwrap(), 6);
        assert_eq!(Order::scan(&db).consistent().limit(6).await.unwrap().len(), 6);
        assert_eq!(Order::scan(&db).consistent().page_size(2).limit(3).await.unwrap().len(), 3);
        assert_eq!(Order::scan(&db).consistent().segments(3).await.unwrap().len(), 6);
        assert_eq!(OrderLine::scan(&db).consistent().await.unwrap().len(), 2);
        assert_eq!(Bare::scan(&db).consistent().count().await.unwrap(), 1);
        assert_eq!(User::scan(&db).consistent().await.unwrap().len(), 1);
        assert_eq!(Invoice::GSI1.scan(&db).await.unwrap().len(), 1);
        assert_eq!(Order::GSI1.scan(&db).count().await.unwrap(), 6);
        // The raw items are in the table and in the index: no model reads them.
        assert_eq!(raw_count(&db).await, 13);
    })
}

/// Raw items in an index partition the model queries (no marker, a number marker, and
/// another model's marker with the model's shape) are skipped.
#[test]
fn adversarial10_index_queries_skip_unmarked_and_foreign_items() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Order::put(&db, &order("42", 5, "real", "paid")).await.unwrap();
        Invoice::put(&db, &invoice("42", "inv", "paid", 5)).await.unwrap();
        for (id, marker) in [("n0", None), ("n1", Some(n("1"))), ("n2", Some(s("INVOICE"))), ("n3", Some(s("Order")))] {
            let mut entries = vec![
                ("pk", s("USER#42")),
                ("sk", s(format!("ORDER#0000000005#{id}"))),
                ("gsi1pk", s("STATUS#paid")),
                ("gsi1sk", s(format!("0000000005#{id}"))),
                ("user_id", s("42")),
                ("created", n("5")),
                ("order_id", s(id)),
                ("status", s("paid")),
                ("total", n("1")),
            ];
            if let Some(marker) = marker {
                entries.push(("_type", marker));
            }
            raw_put(&db, &entries).await;
        }
        let got = Order::GSI1.query(&db, "paid").await.unwrap();
        assert_eq!(ids(&got), pairs(&[(5, "real")]));
        let got = Order::GSI1.query(&db, "paid").range(Order::gsi1_sk().created(5u32)).limit(1).await.unwrap();
        assert_eq!(ids(&got), pairs(&[(5, "real")]));
        assert_eq!(Order::GSI1.query(&db, "paid").count().await.unwrap(), 1);
        // The raw item marked `INVOICE` with an order's key is read as an invoice and does
        // not fit: a decode error naming the key, not a panic and not an order.
        let as_invoice = Invoice::GSI1.query(&db, "paid").await;
        assert!(
            matches!(&as_invoice, Err(Error::Decode { model: "Invoice", attribute, found, .. })
                if attribute == "sk" && found == "\"ORDER#0000000005#n2\""),
            "{as_invoice:?}"
        );
        assert_eq!(ids(&Order::query(&db, "42").await.unwrap()), pairs(&[(5, "real")]));
        assert_eq!(Order::scan(&db).await.unwrap().len(), 1);
    })
}

// ---------------------------------------------------------------------------------------
// Promise 5: collections
// ---------------------------------------------------------------------------------------

fn kinds(items: &[UserData]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item {
            UserData::User(user) => format!("user {}", user.user_id),
            UserData::Order(order) => format!("order {} {}", order.created, order.order_id),
        })
        .collect()
}

/// A collection with outsiders (another model's items, raw items) in its partition:
/// pages of one, `limit`, cursors, streams, `descending` and `count` all agree.
#[test]
fn adversarial10_collection_pages_streams_limits_and_counts_agree() {
    run(|db| async move {
        seed_partition(&db).await;
        let expected = ["order 1 a", "order 2 a", "order 2 b", "order 3 a", "order 10 c", "user 42"];
        let query = || UserData::query(&db, User::partition("42")).consistent();
        assert_eq!(kinds(&query().await.unwrap()), expected);
        let mut reversed = expected.to_vec();
        reversed.reverse();
        assert_eq!(kinds(&query().descending().await.unwrap()), reversed);
        assert_eq!(query().count().await.unwrap(), 6);
        for limit in [1, 2, 5, 6, 7] {
            assert_eq!(kinds(&query().limit(limit).await.unwrap()), expected[..limit.min(6)], "limit {limit}");
        }
        let streamed: Vec<UserData> = query().page_size(1).stream().try_collect().await.unwrap();
        assert_eq!(kinds(&streamed), expected);
        let streamed: Vec<UserData> = query().descending().page_size(2).stream().try_collect().await.unwrap();
        assert_eq!(kinds(&streamed), reversed);
        for descending in [false, true] {
            let mut cursor = None;
            let mut seen = Vec::new();
            let mut pages = 0;
            loop {
                let q = if descending { query().descending() } else { query() };
                let page = q.page_size(1).limit(2).page(cursor.take()).await.unwrap();
                pages += 1;
                seen.extend(page.items);
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(kinds(&seen), if descending { reversed.clone() } else { expected.to_vec() });
            assert!(pages >= 3, "{pages}");
        }
        // Another partition's collection holds user 7's order only.
        assert_eq!(kinds(&UserData::query(&db, Order::partition("7")).await.unwrap()), ["order 2 z"]);
        assert_eq!(UserData::query(&db, User::partition("nobody")).await.unwrap(), Vec::<UserData>::new());
    })
}

/// A filter on one model's attribute drops the other models' items that lack it (as
/// DynamoDB compares absent attributes); a filter that holds for absent attributes keeps
/// them; a collection range of one model keeps that model's keys only.
#[test]
fn adversarial10_collection_filters_and_ranges() {
    run(|db| async move {
        seed_partition(&db).await;
        Order::update(&db, Order::key("42", 3u32, "a")).set(&Order::TOTAL, 99i64).await.unwrap();
        let query = || UserData::query(&db, User::partition("42")).consistent();
        assert_eq!(kinds(&query().filter(Order::TOTAL.gt(50i64)).await.unwrap()), ["order 3 a"]);
        assert_eq!(query().filter(Order::TOTAL.gt(50i64)).count().await.unwrap(), 1);
        assert_eq!(kinds(&query().filter(Order::TOTAL.gt(50i64)).limit(1).await.unwrap()), ["order 3 a"]);
        // The user has no total: a filter on it drops the user.
        assert_eq!(query().filter(Order::TOTAL.lt(50i64)).await.unwrap().len(), 4);
        // A filter on the user's label keeps only the user.
        assert_eq!(kinds(&query().filter(User::LABEL.eq("Ada")).await.unwrap()), ["user 42"]);
        // Range of the orders only: the profile is outside it.
        assert_eq!(kinds(&query().range(Order::sk().created_gt(2u32)).await.unwrap()), ["order 3 a", "order 10 c"]);
        assert_eq!(kinds(&query().range(Order::sk()).await.unwrap()).len(), 5);
        assert_eq!(
            kinds(&query().range(Order::sk().created(2u32)).descending().await.unwrap()),
            ["order 2 b", "order 2 a"]
        );
        assert_eq!(kinds(&query().range(User::sk()).await.unwrap()), ["user 42"]);
    })
}

// ---------------------------------------------------------------------------------------
// Promise 6: overloaded index keys
// ---------------------------------------------------------------------------------------

fn shipment(id: &str) -> Shipment {
    Shipment {
        id: id.into(),
        carrier: "ups".into(),
        region: "eu".into(),
        eta: -5,
        tracking: Some("T1".into()),
        weight: 3,
    }
}

fn by_carrier(carrier: &str, region: &str) -> (String, String) {
    (carrier.to_owned(), region.to_owned())
}

/// Orders and invoices share `gsi1` with the same key shapes: after puts and after
/// updates of the templates' fields, each index partition holds exactly the right
/// items of each model, and the raw index keys are the rendered templates.
#[test]
fn adversarial10_shared_index_keys_follow_puts_and_updates() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Order::put(&db, &order("42", 1, "a", "paid")).await.unwrap();
        Order::put(&db, &order("42", 2, "b", "paid")).await.unwrap();
        Invoice::put(&db, &invoice("42", "i1", "paid", 1)).await.unwrap();
        Invoice::put(&db, &invoice("42", "i2", "open", 2)).await.unwrap();
        Order::update(&db, Order::key("42", 1u32, "a")).set(&Order::STATUS, "open").await.unwrap();
        Invoice::update(&db, Invoice::key("42", "i1"))
            .set(&Invoice::STATUS, "open")
            .set(&Invoice::CREATED, 9u32)
            .await
            .unwrap();
        let raw = raw_get(&db, "USER#42", "ORDERS#i1").await.unwrap();
        assert_eq!((raw["gsi1pk"].clone(), raw["gsi1sk"].clone()), (s("STATUS#open"), s("0000000009#i1")));
        let raw = raw_get(&db, "USER#42", "ORDER#0000000001#a").await.unwrap();
        assert_eq!((raw["gsi1pk"].clone(), raw["gsi1sk"].clone()), (s("STATUS#open"), s("0000000001#a")));
        assert_eq!(ids(&Order::GSI1.query(&db, "open").await.unwrap()), pairs(&[(1, "a")]));
        assert_eq!(ids(&Order::GSI1.query(&db, "paid").await.unwrap()), pairs(&[(2, "b")]));
        let invoices = |items: Vec<Invoice>| items.into_iter().map(|i| i.invoice_id).collect::<Vec<_>>();
        assert_eq!(invoices(Invoice::GSI1.query(&db, "open").await.unwrap()), ["i2", "i1"]);
        assert_eq!(invoices(Invoice::GSI1.query(&db, "paid").await.unwrap()), Vec::<String>::new());
        assert_eq!(
            invoices(Invoice::GSI1.query(&db, "open").range(Invoice::gsi1_sk().created_gt(2u32)).await.unwrap()),
            ["i1"]
        );
        // A transaction's update keeps the index in step too.
        db.transaction()
            .update(Order::update(&db, Order::key("42", 2u32, "b")).set(&Order::STATUS, "open"))
            .update(Invoice::update(&db, Invoice::key("42", "i2")).set(&Invoice::STATUS, "paid"))
            .await
            .unwrap();
        assert_eq!(ids(&Order::GSI1.query(&db, "open").await.unwrap()), pairs(&[(1, "a"), (2, "b")]));
        assert_eq!(invoices(Invoice::GSI1.query(&db, "paid").await.unwrap()), ["i2"]);
    })
}

/// Updates that cannot recompute an index key are refused before sending (alone and in
/// a transaction), and the item keeps its index key; an update that gives every field
/// of the template rewrites it.
#[test]
fn adversarial10_updates_that_cannot_recompute_an_index_key_are_refused_before_sending() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Shipment::put(&db, &shipment("s1")).await.unwrap();
        let before = raw_get(&db, "SHIP#s1", "META").await.unwrap();
        assert_eq!(before["gsi1pk"], s("CARRIER#ups#eu"));
        assert_eq!(before["gsi1sk"], s("09223372036854775803#T1"));
        let (c, requests) = counted(&db);
        let key = || Shipment::key("s1");
        let stale = |field: &'static str| move |e: &Error| matches!(e, Error::InvalidRequest { reason: RequestReason::StaleIndexKey { index: "gsi1", field: f, .. }, .. } if f == field);
        let e = refused!(
            requests,
            Shipment::update(&c, key()).set(&Shipment::CARRIER, "dhl"),
            Error::InvalidRequest { .. }
        );
        assert!(stale("region")(&e), "{e:?}");
        let e =
            refused!(requests, Shipment::update(&c, key()).set(&Shipment::REGION, "us"), Error::InvalidRequest { .. });
        assert!(stale("carrier")(&e), "{e:?}");
        let e = refused!(requests, Shipment::update(&c, key()).add(&Shipment::ETA, 1i64), Error::InvalidRequest { .. });
        assert!(stale("eta")(&e) || stale("tracking")(&e), "{e:?}");
        let e = refused!(
            requests,
            Shipment::update(&c, key()).set_if_not_exists(&Shipment::CARRIER, "dhl").set(&Shipment::REGION, "us"),
            Error::InvalidRequest { .. }
        );
        assert!(stale("carrier")(&e), "{e:?}");
        let e = refused!(
            requests,
            Shipment::update(&c, key()).set_to(&Shipment::ETA, Shipment::ETA.plus(1i64)),
            Error::InvalidRequest { .. }
        );
        assert!(stale("eta")(&e) || stale("tracking")(&e), "{e:?}");
        let e = refused!(
            requests,
            Shipment::update(&c, key()).set(&Shipment::TRACKING, "T2"),
            Error::InvalidRequest { .. }
        );
        assert!(stale("eta")(&e), "{e:?}");
        let e = refused!(
            requests,
            c.transaction()
                .put(Cat::put(&c, &Cat { id: "p1".into(), label: "x".into() }))
                .update(Shipment::update(&c, key()).set(&Shipment::CARRIER, "dhl")),
            Error::Action { index: 1, .. }
        );
        let Error::Action { error, .. } = &e else { unreachable!() };
        assert!(stale("region")(error), "{error:?}");
        let e = refused!(
            requests,
            Shipment::update(&c, key()).set(&Shipment::CARRIER, "dhl").upsert(),
            Error::InvalidRequest { .. }
        );
        assert!(stale("region")(&e), "{e:?}");
        assert_eq!(raw_get(&db, "SHIP#s1", "META").await, Some(before));
        assert_eq!(raw_get(&db, "PET#p1", "META").await, None);

        // Control: every field of the templates given, the keys are rewritten.
        Shipment::update(&c, key())
            .set(&Shipment::CARRIER, "dhl")
            .set(&Shipment::REGION, "us")
            .set(&Shipment::ETA, 7i64)
            .set(&Shipment::TRACKING, "T2")
            .await
            .unwrap();
        let after = raw_get(&db, "SHIP#s1", "META").await.unwrap();
        assert_eq!(after["gsi1pk"], s("CARRIER#dhl#us"));
        assert_eq!(after["gsi1sk"], s("09223372036854775815#T2"));
        assert_eq!(Shipment::GSI1.query(&db, by_carrier("dhl", "us")).await.unwrap().len(), 1);
        assert_eq!(Shipment::GSI1.query(&db, by_carrier("ups", "eu")).await.unwrap().len(), 0);
        // Updates that touch no template field leave the keys alone.
        Shipment::update(&c, key()).add(&Shipment::WEIGHT, 1i64).await.unwrap();
        assert_eq!(raw_get(&db, "SHIP#s1", "META").await.unwrap()["gsi1sk"], s("09223372036854775815#T2"));
    })
}

/// Removing an `Option` field of an index template takes the item out of the index (no
/// stale key left); setting it again puts it back.
#[test]
fn adversarial10_removing_an_optional_template_field_leaves_the_index() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Shipment::put(&db, &shipment("s1")).await.unwrap();
        Shipment::put(&db, &Shipment { tracking: None, ..shipment("s2") }).await.unwrap();
        let raw = raw_get(&db, "SHIP#s2", "META").await.unwrap();
        assert_eq!((raw.contains_key("gsi1pk"), raw.contains_key("gsi1sk")), (true, false));
        let in_index = || async {
            let mut got: Vec<String> =
                Shipment::GSI1.query(&db, by_carrier("ups", "eu")).await.unwrap().into_iter().map(|s| s.id).collect();
            got.sort();
            got
        };
        assert_eq!(in_index().await, ["s1"]);
        Shipment::update(&db, Shipment::key("s1")).remove(&Shipment::TRACKING).await.unwrap();
        let raw = raw_get(&db, "SHIP#s1", "META").await.unwrap();
        assert_eq!((raw.contains_key("tracking"), raw.contains_key("gsi1sk")), (false, false));
        assert_eq!(in_index().await, Vec::<String>::new());
        // In a transaction too.
        db.transaction()
            .update(Shipment::update(&db, Shipment::key("s1")).set(&Shipment::TRACKING, "T9").set(&Shipment::ETA, 0i64))
            .await
            .unwrap();
        assert_eq!(raw_get(&db, "SHIP#s1", "META").await.unwrap()["gsi1sk"], s("09223372036854775808#T9"));
        assert_eq!(in_index().await, ["s1"]);
        db.transaction().update(Shipment::update(&db, Shipment::key("s1")).remove(&Shipment::TRACKING)).await.unwrap();
        assert!(!raw_get(&db, "SHIP#s1", "META").await.unwrap().contains_key("gsi1sk"));
        assert_eq!(Shipment::get(&db, Shipment::key("s1")).consistent().await.unwrap().unwrap().tracking, None);
    })
}

/// An upsert that creates the item writes the marker, the key fields and the index keys:
/// the raw item is exactly what a put would have written.
#[test]
fn adversarial10_upsert_creates_the_same_item_a_put_would() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Order::update(&db, Order::key("42#x", 7u32, "o%1"))
            .set(&Order::STATUS, "paid")
            .set(&Order::TOTAL, 5i64)
            .upsert()
            .await
            .unwrap();
        let upserted = raw_get(&db, "USER#42\"$x", "ORDER#0000000007#o%1").await.unwrap();
        let expected =
            Order { user_id: "42#x".into(), created: 7, order_id: "o%1".into(), status: "paid".into(), total: 5 };
        assert_eq!(upserted, expected.to_item().unwrap());
        assert_eq!(
            Order::get(&db, Order::key("42#x", 7u32, "o%1")).consistent().await.unwrap(),
            Some(expected.clone())
        );
        assert_eq!(Order::GSI1.query(&db, "paid").await.unwrap(), vec![expected.clone()]);
        assert_eq!(
            Order::query(&db, "42#x").range(Order::sk().created(7u32).order_id("o%1")).await.unwrap(),
            vec![expected]
        );
        // A shipment upserted with every field.
        Shipment::update(&db, Shipment::key("s9"))
            .set(&Shipment::CARRIER, "ups")
            .set(&Shipment::REGION, "eu")
            .set(&Shipment::ETA, -5i64)
            .set(&Shipment::TRACKING, "T1")
            .set(&Shipment::WEIGHT, 3i64)
            .upsert()
            .await
            .unwrap();
        assert_eq!(raw_get(&db, "SHIP#s9", "META").await.unwrap(), shipment("s9").to_item().unwrap());
        // In a transaction.
        db.transaction()
            .update(
                Order::update(&db, Order::key("9", 1u32, "t"))
                    .set(&Order::STATUS, "x")
                    .set(&Order::TOTAL, 1i64)
                    .upsert(),
            )
            .await
            .unwrap();
        let mut expected = order("9", 1, "t", "x");
        expected.total = 1;
        assert_eq!(raw_get(&db, "USER#9", "ORDER#0000000001#t").await.unwrap(), expected.to_item().unwrap());
    })
}

/// A put of a model whose index template uses its `updated_at` (or `created_at`) field:
/// the index key is built from the time written, not from the value the caller gave.
#[test]
fn adversarial10_lifecycle_stamps_in_index_keys_are_never_stale_after_put() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let stored = Stamped::put(&db, &Stamped { id: "a".into(), kind: "k".into(), updated: 0, label: "x".into() })
            .await
            .unwrap();
        assert_ne!(stored.updated, 0);
        let raw = raw_get(&db, "STAMPED#a", "META").await.unwrap();
        assert_eq!(raw["gsi1sk"], s(format!("{:020}#a", stored.updated)), "updated_at: raw {raw:?}");
        let found = Stamped::GSI1.query(&db, "k").range(Stamped::gsi1_sk().updated_gt(0u64)).await.unwrap();
        assert_eq!(found, vec![stored]);

        let stored =
            Post::put(&db, &Post { id: "p".into(), author: "ann".into(), posted: 0, body: "x".into() }).await.unwrap();
        assert_ne!(stored.posted, 0);
        let raw = raw_get(&db, "POST#p", "META").await.unwrap();
        assert_eq!(raw["gsi1sk"], s(format!("{:020}", stored.posted)), "created_at: raw {raw:?}");
    })
}

/// The update side: every update stamps `updated_at` with a plain value, so the index
/// key is rewritten with it.
#[test]
fn adversarial10_updated_at_in_an_index_key_follows_updates() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Stamped::put(&db, &Stamped { id: "a".into(), kind: "k".into(), updated: 5, label: "x".into() }).await.unwrap();
        Stamped::update(&db, Stamped::key("a")).set(&Stamped::LABEL, "y").await.unwrap();
        let read = Stamped::get(&db, Stamped::key("a")).consistent().await.unwrap().unwrap();
        let raw = raw_get(&db, "STAMPED#a", "META").await.unwrap();
        assert_eq!(raw["gsi1sk"], s(format!("{:020}#a", read.updated)));
        assert_eq!(Stamped::GSI1.query(&db, "k").await.unwrap(), vec![read]);
    })
}

/// A model whose index template uses its `created_at` field: ordinary updates (which
/// never change `created_at` of an existing item) go through, and the index key stays
/// right.
#[test]
fn adversarial10_created_at_in_an_index_key_does_not_block_updates() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Post::put(&db, &Post { id: "p".into(), author: "ann".into(), posted: 1000, body: "x".into() }).await.unwrap();
        let updated = Post::update(&db, Post::key("p")).set(&Post::BODY, "y").await;
        assert_eq!(updated.map(drop).map_err(|e| e.to_string()), Ok(()));
        let raw = raw_get(&db, "POST#p", "META").await.unwrap();
        assert_eq!(raw["gsi1sk"], s("00000000000000001000"));
        assert_eq!(Post::GSI1.query(&db, "ann").await.unwrap().len(), 1);
        let moved = Post::update(&db, Post::key("p")).set(&Post::AUTHOR, "bob").await;
        assert_eq!(moved.map(drop).map_err(|e| e.to_string()), Ok(()));
        assert_eq!(Post::GSI1.query(&db, "bob").await.unwrap().len(), 1);
    })
}

/// `created_at` in the table's sort key: the item a put returns can be read back by its
/// own key, and updated.
#[test]
fn adversarial10_created_at_in_the_sort_key_names_the_item_put() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let stored = Event::put(&db, &Event { stream: "s".into(), at: 0, label: "x".into() }).await.unwrap();
        assert_ne!(stored.at, 0);
        assert_eq!(Event::get(&db, stored.key()).consistent().await.unwrap(), Some(stored.clone()));
        let updated = Event::update(&db, stored.key()).set(&Event::LABEL, "y").await;
        assert_eq!(updated.map(drop).map_err(|e| e.to_string()), Ok(()));
    })
}

/// A keys-only index (created as `include(_type)`): a query of the whole model is
/// refused before sending (it lacks `weight`); the keys a view needs are there.
#[test]
fn adversarial10_keys_only_index_reads() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Tag::put(&db, &Tag { item_id: "i1".into(), tag: "red".into(), weight: 3 }).await.unwrap();
        Tag::put(&db, &Tag { item_id: "i2".into(), tag: "red".into(), weight: 4 }).await.unwrap();
        let (c, requests) = counted(&db);
        let e = refused!(requests, Tag::GSI2.query(&c, "red"), Error::Unprojected { .. });
        let Error::Unprojected { missing, .. } = e else { unreachable!() };
        assert_eq!(missing, ["weight"]);
        let desc = c.client().describe_table().table_name(db.table_name::<Tag>()).send().await.unwrap().table.unwrap();
        let gsi2 = desc
            .global_secondary_indexes
            .unwrap()
            .into_iter()
            .find(|i| i.index_name.as_deref() == Some("gsi2"))
            .unwrap();
        let projection = gsi2.projection.unwrap();
        assert_eq!(projection.non_key_attributes.unwrap_or_default(), ["_type"]);
    })
}

/// A view of the template fields, read from a keys-only index: the fields are in the
/// index's keys, so the read either decodes them or is refused before sending as
/// `Unprojected` (never sent for DynamoDB to reject).
#[test]
fn adversarial10_a_view_of_template_fields_on_a_keys_only_index() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Tag::put(&db, &Tag { item_id: "i1".into(), tag: "red".into(), weight: 3 }).await.unwrap();
        Tag::put(&db, &Tag { item_id: "i2".into(), tag: "red".into(), weight: 4 }).await.unwrap();
        let (c, requests) = counted(&db);
        let before = requests.count();
        match Tag::GSI2.query(&c, "red").project_into::<TagKeys>().await {
            Ok(keys) => assert_eq!(
                keys,
                [
                    TagKeys { tag: "red".into(), item_id: "i1".into() },
                    TagKeys { tag: "red".into(), item_id: "i2".into() }
                ]
            ),
            Err(Error::Unprojected { .. }) => assert_eq!(requests.count(), before, "refused, but sent"),
            Err(other) => panic!("neither read nor refused before sending: {other:?}"),
        }
    })
}

/// A key field with a `set` transform and an index field with a `rename`: keys given in
/// any case find the item, and an update of the renamed field rewrites the index key.
#[test]
fn adversarial10_transformed_and_renamed_template_fields() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let stored = Member::put(&db, &Member { email: "Ann@Example.COM".into(), team: "Red#1".into() }).await.unwrap();
        assert_eq!(stored.email, "ann@example.com");
        let raw = raw_get(&db, "MEMBER#ann@example.com", "META").await.unwrap();
        assert_eq!(raw["teamName"], s("Red#1"));
        assert_eq!(raw["gsi1pk"], s("TEAM#Red\"$1"));
        assert_eq!(Member::get(&db, Member::key("ANN@example.com")).consistent().await.unwrap(), Some(stored.clone()));
        assert_eq!(Member::query(&db, "ann@EXAMPLE.com").await.unwrap(), vec![stored.clone()]);
        Member::update(&db, Member::key("ANN@EXAMPLE.COM")).set(&Member::TEAM, "blue").await.unwrap();
        assert_eq!(raw_get(&db, "MEMBER#ann@example.com", "META").await.unwrap()["gsi1pk"], s("TEAM#blue"));
        assert_eq!(Member::GSI1.query(&db, "blue").await.unwrap().len(), 1);
        assert_eq!(Member::GSI1.query(&db, "Red#1").await.unwrap().len(), 0);
        let (c, requests) = counted(&db);
        refused!(
            requests,
            Member::update(&c, Member::key("ann@example.com")).set(&Member::EMAIL, "x@y"),
            Error::InvalidRequest { reason: RequestReason::KeyUpdate { .. }, .. }
        );
    })
}

// ---------------------------------------------------------------------------------------
// Promise 7: everything else
// ---------------------------------------------------------------------------------------

/// Two `Db`s with different table prefixes each have their own copy of the shared table.
#[test]
fn adversarial10_two_prefixed_dbs_keep_shared_tables_apart() {
    run(|db| async move {
        let a = db.clone().with_table_prefix(format!("{}a_", db.table_prefix()));
        let b = db.clone().with_table_prefix(format!("{}b_", db.table_prefix()));
        App::create_table(&a).await.unwrap();
        assert!(User::table_exists(&a).await.unwrap());
        assert!(!User::table_exists(&b).await.unwrap());
        assert!(!App::table_exists(&b).await.unwrap());
        Order::create_table(&b).await.unwrap();
        assert!(App::table_exists(&b).await.unwrap());
        User::put(&a, &User { user_id: "1".into(), label: "in a".into() }).await.unwrap();
        Cat::put(&b, &Cat { id: "1".into(), label: "in b".into() }).await.unwrap();
        assert_eq!(User::get(&b, User::key("1")).await.unwrap(), None);
        assert_eq!(Cat::get(&a, Cat::key("1")).await.unwrap(), None);
        assert_eq!(User::scan(&a).await.unwrap().len(), 1);
        assert_eq!(Cat::scan(&b).await.unwrap().len(), 1);
        assert_eq!(db.table_name::<User>(), format!("{}adv10", db.table_prefix()));
        assert_eq!(a.table_name::<Cat>(), format!("{}a_adv10", db.table_prefix()));
        App::delete_table(&a).await.unwrap();
        assert!(!Cat::table_exists(&a).await.unwrap());
        assert!(Cat::table_exists(&b).await.unwrap());
    })
}

/// The shared table created once, then again through another model of it: the second
/// create is DynamoDB's `ResourceInUseException`; `table_exists` of every model and of
/// the table agree.
#[test]
fn adversarial10_create_table_twice_through_two_models() {
    run(|db| async move {
        assert!(!Order::table_exists(&db).await.unwrap());
        User::create_table(&db).await.unwrap();
        let again = Order::create_table(&db).await;
        assert!(
            matches!(&again, Err(Error::Service { code: Some(code), .. }) if code == "ResourceInUseException"),
            "{again:?}"
        );
        for exists in [
            User::table_exists(&db).await.unwrap(),
            Order::table_exists(&db).await.unwrap(),
            Cat::table_exists(&db).await.unwrap(),
            App::table_exists(&db).await.unwrap(),
        ] {
            assert!(exists);
        }
        assert!(!Plain::table_exists(&db).await.unwrap());
        // The table has both indexes, whichever model created it.
        let desc = db.client().describe_table().table_name(db.table_name::<Cat>()).send().await.unwrap().table.unwrap();
        let mut names: Vec<String> =
            desc.global_secondary_indexes.unwrap().into_iter().filter_map(|i| i.index_name).collect();
        names.sort();
        assert_eq!(names, ["gsi1", "gsi2"]);
    })
}

/// A versioned model next to another model on the same key: a versioned write on the
/// other model's item is `WrongEntity` (not a version conflict), and optimistic locking
/// works as usual on its own items.
#[test]
fn adversarial10_versioned_model_on_a_shared_key() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        AccountNote::put(&db, &AccountNote { id: "a1".into(), text: "note".into() }).await.unwrap();
        let note = raw_get(&db, "ACCT#a1", "META").await.unwrap();
        let account = Account { id: "a1".into(), balance: 5, version: 0 };
        let wrong = |r: dynamo_model::Result<()>, what: &str| {
            assert!(matches!(&r, Err(Error::WrongEntity { found, .. }) if found == "ACCT_NOTE"), "{what}: {r:?}")
        };
        wrong(Account::put(&db, &account).await.map(drop), "put v0");
        wrong(Account::put(&db, &Account { version: 3, ..account.clone() }).await.map(drop), "put v3");
        wrong(
            Account::update(&db, Account::key("a1")).add(&Account::BALANCE, 1i64).expect_version(1).await.map(drop),
            "update expect_version",
        );
        wrong(Account::delete(&db, Account::key("a1")).expect_version(1).await.map(drop), "delete expect_version");
        assert_eq!(raw_get(&db, "ACCT#a1", "META").await, Some(note));

        let stored = Account::put(&db, &Account { id: "a2".into(), balance: 5, version: 0 }).await.unwrap();
        assert_eq!(stored.version, 1);
        let again = Account::put(&db, &Account { id: "a2".into(), balance: 6, version: 0 }).await;
        assert!(matches!(again, Err(Error::VersionConflict { expected: 0, .. })), "{again:?}");
        Account::update(&db, Account::key("a2")).add(&Account::BALANCE, 1i64).expect_version(1).await.unwrap();
        let stale = Account::update(&db, Account::key("a2")).add(&Account::BALANCE, 1i64).expect_version(1).await;
        assert!(matches!(stale, Err(Error::VersionConflict { expected: 1, .. })), "{stale:?}");
        let read = Account::get(&db, Account::key("a2")).consistent().await.unwrap().unwrap();
        assert_eq!((read.balance, read.version), (6, 2));
        // The note's model cannot touch the account either.
        let r = AccountNote::put(&db, &AccountNote { id: "a2".into(), text: "x".into() }).await;
        assert!(matches!(&r, Err(Error::WrongEntity { found, .. }) if found == "ACCT"), "{r:?}");
        // In a transaction: a versioned put over the note.
        let r = db.transaction().put(Account::put(&db, &account)).await;
        let Err(Error::TransactionCanceled { actions }) = r else { panic!("{r:?}") };
        assert!(matches!(actions[0].error.as_deref(), Some(Error::WrongEntity { .. })), "{:?}", actions[0].error);
    })
}

/// The shared table's TTL is enabled on its attribute, and `skip_expired` of a model
/// stored there treats an expired item as absent in gets, queries and scans.
#[test]
fn adversarial10_ttl_on_a_shared_table() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let ttl = db
            .client()
            .describe_time_to_live()
            .table_name(db.table_name::<Session>())
            .send()
            .await
            .unwrap()
            .time_to_live_description
            .unwrap();
        assert_eq!(ttl.attribute_name.as_deref(), Some("expires"));
        Session::put(&db, &Session { id: "old".into(), expires: Some(1000) }).await.unwrap();
        Session::put(&db, &Session { id: "new".into(), expires: Some(u64::from(u32::MAX)) }).await.unwrap();
        Session::put(&db, &Session { id: "never".into(), expires: None }).await.unwrap();
        assert_eq!(Session::get(&db, Session::key("old")).consistent().skip_expired().await.unwrap(), None);
        assert!(Session::get(&db, Session::key("old")).consistent().await.unwrap().is_some());
        assert_eq!(Session::query(&db, "old").skip_expired().await.unwrap(), Vec::<Session>::new());
        assert_eq!(Session::query(&db, "new").skip_expired().await.unwrap().len(), 1);
        assert_eq!(Session::scan(&db).skip_expired().count().await.unwrap(), 2);
        let mut tx = db.transaction_get();
        let old = tx.get(Session::get(&db, Session::key("old")).skip_expired());
        assert_eq!(tx.await.unwrap().get(&old).unwrap(), None);
    })
}

/// A typed comparison with a value holding `#` follows the strings' order (`"$" > "#"`):
/// the escape keeps the order of characters.
#[test]
fn adversarial10_escaped_separator_keeps_string_order_in_comparisons() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for b in ["#", "$", "%"] {
            Text::put(&db, &Text { a: "p".into(), b: b.into() }).await.unwrap();
        }
        let bs = |items: Vec<Text>| items.into_iter().map(|t| t.b).collect::<Vec<_>>();
        assert_eq!(bs(Text::query(&db, "p").await.unwrap()), ["#", "$", "%"]);
        assert_eq!(bs(Text::query(&db, "p").range(Text::sk().b_gt("#")).await.unwrap()), ["$", "%"]);
        assert_eq!(bs(Text::query(&db, "p").range(Text::sk().b_lt("#")).await.unwrap()), Vec::<String>::new());
        assert_eq!(bs(Text::query(&db, "p").range(Text::sk().b_between("#", "$")).await.unwrap()), ["#", "$"]);
    })
}

/// Typed comparisons on text with and around the escapes: exact answers, in the
/// documented order (strings' order, except that a string sorts right after its own
/// prefix only when the next character sorts after `#`: `"a#"` comes before `"a"`).
#[test]
fn adversarial10_text_comparisons_around_escapes() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let values = ["##", "#", "#END", "", "%", "%%", "%23", "&", "END", "a#", "a", "a%", "b"];
        for b in values {
            Text::put(&db, &Text { a: "p".into(), b: b.into() }).await.unwrap();
        }
        let bs = |items: Vec<Text>| items.into_iter().map(|t| t.b).collect::<Vec<_>>();
        let q = || Text::query(&db, "p").consistent();
        assert_eq!(bs(q().await.unwrap()), values);
        assert_eq!(bs(q().range(Text::sk().b_ge("%")).await.unwrap()), values[4..]);
        assert_eq!(bs(q().range(Text::sk().b_gt("%")).await.unwrap()), values[5..]);
        assert_eq!(bs(q().range(Text::sk().b_lt("%")).await.unwrap()), values[..4]);
        assert_eq!(bs(q().range(Text::sk().b_le("#")).await.unwrap()), values[..2]);
        assert_eq!(bs(q().range(Text::sk().b_between("#", "%23")).await.unwrap()), values[1..7]);
        assert_eq!(bs(q().range(Text::sk().b("")).await.unwrap()), [""]);
        assert_eq!(bs(q().range(Text::sk().b("#END")).await.unwrap()), ["#END"]);
        assert_eq!(bs(q().range(Text::sk().b_gt("a")).await.unwrap()), ["a%", "b"]);
        assert_eq!(bs(q().range(Text::sk().b_ge("a")).descending().limit(2).await.unwrap()), ["b", "a%"]);
    })
}

/// `between` with its low bound above its high one, on a templated field, is refused
/// before sending (DynamoDB rejects it).
#[test]
fn adversarial10_inverted_between_on_a_template_field_is_refused_before_sending() {
    run(|db| async move {
        seed_partition(&db).await;
        let (c, requests) = counted(&db);
        refused!(
            requests,
            Order::query(&c, "42").range(Order::sk().created_between(3u32, 2u32)),
            Error::InvalidRequest { reason: RequestReason::BetweenBounds { .. }, .. }
        );
        refused!(
            requests,
            Order::query(&c, "42").range(Order::sk().created(2u32).order_id_between("b", "a")),
            Error::InvalidRequest { reason: RequestReason::BetweenBounds { .. }, .. }
        );
        refused!(
            requests,
            Sorted::query(&c, "g").range(Sorted::sk().v_between(1i64, -1i64)),
            Error::InvalidRequest { reason: RequestReason::BetweenBounds { .. }, .. }
        );
        // Control: the right way round it is sent.
        assert_eq!(ids(&Order::query(&c, "42").range(Order::sk().created_between(2u32, 3u32)).await.unwrap()).len(), 3);
    })
}

/// An index partition key built from two text fields: values holding the separator
/// never land in another partition.
#[test]
fn adversarial10_multi_field_index_partitions_never_collide() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let cases =
            [("a#b", "c", "s1"), ("a", "b#c", "s2"), ("a", "b%23c", "s3"), ("a%23b", "c", "s4"), ("", "a#b#c", "s5")];
        for (carrier, region, id) in cases {
            Shipment::put(&db, &Shipment { carrier: carrier.into(), region: region.into(), ..shipment(id) })
                .await
                .unwrap();
        }
        let mut pks = BTreeSet::new();
        for (carrier, region, id) in cases {
            let got = Shipment::GSI1.query(&db, by_carrier(carrier, region)).await.unwrap();
            assert_eq!(got.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [id], "{carrier:?} {region:?}");
            assert_eq!((got[0].carrier.as_str(), got[0].region.as_str()), (carrier, region));
            pks.insert(raw_get(&db, &format!("SHIP#{id}"), "META").await.unwrap()["gsi1pk"].as_s().unwrap().clone());
        }
        assert_eq!(pks.len(), cases.len());
        assert_eq!(Shipment::GSI1.query(&db, by_carrier("a", "b")).await.unwrap().len(), 0);
    })
}

/// A selection of some fields reads an item whose other fields live in its keys (the
/// keys are always read): the model decodes, key fields restored.
#[test]
fn adversarial10_a_selection_of_non_key_fields_decodes_the_model() {
    run(|db| async move {
        seed_partition(&db).await;
        let got = Order::query(&db, "42").select(&Order::STATUS).select(&Order::TOTAL).limit(2).await;
        assert_eq!(got.map(|o| ids(&o)).map_err(|e| e.to_string()), Ok(all_orders()[..2].to_vec()));
    })
}

/// Two actions on one stored item through two models, in one transaction, are refused
/// before sending (DynamoDB takes one action per item); reads too.
#[test]
fn adversarial10_one_key_through_two_models_in_one_transaction_is_refused() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let (c, requests) = counted(&db);
        let cat = Cat { id: "p1".into(), label: "tom".into() };
        let dog = Dog { id: "p1".into(), label: "rex".into() };
        refused!(
            requests,
            c.transaction().put(Cat::put(&c, &cat)).put(Dog::put(&c, &dog)),
            Error::InvalidTransaction { reason: dynamo_model::tx::TransactionReason::SameItem { first: 0, second: 1 } }
        );
        let mut tx = c.transaction_get();
        let _cat = tx.get(Cat::get(&c, Cat::key("p1")));
        let _dog = tx.get(Dog::get(&c, Dog::key("p1")));
        refused!(
            requests,
            tx,
            Error::InvalidTransaction { reason: dynamo_model::tx::TransactionReason::SameItem { first: 0, second: 1 } }
        );
        // Control: on two keys it goes through.
        c.transaction()
            .put(Cat::put(&c, &cat))
            .put(Dog::put(&c, &Dog { id: "p2".into(), ..dog.clone() }))
            .await
            .unwrap();
        assert_eq!(raw_count(&db).await, 2);
    })
}

/// Writes of the right model whose own conditions fail, or on a missing item, keep
/// their ordinary errors (not `WrongEntity`).
#[test]
fn adversarial10_ordinary_write_failures_are_not_wrong_entity() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let r = Cat::update(&db, Cat::key("none")).set(&Cat::LABEL, "x").await;
        assert!(matches!(r, Err(Error::NotFound { model: "Cat", .. })), "{r:?}");
        Cat::put(&db, &Cat { id: "p1".into(), label: "tom".into() }).await.unwrap();
        let r = Cat::put(&db, &Cat { id: "p1".into(), label: "tom".into() }).if_not_exists().await;
        assert!(matches!(r, Err(Error::AlreadyExists { model: "Cat", .. })), "{r:?}");
        let r = Cat::update(&db, Cat::key("p1")).set(&Cat::LABEL, "x").condition(Cat::LABEL.eq("other")).await;
        assert!(matches!(r, Err(Error::ConditionFailed { model: "Cat", .. })), "{r:?}");
        let r = Cat::delete(&db, Cat::key("p1")).condition(Cat::LABEL.eq("other")).await;
        assert!(matches!(r, Err(Error::ConditionFailed { .. })), "{r:?}");
        // A delete of a missing key through any model is not an error.
        assert!(Dog::delete(&db, Dog::key("none")).await.unwrap().into_item().unwrap().is_none());
        assert_eq!(Cat::get(&db, Cat::key("p1")).consistent().await.unwrap().unwrap().label, "tom");
    })
}
