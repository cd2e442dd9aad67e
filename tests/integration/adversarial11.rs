//! Round 11: a second, independent attack on single-table design. Typed sort-key
//! comparisons (with the filter on the compared field some of them add) against the
//! documented order, on tables and on indexes that do not project the field; signed and
//! narrow integers; escapes through every read path; updates that keep index keys in
//! step (two indexes, removals, versions, transactions, upserts of existing items);
//! collections of three models; custom marker attributes and odd entity names; reads
//! that restore fields from keys; and tables declared without a sort key, with custom
//! key names, local indexes, TTL and prefixes.
//!
//! Each test was written as the behaviour should be; the breaks it found are fixed
//! (or refused at compile time, in `tests/ui/single_table/`), and the tests stay as
//! regression tests.

use std::collections::BTreeSet;

use dynamo_model::{Collection, Db, Document, Error, InvalidReason, Item, Model, RequestReason, Table};
use futures::{StreamExt, TryStreamExt};

use crate::common::{counted, n, raw, run, s};

// ---------------------------------------------------------------------------------------
// The shared table and its models
// ---------------------------------------------------------------------------------------

#[derive(Table)]
#[dynamo(
    name = "adv11",
    gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"),
    gsi(name = "gsi2", hash = "gsi2pk", range = "gsi2sk", projection = keys_only),
    gsi(name = "gsi3", hash = "gsi3pk", range = "gsi3sk", projection = include("total"))
)]
struct App;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "USER", hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
    label: String,
}

/// The same key shapes in three indexes: projecting everything, keys only, and `total`.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "ORDER",
    hash = "USER#{user_id}",
    range = "ORDER#{created}#{order_id}",
    gsi(name = "gsi1", hash = "STATUS#{status}", range = "{created}#{order_id}"),
    gsi(name = "gsi2", hash = "S2#{status}", range = "{created}#{order_id}"),
    gsi(name = "gsi3", hash = "S3#{status}", range = "{created}#{order_id}")
)]
struct Order {
    user_id: String,
    created: u32,
    order_id: String,
    status: String,
    total: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "INVOICE", hash = "USER#{user_id}", range = "INV#{invoice_id}")]
struct Invoice {
    user_id: String,
    invoice_id: String,
    amount: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "ITEM", hash = "ORDER#{order_id}", range = "ITEM#{line}")]
struct OrderItem {
    order_id: String,
    line: u16,
    sku: String,
}

#[derive(Collection, Debug, PartialEq)]
enum Account {
    User(User),
    Order(Order),
    Invoice(Invoice),
}

#[derive(Collection, Debug, PartialEq)]
enum UserOrders {
    User(User),
    Order(Order),
}

#[derive(Document, Debug, Clone, PartialEq)]
struct OrderView {
    order_id: String,
    created: u32,
    total: i64,
}

/// A text field followed by a literal: not the last segment, after a literal.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "MID", hash = "MID#{g}", range = "X#{b}#END")]
struct Mid {
    g: String,
    b: String,
}

/// A sort key that starts with a placeholder (nothing before the field).
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "LEAD", hash = "LEAD#{g}", range = "{b}#{id}")]
struct Lead {
    g: String,
    b: String,
    id: u8,
}

/// Text as the last segment, after a literal.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "TAIL", hash = "TAIL#{g}", range = "K#{b}")]
struct Tail {
    g: String,
    b: String,
}

/// A sort key that is one field and nothing else.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "ONLY", hash = "ONLY#{g}", range = "{b}")]
struct Only {
    g: String,
    b: String,
}

/// Several literal segments between the fields, and a neighbour that differs in one.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "MULTI", hash = "M#{g}", range = "A#{x}#B#C#{y}")]
struct Multi {
    g: String,
    x: String,
    y: u16,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "MULTID", hash = "M#{g}", range = "A#{x}#B#D#{y}")]
struct MultiD {
    g: String,
    x: String,
    y: u16,
}

/// A signed and a narrow unsigned integer, both orders, the first field a placeholder.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "NUMS",
    hash = "N#{g}",
    range = "{a}#{b}",
    gsi(name = "gsi1", hash = "NUMS#{g}", range = "{b}#{a}")
)]
struct Nums {
    g: String,
    a: i8,
    b: u16,
}

fn lower(value: &str) -> String {
    value.to_lowercase()
}

/// A renamed field and a transformed one in the compared positions.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "PERSON",
    hash = "TEAM#{team}",
    range = "R#{rank}#{email}",
    gsi(name = "gsi1", hash = "PEOPLE#{team}", range = "{email}#{rank}")
)]
struct Person {
    team: String,
    #[dynamo(rename = "rk")]
    rank: u8,
    #[dynamo(set = lower)]
    email: String,
}

/// One field in the templates of two indexes.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "TWO",
    hash = "TWO#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "F#{f}", range = "{id}"),
    gsi(name = "gsi2", hash = "F2#{f}#{g}", range = "{id}")
)]
struct Two {
    id: String,
    f: String,
    g: String,
    note: String,
}

/// An optional field in an index's partition key template.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "SHIP",
    hash = "SHIP#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "C#{carrier}#{region}", range = "{id}")
)]
struct Ship {
    id: String,
    carrier: String,
    region: Option<String>,
    weight: i64,
}

/// Versioned, with an index.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "TICKET",
    hash = "TK#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "QUEUE#{queue}", range = "{prio}#{id}")
)]
struct Ticket {
    id: String,
    queue: String,
    prio: u8,
    #[dynamo(version)]
    version: u64,
}

/// `updated_at` in an index template.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "STAMP",
    hash = "STAMP#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "KIND#{kind}", range = "{updated}#{id}")
)]
struct Stamp {
    id: String,
    kind: String,
    #[dynamo(updated_at)]
    updated: u64,
    label: String,
}

/// An index partition key template with no field: every item is in one partition.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "FEED", hash = "FEED#{id}", range = "META", gsi(name = "gsi1", hash = "FEED", range = "{posted}#{id}"))]
struct Feed {
    id: String,
    posted: u64,
    body: String,
}

/// An index sort key template mixing a key field with an optional field.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = App,
    entity = "TAGGED",
    hash = "TG#{id}",
    range = "META",
    gsi(name = "gsi1", hash = "TG1#{id}", range = "{tag}#{id}")
)]
struct Tagged {
    id: String,
    tag: Option<String>,
    total: i64,
}

/// `created_at` as the whole index sort key.
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

// ---------------------------------------------------------------------------------------
// Other tables
// ---------------------------------------------------------------------------------------

/// Custom key names, a custom marker attribute, TTL and a keys-only index with a dashed
/// name.
#[derive(Table)]
#[dynamo(
    name = "adv11_kind",
    hash = "PK",
    range = "SK",
    entity_attribute = "kind",
    ttl = "exp",
    gsi(name = "by-tag", hash = "TagPK", range = "TagSK", projection = keys_only)
)]
struct Kinded;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = Kinded, entity = "US#ER\"é🎉", hash = "U#{id}", range = "P")]
struct KUser {
    id: String,
    name: String,
    #[dynamo(ttl)]
    exp: Option<u64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = Kinded, entity = "ord er", hash = "U#{id}", range = "O#{n}", gsi(name = "by-tag", hash = "T#{tag}", range = "{n}"))]
struct KOrder {
    id: String,
    n: u32,
    tag: String,
}

#[derive(Collection, Debug, PartialEq)]
enum KData {
    User(KUser),
    Order(KOrder),
}

/// No sort key.
#[derive(Table)]
#[dynamo(name = "adv11_flat", range = none, gsi(name = "byEmail", hash = "emailpk"))]
struct Flat;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = Flat, entity = "ACC", hash = "ACC#{id}", gsi(name = "byEmail", hash = "EMAIL#{email}"))]
struct Acc {
    id: String,
    email: String,
    plan: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = Flat, entity = "CFG", hash = "ACC#{name}")]
struct Cfg {
    name: String,
    value: i64,
}

#[derive(Collection, Debug, PartialEq)]
enum FlatData {
    Acc(Acc),
    Cfg(Cfg),
}

/// Local secondary indexes.
#[derive(Table)]
#[dynamo(
    name = "adv11_lsi",
    lsi(name = "lsi1", range = "lsi1sk"),
    lsi(name = "lsi2", range = "lsi2sk", projection = keys_only)
)]
struct Local;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = Local,
    entity = "EV",
    hash = "STREAM#{stream}",
    range = "EV#{id}",
    lsi(name = "lsi1", range = "AT#{at}#{id}"),
    lsi(name = "lsi2", range = "L#{level}#{id}")
)]
struct Ev {
    stream: String,
    id: String,
    at: u64,
    level: u8,
    label: String,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct EvLabel {
    id: String,
    label: String,
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn order(user: &str, created: u32, id: &str, status: &str) -> Order {
    Order { user_id: user.into(), created, order_id: id.into(), status: status.into(), total: 10 }
}

fn ids(orders: &[Order]) -> Vec<(u32, String)> {
    orders.iter().map(|o| (o.created, o.order_id.clone())).collect()
}

fn pairs(list: &[(u32, &str)]) -> Vec<(u32, String)> {
    list.iter().map(|(c, id)| (*c, (*id).to_owned())).collect()
}

/// Text as the documentation says a key stores it: `"` as `"!`, `#` as `"$`.
fn esc(text: &str) -> String {
    text.replace('"', "\"!").replace('#', "\"$")
}

/// The item under `pk`/`sk` of `M`'s table, read with the SDK client.
async fn raw_at<M: Model>(db: &Db, key: &[(&str, &str)]) -> Option<Item> {
    db.client()
        .get_item()
        .table_name(db.table_name::<M>())
        .set_key(Some(key.iter().map(|(k, v)| ((*k).to_owned(), s(*v))).collect()))
        .consistent_read(true)
        .send()
        .await
        .expect("the raw item is read")
        .item
}

/// Every item of `M`'s table, read with the SDK client.
async fn raw_all<M: Model>(db: &Db) -> Vec<Item> {
    let out = db.client().scan().table_name(db.table_name::<M>()).consistent_read(true).send().await.unwrap();
    out.items.unwrap_or_default()
}

/// Collects every page of a query (or collection query) with pages of `limit` items.
macro_rules! paged {
    ($query:expr, $limit:expr) => {{
        let mut cursor = None;
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = $query.limit($limit).page(cursor.take()).await.unwrap();
            pages += 1;
            assert!(page.items.len() <= $limit);
            seen.extend(page.items);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(pages < 100, "the pages never end");
        }
        seen
    }};
}

/// Which comparison a text test makes.
#[derive(Debug, Clone, Copy)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

const OPS: [Op; 4] = [Op::Lt, Op::Le, Op::Gt, Op::Ge];

fn holds(op: Op, ordering: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Lt => ordering == Less,
        Op::Le => ordering != Greater,
        Op::Gt => ordering == Greater,
        Op::Ge => ordering != Less,
    }
}

/// Text values below, at and around the separator and the escape, and their prefixes.
const TEXTS: [&str; 19] =
    ["", " ", "!", "\"", "#", "$", "a", "a ", "a!", "a\"", "a#", "a#b", "a$", "a%", "a\u{1}", "ab", "b", "\"!", "\"$"];

const PIVOTS: [&str; 7] = ["a", "a#", "a ", "", "#", "\"", "a$"];

/// The values in the documented order of a text field that is not the last segment:
/// the order of its stored text (`esc(b)` followed by the separator).
fn middle_order(values: &[&str]) -> Vec<String> {
    let mut sorted: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    sorted.sort_by_key(|v| format!("{}#", esc(v)));
    sorted
}

fn middle_expected(op: Op, pivot: &str) -> Vec<String> {
    let key = |v: &str| format!("{}#", esc(v));
    middle_order(&TEXTS).into_iter().filter(|v| holds(op, key(v).cmp(&key(pivot)))).collect()
}

// ---------------------------------------------------------------------------------------
// Typed sort-key comparisons
// ---------------------------------------------------------------------------------------

/// A text field in the middle of the sort key, after a literal: every comparison with
/// every pivot returns exactly the values the documented order puts on that side (the
/// order of the stored text: "a string sorts right after its own prefix only when the
/// next character sorts after `#`"). So `lt(v)` and `ge(v)` split the values, as do
/// `le(v)` and `gt(v)`.
#[test]
fn adversarial11_middle_text_comparisons_follow_the_documented_order() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for b in TEXTS {
            Mid::put(&db, &Mid { g: "g".into(), b: b.into() }).await.unwrap();
        }
        let bs = |items: Vec<Mid>| items.into_iter().map(|m| m.b).collect::<Vec<_>>();
        let q = || Mid::query(&db, "g").consistent();
        assert_eq!(bs(q().await.unwrap()), middle_order(&TEXTS), "the stored order");
        let mut wrong = Vec::new();
        for pivot in PIVOTS {
            for op in OPS {
                let range = match op {
                    Op::Lt => q().range(Mid::sk().b_lt(pivot)),
                    Op::Le => q().range(Mid::sk().b_le(pivot)),
                    Op::Gt => q().range(Mid::sk().b_gt(pivot)),
                    Op::Ge => q().range(Mid::sk().b_ge(pivot)),
                };
                let got = bs(range.await.unwrap());
                let expected = middle_expected(op, pivot);
                if got != expected {
                    wrong.push(format!("{op:?}({pivot:?}): got {got:?}, expected {expected:?}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    })
}

/// The same comparisons on a sort key that starts with the field (`{b}#{id}`): the same
/// documented order, exactly.
#[test]
fn adversarial11_leading_text_comparisons_follow_the_documented_order() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for b in TEXTS {
            Lead::put(&db, &Lead { g: "g".into(), b: b.into(), id: 0 }).await.unwrap();
        }
        // Other models' items in the same partition never come back.
        User::put(&db, &User { user_id: "x".into(), label: "x".into() }).await.unwrap();
        let bs = |items: Vec<Lead>| items.into_iter().map(|m| m.b).collect::<Vec<_>>();
        let q = || Lead::query(&db, "g").consistent();
        assert_eq!(bs(q().await.unwrap()), middle_order(&TEXTS));
        let mut wrong = Vec::new();
        for pivot in PIVOTS {
            for op in OPS {
                let range = match op {
                    Op::Lt => q().range(Lead::sk().b_lt(pivot)),
                    Op::Le => q().range(Lead::sk().b_le(pivot)),
                    Op::Gt => q().range(Lead::sk().b_gt(pivot)),
                    Op::Ge => q().range(Lead::sk().b_ge(pivot)),
                };
                let got = bs(range.await.unwrap());
                let expected = middle_expected(op, pivot);
                if got != expected {
                    wrong.push(format!("{op:?}({pivot:?}): got {got:?}, expected {expected:?}"));
                }
            }
            // An equal first field and a comparison of the second.
            let got = bs(q().range(Lead::sk().b(pivot).id_ge(0u8)).await.unwrap());
            let expected: Vec<String> = TEXTS.iter().filter(|t| **t == pivot).map(|t| (*t).to_owned()).collect();
            if got != expected {
                wrong.push(format!("b({pivot:?}).id_ge(0): got {got:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    })
}

/// A text field as the last segment: strings' order exactly (the escape keeps it), with
/// the filter the strict comparisons add; `between` both ways round.
#[test]
fn adversarial11_last_text_comparisons_follow_strings_order() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for b in TEXTS {
            Tail::put(&db, &Tail { g: "g".into(), b: b.into() }).await.unwrap();
        }
        let mut sorted: Vec<String> = TEXTS.iter().map(|t| (*t).to_owned()).collect();
        sorted.sort();
        let bs = |items: Vec<Tail>| items.into_iter().map(|m| m.b).collect::<Vec<_>>();
        let q = || Tail::query(&db, "g").consistent();
        assert_eq!(bs(q().await.unwrap()), sorted);
        let mut wrong = Vec::new();
        for pivot in PIVOTS {
            for op in OPS {
                let range = match op {
                    Op::Lt => q().range(Tail::sk().b_lt(pivot)),
                    Op::Le => q().range(Tail::sk().b_le(pivot)),
                    Op::Gt => q().range(Tail::sk().b_gt(pivot)),
                    Op::Ge => q().range(Tail::sk().b_ge(pivot)),
                };
                let got = bs(range.await.unwrap());
                let expected: Vec<String> =
                    sorted.iter().filter(|v| holds(op, v.as_str().cmp(pivot))).cloned().collect();
                if got != expected {
                    wrong.push(format!("{op:?}({pivot:?}): got {got:?}, expected {expected:?}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert_eq!(
            bs(q().range(Tail::sk().b_between("a", "a#")).await.unwrap()),
            ["a", "a\u{1}", "a ", "a!", "a\"", "a#"]
        );
        let (c, requests) = counted(&db);
        refused!(
            requests,
            Tail::query(&c, "g").range(Tail::sk().b_between("a#", "a")),
            Error::InvalidRequest { reason: RequestReason::BetweenBounds { .. }, .. }
        );
    })
}

/// `between` on a text field in the middle, with bounds in strings' order whose stored
/// texts are the other way round (`"a#"` is stored before `"a"`): never a request that
/// DynamoDB rejects, but a refusal before sending; the bounds in the documented order
/// answer exactly.
#[test]
fn adversarial11_middle_between_with_bounds_reversed_by_the_escape() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for b in TEXTS {
            Mid::put(&db, &Mid { g: "g".into(), b: b.into() }).await.unwrap();
        }
        let (c, requests) = counted(&db);
        // Bounds in strings' order whose stored texts are reversed: refused before sending
        // (DynamoDB rejects a `BETWEEN` whose low bound is above its high one).
        for (low, high) in [("a", "a#"), ("a", "a "), ("", " "), ("a$", "a")] {
            refused!(
                requests,
                Mid::query(&c, "g").range(Mid::sk().b_between(low, high)),
                Error::InvalidRequest { reason: RequestReason::BetweenBounds { .. }, .. }
            );
        }
        // The other way round is the documented order: "a#" and "a#b" are stored before "a".
        let bs = |items: Vec<Mid>| items.into_iter().map(|m| m.b).collect::<Vec<_>>();
        assert_eq!(bs(Mid::query(&c, "g").range(Mid::sk().b_between("a#", "a")).await.unwrap()), ["a#", "a#b", "a"]);
    })
}

/// A sort key that is one text field: comparisons with the empty string (no key is
/// empty, so every key is above it) answer, as on any other template.
#[test]
fn adversarial11_comparisons_with_the_empty_string_on_a_single_field_sort_key() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for b in ["a", "b", " "] {
            Only::put(&db, &Only { g: "g".into(), b: b.into() }).await.unwrap();
        }
        let bs = |items: dynamo_model::Result<Vec<Only>>| {
            items.map(|items| items.into_iter().map(|m| m.b).collect::<Vec<_>>()).map_err(|e| e.to_string())
        };
        let q = || Only::query(&db, "g").consistent();
        let all = Ok(vec![" ".to_owned(), "a".to_owned(), "b".to_owned()]);
        // Control: an ordinary bound.
        assert_eq!(bs(q().range(Only::sk().b_ge(" ")).await), all);
        assert_eq!(bs(q().range(Only::sk().b_gt("")).await), all);
        assert_eq!(bs(q().range(Only::sk().b_ge("")).await), all);
        assert_eq!(bs(q().range(Only::sk().b_lt("")).await), Ok(vec![]));
        assert_eq!(bs(q().range(Only::sk().b_le("")).await), Ok(vec![]));
        assert_eq!(bs(q().range(Only::sk().b_between("", "a")).await), Ok(vec![" ".to_owned(), "a".to_owned()]));
    })
}

/// The orders of user 42: (1,a) (2,a) (2,b) (2,c) (3,a), with a profile and an invoice
/// in the partition; user 7 has (2,z); all paid.
async fn seed_orders(db: &Db) {
    App::create_table(db).await.unwrap();
    User::put(db, &User { user_id: "42".into(), label: "Ada".into() }).await.unwrap();
    Invoice::put(db, &Invoice { user_id: "42".into(), invoice_id: "i1".into(), amount: 5 }).await.unwrap();
    for (created, id) in [(1, "a"), (2, "a"), (2, "b"), (2, "c"), (3, "a")] {
        Order::put(db, &order("42", created, id, "paid")).await.unwrap();
    }
    Order::put(db, &order("7", 2, "z", "paid")).await.unwrap();
}

/// The comparisons that add a filter (strict, on the last field, after an equal one),
/// read a page of one at a time, both ways, on the table and on an index projecting
/// everything; `count` and streams agree.
#[test]
fn adversarial11_filtered_comparisons_page_exactly_both_ways() {
    run(|db| async move {
        seed_orders(&db).await;
        let q = || Order::query(&db, "42").consistent();
        let gt = pairs(&[(2, "b"), (2, "c")]);
        let lt = pairs(&[(2, "a"), (2, "b")]);
        let rev = |mut v: Vec<(u32, String)>| {
            v.reverse();
            v
        };
        assert_eq!(ids(&q().range(Order::sk().created(2u32).order_id_gt("a")).await.unwrap()), gt);
        assert_eq!(ids(&q().range(Order::sk().created(2u32).order_id_lt("c")).await.unwrap()), lt);
        assert_eq!(ids(&paged!(q().range(Order::sk().created(2u32).order_id_gt("a")), 1)), gt);
        assert_eq!(
            ids(&paged!(q().range(Order::sk().created(2u32).order_id_gt("a")).descending(), 1)),
            rev(gt.clone())
        );
        assert_eq!(ids(&paged!(q().range(Order::sk().created(2u32).order_id_lt("c")).page_size(1), 1)), lt);
        assert_eq!(
            ids(&paged!(q().range(Order::sk().created(2u32).order_id_lt("c")).descending().page_size(1), 1)),
            rev(lt.clone())
        );
        assert_eq!(
            ids(&q().range(Order::sk().created(2u32).order_id_gt("a")).descending().limit(1).await.unwrap()),
            pairs(&[(2, "c")])
        );
        assert_eq!(
            ids(&q().range(Order::sk().created(2u32).order_id_lt("c")).limit(1).await.unwrap()),
            pairs(&[(2, "a")])
        );
        assert_eq!(q().range(Order::sk().created(2u32).order_id_gt("a")).count().await.unwrap(), 2);
        assert_eq!(q().range(Order::sk().created(2u32).order_id_lt("a")).count().await.unwrap(), 0);
        let streamed: Vec<Order> = q()
            .range(Order::sk().created(2u32).order_id_gt("a"))
            .descending()
            .page_size(1)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids(&streamed), rev(gt.clone()));
        // A user filter on top of the range filter.
        Order::update(&db, Order::key("42", 2u32, "c")).set(&Order::TOTAL, 99i64).await.unwrap();
        assert_eq!(
            ids(&q().range(Order::sk().created(2u32).order_id_gt("a")).filter(Order::TOTAL.lt(50i64)).await.unwrap()),
            pairs(&[(2, "b")])
        );

        // The index: user 7's (2,z) is in the same index partition.
        let iq = || Order::GSI1.query(&db, "paid");
        let igt = pairs(&[(2, "b"), (2, "c"), (2, "z")]);
        assert_eq!(ids(&iq().range(Order::gsi1_sk().created(2u32).order_id_gt("a")).await.unwrap()), igt);
        assert_eq!(ids(&paged!(iq().range(Order::gsi1_sk().created(2u32).order_id_gt("a")).page_size(1), 1)), igt);
        assert_eq!(
            ids(&paged!(iq().range(Order::gsi1_sk().created(2u32).order_id_gt("a")).descending(), 2)),
            rev(igt.clone())
        );
        assert_eq!(
            ids(&paged!(iq().range(Order::gsi1_sk().created(2u32).order_id_lt("z")).descending().page_size(1), 1)),
            rev(pairs(&[(2, "a"), (2, "b"), (2, "c")]))
        );
        assert_eq!(iq().range(Order::gsi1_sk().created(2u32).order_id_lt("b")).count().await.unwrap(), 1);
        // A collection takes the same condition and its filter.
        let rows = Account::query(&db, User::partition("42"))
            .consistent()
            .range(Order::sk().created(2u32).order_id_gt("a"))
            .descending()
            .limit(1)
            .await
            .unwrap();
        assert!(matches!(rows.as_slice(), [Account::Order(o)] if o.order_id == "c"), "{rows:?}");
        assert_eq!(
            Account::query(&db, User::partition("42"))
                .range(Order::sk().created(2u32).order_id_lt("b"))
                .count()
                .await
                .unwrap(),
            1
        );
    })
}

/// An index that does not project the compared field: a comparison that needs the
/// filter on it either answers exactly or is refused before sending as `Unprojected`
/// naming the field, never sent to come back wrong. Comparisons that need no filter
/// answer (the model restores its fields from the keys).
#[test]
fn adversarial11_filtered_comparisons_on_indexes_that_do_not_project_the_field() {
    run(|db| async move {
        seed_orders(&db).await;
        let (c, requests) = counted(&db);
        // gsi3 projects `total`: the whole order decodes, its other fields from the keys.
        let all = Order::GSI3.query(&c, "paid").await.unwrap();
        let mut expected: Vec<Order> = Order::query(&db, "42").await.unwrap();
        expected.push(order("7", 2, "z", "paid"));
        expected.sort_by_key(|o| (o.created, o.order_id.clone()));
        assert_eq!(all, expected);
        let late = Order::GSI3.query(&c, "paid").range(Order::gsi3_sk().created_gt(1u32)).await.unwrap();
        assert_eq!(late, expected[1..].to_vec());
        // The filter that makes the comparison exact reads `order_id`, which gsi3 does
        // not project: refused before sending (DynamoDB would see it absent).
        let e = refused!(
            requests,
            Order::GSI3.query(&c, "paid").range(Order::gsi3_sk().created(2u32).order_id_gt("a")),
            Error::Unprojected { .. }
        );
        assert!(matches!(&e, Error::Unprojected { missing, .. } if missing == &["order_id"]), "{e:?}");
        // Keys only: a count needs no attribute but the keys.
        assert_eq!(Order::GSI2.query(&c, "paid").range(Order::gsi2_sk().created_ge(2u32)).count().await.unwrap(), 5);
        for lt in [false, true] {
            let range = if lt {
                Order::GSI2.query(&c, "paid").range(Order::gsi2_sk().created(2u32).order_id_lt("c"))
            } else {
                Order::GSI2.query(&c, "paid").range(Order::gsi2_sk().created(2u32).order_id_gt("a"))
            };
            let e = refused!(requests, range.count(), Error::Unprojected { .. });
            assert!(matches!(&e, Error::Unprojected { missing, .. } if missing == &["order_id"]), "{e:?}");
        }
        // The same comparisons on the index projecting everything (the control).
        assert_eq!(
            Order::GSI1.query(&c, "paid").range(Order::gsi1_sk().created(2u32).order_id_lt("c")).count().await.unwrap(),
            2
        );
        assert_eq!(
            Order::GSI1.query(&c, "paid").range(Order::gsi1_sk().created(2u32).order_id_gt("a")).count().await.unwrap(),
            3
        );
    })
}

/// A renamed field and a field with a `set` transform in the compared positions, on the
/// table and on an index: the filter names the stored attribute and compares the
/// transformed value.
#[test]
fn adversarial11_renamed_and_transformed_fields_in_comparisons() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        for (rank, email) in [(1u8, "A@x"), (1, "B@x"), (1, "C@x"), (2, "A@x")] {
            Person::put(&db, &Person { team: "t".into(), rank, email: email.into() }).await.unwrap();
        }
        let raw = raw_at::<Person>(&db, &[("pk", "TEAM#t"), ("sk", "R#002#a@x")]).await.unwrap();
        assert_eq!((raw["rk"].clone(), raw["email"].clone()), (n("2"), s("a@x")));
        let people = |items: Vec<Person>| items.into_iter().map(|p| (p.rank, p.email)).collect::<Vec<_>>();
        let expect = |list: &[(u8, &str)]| list.iter().map(|(r, e)| (*r, (*e).to_owned())).collect::<Vec<_>>();
        let q = || Person::query(&db, "t").consistent();
        assert_eq!(
            people(q().range(Person::sk().rank(1u8).email_gt("A@X")).await.unwrap()),
            expect(&[(1, "b@x"), (1, "c@x")])
        );
        assert_eq!(
            people(q().range(Person::sk().rank(1u8).email_lt("C@X")).await.unwrap()),
            expect(&[(1, "a@x"), (1, "b@x")])
        );
        assert_eq!(
            people(q().range(Person::sk().rank(1u8).email_ge("B@X")).await.unwrap()),
            expect(&[(1, "b@x"), (1, "c@x")])
        );
        assert_eq!(people(q().range(Person::sk().rank(1u8).email("B@X")).await.unwrap()), expect(&[(1, "b@x")]));
        assert_eq!(people(q().range(Person::sk().rank_gt(1u8)).await.unwrap()), expect(&[(2, "a@x")]));
        assert_eq!(people(q().range(Person::sk().rank_lt(2u8)).await.unwrap()).len(), 3);
        let iq = || Person::GSI1.query(&db, "t");
        assert_eq!(
            people(iq().range(Person::gsi1_sk().email("A@X").rank_gt(1u8)).await.unwrap()),
            expect(&[(2, "a@x")])
        );
        assert_eq!(
            people(iq().range(Person::gsi1_sk().email("a@X").rank_lt(2u8)).await.unwrap()),
            expect(&[(1, "a@x")])
        );
        assert_eq!(people(iq().range(Person::gsi1_sk().email_gt("B@X")).await.unwrap()), expect(&[(1, "c@x")]));
        assert_eq!(
            people(iq().range(Person::gsi1_sk().email_between("A@X", "B@X")).await.unwrap()),
            expect(&[(1, "a@x"), (2, "a@x"), (1, "b@x")])
        );
    })
}

/// `A#{x}#B#C#{y}`, next to `A#{x}#B#D#{y}` in the same partition: each comparison
/// stays within the model's literals, with values that look like the literals.
#[test]
fn adversarial11_several_literal_segments_between_fields() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let xs = ["p", "p#B#C", "p#B#D", "B", "q"];
        for x in xs {
            for y in [1u16, 2, 3] {
                Multi::put(&db, &Multi { g: "g".into(), x: x.into(), y }).await.unwrap();
                MultiD::put(&db, &MultiD { g: "g".into(), x: x.into(), y }).await.unwrap();
            }
        }
        let got = |items: Vec<Multi>| items.into_iter().map(|m| (m.x, m.y)).collect::<Vec<_>>();
        let expect = |list: &[(&str, u16)]| list.iter().map(|(x, y)| ((*x).to_owned(), *y)).collect::<Vec<_>>();
        let q = || Multi::query(&db, "g").consistent();
        assert_eq!(q().await.unwrap().len(), 15);
        assert_eq!(got(q().range(Multi::sk().x("p").y_gt(1u16)).await.unwrap()), expect(&[("p", 2), ("p", 3)]));
        assert_eq!(got(q().range(Multi::sk().x("p").y_lt(3u16)).await.unwrap()), expect(&[("p", 1), ("p", 2)]));
        assert_eq!(
            got(q().range(Multi::sk().x("p").y_between(2u16, 3u16)).await.unwrap()),
            expect(&[("p", 2), ("p", 3)])
        );
        assert_eq!(
            got(q().range(Multi::sk().x("p").y_le(2u16)).descending().limit(1).await.unwrap()),
            expect(&[("p", 2)])
        );
        assert_eq!(got(q().range(Multi::sk().x("p")).await.unwrap()), expect(&[("p", 1), ("p", 2), ("p", 3)]));
        assert_eq!(got(q().range(Multi::sk().x("p#B#C")).await.unwrap()).len(), 3);
        assert_eq!(got(q().range(Multi::sk().x("p").y(2u16)).await.unwrap()), expect(&[("p", 2)]));
        // `"p#B#C"` and `"p#B#D"` are stored `p"$B"$C`: before `p` in the stored order.
        let xs_of = |items: Vec<Multi>| items.into_iter().map(|m| m.x).collect::<BTreeSet<_>>();
        assert_eq!(xs_of(q().range(Multi::sk().x_gt("p")).await.unwrap()), BTreeSet::from(["q".to_owned()]));
        assert_eq!(xs_of(q().range(Multi::sk().x_lt("C")).await.unwrap()), BTreeSet::from(["B".to_owned()]));
        assert_eq!(
            xs_of(q().range(Multi::sk().x_le("p")).await.unwrap()),
            BTreeSet::from(["B".to_owned(), "p#B#C".to_owned(), "p#B#D".to_owned(), "p".to_owned()])
        );
        assert_eq!(MultiD::query(&db, "g").range(MultiD::sk().x("p").y_gt(1u16)).count().await.unwrap(), 2);
        assert_eq!(Multi::query(&db, "g").range(Multi::sk().x_ge("B")).count().await.unwrap(), 15);
    })
}

/// A signed `i8` then a `u16`, both orders (table and index), at their extremes:
/// comparisons at and past the ends, and `between(-1, 1)`.
#[test]
fn adversarial11_narrow_and_signed_integer_boundaries() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let avs = [i8::MIN, -1, 0, 1, i8::MAX];
        let bvs = [0u16, 1, 65534, 65535];
        for a in avs {
            for b in bvs {
                Nums::put(&db, &Nums { g: "g".into(), a, b }).await.unwrap();
            }
        }
        let ab = |items: Vec<Nums>| items.into_iter().map(|x| (x.a, x.b)).collect::<Vec<_>>();
        let q = || Nums::query(&db, "g").consistent();
        let all = ab(q().await.unwrap());
        let expected: Vec<(i8, u16)> = avs.iter().flat_map(|a| bvs.iter().map(move |b| (*a, *b))).collect();
        assert_eq!(all, expected);
        assert_eq!(ab(q().range(Nums::sk().a_lt(i8::MIN)).await.unwrap()), vec![]);
        assert_eq!(ab(q().range(Nums::sk().a_gt(i8::MAX)).await.unwrap()), vec![]);
        assert_eq!(ab(q().range(Nums::sk().a_le(i8::MIN)).await.unwrap()), expected[..4]);
        assert_eq!(ab(q().range(Nums::sk().a_ge(i8::MAX)).await.unwrap()), expected[16..]);
        assert_eq!(ab(q().range(Nums::sk().a_between(-1i8, 1i8)).await.unwrap()), expected[4..16]);
        assert_eq!(ab(q().range(Nums::sk().a_lt(0i8)).await.unwrap()), expected[..8]);
        assert_eq!(ab(q().range(Nums::sk().a(-1i8).b_gt(65534u16)).await.unwrap()), [(-1, 65535)]);
        assert_eq!(ab(q().range(Nums::sk().a(-1i8).b_gt(u16::MAX)).await.unwrap()), vec![]);
        assert_eq!(ab(q().range(Nums::sk().a(-1i8).b_lt(1u16)).await.unwrap()), [(-1, 0)]);
        assert_eq!(ab(q().range(Nums::sk().a(0i8).b_lt(0u16)).await.unwrap()), vec![]);
        assert_eq!(
            ab(q().range(Nums::sk().a(i8::MAX).b_between(1u16, 65534u16)).await.unwrap()),
            [(127, 1), (127, 65534)]
        );
        assert_eq!(
            ab(q().range(Nums::sk().a(i8::MIN).b_le(u16::MAX)).descending().limit(1).await.unwrap()),
            [(-128, 65535)]
        );
        assert_eq!(ab(q().range(Nums::sk().a(i8::MIN).b_ge(0u16)).await.unwrap()), expected[..4]);
        // The index sorts by `b` first.
        let iq = || Nums::GSI1.query(&db, "g");
        assert_eq!(ab(iq().range(Nums::gsi1_sk().b(65535u16).a_lt(0i8)).await.unwrap()), [(-128, 65535), (-1, 65535)]);
        assert_eq!(iq().range(Nums::gsi1_sk().b_gt(65534u16)).count().await.unwrap(), 5);
        assert_eq!(ab(iq().range(Nums::gsi1_sk().b(0u16).a_gt(i8::MAX)).await.unwrap()), vec![]);
        assert_eq!(
            ab(iq().range(Nums::gsi1_sk().b(0u16).a_between(-1i8, 1i8)).await.unwrap()),
            [(-1, 0), (0, 0), (1, 0)]
        );
        assert_eq!(ab(iq().range(Nums::gsi1_sk().b(1u16).a_lt(i8::MIN)).await.unwrap()), vec![]);
        assert_eq!(ab(iq().range(Nums::gsi1_sk().b_lt(1u16)).descending().await.unwrap()).len(), 5);
    })
}

// ---------------------------------------------------------------------------------------
// Escapes through every read path
// ---------------------------------------------------------------------------------------

/// Values with characters below `#`, the escape, escape-like text and control
/// characters in every key field and in an index key: every read path returns them
/// exactly (get, query, scan, batch get, transaction get, collection, index queries that
/// restore fields from keys, update's and delete's returned items).
#[test]
fn adversarial11_escapes_round_trip_through_every_read_path() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let user = "u \"!#$\u{1}\"$";
        let orders: Vec<Order> = [" ", "!", "\"", "\"!", "\"$", "#", " #\u{7f}", "é\"#"]
            .iter()
            .enumerate()
            .map(|(i, id)| Order {
                user_id: user.into(),
                created: i as u32,
                order_id: (*id).into(),
                status: "p#\" \u{1}".into(),
                total: i as i64,
            })
            .collect();
        for o in &orders {
            Order::put(&db, o).await.unwrap();
        }
        User::put(&db, &User { user_id: user.into(), label: "#\"".into() }).await.unwrap();
        let raw0 = raw::<Order>(&db, &orders[0].key()).await.unwrap();
        assert_eq!(raw0["pk"], s("USER#u \"!!\"$$\u{1}\"!$"));
        assert_eq!(raw0["gsi1pk"], s("STATUS#p\"$\"! \u{1}"));

        for o in &orders {
            assert_eq!(Order::get(&db, o.key()).consistent().await.unwrap().as_ref(), Some(o), "get");
        }
        assert_eq!(Order::query(&db, user).consistent().await.unwrap(), orders, "query");
        let mut scanned = Order::scan(&db).consistent().await.unwrap();
        scanned.sort_by_key(|o| o.created);
        assert_eq!(scanned, orders, "scan");
        let got = Order::batch_get(&db, orders.iter().map(|o| o.key())).consistent().await.unwrap();
        let mut items = got.items;
        items.sort_by_key(|o| o.created);
        assert_eq!(items, orders, "batch get");
        let mut tx = db.transaction_get();
        let handles: Vec<_> = orders.iter().take(5).map(|o| tx.get(Order::get(&db, o.key()))).collect();
        let read = tx.await.unwrap();
        for (h, o) in handles.iter().zip(&orders) {
            assert_eq!(read.get(h).unwrap().as_ref(), Some(o), "transaction get");
        }
        let rows = Account::query(&db, User::partition(user)).consistent().await.unwrap();
        assert_eq!(rows.len(), orders.len() + 1);
        for (row, o) in rows.iter().zip(&orders) {
            assert!(matches!(row, Account::Order(x) if x == o), "collection {row:?}");
        }
        assert!(matches!(&rows[orders.len()], Account::User(u) if u.user_id == user && u.label == "#\""));
        // Index reads: gsi1 holds every attribute; gsi3 only `total`, so the user, the
        // order id and the status are parsed back from the keys.
        assert_eq!(Order::GSI1.query(&db, "p#\" \u{1}").await.unwrap(), orders, "gsi1");
        assert_eq!(Order::GSI3.query(&db, "p#\" \u{1}").await.unwrap(), orders, "gsi3 (restored)");
        let sel = Order::GSI3.query(&db, "p#\" \u{1}").select(&Order::TOTAL).await.unwrap();
        assert_eq!(sel, orders, "gsi3 selection");
        let views = Order::query(&db, user).project_into::<OrderView>().await.unwrap();
        assert_eq!(
            views.iter().map(|v| v.order_id.as_str()).collect::<Vec<_>>(),
            orders.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>()
        );
        // Update's and delete's returned items.
        let updated = Order::update(&db, orders[3].key()).set(&Order::TOTAL, 77i64).await.unwrap().into_item().unwrap();
        assert_eq!(updated, Order { total: 77, ..orders[3].clone() });
        let deleted = Order::delete(&db, orders[4].key()).await.unwrap().into_item().unwrap();
        assert_eq!(deleted, Some(orders[4].clone()));
        let put = Order::put(&db, &orders[4]).await.unwrap();
        assert_eq!(put, orders[4]);
    })
}

// ---------------------------------------------------------------------------------------
// Updates and index keys
// ---------------------------------------------------------------------------------------

/// A field in the templates of two indexes: an update of it alone rewrites the index
/// whose other fields it has (the key) and is refused for the one that needs another
/// field; with both, both are rewritten, and each index finds the item.
#[test]
fn adversarial11_a_field_in_two_index_templates() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let two = Two { id: "t1".into(), f: "a".into(), g: "x".into(), note: "n".into() };
        Two::put(&db, &two).await.unwrap();
        let before = raw::<Two>(&db, &two.key()).await.unwrap();
        let keys = |item: &Item| (item["gsi1pk"].clone(), item["gsi2pk"].clone(), item["gsi2sk"].clone());
        assert_eq!(keys(&before), (s("F#a"), s("F2#a#x"), s("t1")));
        let (c, requests) = counted(&db);
        refused!(
            requests,
            Two::update(&c, Two::key("t1")).set(&Two::F, "b"),
            Error::InvalidRequest { reason: RequestReason::StaleIndexKey { index: "gsi2", field, .. }, .. } if field == "g"
        );
        refused!(
            requests,
            Two::update(&c, Two::key("t1")).set(&Two::G, "y"),
            Error::InvalidRequest { reason: RequestReason::StaleIndexKey { index: "gsi2", field, .. }, .. } if field == "f"
        );
        assert_eq!(raw::<Two>(&db, &two.key()).await, Some(before));
        Two::update(&c, Two::key("t1")).set(&Two::F, "b").set(&Two::G, "y").await.unwrap();
        let after = raw::<Two>(&db, &two.key()).await.unwrap();
        assert_eq!(keys(&after), (s("F#b"), s("F2#b#y"), s("t1")));
        let expected = Two { f: "b".into(), g: "y".into(), ..two.clone() };
        assert_eq!(Two::GSI1.query(&db, "b").await.unwrap(), vec![expected.clone()]);
        assert_eq!(Two::GSI1.query(&db, "a").await.unwrap(), vec![]);
        // gsi2 is keys only: a count finds it under the new key only.
        assert_eq!(Two::GSI2.query(&db, ("b".to_owned(), "y".to_owned())).count().await.unwrap(), 1);
        assert_eq!(Two::GSI2.query(&db, ("a".to_owned(), "x".to_owned())).count().await.unwrap(), 0);
        // In a transaction, the same.
        db.transaction().update(Two::update(&db, Two::key("t1")).set(&Two::F, "c").set(&Two::G, "z")).await.unwrap();
        assert_eq!(keys(&raw::<Two>(&db, &two.key()).await.unwrap()), (s("F#c"), s("F2#c#z"), s("t1")));
        assert_eq!(Two::GSI2.query(&db, ("c".to_owned(), "z".to_owned())).count().await.unwrap(), 1);
    })
}

/// Removing an optional field of an index partition key while setting another field
/// of the same template: the item leaves the index (no key left), the field set is
/// written; setting both again puts it back.
#[test]
fn adversarial11_remove_and_set_in_one_index_template() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let ship = Ship { id: "s1".into(), carrier: "ups".into(), region: Some("eu".into()), weight: 1 };
        Ship::put(&db, &ship).await.unwrap();
        assert_eq!(Ship::GSI1.query(&db, ("ups".to_owned(), "eu".to_owned())).await.unwrap(), vec![ship.clone()]);
        Ship::update(&db, Ship::key("s1")).remove(&Ship::REGION).set(&Ship::CARRIER, "dhl").await.unwrap();
        let raw1 = raw::<Ship>(&db, &ship.key()).await.unwrap();
        assert_eq!(raw1.get("gsi1pk"), None, "{raw1:?}");
        assert_eq!(raw1["carrier"], s("dhl"));
        assert_eq!(raw1.get("region"), None);
        assert_eq!(Ship::GSI1.query(&db, ("ups".to_owned(), "eu".to_owned())).await.unwrap(), vec![]);
        assert_eq!(Ship::GSI1.query(&db, ("dhl".to_owned(), "eu".to_owned())).await.unwrap(), vec![]);
        let (c, requests) = counted(&db);
        refused!(
            requests,
            Ship::update(&c, Ship::key("s1")).set(&Ship::REGION, "us"),
            Error::InvalidRequest { reason: RequestReason::StaleIndexKey { field, .. }, .. } if field == "carrier"
        );
        Ship::update(&c, Ship::key("s1")).set(&Ship::REGION, "us").set(&Ship::CARRIER, "dhl").await.unwrap();
        let expected = Ship { carrier: "dhl".into(), region: Some("us".into()), ..ship };
        assert_eq!(Ship::GSI1.query(&db, ("dhl".to_owned(), "us".to_owned())).await.unwrap(), vec![expected]);
        assert_eq!(raw::<Ship>(&db, &Ship::key("s1")).await.unwrap()["gsi1sk"], s("s1"));
    })
}

/// `expect_version` with an update that rewrites an index key: the version moves on,
/// the index follows; a stale version changes neither.
#[test]
fn adversarial11_expect_version_with_index_sync() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        let stored =
            Ticket::put(&db, &Ticket { id: "k1".into(), queue: "q1".into(), prio: 5, version: 0 }).await.unwrap();
        assert_eq!(stored.version, 1);
        let moved = Ticket::update(&db, Ticket::key("k1"))
            .set(&Ticket::QUEUE, "q2")
            .set(&Ticket::PRIO, 1u8)
            .expect_version(1)
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert_eq!(moved, Ticket { id: "k1".into(), queue: "q2".into(), prio: 1, version: 2 });
        let raw1 = raw::<Ticket>(&db, &Ticket::key("k1")).await.unwrap();
        assert_eq!((raw1["gsi1pk"].clone(), raw1["gsi1sk"].clone()), (s("QUEUE#q2"), s("001#k1")));
        let stale = Ticket::update(&db, Ticket::key("k1"))
            .set(&Ticket::QUEUE, "q3")
            .set(&Ticket::PRIO, 9u8)
            .expect_version(1)
            .await;
        assert!(matches!(stale, Err(Error::VersionConflict { expected: 1, .. })), "{stale:?}");
        assert_eq!(raw::<Ticket>(&db, &Ticket::key("k1")).await, Some(raw1));
        assert_eq!(Ticket::GSI1.query(&db, "q2").await.unwrap(), vec![moved.clone()]);
        assert_eq!(Ticket::GSI1.query(&db, "q3").await.unwrap(), vec![]);
        // In a transaction, with a version mismatch: nothing changes.
        let r = db
            .transaction()
            .update(
                Ticket::update(&db, Ticket::key("k1"))
                    .set(&Ticket::QUEUE, "q4")
                    .set(&Ticket::PRIO, 2u8)
                    .expect_version(7),
            )
            .await;
        assert!(matches!(r, Err(Error::TransactionCanceled { .. })), "{r:?}");
        assert_eq!(Ticket::GSI1.query(&db, "q4").await.unwrap(), vec![]);
        db.transaction()
            .update(
                Ticket::update(&db, Ticket::key("k1"))
                    .set(&Ticket::QUEUE, "q4")
                    .set(&Ticket::PRIO, 2u8)
                    .expect_version(2),
            )
            .await
            .unwrap();
        let read = Ticket::get(&db, Ticket::key("k1")).consistent().await.unwrap().unwrap();
        assert_eq!(read, Ticket { id: "k1".into(), queue: "q4".into(), prio: 2, version: 3 });
        assert_eq!(Ticket::GSI1.query(&db, "q4").await.unwrap(), vec![read]);
    })
}

/// `updated_at` in an index template, written through transactions (put and update):
/// the index key holds the time stored.
#[test]
fn adversarial11_updated_at_in_an_index_key_through_transactions() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        db.transaction()
            .put(Stamp::put(&db, &Stamp { id: "a".into(), kind: "k".into(), updated: 0, label: "x".into() }))
            .await
            .unwrap();
        let read = Stamp::get(&db, Stamp::key("a")).consistent().await.unwrap().unwrap();
        assert_ne!(read.updated, 0);
        let raw1 = raw::<Stamp>(&db, &Stamp::key("a")).await.unwrap();
        assert_eq!(raw1["gsi1sk"], s(format!("{:020}#a", read.updated)));
        std::thread::sleep(std::time::Duration::from_millis(1100));
        db.transaction().update(Stamp::update(&db, Stamp::key("a")).set(&Stamp::LABEL, "y")).await.unwrap();
        let read2 = Stamp::get(&db, Stamp::key("a")).consistent().await.unwrap().unwrap();
        assert!(read2.updated > read.updated);
        let raw2 = raw::<Stamp>(&db, &Stamp::key("a")).await.unwrap();
        assert_eq!(raw2["gsi1sk"], s(format!("{:020}#a", read2.updated)));
        assert_eq!(
            Stamp::GSI1.query(&db, "k").range(Stamp::gsi1_sk().updated_gt(read.updated)).await.unwrap(),
            vec![read2.clone()]
        );
        // An upsert in a transaction creates it with the stamp in the index key.
        db.transaction()
            .update(Stamp::update(&db, Stamp::key("b")).set(&Stamp::KIND, "k").set(&Stamp::LABEL, "z").upsert())
            .await
            .unwrap();
        let b = Stamp::get(&db, Stamp::key("b")).consistent().await.unwrap().unwrap();
        assert_eq!(raw::<Stamp>(&db, &Stamp::key("b")).await.unwrap(), b.to_item().unwrap());
    })
}

/// An upsert of an item that exists, with other non-key fields than the stored ones:
/// the index keys match the fields stored afterwards, exactly as a put of the result
/// would write them.
#[test]
fn adversarial11_upsert_of_an_existing_item_keeps_index_keys_in_step() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Order::put(&db, &order("42", 5, "o1", "paid")).await.unwrap();
        let after = Order::update(&db, Order::key("42", 5u32, "o1"))
            .set(&Order::STATUS, "shipped")
            .set(&Order::TOTAL, 3i64)
            .upsert()
            .await
            .unwrap()
            .into_item()
            .unwrap();
        let expected = Order { status: "shipped".into(), total: 3, ..order("42", 5, "o1", "paid") };
        assert_eq!(after, expected);
        assert_eq!(raw::<Order>(&db, &expected.key()).await.unwrap(), expected.to_item().unwrap());
        assert_eq!(Order::GSI1.query(&db, "paid").await.unwrap(), vec![]);
        assert_eq!(Order::GSI1.query(&db, "shipped").await.unwrap(), vec![expected.clone()]);
        // An upsert that sets the index fields to what they hold leaves the keys as they were.
        Order::update(&db, Order::key("42", 5u32, "o1"))
            .set(&Order::STATUS, "shipped")
            .set(&Order::TOTAL, 4i64)
            .upsert()
            .await
            .unwrap();
        let expected = Order { total: 4, ..expected };
        assert_eq!(raw::<Order>(&db, &expected.key()).await.unwrap(), expected.to_item().unwrap());
    })
}

/// An index whose partition key template has no field (`hash = "FEED"`): an upsert
/// that creates the item writes it, as a put does, so the item is in the index.
#[test]
fn adversarial11_upsert_writes_index_keys_with_no_fields() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Feed::put(&db, &Feed { id: "f1".into(), posted: 1, body: "put".into() }).await.unwrap();
        Feed::update(&db, Feed::key("f2"))
            .set(&Feed::POSTED, 2u64)
            .set(&Feed::BODY, "upserted")
            .upsert()
            .await
            .unwrap();
        let expected = Feed { id: "f2".into(), posted: 2, body: "upserted".into() };
        assert_eq!(raw::<Feed>(&db, &Feed::key("f2")).await.unwrap(), expected.to_item().unwrap());
        let ids: Vec<String> = Feed::GSI1.query(&db, ()).await.unwrap().into_iter().map(|f| f.id).collect();
        assert_eq!(ids, ["f1", "f2"]);
    })
}

/// An upsert that creates an item whose index sort key is its `created_at` field: the
/// item created is the one a put writes, index keys included, so it is in the index.
#[test]
fn adversarial11_upsert_creating_an_item_with_created_at_in_an_index_key() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Post::update(&db, Post::key("p1")).set(&Post::AUTHOR, "ann").set(&Post::BODY, "x").upsert().await.unwrap();
        let read = Post::get(&db, Post::key("p1")).consistent().await.unwrap().unwrap();
        assert_ne!(read.posted, 0);
        assert_eq!(raw::<Post>(&db, &Post::key("p1")).await.unwrap(), read.to_item().unwrap());
        assert_eq!(Post::GSI1.query(&db, "ann").await.unwrap(), vec![read]);
    })
}

/// An index sort key mixing a key field with an optional one (`{tag}#{id}`): an upsert
/// that does not touch `tag` goes through (the key field it writes again is the same),
/// creating the item as a put of it would, or keeping the stored index key.
#[test]
fn adversarial11_upsert_not_touching_an_optional_index_field() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Tagged::put(&db, &Tagged { id: "t1".into(), tag: Some("red".into()), total: 1 }).await.unwrap();
        let r = Tagged::update(&db, Tagged::key("t1")).set(&Tagged::TOTAL, 2i64).upsert().await;
        assert_eq!(r.map(drop).map_err(|e| e.to_string()), Ok(()));
        let expected = Tagged { id: "t1".into(), tag: Some("red".into()), total: 2 };
        assert_eq!(raw::<Tagged>(&db, &Tagged::key("t1")).await.unwrap(), expected.to_item().unwrap());
        let r = Tagged::update(&db, Tagged::key("t2")).set(&Tagged::TOTAL, 3i64).upsert().await;
        assert_eq!(r.map(drop).map_err(|e| e.to_string()), Ok(()));
        let created = Tagged { id: "t2".into(), tag: None, total: 3 };
        assert_eq!(raw::<Tagged>(&db, &Tagged::key("t2")).await.unwrap(), created.to_item().unwrap());
    })
}

/// An update whose rewrite of an index partition key (from two fields it sets) makes
/// that key too long is refused before sending, alone, upserting and in a transaction;
/// at the limit it is written.
#[test]
fn adversarial11_an_index_key_made_too_long_by_an_update_is_refused() {
    run(|db| async move {
        App::create_table(&db).await.unwrap();
        Two::put(&db, &Two { id: "t1".into(), f: "a".into(), g: "x".into(), note: "n".into() }).await.unwrap();
        let before = raw::<Two>(&db, &Two::key("t1")).await.unwrap();
        let (c, requests) = counted(&db);
        // gsi2pk = "F2#a#" + g: 5 + 2044 = 2049 bytes.
        refused!(
            requests,
            Two::update(&c, Two::key("t1")).set(&Two::F, "a").set(&Two::G, "g".repeat(2044)),
            Error::Invalid { attribute, reason: InvalidReason::KeyTooLong { len: 2049, max: 2048 }, .. } if attribute == "gsi2pk"
        );
        refused!(
            requests,
            Two::update(&c, Two::key("t1")).set(&Two::F, "a").set(&Two::G, "#".repeat(1022)).upsert(),
            Error::Invalid { reason: InvalidReason::KeyTooLong { len: 2049, max: 2048 }, .. }
        );
        refused!(
            requests,
            c.transaction().update(Two::update(&c, Two::key("t1")).set(&Two::F, "a").set(&Two::G, "g".repeat(2044))),
            Error::Action { index: 0, .. }
        );
        assert_eq!(raw::<Two>(&db, &Two::key("t1")).await, Some(before));
        Two::update(&c, Two::key("t1")).set(&Two::F, "a").set(&Two::G, "g".repeat(2043)).await.unwrap();
        assert_eq!(raw::<Two>(&db, &Two::key("t1")).await.unwrap()["gsi2pk"].as_s().unwrap().len(), 2048);
    })
}

// ---------------------------------------------------------------------------------------
// Collections
// ---------------------------------------------------------------------------------------

fn kinds(items: &[Account]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item {
            Account::User(u) => format!("user {}", u.user_id),
            Account::Order(o) => format!("order {} {}", o.created, o.order_id),
            Account::Invoice(i) => format!("invoice {}", i.invoice_id),
        })
        .collect()
}

/// A collection of three models, with an outsider in the partition: order, pages,
/// `limit`, `count`, `descending`, filters on a field only one model has.
#[test]
fn adversarial11_a_collection_of_three_models() {
    run(|db| async move {
        seed_orders(&db).await;
        Invoice::put(&db, &Invoice { user_id: "42".into(), invoice_id: "i2".into(), amount: 500 }).await.unwrap();
        // An outsider: a raw item with another marker in the partition.
        db.client()
            .put_item()
            .table_name(db.table_name::<User>())
            .item("pk", s("USER#42"))
            .item("sk", s("NOTE#1"))
            .item("_type", s("NOTE"))
            .send()
            .await
            .unwrap();
        let expected =
            ["invoice i1", "invoice i2", "order 1 a", "order 2 a", "order 2 b", "order 2 c", "order 3 a", "user 42"];
        let q = || Account::query(&db, User::partition("42")).consistent();
        assert_eq!(kinds(&q().await.unwrap()), expected);
        assert_eq!(q().count().await.unwrap(), 8);
        let mut reversed = expected.to_vec();
        reversed.reverse();
        assert_eq!(kinds(&paged!(q().descending().page_size(1), 3)), reversed);
        assert_eq!(kinds(&paged!(q(), 1)), expected);
        assert_eq!(kinds(&q().limit(3).await.unwrap()), expected[..3]);
        assert_eq!(kinds(&q().filter(Invoice::AMOUNT.gt(100i64)).await.unwrap()), ["invoice i2"]);
        assert_eq!(q().filter(Invoice::AMOUNT.gt(100i64)).count().await.unwrap(), 1);
        assert_eq!(kinds(&q().filter(Invoice::AMOUNT.lt(100i64)).limit(5).await.unwrap()), ["invoice i1"]);
        assert_eq!(kinds(&q().filter(User::LABEL.eq("Ada")).await.unwrap()), ["user 42"]);
        assert_eq!(kinds(&q().range(Invoice::sk()).await.unwrap()), ["invoice i1", "invoice i2"]);
        assert_eq!(kinds(&q().range(Invoice::sk().invoice_id_gt("i1")).await.unwrap()), ["invoice i2"]);
        // The two-model collection over the same partition.
        let two = UserOrders::query(&db, User::partition("42")).consistent().await.unwrap();
        assert_eq!(two.len(), 6);
    })
}

/// A collection given the partition another model of the table builds: it reads that
/// partition, where none of its models are (nothing), and a partition where one is.
#[test]
fn adversarial11_a_collection_over_a_partition_built_by_another_model() {
    run(|db| async move {
        seed_orders(&db).await;
        OrderItem::put(&db, &OrderItem { order_id: "a".into(), line: 1, sku: "X".into() }).await.unwrap();
        // Control: the partition is not empty.
        assert_eq!(OrderItem::query(&db, "a").await.unwrap().len(), 1);
        assert_eq!(Account::query(&db, OrderItem::partition("a")).await.unwrap(), vec![]);
        assert_eq!(Account::query(&db, OrderItem::partition("a")).count().await.unwrap(), 0);
        // `USER#42` built by the order's template is the user's partition.
        assert_eq!(Account::query(&db, Order::partition("42")).count().await.unwrap(), 7);
        assert_eq!(Account::query(&db, Invoice::partition("42")).limit(1).await.unwrap().len(), 1);
        // A partition an item of another model names as its text: `ORDER#a` for user
        // `a` is `USER#a`, not the item's partition.
        assert_eq!(Account::query(&db, User::partition("ORDER#a")).await.unwrap(), vec![]);
    })
}

/// A stream dropped after two items sent only the requests those items needed, and
/// the next query works as usual.
#[test]
fn adversarial11_a_collection_stream_dropped_midway() {
    run(|db| async move {
        seed_orders(&db).await;
        let (c, requests) = counted(&db);
        let before = requests.count();
        let first: Vec<Account> = Account::query(&c, User::partition("42"))
            .consistent()
            .page_size(1)
            .stream()
            .take(2)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(kinds(&first), ["invoice i1", "order 1 a"]);
        assert_eq!(requests.count() - before, 2, "the stream read ahead");
        let mut stream = Box::pin(Order::query(&c, "42").page_size(2).stream());
        let one = stream.next().await.unwrap().unwrap();
        assert_eq!(one.order_id, "a");
        drop(stream);
        assert_eq!(Account::query(&c, User::partition("42")).count().await.unwrap(), 7);
    })
}

/// A cursor from one collection's page given to another collection type of the same
/// table and partition, or to a model's query: refused before sending, or resumed at
/// exactly the position it names; never an error from DynamoDB.
#[test]
fn adversarial11_collection_cursors_given_to_another_collection() {
    run(|db| async move {
        seed_orders(&db).await;
        let (c, requests) = counted(&db);
        let page = Account::query(&c, User::partition("42")).limit(3).page(None).await.unwrap();
        assert_eq!(kinds(&page.items), ["invoice i1", "order 1 a", "order 2 a"]);
        let cursor = page.cursor.unwrap();
        // The other collection resumes at the position the cursor names.
        let rest = UserOrders::query(&c, User::partition("42")).page(Some(cursor.clone())).await.unwrap();
        let rest: Vec<String> = rest
            .items
            .iter()
            .map(|r| match r {
                UserOrders::User(u) => format!("user {}", u.user_id),
                UserOrders::Order(o) => format!("order {} {}", o.created, o.order_id),
            })
            .collect();
        assert_eq!(rest, ["order 2 b", "order 2 c", "order 3 a", "user 42"]);
        refused!(
            requests,
            Account::query(&c, User::partition("7")).page(Some(cursor.clone())),
            Error::InvalidCursor { .. }
        );
        refused!(
            requests,
            Account::query(&c, User::partition("42")).range(Invoice::sk()).page(Some(cursor.clone())),
            Error::InvalidCursor { .. }
        );
        // Control: the cursor resumes its own query.
        let rest = Account::query(&c, User::partition("42")).page(Some(cursor)).await.unwrap();
        assert_eq!(kinds(&rest.items), ["order 2 b", "order 2 c", "order 3 a", "user 42"]);
    })
}

// ---------------------------------------------------------------------------------------
// Entity markers
// ---------------------------------------------------------------------------------------

/// A table with custom key names, a custom marker attribute, odd marker values (with
/// `#`, a quote, a space, unicode), TTL and a keys-only index: items carry exactly those
/// attributes, every read checks the custom marker, and an item holding the default
/// `_type` instead is no item.
#[test]
fn adversarial11_custom_marker_attribute_and_odd_entity_names() {
    run(|db| async move {
        Kinded::create_table(&db).await.unwrap();
        let user = KUser { id: "1".into(), name: "Ann".into(), exp: Some(u64::from(u32::MAX)) };
        KUser::put(&db, &user).await.unwrap();
        for (n_, tag) in [(1u32, "red"), (2, "red"), (3, "blue")] {
            KOrder::put(&db, &KOrder { id: "1".into(), n: n_, tag: tag.into() }).await.unwrap();
        }
        let raw1 = raw::<KUser>(&db, &KUser::key("1")).await.unwrap();
        let mut names: Vec<&str> = raw1.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["PK", "SK", "exp", "id", "kind", "name"]);
        assert_eq!(raw1["kind"], s("US#ER\"é🎉"));
        let raw2 = raw::<KOrder>(&db, &KOrder::key("1", 1u32)).await.unwrap();
        assert_eq!(
            (raw2["kind"].clone(), raw2["TagPK"].clone(), raw2["TagSK"].clone()),
            (s("ord er"), s("T#red"), s("0000000001"))
        );
        assert_eq!(KUser::get(&db, KUser::key("1")).consistent().await.unwrap(), Some(user.clone()));
        assert_eq!(KOrder::query(&db, "1").await.unwrap().len(), 3);
        assert_eq!(KUser::scan(&db).await.unwrap(), vec![user.clone()]);
        let rows = KData::query(&db, KUser::partition("1")).await.unwrap();
        assert_eq!(rows.len(), 4);
        assert!(matches!(&rows[3], KData::User(u) if *u == user));
        // Keys only: a view of the key fields is refused or read; a count answers.
        assert_eq!(KOrder::BY_TAG.query(&db, "red").count().await.unwrap(), 2);
        // Every field of the order is in a template: it decodes whole from keys only.
        assert_eq!(
            KOrder::BY_TAG.query(&db, "red").await.unwrap(),
            [KOrder { id: "1".into(), n: 1, tag: "red".into() }, KOrder { id: "1".into(), n: 2, tag: "red".into() }]
        );
        assert_eq!(KOrder::BY_TAG.query(&db, "red").range(KOrder::by_tag_sk().n_gt(1u32)).count().await.unwrap(), 1);
        let desc =
            db.client().describe_table().table_name(db.table_name::<KUser>()).send().await.unwrap().table.unwrap();
        let gsi = &desc.global_secondary_indexes.unwrap()[0];
        assert_eq!(gsi.projection.as_ref().unwrap().non_key_attributes.clone().unwrap_or_default(), ["kind"]);
        let mut keys: Vec<String> = desc.key_schema.unwrap().into_iter().map(|k| k.attribute_name).collect();
        keys.sort();
        assert_eq!(keys, ["PK", "SK"]);
        let ttl = db.client().describe_time_to_live().table_name(db.table_name::<KUser>()).send().await.unwrap();
        assert_eq!(ttl.time_to_live_description.unwrap().attribute_name.as_deref(), Some("exp"));
        // An item with the default marker attribute, not the table's: no item.
        db.client()
            .put_item()
            .table_name(db.table_name::<KUser>())
            .item("PK", s("U#2"))
            .item("SK", s("P"))
            .item("_type", s("US#ER\"é🎉"))
            .item("id", s("2"))
            .item("name", s("raw"))
            .send()
            .await
            .unwrap();
        assert_eq!(KUser::get(&db, KUser::key("2")).consistent().await.unwrap(), None);
        assert_eq!(raw_all::<KUser>(&db).await.len(), 5, "the raw item is there");
        assert_eq!(KUser::scan(&db).count().await.unwrap(), 1);
        let w = KUser::put(&db, &KUser { id: "2".into(), name: "x".into(), exp: None }).await;
        assert!(matches!(&w, Err(Error::WrongEntity { found, .. }) if found == "no entity marker"), "{w:?}");
        // Expired users are skipped.
        KUser::put(&db, &KUser { id: "3".into(), name: "old".into(), exp: Some(1) }).await.unwrap();
        assert_eq!(KUser::get(&db, KUser::key("3")).skip_expired().await.unwrap(), None);
    })
}

/// `from_item` of an item with every field and key but no marker, or the marker under
/// the wrong attribute, is a decode error naming the marker attribute; a collection's
/// `from_item` of an unknown marker is an error too. Control: with it, it decodes.
#[test]
fn adversarial11_from_item_without_the_marker() {
    let o = order("42", 1, "a", "paid");
    let mut item = o.to_item().unwrap();
    assert_eq!(Order::from_item(item.clone()).unwrap(), o);
    assert_eq!(Account::from_item(item.clone()).unwrap(), Account::Order(o.clone()));
    item.remove("_type");
    let e = Order::from_item(item.clone()).unwrap_err();
    assert!(
        matches!(&e, Error::Decode { model: "Order", attribute, found, .. } if attribute == "_type" && found == "no entity marker"),
        "{e:?}"
    );
    assert!(Account::from_item(item.clone()).is_err());
    let mut k = KOrder { id: "1".into(), n: 1, tag: "t".into() }.to_item().unwrap();
    k.insert("_type".into(), k["kind"].clone());
    k.remove("kind");
    let e = KOrder::from_item(k).unwrap_err();
    assert!(matches!(&e, Error::Decode { attribute, .. } if attribute == "kind"), "{e:?}");
    item.insert("_type".into(), s("USER"));
    let e = Order::from_item(item).unwrap_err();
    assert!(
        matches!(&e, Error::Decode { attribute, found, .. } if attribute == "_type" && found.contains("USER")),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Reads that restore fields from keys
// ---------------------------------------------------------------------------------------

/// Views and selections on the table and on indexes that project a few attributes: the
/// model restores its fields from the keys of what it queries; a view (not the model)
/// needs what it reads to be projected, and is refused before sending otherwise.
#[test]
fn adversarial11_projections_and_selections_restore_from_keys() {
    run(|db| async move {
        seed_orders(&db).await;
        let (c, requests) = counted(&db);
        let views = Order::query(&c, "42").project_into::<OrderView>().await.unwrap();
        assert_eq!(views[0], OrderView { order_id: "a".into(), created: 1, total: 10 });
        assert_eq!(views.len(), 5);
        let selected = Order::query(&c, "42").select(&Order::STATUS).select(&Order::TOTAL).limit(2).await.unwrap();
        assert_eq!(ids(&selected), pairs(&[(1, "a"), (2, "a")]));
        assert_eq!(selected[0], order("42", 1, "a", "paid"));
        // gsi3 projects `total` only: the model decodes (restored), a view of fields that
        // live only in keys does not.
        let sel = Order::GSI3.query(&c, "paid").select(&Order::TOTAL).await.unwrap();
        assert_eq!(sel.len(), 6);
        assert_eq!(sel[0], order("42", 1, "a", "paid"));
        let e =
            refused!(requests, Order::GSI3.query(&c, "paid").project_into::<OrderView>(), Error::Unprojected { .. });
        let Error::Unprojected { missing, .. } = e else { unreachable!() };
        assert_eq!(missing, ["order_id", "created"]);
        let e = refused!(requests, Order::GSI2.query(&c, "paid"), Error::Unprojected { .. });
        let Error::Unprojected { missing, .. } = e else { unreachable!() };
        assert_eq!(missing, ["total"]);
        // A filter on a restored (not projected) field of an index is refused too.
        refused!(requests, Order::GSI3.query(&c, "paid").filter(Order::ORDER_ID.eq("a")), Error::Unprojected { .. });
        assert_eq!(Order::GSI3.query(&c, "paid").filter(Order::TOTAL.eq(10i64)).count().await.unwrap(), 6);
    })
}

/// A selection on an index that names fields the model restores from the keys (they
/// live only in the index's or the table's keys there): the model decodes, fields
/// restored, and nothing is sent that DynamoDB rejects.
#[test]
fn adversarial11_selecting_restored_fields_on_an_index() {
    run(|db| async move {
        seed_orders(&db).await;
        let all = Order::GSI3.query(&db, "paid").await.unwrap();
        assert_eq!(all.len(), 6);
        let got = |r: dynamo_model::Result<Vec<Order>>| r.map_err(|e| e.to_string());
        // Control: a selection of what gsi3 projects.
        assert_eq!(got(Order::GSI3.query(&db, "paid").select(&Order::TOTAL).await), Ok(all.clone()));
        assert_eq!(
            got(Order::GSI3.query(&db, "paid").select(&Order::TOTAL).select(&Order::STATUS).await),
            Ok(all.clone())
        );
        assert_eq!(
            got(Order::GSI3.query(&db, "paid").select(&Order::TOTAL).select(&Order::ORDER_ID).await),
            Ok(all.clone())
        );
        let mut scanned = Order::GSI3.scan(&db).select(&Order::TOTAL).select(&Order::USER_ID).await.unwrap();
        scanned.sort_by_key(|o| (o.created, o.order_id.clone()));
        assert_eq!(scanned, all);
    })
}

// ---------------------------------------------------------------------------------------
// Table declarations
// ---------------------------------------------------------------------------------------

/// A table without a sort key: its models have no `range`, each partition holds one
/// item, queries, collections, an index with no sort key, cursors.
#[test]
fn adversarial11_a_table_without_a_sort_key() {
    run(|db| async move {
        Flat::create_table(&db).await.unwrap();
        let desc = db.client().describe_table().table_name(db.table_name::<Acc>()).send().await.unwrap().table.unwrap();
        assert_eq!(desc.key_schema.unwrap().len(), 1);
        for i in 0..3 {
            Acc::put(&db, &Acc { id: format!("a{i}"), email: "same@x".into(), plan: "free".into() }).await.unwrap();
        }
        Cfg::put(&db, &Cfg { name: "c".into(), value: 1 }).await.unwrap();
        let raw1 = raw::<Acc>(&db, &Acc::key("a0")).await.unwrap();
        assert_eq!(
            (raw1["pk"].clone(), raw1["emailpk"].clone(), raw1["_type"].clone()),
            (s("ACC#a0"), s("EMAIL#same@x"), s("ACC"))
        );
        assert_eq!(raw1.get("sk"), None);
        assert_eq!(Acc::get(&db, Acc::key("a1")).consistent().await.unwrap().unwrap().id, "a1");
        assert_eq!(Acc::query(&db, "a2").await.unwrap().len(), 1);
        // `Cfg` "c" is stored as `ACC#c`: the account query of "c" does not read it.
        assert_eq!(Acc::query(&db, "c").await.unwrap(), vec![]);
        assert!(
            matches!(FlatData::query(&db, Acc::partition("c")).await.unwrap().as_slice(), [FlatData::Cfg(c)] if c.value == 1)
        );
        let by_email = paged!(Acc::BY_EMAIL.query(&db, "same@x"), 1);
        let mut got: Vec<String> = by_email.into_iter().map(|a| a.id).collect();
        got.sort();
        assert_eq!(got, ["a0", "a1", "a2"]);
        assert_eq!(Acc::scan(&db).count().await.unwrap(), 3);
        let w = Acc::put(&db, &Acc { id: "c".into(), email: "e".into(), plan: "p".into() }).await;
        assert!(matches!(&w, Err(Error::WrongEntity { found, .. }) if found == "CFG"), "{w:?}");
        Acc::update(&db, Acc::key("a0")).set(&Acc::EMAIL, "new@x").await.unwrap();
        assert_eq!(Acc::BY_EMAIL.query(&db, "new@x").await.unwrap().len(), 1);
    })
}

/// Local secondary indexes declared on the table and used by a model: created, kept in
/// step by updates, queried with typed conditions (consistent reads allowed), a
/// keys-only one restoring the model's template fields.
#[test]
fn adversarial11_local_secondary_indexes() {
    run(|db| async move {
        Local::create_table(&db).await.unwrap();
        let desc = db.client().describe_table().table_name(db.table_name::<Ev>()).send().await.unwrap().table.unwrap();
        let mut lsis: Vec<String> =
            desc.local_secondary_indexes.unwrap_or_default().into_iter().filter_map(|i| i.index_name).collect();
        lsis.sort();
        assert_eq!(lsis, ["lsi1", "lsi2"]);
        for (id, at, level) in [("e1", 30u64, 2u8), ("e2", 10, 1), ("e3", 20, 2)] {
            Ev::put(&db, &Ev { stream: "s".into(), id: id.into(), at, level, label: id.to_uppercase() }).await.unwrap();
        }
        let evs = |items: Vec<Ev>| items.into_iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(evs(Ev::LSI1.query(&db, "s").consistent().await.unwrap()), ["e2", "e3", "e1"]);
        assert_eq!(evs(Ev::LSI1.query(&db, "s").range(Ev::lsi1_sk().at_gt(10u64)).await.unwrap()), ["e3", "e1"]);
        assert_eq!(evs(Ev::LSI1.query(&db, "s").range(Ev::lsi1_sk().at(20u64).id_ge("e")).await.unwrap()), ["e3"]);
        Ev::update(&db, Ev::key("s", "e1")).set(&Ev::AT, 5u64).await.unwrap();
        assert_eq!(raw::<Ev>(&db, &Ev::key("s", "e1")).await.unwrap()["lsi1sk"], s("AT#00000000000000000005#e1"));
        assert_eq!(evs(Ev::LSI1.query(&db, "s").consistent().await.unwrap()), ["e1", "e2", "e3"]);
        // lsi2 is keys only: a count answers.
        assert_eq!(Ev::LSI2.query(&db, "s").range(Ev::lsi2_sk().level(2u8)).count().await.unwrap(), 2);
        let (c, _requests) = counted(&db);
        let labels = Ev::LSI1.query(&c, "s").range(Ev::lsi1_sk().at_ge(20u64)).project_into::<EvLabel>().await.unwrap();
        assert_eq!(labels, [EvLabel { id: "e3".into(), label: "E3".into() }]);
    })
}

/// A table prefix on the `Db`: the shared table and its indexes are created under the
/// prefixed name, models find them, and other prefixes see nothing.
#[test]
fn adversarial11_table_prefix_with_custom_keys() {
    run(|db| async move {
        let p = db.clone().with_table_prefix(format!("{}p11_", db.table_prefix()));
        Kinded::create_table(&p).await.unwrap();
        assert!(Kinded::table_exists(&p).await.unwrap());
        assert!(!Kinded::table_exists(&db).await.unwrap());
        assert_eq!(p.table_name::<KOrder>(), format!("{}p11_adv11_kind", db.table_prefix()));
        KOrder::put(&p, &KOrder { id: "1".into(), n: 1, tag: "t".into() }).await.unwrap();
        assert_eq!(KOrder::BY_TAG.query(&p, "t").count().await.unwrap(), 1);
        let r = KOrder::get(&db, KOrder::key("1", 1u32)).await;
        assert!(matches!(r, Err(Error::TableNotFound { .. })), "{r:?}");
    })
}

/// A local index that does not project an attribute: DynamoDB would fetch it from the
/// table (at the cost of a read of each item), but the library refuses such reads before
/// sending, as it does for a model with a table of its own (`Unprojected`), so that no
/// read costs more than its index shows. The control shows DynamoDB's own answer.
#[test]
fn adversarial11_a_local_index_serves_attributes_it_does_not_project() {
    run(|db| async move {
        Local::create_table(&db).await.unwrap();
        for (id, at, level) in [("e1", 30u64, 2u8), ("e2", 10, 1), ("e3", 20, 2)] {
            Ev::put(&db, &Ev { stream: "s".into(), id: id.into(), at, level, label: id.to_uppercase() }).await.unwrap();
        }
        // Control: DynamoDB answers the index query with every attribute.
        let out = db
            .client()
            .query()
            .table_name(db.table_name::<Ev>())
            .index_name("lsi2")
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s("STREAM#s"))
            .select(aws_sdk_dynamodb::types::Select::AllAttributes)
            .send()
            .await
            .unwrap();
        let items = out.items.unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["label"], s("E2"));
        let (c, requests) = counted(&db);
        refused!(
            requests,
            Ev::LSI2.query(&c, "s").range(Ev::lsi2_sk().level(2u8)),
            Error::Unprojected { missing, .. } if *missing == ["at", "label"]
        );
        refused!(
            requests,
            Ev::LSI2.query(&c, "s").range(Ev::lsi2_sk().level(2u8)).project_into::<EvLabel>(),
            Error::Unprojected { missing, .. } if *missing == ["id", "label"]
        );
    })
}
