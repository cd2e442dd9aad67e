//! Fourth round of adversarial probes against DynamoDB Local, aimed at what changed last:
//! several part writes of one container checked together (`push_length`, `part_emptied`),
//! writes and conditions inside `with` / `serde` fields refused as `Converted`
//! (`Path::unseen`), and versions stopping at `u64::MAX` (`lifecycle`).
//!
//! Promises (README):
//! 1. a request DynamoDB would reject is a typed error before anything is sent;
//! 2. a write DynamoDB applied is never reported failed; one reported failed wrote nothing;
//! 3. nothing is written that the model cannot read back, and field rules (`len`,
//!    `non_empty`, `min`, `max`) hold on the stored item after any update.
//!
//! Each probe asserts its promise and fails, with the operation and the stored item, when
//! it is broken. Conservative refusals (a write that would keep the rules but is not
//! applied) are printed, not asserted.
//!
//! Failing at the commit these were written on (`927c854`):
//! - `then_nested::*` (5): `A.then(Doc::F.index(i) / .key(k) / .then(..))` loses the
//!   container of the inner path (it stays relative to `Doc`, so `part` never matches it:
//!   no len guard) and loses `inside` (no Converted): len/non_empty broken in the stored
//!   item, ValidationException for writes inside `with` fields, an unreadable item for a
//!   write inside a strict serde document, conditions/filters silently false;
//! - `whole_converted::*` (3): `gt`, `size()` and `begins_with` on a whole `with` field
//!   are sent and compare the stored form (wrong results, no refusal);
//! - `mixed::adding_more_new_entries_than_max_*`: PathNotFound instead of Validation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;
use std::future::IntoFuture;

use dynamo_model::{AttributeValue, Db, DecodeError, Document, EncodeError, Error, Model, RequestReason, Rule};

use crate::adversarial2::as_text;
use crate::adversarial3::{level_text, map_text, Lvl};
use crate::common::{converted, counted, not_rejected, outcome, readable_and_valid, run, sent, strings};

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn bmap(keys: &[&str]) -> BTreeMap<String, String> {
    keys.iter().map(|k| ((*k).to_owned(), "v".to_owned())).collect()
}

// ============================================================== `then` with a nested field path

/// `A.then(Doc::F.key(k))` names the same attribute as `A.then(Doc::F).key(k)`; the
/// library must treat both the same (len guards, Converted refusals).
mod then_nested {
    use super::*;

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Inner {
        #[dynamo(validate(non_empty))]
        pub list: Vec<String>,
        #[dynamo(validate(len(max = 2)))]
        pub capped: BTreeMap<String, String>,
        #[dynamo(validate(non_empty))]
        pub groups: HashMap<String, BTreeSet<String>>,
        #[dynamo(with = map_text)]
        pub jmap: HashMap<String, i64>,
        #[dynamo(with = level_text)]
        pub wlevel: Lvl,
        #[dynamo(serde)]
        pub strict: Strict,
    }

    /// A document stored through serde under another name, refusing unknown fields.
    #[derive(Document, serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Default)]
    #[serde(deny_unknown_fields)]
    pub struct Strict {
        #[serde(rename = "lvl")]
        pub level: i64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv4_then")]
    pub struct T {
        #[dynamo(hash_key)]
        pub id: String,
        pub doc: Inner,
        pub docs: Vec<Inner>,
    }

    fn inner() -> Inner {
        Inner {
            list: strings(&["a"]),
            capped: bmap(&["a", "b"]),
            groups: HashMap::from([("a".to_owned(), set(&["x"]))]),
            jmap: HashMap::from([("k".to_owned(), 1)]),
            wlevel: Lvl { level: 5 },
            strict: Strict { level: 5 },
        }
    }

    async fn setup(db: &Db, id: &str) -> T {
        T::create_table(db).await.unwrap();
        T::put(db, &T { id: id.into(), doc: inner(), docs: vec![inner()] }).await.unwrap()
    }

    /// The control: the conventional path shape is guarded.
    #[test]
    fn removing_the_only_element_of_a_non_empty_list_in_a_document_is_refused_conventional_path() {
        run(|db| async move {
            setup(&db, "c").await;
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, T::update(&c, T::key("c")).remove(&T::DOC.then(Inner::LIST).index(0)).into_future())
                    .await;
            not_rejected("remove(&DOC.then(LIST).index(0))", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "{result:?}");
            readable_and_valid::<T>(&db, T::key("c"), "remove(&DOC.then(LIST).index(0))").await;
        });
    }

    #[test]
    fn removing_the_only_element_of_a_non_empty_list_via_then_of_an_element_path_is_not_applied() {
        run(|db| async move {
            let before = setup(&db, "r").await;
            let (c, requests) = counted(&db);
            let what = "remove(&DOC.then(Inner::LIST.index(0))) on doc.list = [a] /* non_empty */";
            let (count, result) =
                sent(&requests, T::update(&c, T::key("r")).remove(&T::DOC.then(Inner::LIST.index(0))).into_future())
                    .await;
            eprintln!("{what}: {count} request(s), {}", outcome(&result));
            not_rejected(what, count, &result);
            assert_eq!(count, 1, "{what}");
            assert!(
                matches!(&result, Err(Error::Validation { errors, .. })
                    if errors.len() == 1 && errors[0].attribute == "doc.list" && matches!(errors[0].rule, Rule::Length { .. })),
                "{what}: {result:?}"
            );
            let after = readable_and_valid::<T>(&db, T::key("r"), what).await;
            assert_eq!(after, before, "{what}: not applied");
        });
    }

    #[test]
    fn setting_a_new_entry_of_a_full_capped_map_via_then_of_an_entry_path_is_not_applied() {
        run(|db| async move {
            let before = setup(&db, "m").await;
            let (c, requests) = counted(&db);
            let what = "set(&DOC.then(Inner::CAPPED.key(c)), v) on doc.capped = {a, b} /* len(max = 2) */";
            let (count, result) = sent(
                &requests,
                T::update(&c, T::key("m")).set(&T::DOC.then(Inner::CAPPED.key("c")), "v").into_future(),
            )
            .await;
            eprintln!("{what}: {count} request(s), {}", outcome(&result));
            not_rejected(what, count, &result);
            assert_eq!(count, 1, "{what}");
            assert!(
                matches!(&result, Err(Error::Validation { errors, .. })
                    if errors.len() == 1 && errors[0].attribute == "doc.capped" && matches!(errors[0].rule, Rule::Length { .. })),
                "{what}: {result:?}"
            );
            let after = readable_and_valid::<T>(&db, T::key("m"), what).await;
            assert_eq!(after, before, "{what}: not applied");
        });
    }

    #[test]
    fn emptying_the_only_set_of_a_non_empty_map_in_a_listed_document_via_then_of_an_entry_path_is_not_applied() {
        run(|db| async move {
            let before = setup(&db, "g").await;
            let (c, requests) = counted(&db);
            let what = "delete_from_set(&DOCS.index(0).then(Inner::GROUPS.key(a)), [x]) on {a: {x}} /* non_empty */";
            let (count, result) = sent(
                &requests,
                T::update(&c, T::key("g"))
                    .delete_from_set(&T::DOCS.index(0).then(Inner::GROUPS.key("a")), ["x"])
                    .into_future(),
            )
            .await;
            eprintln!("{what}: {count} request(s), {}", outcome(&result));
            not_rejected(what, count, &result);
            assert_eq!(count, 1, "{what}");
            assert!(
                matches!(&result, Err(Error::Validation { errors, .. })
                    if errors.len() == 1 && errors[0].attribute == "docs[0].groups" && matches!(errors[0].rule, Rule::Length { .. })),
                "{what}: {result:?}"
            );
            let after = readable_and_valid::<T>(&db, T::key("g"), what).await;
            assert_eq!(after, before, "{what}: not applied");
        });
    }

    /// Writes inside a `with` field of a nested document, named through `then` of a path
    /// that is itself inside the field: Converted, no request.
    #[test]
    fn writes_inside_a_with_field_named_through_then_of_an_inner_path_are_converted() {
        run(|db| async move {
            let before = setup(&db, "w").await;
            let (c, requests) = counted(&db);
            let key = || T::key("w");
            let cases = [
                (
                    "set(&DOC.then(Inner::JMAP.key(k)), 5)",
                    "jmap",
                    T::update(&c, key()).set(&T::DOC.then(Inner::JMAP.key("k")), 5),
                ),
                (
                    "add(&DOC.then(Inner::JMAP.key(k)), 1)",
                    "jmap",
                    T::update(&c, key()).add(&T::DOC.then(Inner::JMAP.key("k")), 1),
                ),
                (
                    "remove(&DOC.then(Inner::JMAP.key(k)))",
                    "jmap",
                    T::update(&c, key()).remove(&T::DOC.then(Inner::JMAP.key("k"))),
                ),
                (
                    "add(&DOCS.index(0).then(Inner::WLEVEL.then(Lvl::LEVEL)), 1)",
                    "wlevel",
                    T::update(&c, key()).add(&T::DOCS.index(0).then(Inner::WLEVEL.then(Lvl::LEVEL)), 1),
                ),
                (
                    "set(&DOC.then(Inner::WLEVEL.then(Lvl::LEVEL)), 3)",
                    "wlevel",
                    T::update(&c, key()).set(&T::DOC.then(Inner::WLEVEL.then(Lvl::LEVEL)), 3),
                ),
            ];
            let mut broken = Vec::new();
            for (what, attribute, update) in cases {
                let (count, result) = sent(&requests, update.into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                if !(count == 0 && converted(&result, attribute)) {
                    broken.push(format!("{what}: {count} request(s), {result:?}"));
                }
            }
            let after = readable_and_valid::<T>(&db, T::key("w"), "writes inside with via then").await;
            assert_eq!(after, before, "nothing was written");
            assert!(broken.is_empty(), "promise 1: expected Converted with no request:\n{}", broken.join("\n"));
        });
    }

    /// A write inside a serde document (stored as `lvl`, unknown fields refused) named
    /// through `then` of an inner path: Converted, or the item still reads back.
    #[test]
    fn a_write_inside_a_strict_serde_document_named_through_then_of_an_inner_path_keeps_the_item_readable() {
        run(|db| async move {
            let before = setup(&db, "s").await;
            let (c, requests) = counted(&db);
            let what = "set(&DOC.then(Inner::STRICT.then(Strict::LEVEL)), 3) /* serde, deny_unknown_fields */";
            let (count, result) = sent(
                &requests,
                T::update(&c, T::key("s")).set(&T::DOC.then(Inner::STRICT.then(Strict::LEVEL)), 3).into_future(),
            )
            .await;
            eprintln!("{what}: {count} request(s), {}", outcome(&result));
            not_rejected(what, count, &result);
            let after = readable_and_valid::<T>(&db, T::key("s"), what).await;
            assert!(count == 0 && converted(&result, "strict"), "{what}: expected Converted, got {result:?}");
            assert_eq!(after, before);
        });
    }

    /// Conditions and filters inside a `with` field named the same way: Converted, with
    /// no request (sent, they would silently match nothing: jmap holds k = 1 as text).
    #[test]
    fn conditions_and_filters_inside_a_with_field_named_through_then_of_an_inner_path_are_converted() {
        run(|db| async move {
            setup(&db, "f").await;
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            let (count, result) = sent(
                &requests,
                T::update(&c, T::key("f"))
                    .set(&T::DOC.then(Inner::LIST), strings(&["z"]))
                    .condition(T::DOC.then(Inner::JMAP.key("k")).eq(1))
                    .into_future(),
            )
            .await;
            eprintln!("condition DOC.then(JMAP.key(k)).eq(1): {count} request(s), {}", outcome(&result));
            if !(count == 0 && converted(&result, "jmap")) {
                broken.push(format!("update condition DOC.then(JMAP.key(k)).eq(1): {count} request(s), {result:?}"));
            }
            let (count, result) =
                sent(&requests, T::scan(&c).filter(T::DOC.then(Inner::JMAP.key("k")).exists()).into_future()).await;
            eprintln!(
                "scan filter DOC.then(JMAP.key(k)).exists(): {count} request(s), {:?}",
                result.as_ref().map(Vec::len)
            );
            if !(count == 0 && converted(&result, "jmap")) {
                broken.push(format!("scan filter DOC.then(JMAP.key(k)).exists(): {count} request(s), {result:?}"));
            }
            let (count, result) = sent(
                &requests,
                T::scan(&c).filter(T::DOCS.index(0).then(Inner::WLEVEL.then(Lvl::LEVEL)).eq(5)).into_future(),
            )
            .await;
            if !(count == 0 && converted(&result, "wlevel")) {
                broken.push(format!(
                    "scan filter DOCS[0].then(WLEVEL.then(LEVEL)).eq(5): {count} request(s), {result:?}"
                ));
            }
            assert!(broken.is_empty(), "expected Converted with no request:\n{}", broken.join("\n"));
        });
    }
}

// ============================================================== whole converted fields compared

/// A string stored reversed: `contains` and `begins_with` on the stored form do not mean
/// the same on the value.
pub mod reversed {
    use super::*;

    pub fn to_attribute(value: &str) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(value.chars().rev().collect()))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<String, DecodeError> {
        let AttributeValue::S(text) = value else { return Err(DecodeError::new("S", "another type")) };
        Ok(text.chars().rev().collect())
    }
}

mod whole_converted {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv4_whole")]
    pub struct W {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(with = as_text)]
        pub num: i64,
        #[dynamo(with = map_text)]
        pub jmap: HashMap<String, i64>,
        #[dynamo(with = reversed)]
        pub rev: String,
        #[dynamo(serde)]
        pub smap: HashMap<String, i64>,
    }

    fn w(id: &str, num: i64) -> W {
        W {
            id: id.into(),
            num,
            jmap: HashMap::from([("k".to_owned(), num)]),
            rev: "abcd".into(),
            smap: HashMap::from([("k".to_owned(), num)]),
        }
    }

    async fn setup(db: &Db) {
        W::create_table(db).await.unwrap();
        W::put(db, &w("ten", 10)).await.unwrap();
        W::put(db, &w("five", 5)).await.unwrap();
    }

    async fn ids(result: dynamo_model::Result<Vec<W>>) -> dynamo_model::Result<Vec<String>> {
        result.map(|items| {
            let mut ids: Vec<String> = items.into_iter().map(|w| w.id).collect();
            ids.sort();
            ids
        })
    }

    /// `gt` on a number stored as text compares the text: "10" < "9".
    #[test]
    fn an_order_comparison_on_a_number_stored_as_text_is_refused_before_sending() {
        run(|db| async move {
            setup(&db).await;
            let (c, requests) = counted(&db);
            let (count, result) = sent(&requests, W::scan(&c).filter(W::NUM.gt(9)).into_future()).await;
            not_rejected("filter NUM.gt(9)", count, &result);
            let got = ids(result).await;
            eprintln!("filter NUM /* with = as_text */ .gt(9) over {{10, 5}}: {count} request(s), {got:?}");
            assert!(count == 0 && converted(&got, "num"), "expected Converted: got {count} request(s), {got:?}");
            // The same through a write's condition: the update of `ten` with NUM > 9.
            let (count, result) =
                sent(&requests, W::update(&c, W::key("ten")).set(&W::REV, "zz").condition(W::NUM.gt(9)).into_future())
                    .await;
            eprintln!("update ten condition NUM.gt(9): {count} request(s), {}", outcome(&result));
            assert!(
                count == 0 && converted(&result, "num"),
                "condition NUM.gt(9) on num = 10: expected Converted, got {count} request(s), {result:?}"
            );
            // The control: equality compares the stored text exactly as the value.
            let (count, result) = sent(&requests, W::scan(&c).filter(W::NUM.eq(10)).into_future()).await;
            assert_eq!((count, ids(result).await.unwrap()), (1, vec!["ten".to_owned()]));
        });
    }

    /// `size()` of a map stored as one string is the string's length.
    #[test]
    fn size_of_a_map_stored_as_text_is_refused_and_of_a_serde_map_counts_entries() {
        run(|db| async move {
            setup(&db).await;
            let (c, requests) = counted(&db);
            let (count, result) = sent(&requests, W::scan(&c).filter(W::JMAP.size().eq(1)).into_future()).await;
            not_rejected("filter JMAP.size().eq(1)", count, &result);
            let got = ids(result).await;
            eprintln!("filter size(JMAP /* with, S */) = 1 over two maps of one entry: {count} request(s), {got:?}");
            assert!(count == 0 && converted(&got, "jmap"), "expected Converted: got {count} request(s), {got:?}");
            // serde map is stored as a map: size works.
            let (count, result) = sent(&requests, W::scan(&c).filter(W::SMAP.size().eq(1)).into_future()).await;
            not_rejected("filter SMAP.size().eq(1)", count, &result);
            let got = ids(result).await;
            assert_eq!(got.ok(), Some(vec!["five".to_owned(), "ten".to_owned()]), "serde map size");
        });
    }

    /// `contains` and `begins_with` on a string stored reversed.
    #[test]
    fn substring_tests_on_a_string_stored_through_with_are_refused_before_sending() {
        run(|db| async move {
            setup(&db).await;
            let (c, requests) = counted(&db);
            let (count, result) = sent(&requests, W::scan(&c).filter(W::REV.begins_with("ab")).into_future()).await;
            not_rejected("filter REV.begins_with(ab)", count, &result);
            let got = ids(result).await;
            eprintln!("filter REV /* with = reversed */ .begins_with(ab) on abcd: {count} request(s), {got:?}");
            let mut broken = Vec::new();
            if !(count == 0 && converted(&got, "rev")) {
                broken.push(format!("begins_with(ab) on \"abcd\": {count} request(s), {got:?}"));
            }
            let (count, result) = sent(&requests, W::scan(&c).filter(W::REV.contains("abc")).into_future()).await;
            not_rejected("filter REV.contains(abc)", count, &result);
            let got = ids(result).await;
            eprintln!("filter REV.contains(abc) on abcd: {count} request(s), {got:?}");
            if !(count == 0 && converted(&got, "rev")) {
                broken.push(format!("contains(abc) on \"abcd\": {count} request(s), {got:?}"));
            }
            assert!(broken.is_empty(), "expected Converted with no request:\n{}", broken.join("\n"));
        });
    }

    /// The whole field is written and compared as stored: these work.
    #[test]
    fn whole_converted_fields_are_written_and_compared_equal() {
        run(|db| async move {
            setup(&db).await;
            let (c, requests) = counted(&db);
            let new_map = HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]);
            let after = accepted!(
                requests,
                W::update(&c, W::key("ten"))
                    .set(&W::JMAP, new_map.clone())
                    .set(&W::NUM, 11)
                    .set(&W::REV, "xyz")
                    .set(&W::SMAP, new_map.clone())
                    .condition(W::NUM.eq(10) & W::JMAP.eq(HashMap::from([("k".to_owned(), 10)])) & W::REV.eq("abcd"))
            )
            .into_item()
            .unwrap();
            assert_eq!((after.num, &after.jmap, after.rev.as_str(), &after.smap), (11, &new_map, "xyz", &new_map));
            let got = W::scan(&db)
                .filter(W::JMAP.eq(new_map.clone()) & W::SMAP.eq(new_map.clone()) & W::REV.ne("zyx"))
                .await
                .unwrap();
            assert_eq!(got.len(), 1);
            readable_and_valid::<W>(&db, W::key("ten"), "whole writes").await;
            // Parts of the serde map: Converted.
            refused!(
                requests,
                W::update(&c, W::key("ten")).set(&W::SMAP.key("c"), 3),
                Error::InvalidRequest { reason: RequestReason::Converted { .. }, .. }
            );
            refused!(
                requests,
                W::scan(&c).filter(W::SMAP.key("a").eq(1)).into_future(),
                Error::InvalidRequest { reason: RequestReason::Converted { .. }, .. }
            );
        });
    }
}

// ============================================================== mixed part writes at the limits

mod mixed {
    use super::*;

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Bx {
        #[dynamo(validate(len(min = 1, max = 2)))]
        pub tags: BTreeSet<String>,
        #[dynamo(validate(len(max = 2)))]
        pub inner: BTreeMap<String, String>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv4_mixed")]
    pub struct C {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(validate(len(min = 2, max = 3)))]
        pub m: BTreeMap<String, String>,
        #[dynamo(validate(len(min = 2, max = 3)))]
        pub l: Vec<String>,
        #[dynamo(validate(non_empty))]
        pub ml: HashMap<String, Vec<String>>,
        #[dynamo(validate(len(max = 2)))]
        pub sets: Vec<BTreeSet<String>>,
        #[dynamo(validate(len(min = 1, max = 2)))]
        pub boxes: Vec<Bx>,
        pub nums: Vec<i64>,
    }

    fn c(id: &str) -> C {
        C {
            id: id.into(),
            m: bmap(&["a", "b", "c"]),
            l: strings(&["a", "b", "c"]),
            ml: HashMap::from([("a".to_owned(), strings(&["x"]))]),
            sets: vec![set(&["x"]), set(&["y"])],
            boxes: vec![Bx { tags: set(&["t"]), inner: bmap(&["a", "b"]) }],
            nums: vec![1],
        }
    }

    type Make = for<'a> fn(&'a Db) -> dynamo_model::ops::Update<'a, C>;

    fn case(what: &'static str, before: C, make: Make, keeps: bool) -> (&'static str, C, Make, bool) {
        (what, before, make, keeps)
    }

    /// (what, item before, update, whether the result keeps the rules)
    fn cases() -> Vec<(&'static str, C, Make, bool)> {
        let two = |mut item: C| {
            item.m = bmap(&["a", "b"]);
            item.l = strings(&["a", "b"]);
            item
        };
        vec![
            // maps, len(min 2, max 3)
            case(
                "m {a,b,c}: remove a + set d",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::M.key("a")).set(&C::M.key("d"), "v"),
                true,
            ),
            case(
                "m {a,b,c}: remove a + remove b + set d",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::M.key("a")).remove(&C::M.key("b")).set(&C::M.key("d"), "v"),
                true,
            ),
            case(
                "m {a,b}: remove a + remove b + set c + set d",
                two(c("x")),
                |d| {
                    C::update(d, C::key("x"))
                        .remove(&C::M.key("a"))
                        .remove(&C::M.key("b"))
                        .set(&C::M.key("c"), "v")
                        .set(&C::M.key("d"), "v")
                },
                true,
            ),
            case(
                "m {a,b}: remove a + set a2",
                two(c("x")),
                |d| C::update(d, C::key("x")).remove(&C::M.key("a")).set(&C::M.key("a2"), "v"),
                true,
            ),
            case(
                "m {a,b}: remove a + remove zz",
                two(c("x")),
                |d| C::update(d, C::key("x")).remove(&C::M.key("a")).remove(&C::M.key("zz")),
                false,
            ),
            case(
                "m {a,b}: remove a + set b (overwrite)",
                two(c("x")),
                |d| C::update(d, C::key("x")).remove(&C::M.key("a")).set(&C::M.key("b"), "w"),
                false,
            ),
            case(
                "m {a,b,c}: set a (overwrite) + set d",
                c("x"),
                |d| C::update(d, C::key("x")).set(&C::M.key("a"), "w").set(&C::M.key("d"), "v"),
                false,
            ),
            case(
                "m {a,b,c}: set_if_not_exists d + add? remove c",
                c("x"),
                |d| C::update(d, C::key("x")).set_if_not_exists(&C::M.key("d"), "v").remove(&C::M.key("c")),
                true,
            ),
            // lists, len(min 2, max 3)
            case(
                "l [a,b,c]: remove [0] + set [5]",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::L.index(0)).set(&C::L.index(5), "d"),
                true,
            ),
            case(
                "l [a,b,c]: remove [0] + remove [1] + set [9]",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::L.index(0)).remove(&C::L.index(1)).set(&C::L.index(9), "d"),
                true,
            ),
            case(
                "l [a,b]: remove [0] + set [1] (overwrite)",
                two(c("x")),
                |d| C::update(d, C::key("x")).remove(&C::L.index(0)).set(&C::L.index(1), "z"),
                false,
            ),
            case(
                "l [a,b,c]: set [1] + remove [2] + remove [0]",
                c("x"),
                |d| C::update(d, C::key("x")).set(&C::L.index(1), "z").remove(&C::L.index(2)).remove(&C::L.index(0)),
                false,
            ),
            case(
                "l [a,b,c]: set [3] + set [4]",
                c("x"),
                |d| C::update(d, C::key("x")).set(&C::L.index(3), "d").set(&C::L.index(4), "e"),
                false,
            ),
            case(
                "l [a,b]: remove [1] + remove [7]",
                two(c("x")),
                |d| C::update(d, C::key("x")).remove(&C::L.index(1)).remove(&C::L.index(7)),
                false,
            ),
            // map of lists, non_empty
            case(
                "ml {a:[x]}: remove a + append b [y]",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::ML.key("a")).append(&C::ML.key("b"), ["y"]),
                true,
            ),
            case(
                "ml {a:[x]}: remove a[0]",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::ML.key("a").index(0)),
                true,
            ),
            case(
                "ml {a:[x]}: remove a + set b[0]",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::ML.key("a")).set(&C::ML.key("b").index(0), "y"),
                false, // b is absent: PathNotFound expected
            ),
            // list of sets, len(max 2)
            case(
                "sets [{x},{y}]: delete x from [0] + set [5] {z}",
                c("x"),
                |d| {
                    C::update(d, C::key("x"))
                        .delete_from_set(&C::SETS.index(0), ["x"])
                        .set(&C::SETS.index(5), set(&["z"]))
                },
                true,
            ),
            case(
                "sets [{x},{y}]: add_to_set [5] {z}",
                c("x"),
                |d| C::update(d, C::key("x")).add_to_set(&C::SETS.index(5), ["z"]),
                false,
            ),
            case(
                "sets [{x},{y}]: add_to_set [1] {z}",
                c("x"),
                |d| C::update(d, C::key("x")).add_to_set(&C::SETS.index(1), ["z"]),
                true,
            ),
            case("nums [1]: add [3] 1", c("x"), |d| C::update(d, C::key("x")).add(&C::NUMS.index(3), 1), true),
            // documents in a list: boxes len(1,2), tags len(1,2), inner len(max 2)
            case(
                "boxes[0].tags {t}: delete t",
                c("x"),
                |d| C::update(d, C::key("x")).delete_from_set(&C::BOXES.index(0).then(Bx::TAGS), ["t"]),
                false,
            ),
            case(
                "boxes[0].tags {t}: add u, v",
                c("x"),
                |d| C::update(d, C::key("x")).add_to_set(&C::BOXES.index(0).then(Bx::TAGS), ["u", "v"]),
                false,
            ),
            case(
                "boxes[0].inner {a,b}: set c + remove a",
                c("x"),
                |d| {
                    C::update(d, C::key("x"))
                        .set(&C::BOXES.index(0).then(Bx::INNER).key("c"), "v")
                        .remove(&C::BOXES.index(0).then(Bx::INNER).key("a"))
                },
                true,
            ),
            case(
                "boxes[0].inner {a,b}: set c + set d",
                c("x"),
                |d| {
                    C::update(d, C::key("x"))
                        .set(&C::BOXES.index(0).then(Bx::INNER).key("c"), "v")
                        .set(&C::BOXES.index(0).then(Bx::INNER).key("d"), "v")
                },
                false,
            ),
            case(
                "boxes [b]: set [3] (a new box with empty tags)",
                c("x"),
                |d| {
                    C::update(d, C::key("x"))
                        .set(&C::BOXES.index(3), Bx { tags: BTreeSet::new(), inner: BTreeMap::new() })
                },
                false,
            ),
            case(
                "boxes [b]: append [b', b''] ",
                c("x"),
                |d| {
                    C::update(d, C::key("x")).append(
                        &C::BOXES,
                        [
                            Bx { tags: set(&["u"]), inner: BTreeMap::new() },
                            Bx { tags: set(&["w"]), inner: BTreeMap::new() },
                        ],
                    )
                },
                false,
            ),
            case(
                "boxes [b]: remove [0] + set [1] b'",
                c("x"),
                |d| {
                    C::update(d, C::key("x"))
                        .remove(&C::BOXES.index(0))
                        .set(&C::BOXES.index(1), Bx { tags: set(&["u"]), inner: BTreeMap::new() })
                },
                true,
            ),
            case(
                "boxes [b]: remove [0] + append? no: set [0].tags? no: remove [0] + remove [2]",
                c("x"),
                |d| C::update(d, C::key("x")).remove(&C::BOXES.index(0)).remove(&C::BOXES.index(2)),
                false,
            ),
        ]
    }

    /// Every case: never rejected by DynamoDB; if applied, the stored item reads back and
    /// keeps its rules; if refused, nothing changed. Refusals of writes that would have
    /// kept the rules are printed.
    #[test]
    fn mixed_growing_and_shrinking_part_writes_never_break_len_rules() {
        run(|db| async move {
            C::create_table(&db).await.unwrap();
            let mut broken = Vec::new();
            let mut conservative = Vec::new();
            for (what, before, make, keeps) in cases() {
                C::put(&db, &before).await.unwrap();
                let stored = C::get(&db, C::key("x")).consistent().await.unwrap().unwrap();
                let (c, requests) = counted(&db);
                let (count, result) = sent(&requests, make(&c).into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                if let Err(error @ Error::Service { .. }) = &result {
                    broken.push(format!("promise 1: `{what}`: DynamoDB rejected it: {error}"));
                    continue;
                }
                if let Err(error @ (Error::Invalid { .. } | Error::InvalidRequest { .. } | Error::Unprojected { .. })) =
                    &result
                {
                    if count != 0 {
                        broken.push(format!("promise 1: `{what}`: refused ({error}) after {count} request(s)"));
                    }
                }
                let raw = crate::common::raw::<C>(&db, &C::key("x")).await;
                let after = C::get(&db, C::key("x")).consistent().await;
                match (&result, after) {
                    (_, Err(error)) => {
                        broken.push(format!("promise 3: `{what}`: unreadable: {error}\n  stored {raw:?}"))
                    }
                    (_, Ok(None)) => broken.push(format!("`{what}`: item gone")),
                    (Ok(_), Ok(Some(after))) => {
                        if let Err(error) = after.validate() {
                            broken.push(format!(
                                "promise 3: `{what}` applied and the stored item breaks its rules: {error}\n  stored {raw:?}"
                            ));
                        }
                    }
                    (Err(error), Ok(Some(after))) => {
                        if after != stored {
                            broken.push(format!(
                                "promise 2: `{what}` reported failed ({error}) but changed the item:\n  before {stored:?}\n  after  {after:?}"
                            ));
                        }
                        if keeps {
                            conservative.push(format!("{what}: {error}"));
                        }
                    }
                }
            }
            eprintln!("refused although the result would keep the rules:");
            for line in &conservative {
                eprintln!("  {line}");
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }

    /// Many guarded part writes to a container deep in a document in a list: refused
    /// typed (expression limits) or applied and valid, never rejected by DynamoDB.
    #[test]
    fn many_guarded_part_writes_to_a_deep_container_stay_within_expression_limits() {
        run(|db| async move {
            C::create_table(&db).await.unwrap();
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            for k in [10usize, 30, 50, 75, 100, 140, 200] {
                C::put(&db, &c_item()).await.unwrap();
                let long = "k".repeat(200);
                let mut update = C::update(&c, C::key("x"));
                for i in 0..k {
                    update = if i % 2 == 0 {
                        update.remove(&C::BOXES.index(0).then(Bx::INNER).key(format!("{long}{i}")))
                    } else {
                        update.set(&C::BOXES.index(0).then(Bx::INNER).key(format!("{long}{i}")), "v")
                    };
                }
                for i in 0..k / 4 {
                    update = update.remove(&C::L.index(10 + i));
                }
                let (count, result) = sent(&requests, update.into_future()).await;
                eprintln!("{k} mixed part writes: {count} request(s), {}", outcome(&result));
                if let Err(error @ Error::Service { .. }) = &result {
                    broken.push(format!("{k}: {error}"));
                }
                if matches!(result, Err(Error::InvalidRequest { .. } | Error::Invalid { .. })) && count != 0 {
                    broken.push(format!("{k}: refused after a request"));
                }
                readable_and_valid::<C>(&db, C::key("x"), &format!("{k} part writes")).await;
            }
            assert!(broken.is_empty(), "promise 1:\n{}", broken.join("\n"));
        });
    }

    /// More new entries than `max` allows from nothing: README says `Error::Validation`.
    #[test]
    fn adding_more_new_entries_than_max_is_a_validation_error_and_writes_nothing() {
        run(|db| async move {
            C::create_table(&db).await.unwrap();
            C::put(&db, &c("x")).await.unwrap();
            let (c, requests) = counted(&db);
            let (count, result) = sent(
                &requests,
                C::update(&c, C::key("x"))
                    .set(&C::M.key("d"), "v")
                    .set(&C::M.key("e"), "v")
                    .set(&C::M.key("f"), "v")
                    .set(&C::M.key("g"), "v")
                    .into_future(),
            )
            .await;
            eprintln!("set 4 new entries of m {{a,b,c}} /* max 3 */: {count} request(s), {}", outcome(&result));
            not_rejected("set 4 new entries", count, &result);
            let after = readable_and_valid::<C>(&db, C::key("x"), "set 4 new entries").await;
            assert_eq!(after, c_item(), "nothing written");
            assert!(
                matches!(&result, Err(Error::Validation { errors, .. }) if errors[0].attribute == "m"),
                "expected Validation naming `m` (len max 3), got {result:?}"
            );
        });
    }

    fn c_item() -> C {
        c("x")
    }

    /// Empty and odd map keys and huge list indexes in paths: refused before sending.
    #[test]
    fn odd_keys_and_indexes_in_paths_are_refused_before_sending_or_work() {
        run(|db| async move {
            C::create_table(&db).await.unwrap();
            C::put(&db, &c("x")).await.unwrap();
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            macro_rules! probe {
                ($what:expr, $op:expr) => {{
                    let (count, result) = sent(&requests, $op.into_future()).await;
                    eprintln!("{}: {count} request(s), {:?}", $what, result.as_ref().map(|_| "ok"));
                    if let Err(error @ Error::Service { .. }) = &result {
                        broken.push(format!("{}: {error}", $what));
                    }
                    if matches!(result, Err(Error::InvalidRequest { .. } | Error::Invalid { .. })) && count != 0 {
                        broken.push(format!("{}: refused after a request", $what));
                    }
                }};
            }
            probe!("filter M.key(\"\").exists()", C::scan(&c).filter(C::M.key("").exists()));
            probe!("update set M.key(\"\")", C::update(&c, C::key("x")).set(&C::M.key(""), "v"));
            probe!("update remove M.key(\"\")", C::update(&c, C::key("x")).remove(&C::M.key("")));
            probe!("filter L.index(usize::MAX).exists()", C::scan(&c).filter(C::L.index(usize::MAX).exists()));
            probe!("update set L.index(usize::MAX)", C::update(&c, C::key("x")).set(&C::L.index(usize::MAX), "v"));
            probe!("update remove L.index(1<<31)", C::update(&c, C::key("x")).remove(&C::L.index(1 << 31)));
            probe!(
                "update set M.key(65536 x 'a')",
                C::update(&c, C::key("x")).remove(&C::M.key("a")).set(&C::M.key("a".repeat(65_536)), "v")
            );
            probe!("filter ML.key(a).index(0).eq(\"\")", C::scan(&c).filter(C::ML.key("a").index(0).eq("")));
            probe!(
                "update set ML.key(a).index(0) = \"\"",
                C::update(&c, C::key("x")).set(&C::ML.key("a").index(0), "")
            );
            readable_and_valid::<C>(&db, C::key("x"), "odd paths").await;
            assert!(broken.is_empty(), "promise 1:\n{}", broken.join("\n"));
        });
    }
}

// ============================================================== versions near u64::MAX

mod versions {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv4_ver")]
    pub struct V {
        #[dynamo(hash_key)]
        pub id: String,
        pub note: Option<String>,
        #[dynamo(version)]
        pub version: u64,
    }

    async fn raw_put(db: &Db, id: &str, version: &str) {
        db.client()
            .put_item()
            .table_name(db.table_name::<V>())
            .item("id", AttributeValue::S(id.into()))
            .item("version", AttributeValue::N(version.into()))
            .send()
            .await
            .unwrap();
    }

    async fn stored_version(db: &Db, id: &str) -> Option<AttributeValue> {
        crate::common::raw::<V>(db, &V::key(id)).await.and_then(|item| item.get("version").cloned())
    }

    /// Every write of an item at u64::MAX: no stored version past u64::MAX, and what is
    /// reported failed left the item as it was.
    #[test]
    fn writes_of_an_item_at_version_u64_max_store_nothing_unreadable_and_failures_write_nothing() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            raw_put(&db, "max", "18446744073709551615").await;
            let read = V::get(&db, V::key("max")).consistent().await.unwrap().unwrap();
            let (c, requests) = counted(&db);
            let mut lines = Vec::new();
            let mut broken = Vec::new();
            let ops: Vec<(&str, dynamo_model::ops::Update<'_, V>)> = vec![
                ("update set note", V::update(&c, V::key("max")).set(&V::NOTE, "n")),
                ("upsert set note", V::update(&c, V::key("max")).upsert().set(&V::NOTE, "n")),
                ("update remove note", V::update(&c, V::key("max")).remove(&V::NOTE)),
                (
                    "update expect_version(MAX-1)",
                    V::update(&c, V::key("max")).expect_version(u64::MAX - 1).set(&V::NOTE, "n"),
                ),
                ("update expect_version(0)", V::update(&c, V::key("max")).expect_version(0).set(&V::NOTE, "n")),
                (
                    "upsert expect_version(0)",
                    V::update(&c, V::key("max")).upsert().expect_version(0).set(&V::NOTE, "n"),
                ),
                (
                    "update condition VERSION.eq(MAX)",
                    V::update(&c, V::key("max")).set(&V::NOTE, "n").condition(V::VERSION.eq(u64::MAX)),
                ),
            ];
            for (what, op) in ops {
                let (count, result) = sent(&requests, op.into_future()).await;
                not_rejected(what, count, &result);
                lines.push(format!("{what}: {count} request(s), {}", outcome(&result)));
                let after = readable_and_valid::<V>(&db, V::key("max"), what).await;
                match &result {
                    Ok(_) => broken.push(format!("{what}: applied at u64::MAX, now {after:?}")),
                    Err(_) if after != read => broken.push(format!("{what}: failed but changed the item: {after:?}")),
                    Err(_) => {}
                }
            }
            // Put of the item read at MAX (refused), put of a new struct at MAX.
            let (count, result) =
                sent(&requests, V::put(&c, &V { note: Some("p".into()), ..read.clone() }).into_future()).await;
            lines.push(format!("put read at MAX: {count} request(s), {}", outcome(&result)));
            not_rejected("put read at MAX", count, &result);
            assert!(result.is_err());
            assert_eq!(count, 0, "put at MAX refused before sending");
            // Delete with expect_version(MAX): the item is at MAX; deleting it is safe.
            let (count, result) =
                sent(&requests, V::delete(&c, V::key("max")).expect_version(u64::MAX).into_future()).await;
            lines.push(format!("delete expect_version(MAX): {count} request(s), {}", outcome(&result)));
            not_rejected("delete expect_version(MAX)", count, &result);
            let gone = V::get(&db, V::key("max")).consistent().await.unwrap().is_none();
            if result.is_ok() != gone {
                broken.push(format!("delete expect_version(MAX): {} but item gone = {gone}", outcome(&result)));
            }
            if result.is_err() {
                lines.push("  (conservative: an item at u64::MAX cannot be deleted with its version)".into());
            }
            for line in &lines {
                eprintln!("{line}");
            }
            assert!(broken.is_empty(), "{}", broken.join("\n"));
        });
    }

    /// Two concurrent updates of an item at u64::MAX - 1: one reaches MAX, the other is
    /// refused; the stored version is MAX and each outcome is reported truthfully.
    #[test]
    fn concurrent_updates_at_u64_max_minus_one_report_truthfully() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            for round in 0..3 {
                raw_put(&db, "m1", "18446744073709551614").await;
                let a = V::update(&db, V::key("m1")).set(&V::NOTE, format!("a{round}"));
                let b = V::update(&db, V::key("m1")).set(&V::NOTE, format!("b{round}"));
                let (ra, rb) = futures::join!(a.into_future(), b.into_future());
                eprintln!("round {round}: a {} / b {}", outcome(&ra), outcome(&rb));
                let after = readable_and_valid::<V>(&db, V::key("m1"), "concurrent at MAX-1").await;
                assert_eq!(after.version, u64::MAX);
                let oks = [ra.is_ok(), rb.is_ok()];
                assert_eq!(oks.iter().filter(|ok| **ok).count(), 1, "exactly one applied: {oks:?}");
                let expected = if ra.is_ok() { format!("a{round}") } else { format!("b{round}") };
                assert_eq!(after.note.as_deref(), Some(expected.as_str()), "the one reported applied is stored");
            }
        });
    }

    /// Put of an item read at MAX-1 reaches MAX; the returned item at MAX cannot be put
    /// again (refused with no request), and an upsert of a fresh key starts at 1.
    #[test]
    fn a_put_reaching_u64_max_returns_it_and_the_next_put_is_refused() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            raw_put(&db, "p", "18446744073709551614").await;
            let read = V::get(&db, V::key("p")).consistent().await.unwrap().unwrap();
            let (c, requests) = counted(&db);
            let put = accepted!(requests, V::put(&c, &V { note: Some("x".into()), ..read.clone() }));
            assert_eq!(put.version, u64::MAX);
            assert_eq!(stored_version(&db, "p").await, Some(AttributeValue::N("18446744073709551615".into())));
            refused!(requests, V::put(&c, &put), Error::Validation { .. });
            // The stale read (MAX-1) again: a version conflict, nothing written.
            let (count, result) =
                sent(&requests, V::put(&c, &V { note: Some("stale".into()), ..read }).into_future()).await;
            not_rejected("stale put", count, &result);
            assert!(matches!(result, Err(Error::VersionConflict { .. })), "{result:?}");
            let after = readable_and_valid::<V>(&db, V::key("p"), "puts near MAX").await;
            assert_eq!(after, put);
            let fresh =
                accepted!(requests, V::update(&c, V::key("fresh")).upsert().set(&V::NOTE, "n")).into_item().unwrap();
            assert_eq!(fresh.version, 1);
            // A stored version without its attribute: update adds 1 from nothing.
            db.client()
                .put_item()
                .table_name(db.table_name::<V>())
                .item("id", AttributeValue::S("nov".into()))
                .send()
                .await
                .unwrap();
            let got = V::get(&db, V::key("nov")).consistent().await;
            eprintln!("item without version reads as {got:?}");
        });
    }
}
