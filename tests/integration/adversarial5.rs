//! Fifth round of adversarial probes against DynamoDB Local, aimed at the last fixes:
//! `Path::then` rebasing the container / converted mark of an inner path, `unordered()`
//! on `with` fields, and `push_length` aggregating part writes of one container.
//!
//! Failing at the commit these were written on (`6503a74`):
//! - `opaque_nested` (11 of 13 cases): writes of an element/entry of a list or map inside
//!   a document field with `validate(with = f)`, however the path is built
//!   (`BAG.then(Bag::TAGS.key(t))`, `BAG.then(Bag::ITEMS).index(0)`, `BAGS.index(0).then(..)`,
//!   `BY_NAME.key(a).then(..)`), are sent and applied: the stored item breaks the rule;
//! - `serde_order`: `gt`/`between`/`begins_with`/`lt` on a serde `Vec<u8>` (stored L) or
//!   `SystemTime` (stored M) are sent and rejected by DynamoDB (ValidationException);
//! - `attribute_type` on a `with` field (direct, or through `then`) is sent: tests the
//!   stored form;
//! - `eq_path` of a `with` field and a plain field of the same type is sent and silently
//!   never matches.
//!
//! Promises probed (README):
//! 1. a request DynamoDB would reject is a typed error before anything is sent;
//! 2. a write DynamoDB applied is never reported failed; one reported failed wrote nothing;
//! 3. nothing is written that the model cannot read back, and field rules hold on the
//!    stored item after any update (a field with rules only its whole value can be
//!    checked against, `validate(with = f)`, can only be written whole);
//! 4. a `with` / `serde` field is written and compared whole: a path inside it, however
//!    built, is `Converted` before sending; a `with` field is compared for equality only.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::future::IntoFuture;

use dynamo_model::expr::AttributeType;
use dynamo_model::{Db, Document, Error, Model};

use crate::adversarial2::as_text;
use crate::adversarial3::map_text;
use crate::common::{check_stored, converted, counted, outcome, run, sent, strings, uncheckable};

fn bmap(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

// ============================================================== opaque containers lost through nesting

/// A document field with `validate(with = f)` (a rule only its whole value can be checked
/// against): README says it can only be written whole (`UncheckableRule`). Paths that
/// reach a list or map *inside* it, by `.then(..).index(i)` or `.then(X.index(i))`, must
/// be refused just as `.then(Bag::N)` is.
mod opaque_nested {
    use super::*;

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Sub {
        pub list: Vec<String>,
    }

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Bag {
        pub n: i64,
        pub items: Vec<String>,
        pub tags: BTreeMap<String, String>,
        pub sub: Sub,
    }

    fn clean(bag: &Bag) -> bool {
        let bad = |s: &String| s == "bad";
        !bag.items.iter().any(bad) && !bag.tags.values().any(bad) && !bag.sub.list.iter().any(bad) && bag.n != 13
    }

    pub fn bag_ok(bag: &Bag) -> Result<(), String> {
        if clean(bag) {
            Ok(())
        } else {
            Err("a bag holds no `bad` and n is not 13".into())
        }
    }

    pub fn bags_ok(bags: &[Bag]) -> Result<(), String> {
        if bags.iter().all(clean) {
            Ok(())
        } else {
            Err("no bag holds `bad`".into())
        }
    }

    pub fn by_name_ok(bags: &HashMap<String, Bag>) -> Result<(), String> {
        if bags.values().all(clean) {
            Ok(())
        } else {
            Err("no bag holds `bad`".into())
        }
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv5_opaque")]
    pub struct O {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(validate(with = bag_ok))]
        pub bag: Bag,
        #[dynamo(validate(with = bags_ok))]
        pub bags: Vec<Bag>,
        #[dynamo(validate(with = by_name_ok))]
        pub by_name: HashMap<String, Bag>,
    }

    fn bag() -> Bag {
        Bag { n: 1, items: strings(&["a"]), tags: bmap(&[("t", "ok")]), sub: Sub { list: strings(&["s"]) } }
    }

    fn o() -> O {
        O { id: "x".into(), bag: bag(), bags: vec![bag()], by_name: HashMap::from([("a".to_owned(), bag())]) }
    }

    type Make = for<'a> fn(&'a Db) -> dynamo_model::ops::Update<'a, O>;

    fn cases() -> Vec<(&'static str, Make)> {
        vec![
            ("CONTROL set(&BAG.then(Bag::N), 13)", |d| O::update(d, O::key("x")).set(&O::BAG.then(Bag::N), 13)),
            ("CONTROL set(&BAGS.index(0).then(Bag::N), 13)", |d| {
                O::update(d, O::key("x")).set(&O::BAGS.index(0).then(Bag::N), 13)
            }),
            ("set(&BAG.then(Bag::ITEMS).index(0), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BAG.then(Bag::ITEMS).index(0), "bad")
            }),
            ("set(&BAG.then(Bag::ITEMS.index(0)), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BAG.then(Bag::ITEMS.index(0)), "bad")
            }),
            ("set(&BAG.then(Bag::TAGS.key(t)), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BAG.then(Bag::TAGS.key("t")), "bad")
            }),
            ("set(&BAG.then(Bag::SUB.then(Sub::LIST.index(0))), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BAG.then(Bag::SUB.then(Sub::LIST.index(0))), "bad")
            }),
            ("set(&BAG.then(Bag::SUB).then(Sub::LIST).index(0), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BAG.then(Bag::SUB).then(Sub::LIST).index(0), "bad")
            }),
            ("append(&BAG.then(Bag::SUB.then(Sub::LIST)), [bad])", |d| {
                O::update(d, O::key("x")).append(&O::BAG.then(Bag::SUB.then(Sub::LIST)), ["bad"])
            }),
            ("set(&BAGS.index(0).then(Bag::TAGS).key(t), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BAGS.index(0).then(Bag::TAGS).key("t"), "bad")
            }),
            ("set(&BAGS.index(0).then(Bag::TAGS.key(t)), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BAGS.index(0).then(Bag::TAGS.key("t")), "bad")
            }),
            ("set_if_not_exists(&BAGS.index(0).then(Bag::ITEMS.index(5)), bad)", |d| {
                O::update(d, O::key("x")).set_if_not_exists(&O::BAGS.index(0).then(Bag::ITEMS.index(5)), "bad")
            }),
            ("set(&BY_NAME.key(a).then(Bag::ITEMS.index(0)), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BY_NAME.key("a").then(Bag::ITEMS.index(0)), "bad")
            }),
            ("set(&BY_NAME.key(a).then(Bag::SUB.then(Sub::LIST)).index(0), bad)", |d| {
                O::update(d, O::key("x")).set(&O::BY_NAME.key("a").then(Bag::SUB.then(Sub::LIST)).index(0), "bad")
            }),
        ]
    }

    #[test]
    fn writes_into_lists_and_maps_inside_a_validate_with_document_are_refused_as_uncheckable() {
        run(|db| async move {
            O::create_table(&db).await.unwrap();
            let mut broken = Vec::new();
            for (what, make) in cases() {
                O::put(&db, &o()).await.unwrap();
                let (c, requests) = counted(&db);
                let (count, result) = sent(&requests, make(&c).into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                if let Some(line) = check_stored::<O>(&db, O::key("x"), what).await {
                    broken.push(line);
                }
                let after = O::get(&db, O::key("x")).consistent().await.ok().flatten();
                if result.is_err() && after.as_ref() != Some(&o()) {
                    broken.push(format!("promise 2: `{what}` reported failed but changed the item: {after:?}"));
                }
                if !(count == 0 && uncheckable(&result)) {
                    broken.push(format!(
                        "README (validate(with) written whole only): `{what}` expected UncheckableRule with no request, got {count} request(s), {}",
                        outcome(&result)
                    ));
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }
}

// ============================================================== deep then chains into with / serde

mod then_deep {
    use super::*;

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct In5 {
        #[dynamo(with = map_text)]
        pub jmap: HashMap<String, i64>,
        #[dynamo(serde)]
        pub smap: HashMap<String, i64>,
        #[dynamo(with = as_text)]
        pub num: i64,
        #[dynamo(validate(non_empty))]
        pub list: Vec<String>,
        #[dynamo(validate(len(max = 2)))]
        pub capped: BTreeMap<String, String>,
        pub plain: i64,
    }

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Mid {
        pub inner: In5,
        pub inners: Vec<In5>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv5_deep")]
    pub struct D {
        #[dynamo(hash_key)]
        pub id: String,
        pub top: Mid,
        pub tops: Vec<Mid>,
        pub by: HashMap<String, Mid>,
        pub opt: Option<Mid>,
    }

    fn in5() -> In5 {
        In5 {
            jmap: HashMap::from([("k".to_owned(), 1)]),
            smap: HashMap::from([("k".to_owned(), 1)]),
            num: 10,
            list: strings(&["a"]),
            capped: bmap(&[("a", "v")]),
            plain: 10,
        }
    }

    fn mid() -> Mid {
        Mid { inner: in5(), inners: vec![in5()] }
    }

    fn d(id: &str) -> D {
        D {
            id: id.into(),
            top: mid(),
            tops: vec![mid()],
            by: HashMap::from([("a".to_owned(), mid())]),
            opt: Some(mid()),
        }
    }

    type Make = for<'a> fn(&'a Db) -> dynamo_model::ops::Update<'a, D>;

    fn writes() -> Vec<(&'static str, &'static str, Make)> {
        vec![
            ("set(&TOP.then(Mid::INNER.then(In5::JMAP.key(k))), 5)", "jmap", |c| {
                D::update(c, D::key("x")).set(&D::TOP.then(Mid::INNER.then(In5::JMAP.key("k"))), 5)
            }),
            ("set(&TOP.then(Mid::INNERS.index(0).then(In5::SMAP.key(k))), 5)", "smap", |c| {
                D::update(c, D::key("x")).set(&D::TOP.then(Mid::INNERS.index(0).then(In5::SMAP.key("k"))), 5)
            }),
            ("add(&TOPS.index(0).then(Mid::INNER.then(In5::SMAP.key(k))), 1)", "smap", |c| {
                D::update(c, D::key("x")).add(&D::TOPS.index(0).then(Mid::INNER.then(In5::SMAP.key("k"))), 1)
            }),
            ("remove(&BY.key(a).then(Mid::INNERS.index(0).then(In5::JMAP.key(k))))", "jmap", |c| {
                D::update(c, D::key("x")).remove(&D::BY.key("a").then(Mid::INNERS.index(0).then(In5::JMAP.key("k"))))
            }),
            ("set_if_not_exists(&OPT.then(Mid::INNER.then(In5::SMAP.key(z))), 1)", "smap", |c| {
                D::update(c, D::key("x")).set_if_not_exists(&D::OPT.then(Mid::INNER.then(In5::SMAP.key("z"))), 1)
            }),
            ("set_to(&TOP.then(Mid::INNER.then(In5::NUM)), same.plus(1))", "num", |c| {
                D::update(c, D::key("x"))
                    .set_to(&D::TOP.then(Mid::INNER.then(In5::NUM)), D::TOP.then(Mid::INNER.then(In5::NUM)).plus(1))
            }),
            ("set_to(&TOP.then(Mid::INNER.then(In5::PLAIN)), TOP.then(Mid::INNER.then(In5::SMAP.key(k))).minus(1))", "smap", |c| {
                D::update(c, D::key("x")).set_to(
                    &D::TOP.then(Mid::INNER.then(In5::PLAIN)),
                    D::TOP.then(Mid::INNER.then(In5::SMAP.key("k"))).minus(1),
                )
            }),
            ("set_from(&TOP.then(Mid::INNER.then(In5::PLAIN)), &TOPS.index(0).then(Mid::INNERS.index(0).then(In5::SMAP.key(k))))", "smap", |c| {
                D::update(c, D::key("x")).set_from(
                    &D::TOP.then(Mid::INNER.then(In5::PLAIN)),
                    &D::TOPS.index(0).then(Mid::INNERS.index(0).then(In5::SMAP.key("k"))),
                )
            }),
            ("set(&TOP.then(Mid::INNER.then(In5::LIST)), [z]) if TOP.then(Mid::INNER.then(In5::JMAP.key(k))).exists()", "jmap", |c| {
                D::update(c, D::key("x"))
                    .set(&D::TOP.then(Mid::INNER.then(In5::LIST)), strings(&["z"]))
                    .condition(D::TOP.then(Mid::INNER.then(In5::JMAP.key("k"))).exists())
            }),
            ("set LIST if TOPS[0].then(INNERS[0].then(NUM)).gt(5)", "num", |c| {
                D::update(c, D::key("x"))
                    .set(&D::TOP.then(Mid::INNER.then(In5::LIST)), strings(&["z"]))
                    .condition(D::TOPS.index(0).then(Mid::INNERS.index(0).then(In5::NUM)).gt(5))
            }),
            ("set LIST if size(BY[a].then(INNER.then(JMAP))) = 1", "jmap", |c| {
                D::update(c, D::key("x"))
                    .set(&D::TOP.then(Mid::INNER.then(In5::LIST)), strings(&["z"]))
                    .condition(D::BY.key("a").then(Mid::INNER.then(In5::JMAP)).size().eq(1))
            }),
            ("set LIST if OPT.then(INNER.then(NUM)).between(1, 20)", "num", |c| {
                D::update(c, D::key("x"))
                    .set(&D::TOP.then(Mid::INNER.then(In5::LIST)), strings(&["z"]))
                    .condition(D::OPT.then(Mid::INNER.then(In5::NUM)).between(1, 20))
            }),
            ("set LIST if TOP.then(INNER.then(NUM)).gt_path(TOP.then(INNER.then(PLAIN)))", "num", |c| {
                D::update(c, D::key("x"))
                    .set(&D::TOP.then(Mid::INNER.then(In5::LIST)), strings(&["z"]))
                    .condition(D::TOP.then(Mid::INNER.then(In5::PLAIN)).gt_path(&D::TOP.then(Mid::INNER.then(In5::NUM))))
            }),
        ]
    }

    #[test]
    fn writes_and_conditions_inside_converted_fields_through_deep_then_chains_are_converted() {
        run(|db| async move {
            D::create_table(&db).await.unwrap();
            let mut broken = Vec::new();
            for (what, attribute, make) in writes() {
                D::put(&db, &d("x")).await.unwrap();
                let (c, requests) = counted(&db);
                let (count, result) = sent(&requests, make(&c).into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                if let Some(line) = check_stored::<D>(&db, D::key("x"), what).await {
                    broken.push(line);
                }
                let after = D::get(&db, D::key("x")).consistent().await.ok().flatten();
                if result.is_err() && after.as_ref() != Some(&d("x")) {
                    broken.push(format!("promise 2: `{what}` reported failed but changed the item"));
                }
                if !(count == 0 && converted(&result, attribute)) {
                    broken.push(format!(
                        "promise 4: `{what}`: expected Converted({attribute}) with no request, got {count} request(s), {}",
                        outcome(&result)
                    ));
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }

    #[test]
    fn filters_inside_converted_fields_through_deep_then_chains_are_converted() {
        run(|db| async move {
            D::create_table(&db).await.unwrap();
            D::put(&db, &d("x")).await.unwrap();
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            let filters: Vec<(&str, &str, dynamo_model::expr::Condition<D>)> = vec![
                (
                    "TOP.then(INNER.then(JMAP.key(k))).eq(1)",
                    "jmap",
                    D::TOP.then(Mid::INNER.then(In5::JMAP.key("k"))).eq(1).into(),
                ),
                (
                    "TOPS[0].then(INNERS[0].then(SMAP.key(k))).exists()",
                    "smap",
                    D::TOPS.index(0).then(Mid::INNERS.index(0).then(In5::SMAP.key("k"))).exists(),
                ),
                (
                    "BY[a].then(INNER.then(NUM)).ge(5)",
                    "num",
                    D::BY.key("a").then(Mid::INNER.then(In5::NUM)).ge(5).into(),
                ),
                (
                    "OPT.then(INNERS[0].then(JMAP)).size().gt(0)",
                    "jmap",
                    D::OPT.then(Mid::INNERS.index(0).then(In5::JMAP)).size().gt(0),
                ),
                (
                    "TOP.then(INNER.then(NUM)).attribute_type(N)",
                    "num",
                    D::TOP.then(Mid::INNER.then(In5::NUM)).attribute_type(AttributeType::N),
                ),
                (
                    "TOP.then(INNER).then(NUM).attribute_type(N)",
                    "num",
                    D::TOP.then(Mid::INNER).then(In5::NUM).attribute_type(AttributeType::N),
                ),
            ];
            for (what, attribute, filter) in filters {
                let (count, result) = sent(&requests, D::scan(&c).filter(filter).into_future()).await;
                eprintln!("scan filter {what}: {count} request(s), {:?}", result.as_ref().map(Vec::len));
                if !(count == 0 && converted(&result, attribute)) {
                    broken.push(format!(
                        "promise 4: filter `{what}`: expected Converted({attribute}) with no request, got {count} request(s), {:?}",
                        result.as_ref().map(Vec::len)
                    ));
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }

    /// len rules of containers reached by deep chains, and two part writes of one
    /// container named by different shapes (aggregated by push_length).
    #[test]
    fn len_rules_hold_through_deep_then_chains() {
        run(|db| async move {
            D::create_table(&db).await.unwrap();
            let cases: Vec<(&str, Make)> = vec![
                ("remove(&TOP.then(Mid::INNER.then(In5::LIST.index(0)))) /* non_empty [a] */", |c| {
                    D::update(c, D::key("x")).remove(&D::TOP.then(Mid::INNER.then(In5::LIST.index(0))))
                }),
                ("remove(&TOPS.index(0).then(Mid::INNERS.index(0).then(In5::LIST.index(0))))", |c| {
                    D::update(c, D::key("x")).remove(&D::TOPS.index(0).then(Mid::INNERS.index(0).then(In5::LIST.index(0))))
                }),
                ("set(&BY.key(a).then(Mid::INNER.then(In5::CAPPED.key(b)))) + set(.. CAPPED).key(c) /* max 2, holds {a} */", |c| {
                    D::update(c, D::key("x"))
                        .set(&D::BY.key("a").then(Mid::INNER.then(In5::CAPPED.key("b"))), "v")
                        .set(&D::BY.key("a").then(Mid::INNER).then(In5::CAPPED).key("c"), "v")
                }),
                ("set(&OPT.then(Mid::INNERS.index(0).then(In5::CAPPED.key(b)))) + set(OPT.then(INNERS.index(0)).then(CAPPED.key(c)))", |c| {
                    D::update(c, D::key("x"))
                        .set(&D::OPT.then(Mid::INNERS.index(0).then(In5::CAPPED.key("b"))), "v")
                        .set(&D::OPT.then(Mid::INNERS.index(0)).then(In5::CAPPED.key("c")), "v")
                }),
                ("remove(TOP.then(INNER.then(LIST.index(0)))) + remove(TOP.then(INNER).then(LIST).index(1)) on [a, b]", |c| {
                    D::update(c, D::key("y"))
                        .remove(&D::TOP.then(Mid::INNER.then(In5::LIST.index(0))))
                        .remove(&D::TOP.then(Mid::INNER).then(In5::LIST).index(1))
                }),
            ];
            let mut broken = Vec::new();
            for (what, make) in cases {
                let mut y = d("y");
                y.top.inner.list = strings(&["a", "b"]);
                D::put(&db, &d("x")).await.unwrap();
                D::put(&db, &y).await.unwrap();
                let (c, requests) = counted(&db);
                let (count, result) = sent(&requests, make(&c).into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                if let Err(error @ Error::Service { .. }) = &result {
                    broken.push(format!("promise 1: `{what}` rejected by DynamoDB: {error}"));
                }
                for key in ["x", "y"] {
                    if let Some(line) = check_stored::<D>(&db, D::key(key), what).await {
                        broken.push(line);
                    }
                }
                if !matches!(result, Err(Error::Validation { .. })) {
                    broken.push(format!("`{what}`: expected Validation, got {count} request(s), {}", outcome(&result)));
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }

    /// A selection of a path inside a converted field: DynamoDB cannot see into it, so
    /// what comes back is not the stored value. Converted before sending, or read right.
    #[test]
    fn selecting_a_path_inside_a_converted_field_is_refused_before_sending() {
        run(|db| async move {
            D::create_table(&db).await.unwrap();
            D::put(&db, &d("x")).await.unwrap();
            let (c, requests) = counted(&db);
            let (count, result) = sent(
                &requests,
                D::scan(&c)
                    .select(&D::TOP.then(Mid::INNER.then(In5::JMAP.key("k"))))
                    .select(&D::TOPS)
                    .select(&D::BY)
                    .select(&D::OPT)
                    .into_future(),
            )
            .await;
            assert!(count == 0 && converted(&result, "jmap"), "{count} request(s), {result:?}");
            // The control: the whole converted field is selected and read.
            let (count, result) = sent(
                &requests,
                D::scan(&c).select(&D::TOP).select(&D::TOPS).select(&D::BY).select(&D::OPT).into_future(),
            )
            .await;
            let items = result.unwrap();
            assert_eq!((count, items.len()), (1, 1));
            assert_eq!(items[0].top.inner.jmap, in5().jmap);
        });
    }
}

// ============================================================== with fields compared whole

mod with_compare {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv5_with")]
    pub struct W {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(with = as_text)]
        pub num: i64,
        pub plain: i64,
        #[dynamo(with = as_text)]
        pub num2: i64,
    }

    /// `attribute_type` tests the stored form: a `with` i64 stored as S is not N. README
    /// lists equality tests only (eq, ne, is_in, exists) for a `with` field.
    #[test]
    fn attribute_type_of_a_with_field_is_converted() {
        run(|db| async move {
            W::create_table(&db).await.unwrap();
            W::put(&db, &W { id: "a".into(), num: 10, plain: 10, num2: 1 }).await.unwrap();
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, W::scan(&c).filter(W::NUM.attribute_type(AttributeType::N)).into_future()).await;
            eprintln!(
                "filter NUM /* with as_text, i64 */ .attribute_type(N): {count} request(s), {:?}",
                result.as_ref().map(Vec::len)
            );
            assert!(
                count == 0 && converted(&result, "num"),
                "promise 4: attribute_type on a `with` field tests the stored form: {count} request(s), {:?} (the i64 item does not match N)",
                result.as_ref().map(Vec::len)
            );
        });
    }

    /// `eq_path` of a `with` field and a plain one of the same Rust type: stored forms
    /// differ (S "10" vs N 10), so equal values never compare equal. set_from refuses
    /// the same pair (UncheckableCopy); a comparison should not silently answer wrong.
    #[test]
    fn eq_path_of_a_with_field_and_a_plain_field_is_refused_before_sending() {
        run(|db| async move {
            W::create_table(&db).await.unwrap();
            W::put(&db, &W { id: "a".into(), num: 10, plain: 10, num2: 10 }).await.unwrap();
            let (c, requests) = counted(&db);
            let (count, result) = sent(&requests, W::scan(&c).filter(W::NUM.eq_path(&W::PLAIN)).into_future()).await;
            eprintln!(
                "filter NUM.eq_path(PLAIN) on num = plain = 10: {count} request(s), {:?}",
                result.as_ref().map(Vec::len)
            );
            assert!(
                count == 0 && converted(&result, "num"),
                "NUM (with) eq_path PLAIN: {count} request(s), {result:?}"
            );
            // The control: two fields stored through the same `with` compare as stored.
            let (count, result) = sent(&requests, W::scan(&c).filter(W::NUM.eq_path(&W::NUM2)).into_future()).await;
            assert_eq!((count, result.map(|items| items.len()).ok()), (1, Some(1)), "NUM eq_path NUM2");
        });
    }

    /// A second `with` field: ordered comparisons, plus, add, and condition on it in an update.
    #[test]
    fn order_tests_and_arithmetic_of_with_fields_are_converted() {
        run(|db| async move {
            W::create_table(&db).await.unwrap();
            W::put(&db, &W { id: "a".into(), num: 10, plain: 10, num2: 10 }).await.unwrap();
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            let (count, result) = sent(&requests, W::scan(&c).filter(W::NUM2.gt(9)).into_future()).await;
            if !(count == 0 && converted(&result, "num2")) {
                broken.push(format!("filter NUM2.gt(9): {count} request(s), {:?}", result.as_ref().map(Vec::len)));
            }
            let (count, result) = sent(
                &requests,
                W::update(&c, W::key("a")).set(&W::PLAIN, 1).condition(W::NUM2.lt_path(&W::NUM)).into_future(),
            )
            .await;
            if !(count == 0 && converted(&result, "num")) {
                broken.push(format!("condition NUM2.lt_path(NUM): {count} request(s), {}", outcome(&result)));
            }
            let (count, result) =
                sent(&requests, W::update(&c, W::key("a")).set_to(&W::PLAIN, W::NUM.plus(1)).into_future()).await;
            if !(count == 0 && converted(&result, "num")) {
                broken.push(format!("set_to(PLAIN, NUM.plus(1)): {count} request(s), {}", outcome(&result)));
            }
            let (count, result) = sent(&requests, W::update(&c, W::key("a")).add(&W::NUM2, 1).into_future()).await;
            if !(count == 0 && converted(&result, "num2")) {
                broken.push(format!("add(NUM2, 1): {count} request(s), {}", outcome(&result)));
            }
            if let Some(line) = check_stored::<W>(&db, W::key("a"), "with ops").await {
                broken.push(line);
            }
            assert!(broken.is_empty(), "promise 4:\n{}", broken.join("\n"));
        });
    }
}

// ============================================================== serde fields whose stored form has no order

/// A `serde` field of an ordered Rust type whose serde form is a list or a map
/// (`Vec<u8>` → L of N, `SystemTime` → M): order comparisons, `between` and
/// `begins_with` send an L / M value operand, which DynamoDB rejects.
mod serde_order {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv5_serde_order")]
    pub struct S {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(serde)]
        pub bytes: Vec<u8>,
        #[dynamo(serde)]
        pub when: SystemTime,
        pub note: String,
    }

    #[test]
    fn order_and_prefix_tests_of_serde_fields_stored_as_lists_or_maps_are_refused_before_sending() {
        run(|db| async move {
            S::create_table(&db).await.unwrap();
            let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
            S::put(&db, &S { id: "a".into(), bytes: vec![1, 2, 3], when: t, note: "n".into() }).await.unwrap();
            let raw = crate::common::raw::<S>(&db, &S::key("a")).await;
            eprintln!("stored: {raw:?}");
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            let filters: Vec<(&str, dynamo_model::expr::Condition<S>)> = vec![
                ("BYTES.gt([0])", S::BYTES.gt(vec![0u8]).into()),
                ("BYTES.between([0], [9])", S::BYTES.between(vec![0u8], vec![9u8]).into()),
                ("BYTES.begins_with([1])", S::BYTES.begins_with(vec![1u8]).into()),
                ("WHEN.gt(EPOCH)", S::WHEN.gt(SystemTime::UNIX_EPOCH).into()),
                ("WHEN.between(EPOCH, t)", S::WHEN.between(SystemTime::UNIX_EPOCH, t).into()),
            ];
            for (what, filter) in filters {
                let (count, result) = sent(&requests, S::scan(&c).filter(filter).into_future()).await;
                if !(count == 0 && converted(&result, "")) {
                    broken.push(format!("filter {what}: {count} request(s), {}", outcome(&result)));
                }
            }
            // The control: `size()` of the serde list counts its elements.
            let (count, result) = sent(&requests, S::scan(&c).filter(S::BYTES.size().eq(3)).into_future()).await;
            broken.extend(crate::common::judge_filter("BYTES.size().eq(3)", count, &result, 1));
            for (what, update) in [
                (
                    "update set NOTE if BYTES.ge([1])",
                    S::update(&c, S::key("a")).set(&S::NOTE, "m").condition(S::BYTES.ge(vec![1u8])),
                ),
                (
                    "update set NOTE if WHEN.lt(t)",
                    S::update(&c, S::key("a")).set(&S::NOTE, "m").condition(S::WHEN.lt(t)),
                ),
            ] {
                let (count, result) = sent(&requests, update.into_future()).await;
                if !(count == 0 && converted(&result, "")) {
                    broken.push(format!("{what}: {count} request(s), {}", outcome(&result)));
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }
}
