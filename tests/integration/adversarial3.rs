//! Third round of adversarial probes against DynamoDB Local, aimed at what changed last:
//! increments refused on `with` / `serde` / whole-value-rule fields (also on nested paths),
//! `len` guards of nested sets and of several actions on one container, version writes,
//! filters on attributes an index does not hold, put read-back and expression limits.
//!
//! Promises (README):
//! 1. a request DynamoDB would reject is refused before sending, typed, with no request
//!    (exception: an update growing a stored item past 400 KB);
//! 2. an accepted write leaves an item the model reads back, with its rules and types;
//! 3. failed conditions are typed and write nothing;
//! 4. `limit` counts matches, cursors resume exactly, foreign cursors are InvalidCursor;
//! 5. put returns the item exactly as a later get returns it;
//! 6. a write DynamoDB applied never returns Err.
//!
//! Each test fails when its promise is broken.
//!
//! Failing at the commit these were written on (`15fefb3`):
//! - 1: `nested_with::writes_inside_a_with_field_stored_as_a_string_are_never_sent` (set/add/
//!   remove of `.key()` / `.index()` / `.then()` inside a `with` field stored as `S`, `append`,
//!   `add_to_set`/`delete_from_set` on a `with` list/set, `plus` from a `with` source: all sent,
//!   all ValidationException);
//! - 2: `containers::*` (each part write carries its own size guard, checked against the size
//!   before the update: two removals / two set-emptying deletes / two new entries in one
//!   update break `non_empty` or `len(max)`); `nested_with::add_on_an_entry_of_a_with_map_*`,
//!   `plus_from_a_with_source_*` (item unreadable: N 1.51 in an i64), `plus_from_a_millis_*`
//!   (ms copied into a seconds stamp; `set_from` refuses the same copy),
//!   `add_inside_a_serde_document_*` (the add lands in an attribute serde does not read);
//!   `versions::an_update_of_an_item_at_version_u64_max_*`, `expect_version_u64_max_*`
//!   (ADD 1 stores 2^64, unreadable);
//! - other: `versions::two_puts_of_the_same_read_at_version_u64_max_*` (put saturates the
//!   version: both stale puts succeed).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;
use std::future::IntoFuture;

use dynamo_model::{AttributeValue, Cursor, Db, DecodeError, Document, EncodeError, Error, Model, RequestReason, Rule};
use serde::{Deserialize, Serialize};

use crate::common::{counted, n, not_rejected, outcome, readable_and_valid, run, s, sent};

// ============================================================== writes inside `with` / `serde` fields

/// A map of integers stored as one string `k=v;k=v`.
pub mod map_text {
    use super::*;

    pub fn to_attribute(value: &HashMap<String, i64>) -> Result<AttributeValue, EncodeError> {
        let mut entries: Vec<String> = value.iter().map(|(k, v)| format!("{k}={v}")).collect();
        entries.sort();
        Ok(AttributeValue::S(entries.join(";")))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<HashMap<String, i64>, DecodeError> {
        let AttributeValue::S(text) = value else { return Err(DecodeError::new("S", "another type")) };
        let mut out = HashMap::new();
        for entry in text.split(';').filter(|e| !e.is_empty()) {
            let (k, v) = entry.split_once('=').ok_or_else(|| DecodeError::new("k=v", entry.to_owned()))?;
            out.insert(k.to_owned(), v.parse().map_err(|_| DecodeError::new("integer", v.to_owned()))?);
        }
        Ok(out)
    }
}

/// A list of integers stored as one string `1,2,3`.
pub mod list_text {
    use super::*;

    pub fn to_attribute(value: &[i64]) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(value.iter().map(i64::to_string).collect::<Vec<_>>().join(",")))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<Vec<i64>, DecodeError> {
        let AttributeValue::S(text) = value else { return Err(DecodeError::new("S", "another type")) };
        text.split(',')
            .filter(|e| !e.is_empty())
            .map(|e| e.parse().map_err(|_| DecodeError::new("integer", e.to_owned())))
            .collect()
    }
}

/// A set of strings stored as one string `a|b`.
pub mod set_text {
    use super::*;

    pub fn to_attribute(value: &BTreeSet<String>) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(value.iter().cloned().collect::<Vec<_>>().join("|")))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<BTreeSet<String>, DecodeError> {
        let AttributeValue::S(text) = value else { return Err(DecodeError::new("S", "another type")) };
        Ok(text.split('|').filter(|e| !e.is_empty()).map(str::to_owned).collect())
    }
}

/// A document stored as its level in a string.
pub mod level_text {
    use super::*;

    pub fn to_attribute(value: &Lvl) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(value.level.to_string()))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<Lvl, DecodeError> {
        let AttributeValue::S(text) = value else { return Err(DecodeError::new("S", "another type")) };
        Ok(Lvl { level: text.parse().map_err(|_| DecodeError::new("integer", text))? })
    }
}

/// A map of cents stored as a map of euros (`N`, value / 100).
pub mod euro_map {
    use super::*;
    use crate::adversarial2::hundredths;

    pub fn to_attribute(value: &HashMap<String, i64>) -> Result<AttributeValue, EncodeError> {
        let mut out = HashMap::new();
        for (k, v) in value {
            out.insert(k.clone(), hundredths::to_attribute(v)?);
        }
        Ok(AttributeValue::M(out))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<HashMap<String, i64>, DecodeError> {
        let AttributeValue::M(map) = value else { return Err(DecodeError::new("M", "another type")) };
        map.into_iter().map(|(k, v)| Ok((k, hundredths::from_attribute(v)?))).collect()
    }
}

#[derive(Document, Debug, Clone, PartialEq, Default)]
pub struct Lvl {
    #[dynamo(validate(min = 0, max = 10))]
    pub level: i64,
}

/// A document also stored through serde, whose serde name differs from its dynamo name.
#[derive(Document, Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct SerdeLvl {
    #[serde(rename = "lvl")]
    #[dynamo(validate(min = 0, max = 10))]
    pub level: i64,
}

mod nested_with {
    use super::*;
    use crate::adversarial2::{as_text, hundredths};

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv3_with")]
    pub struct W {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(with = map_text)]
        pub jmap: HashMap<String, i64>,
        #[dynamo(with = list_text)]
        pub wlist: Vec<i64>,
        #[dynamo(with = set_text)]
        pub wset: BTreeSet<String>,
        #[dynamo(with = level_text)]
        pub wlevel: Lvl,
        #[dynamo(with = euro_map)]
        pub euros: HashMap<String, i64>,
        #[dynamo(serde)]
        pub slevel: SerdeLvl,
        pub plain: i64,
        #[dynamo(with = as_text)]
        pub text_num: i64,
        #[dynamo(with = hundredths)]
        pub cents: i64,
        #[dynamo(created_at)]
        pub created: i64,
        #[dynamo(updated_at = "millis")]
        pub touched: i64,
    }

    pub fn w(id: &str) -> W {
        W {
            id: id.into(),
            jmap: HashMap::from([("k".to_owned(), 1)]),
            wlist: vec![1, 2],
            wset: BTreeSet::from(["a".to_owned()]),
            wlevel: Lvl { level: 5 },
            euros: HashMap::from([("k".to_owned(), 150)]),
            slevel: SerdeLvl { level: 5 },
            plain: 1,
            text_num: 7,
            cents: 150,
            created: 0,
            touched: 0,
        }
    }

    async fn setup(db: &Db, id: &str) -> W {
        W::create_table(db).await.unwrap();
        W::put(db, &w(id)).await.unwrap()
    }

    /// Writes inside a field stored as one string through `with` address a map, list or set
    /// DynamoDB does not have: each must be refused before sending.
    #[test]
    fn writes_inside_a_with_field_stored_as_a_string_are_never_sent() {
        run(|db| async move {
            let before = setup(&db, "s").await;
            let (c, requests) = counted(&db);
            let key = || W::key("s");
            let cases = [
                ("add(&JMAP.key(k), 1) /* with, S */", "jmap", W::update(&c, key()).add(&W::JMAP.key("k"), 1)),
                ("set(&JMAP.key(k), 5) /* with, S */", "jmap", W::update(&c, key()).set(&W::JMAP.key("k"), 5)),
                ("remove(&JMAP.key(k)) /* with, S */", "jmap", W::update(&c, key()).remove(&W::JMAP.key("k"))),
                ("add(&WLIST.index(0), 1) /* with, S */", "wlist", W::update(&c, key()).add(&W::WLIST.index(0), 1)),
                ("set(&WLIST.index(0), 9) /* with, S */", "wlist", W::update(&c, key()).set(&W::WLIST.index(0), 9)),
                ("append(&WLIST, [3]) /* with, S */", "wlist", W::update(&c, key()).append(&W::WLIST, [3])),
                ("add_to_set(&WSET, [b]) /* with, S */", "wset", W::update(&c, key()).add_to_set(&W::WSET, ["b"])),
                (
                    "delete_from_set(&WSET, [a]) /* with, S */",
                    "wset",
                    W::update(&c, key()).delete_from_set(&W::WSET, ["a"]),
                ),
                (
                    "add(&WLEVEL.then(LEVEL), 1) /* with, S */",
                    "wlevel",
                    W::update(&c, key()).add(&W::WLEVEL.then(Lvl::LEVEL), 1),
                ),
                (
                    "set(&WLEVEL.then(LEVEL), 1) /* with, S */",
                    "wlevel",
                    W::update(&c, key()).set(&W::WLEVEL.then(Lvl::LEVEL), 1),
                ),
                (
                    "set_to(&PLAIN, TEXT_NUM.plus(1)) /* source with, S */",
                    "text_num",
                    W::update(&c, key()).set_to(&W::PLAIN, W::TEXT_NUM.plus(1)),
                ),
            ];
            for (what, attribute, update) in cases {
                let (count, result) = sent(&requests, update.into_future()).await;
                assert_eq!(count, 0, "{what}: sent a request, returned {result:?}");
                assert!(
                    matches!(&result, Err(Error::InvalidRequest { reason: RequestReason::Converted { attribute: expected_attr }, .. })
                        if expected_attr == attribute),
                    "{what}: expected Converted({attribute}), got {result:?}"
                );
            }
            let after = readable_and_valid::<W>(&db, W::key("s"), "writes inside with fields").await;
            assert_eq!(after, before, "nothing was written");
        });
    }

    /// `add` on an entry of a map stored through `with` as scaled numbers would add to
    /// the stored form, not the value: refused, and nothing changes.
    #[test]
    fn add_on_an_entry_of_a_with_map_of_scaled_numbers_is_refused_before_sending() {
        run(|db| async move {
            let before = setup(&db, "e").await;
            let (c, requests) = counted(&db);
            refused!(
                requests,
                W::update(&c, W::key("e")).add(&W::EUROS.key("k"), 1),
                Error::InvalidRequest { reason: RequestReason::Converted { attribute }, .. } if attribute == "euros"
            );
            let after = readable_and_valid::<W>(&db, W::key("e"), "add(&EUROS.key(k), 1)").await;
            assert_eq!((after.euros["k"], &after), (150, &before));
        });
    }

    /// `set_to(&PLAIN, CENTS.plus(1))` would read a number stored as euros into a plain
    /// i64: refused, and nothing changes.
    #[test]
    fn plus_from_a_with_source_of_scaled_numbers_is_refused_before_sending() {
        run(|db| async move {
            let before = setup(&db, "p").await;
            let (c, requests) = counted(&db);
            refused!(
                requests,
                W::update(&c, W::key("p")).set_to(&W::PLAIN, W::CENTS.plus(1)),
                Error::InvalidRequest { reason: RequestReason::Converted { attribute }, .. } if attribute == "cents"
            );
            let after = readable_and_valid::<W>(&db, W::key("p"), "set_to(&PLAIN, CENTS.plus(1))").await;
            assert_eq!(after, before);
        });
    }

    /// A copy with arithmetic between time fields of different units is refused as
    /// `set_from` is, and `created` keeps its seconds.
    #[test]
    fn plus_from_a_millis_stamp_into_a_seconds_stamp_is_refused_as_set_from_is() {
        run(|db| async move {
            let before = setup(&db, "t").await;
            let (c, requests) = counted(&db);
            refused!(
                requests,
                W::update(&c, W::key("t")).set_to(&W::CREATED, W::TOUCHED.plus(0)),
                Error::InvalidRequest { reason: RequestReason::UncheckableCopy { .. }, .. }
            );
            refused!(
                requests,
                W::update(&c, W::key("t")).set_from(&W::CREATED, &W::TOUCHED),
                Error::InvalidRequest { reason: RequestReason::UncheckableCopy { .. }, .. }
            );
            let after = readable_and_valid::<W>(&db, W::key("t"), "set_to(&CREATED, TOUCHED.plus(0))").await;
            assert_eq!((after.created, &after), (before.created, &before));
            assert_eq!(after.created.to_string().len(), 10, "seconds");
        });
    }

    /// A document stored through serde under other names: `add` inside it would write
    /// a path DynamoDB does not have under that name; refused, and nothing changes.
    #[test]
    fn add_inside_a_serde_document_is_refused_before_sending() {
        run(|db| async move {
            let before = setup(&db, "sd").await;
            let (c, requests) = counted(&db);
            for delta in [3, 100] {
                refused!(
                    requests,
                    W::update(&c, W::key("sd")).add(&W::SLEVEL.then(SerdeLvl::LEVEL), delta),
                    Error::InvalidRequest { reason: RequestReason::Converted { attribute }, .. } if attribute == "slevel"
                );
            }
            let after = readable_and_valid::<W>(&db, W::key("sd"), "add(&SLEVEL.then(LEVEL), 3)").await;
            assert_eq!((after.slevel.level, &after), (5, &before));
        });
    }
}

// ============================================================== whole-value rules on nested numbers

mod nested_rules {
    use super::*;

    fn even(value: &i64) -> Result<(), String> {
        if value % 2 == 0 {
            Ok(())
        } else {
            Err("must be even".into())
        }
    }

    fn clamp(value: &i64) -> i64 {
        (*value).clamp(0, 100)
    }

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Even {
        #[dynamo(validate(with = even))]
        pub n: i64,
        #[dynamo(validate(one_of = [1, 2, 3]))]
        pub pick: i64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv3_nested_rules")]
    pub struct R {
        #[dynamo(hash_key)]
        pub id: String,
        pub doc: Even,
        pub docs: Vec<Even>,
        pub by_name: HashMap<String, Even>,
        #[dynamo(set = clamp)]
        pub clamped: i64,
        #[dynamo(validate(one_of = [1, 2, 3]))]
        pub opt_pick: Option<i64>,
        #[dynamo(counter, validate(max = 10))]
        pub hits: u32,
    }

    fn r(id: &str) -> R {
        let e = Even { n: 2, pick: 1 };
        R {
            id: id.into(),
            doc: e.clone(),
            docs: vec![e.clone()],
            by_name: HashMap::from([("a".to_owned(), e)]),
            clamped: 90,
            opt_pick: Some(1),
            hits: 9,
        }
    }

    #[test]
    fn increments_of_nested_numbers_with_whole_value_rules_are_refused_before_sending() {
        run(|db| async move {
            R::create_table(&db).await.unwrap();
            R::put(&db, &r("x")).await.unwrap();
            let (c, requests) = counted(&db);
            let key = || R::key("x");
            let cases = [
                ("add(&DOC.then(N), 1) /* validate(with) */", R::update(&c, key()).add(&R::DOC.then(Even::N), 1)),
                ("add(&DOC.then(PICK), 1) /* one_of */", R::update(&c, key()).add(&R::DOC.then(Even::PICK), 1)),
                ("add(&DOCS.index(0).then(N), 1)", R::update(&c, key()).add(&R::DOCS.index(0).then(Even::N), 1)),
                (
                    "add(&BY_NAME.key(a).then(PICK), 5)",
                    R::update(&c, key()).add(&R::BY_NAME.key("a").then(Even::PICK), 5),
                ),
                (
                    "set_to(&DOC.then(N), DOC.then(N).plus(1))",
                    R::update(&c, key()).set_to(&R::DOC.then(Even::N), R::DOC.then(Even::N).plus(1)),
                ),
                ("add(&OPT_PICK, 7) /* Option, one_of */", R::update(&c, key()).add(&R::OPT_PICK, 7)),
                ("add(&HITS, 5) /* counter max 10 at 9 */", R::update(&c, key()).add(&R::HITS, 5)),
            ];
            let mut broken = Vec::new();
            for (what, update) in cases {
                let (count, result) = sent(&requests, update.into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                not_rejected(what, count, &result);
                if result.is_ok() {
                    broken.push(what);
                }
                readable_and_valid::<R>(&db, R::key("x"), what).await;
            }
            assert!(broken.is_empty(), "applied: {broken:?}");
        });
    }

    /// README: the `set` transform applies to `add`'s delta; the stored sum is not
    /// transformed. Printed, not asserted (documented).
    #[test]
    fn add_on_a_transformed_number_is_printed() {
        run(|db| async move {
            R::create_table(&db).await.unwrap();
            R::put(&db, &r("t")).await.unwrap();
            let result = R::update(&db, R::key("t")).add(&R::CLAMPED, 20).await;
            let after = R::get(&db, R::key("t")).consistent().await.unwrap().unwrap();
            eprintln!("add(&CLAMPED /* set = clamp(0,100) */, 20) at 90: {} -> {}", outcome(&result), after.clamped);
            let result = R::update(&db, R::key("t")).add(&R::CLAMPED, 500).await;
            let after = R::get(&db, R::key("t")).consistent().await.unwrap().unwrap();
            eprintln!("add(&CLAMPED, 500): {} -> {}", outcome(&result), after.clamped);
        });
    }
}

// ============================================================== several actions on one container

mod containers {
    use super::*;

    fn one(x: &str) -> BTreeSet<String> {
        BTreeSet::from([x.to_owned()])
    }

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Bag {
        #[dynamo(validate(non_empty))]
        pub groups: HashMap<String, BTreeSet<String>>,
        pub tags: BTreeSet<String>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv3_multi")]
    pub struct Multi {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(validate(non_empty))]
        pub list: Vec<String>,
        #[dynamo(validate(non_empty))]
        pub map: HashMap<String, String>,
        #[dynamo(validate(len(max = 2)))]
        pub capped: BTreeMap<String, String>,
        #[dynamo(validate(len(max = 2)))]
        pub capped_list: Vec<String>,
        #[dynamo(validate(non_empty))]
        pub stacks: Vec<BTreeSet<String>>,
        #[dynamo(validate(non_empty))]
        pub groups: HashMap<String, BTreeSet<String>>,
        #[dynamo(validate(non_empty))]
        pub bags: Vec<Bag>,
    }

    pub fn multi(id: &str) -> Multi {
        Multi {
            id: id.into(),
            list: vec!["a".into(), "b".into()],
            map: HashMap::from([("a".to_owned(), "x".to_owned()), ("b".to_owned(), "y".to_owned())]),
            capped: BTreeMap::from([("a".to_owned(), "x".to_owned())]),
            capped_list: vec!["a".into()],
            stacks: vec![one("x"), one("y")],
            groups: HashMap::from([("a".to_owned(), one("x")), ("b".to_owned(), one("y"))]),
            bags: vec![Bag {
                groups: HashMap::from([("a".to_owned(), one("x")), ("b".to_owned(), one("y"))]),
                tags: one("t"),
            }],
        }
    }

    async fn setup(db: &Db, id: &str) {
        Multi::create_table(db).await.unwrap();
        Multi::put(db, &multi(id)).await.unwrap();
    }

    async fn probe(db: &Db, id: &str, what: &str, make: impl FnOnce(&Db) -> dynamo_model::ops::Update<'_, Multi>) {
        setup(db, id).await;
        let (c, requests) = counted(db);
        let (count, result) = sent(&requests, make(&c).into_future()).await;
        eprintln!("{what}: {count} request(s), {}", outcome(&result));
        not_rejected(what, count, &result);
        readable_and_valid::<Multi>(db, Multi::key(id), what).await;
    }

    fn length_error(error: &Error, attribute: &str, value: &str) -> bool {
        matches!(error, Error::Validation { errors, .. } if errors.len() == 1
            && errors[0].attribute == attribute
            && matches!(errors[0].rule, Rule::Length { .. })
            && errors[0].value == value)
    }

    /// Several writes of parts of one container in one update are checked together:
    /// what breaks the rule only together is not applied (a typed error after the one
    /// request), and what keeps it is applied. When some of the entries written are
    /// already there, the check counts them as new (DynamoDB's conditions cannot count
    /// which are), so a write at the limit that only overwrites some is not applied
    /// either: pinned here, as the README says.
    #[test]
    fn part_writes_of_one_container_are_checked_together_and_applied_when_they_keep_its_rule() {
        run(|db| async move {
            setup(&db, "t").await;
            let (c, requests) = counted(&db);
            let key = || Multi::key("t");
            let before = Multi::get(&db, key()).consistent().await.unwrap().unwrap();
            // Together: not applied, nothing changed.
            let together = [
                Multi::update(&c, key()).remove(&Multi::MAP.key("a")).remove(&Multi::MAP.key("b")),
                Multi::update(&c, key()).set(&Multi::CAPPED.key("b"), "y").set(&Multi::CAPPED.key("c"), "z"),
                Multi::update(&c, key()).set(&Multi::CAPPED.key("a"), "w").set(&Multi::CAPPED.key("b"), "y"),
            ];
            let expected = [("map", "2 - 2"), ("capped", "1 + 2"), ("capped", "1 + 2")];
            for (update, (attribute, value)) in together.into_iter().zip(expected) {
                let (count, result) = sent(&requests, update.into_future()).await;
                assert_eq!(count, 1);
                assert!(result.as_ref().err().is_some_and(|e| length_error(e, attribute, value)), "{result:?}");
            }
            assert_eq!(Multi::get(&db, key()).consistent().await.unwrap().unwrap(), before);
            // The controls: the same guards let through what keeps the rules.
            let kept = Multi::update(&c, key())
                .remove(&Multi::MAP.key("a"))
                .set(&Multi::CAPPED.key("b"), "y")
                .remove(&Multi::LIST.index(0))
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!(kept.map, HashMap::from([("b".to_owned(), "y".to_owned())]));
            assert_eq!(kept.capped.len(), 2);
            assert_eq!(kept.list, vec!["b".to_owned()]);
            let kept = Multi::update(&c, key())
                .set(&Multi::CAPPED.key("a"), "v")
                .set(&Multi::CAPPED.key("b"), "w")
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!(kept.capped, BTreeMap::from([("a".into(), "v".into()), ("b".into(), "w".into())]));
        });
    }

    #[test]
    fn removing_both_elements_of_a_non_empty_list_in_one_update_keeps_it_non_empty() {
        run(|db| async move {
            probe(&db, "l", "remove(&LIST.index(0)) + remove(&LIST.index(1)) on [a, b] /* non_empty */", |c| {
                Multi::update(c, Multi::key("l")).remove(&Multi::LIST.index(0)).remove(&Multi::LIST.index(1))
            })
            .await;
        });
    }

    #[test]
    fn removing_both_entries_of_a_non_empty_map_in_one_update_keeps_it_non_empty() {
        run(|db| async move {
            probe(&db, "m", "remove(&MAP.key(a)) + remove(&MAP.key(b)) on {a, b} /* non_empty */", |c| {
                Multi::update(c, Multi::key("m")).remove(&Multi::MAP.key("a")).remove(&Multi::MAP.key("b"))
            })
            .await;
        });
    }

    #[test]
    fn setting_two_new_entries_of_a_map_of_max_two_holding_one_keeps_max() {
        run(|db| async move {
            probe(&db, "c", "set(&CAPPED.key(b)) + set(&CAPPED.key(c)) on {a} /* len(max 2) */", |c| {
                Multi::update(c, Multi::key("c")).set(&Multi::CAPPED.key("b"), "y").set(&Multi::CAPPED.key("c"), "z")
            })
            .await;
        });
    }

    #[test]
    fn setting_two_elements_past_the_end_of_a_list_of_max_two_holding_one_keeps_max() {
        run(|db| async move {
            probe(&db, "cl", "set(&CAPPED_LIST.index(1)) + set(&CAPPED_LIST.index(2)) on [a] /* len(max 2) */", |c| {
                Multi::update(c, Multi::key("cl"))
                    .set(&Multi::CAPPED_LIST.index(1), "b")
                    .set(&Multi::CAPPED_LIST.index(2), "c")
            })
            .await;
        });
    }

    #[test]
    fn emptying_both_sets_of_a_non_empty_list_in_one_update_keeps_it_non_empty() {
        run(|db| async move {
            probe(
                &db,
                "st",
                "delete_from_set(&STACKS.index(0), [x]) + delete_from_set(&STACKS.index(1), [y]) on [{x}, {y}]",
                |c| {
                    Multi::update(c, Multi::key("st"))
                        .delete_from_set(&Multi::STACKS.index(0), ["x"])
                        .delete_from_set(&Multi::STACKS.index(1), ["y"])
                },
            )
            .await;
        });
    }

    #[test]
    fn emptying_both_sets_of_a_non_empty_map_in_one_update_keeps_it_non_empty() {
        run(|db| async move {
            probe(
                &db,
                "g",
                "delete_from_set(&GROUPS.key(a), [x]) + delete_from_set(&GROUPS.key(b), [y]) on {a:{x}, b:{y}}",
                |c| {
                    Multi::update(c, Multi::key("g"))
                        .delete_from_set(&Multi::GROUPS.key("a"), ["x"])
                        .delete_from_set(&Multi::GROUPS.key("b"), ["y"])
                },
            )
            .await;
        });
    }

    #[test]
    fn emptying_one_set_and_removing_the_other_element_keeps_the_list_non_empty() {
        run(|db| async move {
            probe(&db, "sr", "delete_from_set(&STACKS.index(0), [x]) + remove(&STACKS.index(1)) on [{x}, {y}]", |c| {
                Multi::update(c, Multi::key("sr"))
                    .delete_from_set(&Multi::STACKS.index(0), ["x"])
                    .remove(&Multi::STACKS.index(1))
            })
            .await;
        });
    }

    #[test]
    fn emptying_a_set_in_a_document_in_a_list_and_removing_its_sibling_keeps_the_document_map_non_empty() {
        run(|db| async move {
            probe(&db, "bg", "delete_from_set(&BAGS[0].GROUPS.key(a), [x]) + remove(&BAGS[0].GROUPS.key(b))", |c| {
                Multi::update(c, Multi::key("bg"))
                    .delete_from_set(&Multi::BAGS.index(0).then(Bag::GROUPS).key("a"), ["x"])
                    .remove(&Multi::BAGS.index(0).then(Bag::GROUPS).key("b"))
            })
            .await;
        });
    }

    #[test]
    fn emptying_a_set_in_a_document_in_a_list_alone_is_refused() {
        run(|db| async move {
            setup(&db, "one").await;
            Multi::update(&db, Multi::key("one"))
                .remove(&Multi::BAGS.index(0).then(Bag::GROUPS).key("b"))
                .await
                .unwrap();
            let (c, requests) = counted(&db);
            let (count, result) = sent(
                &requests,
                Multi::update(&c, Multi::key("one"))
                    .delete_from_set(&Multi::BAGS.index(0).then(Bag::GROUPS).key("a"), ["x"])
                    .add_to_set(&Multi::BAGS.index(0).then(Bag::TAGS), ["u"])
                    .into_future(),
            )
            .await;
            not_rejected("delete_from_set(&BAGS[0].GROUPS.key(a) /* its only entry */)", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "{result:?}");
            readable_and_valid::<Multi>(&db, Multi::key("one"), "delete the only nested group").await;
        });
    }

    /// Deleting the last member of a set that is a document's field removes that field,
    /// which reads back as an empty set.
    #[test]
    fn emptying_a_set_field_of_a_document_in_a_list_reads_back_empty() {
        run(|db| async move {
            setup(&db, "tg").await;
            let after = Multi::update(&db, Multi::key("tg"))
                .delete_from_set(&Multi::BAGS.index(0).then(Bag::TAGS), ["t"])
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert!(after.bags[0].tags.is_empty());
            readable_and_valid::<Multi>(&db, Multi::key("tg"), "empty BAGS[0].TAGS").await;
        });
    }

    /// Two concurrent updates each emptying one set of a non_empty list of two: the
    /// conditions are checked atomically, so at most one applies.
    #[test]
    fn concurrent_deletes_emptying_different_elements_keep_the_list_non_empty() {
        run(|db| async move {
            setup(&db, "cc").await;
            for _ in 0..3 {
                Multi::put(&db, &multi("cc")).await.ok();
                let stored = Multi::get(&db, Multi::key("cc")).consistent().await.unwrap().unwrap();
                Multi::put(&db, &Multi { stacks: vec![one("x"), one("y")], ..stored }).await.unwrap();
                let a = Multi::update(&db, Multi::key("cc")).delete_from_set(&Multi::STACKS.index(0), ["x"]);
                let b = Multi::update(&db, Multi::key("cc")).delete_from_set(&Multi::STACKS.index(1), ["y"]);
                let (ra, rb) = futures::join!(a.into_future(), b.into_future());
                eprintln!("concurrent: {} / {}", outcome(&ra), outcome(&rb));
                assert!(!matches!(ra, Err(Error::Service { .. })) && !matches!(rb, Err(Error::Service { .. })));
                readable_and_valid::<Multi>(&db, Multi::key("cc"), "concurrent deletes").await;
            }
        });
    }

    /// Many part writes of one container, each with its own size guard: refused typed,
    /// or applied and valid.
    #[test]
    fn many_guarded_entry_writes_and_set_deletes_stay_within_expression_limits() {
        run(|db| async move {
            setup(&db, "big").await;
            let (c, requests) = counted(&db);
            for k in [40, 60, 80, 100, 150] {
                let mut update = Multi::update(&c, Multi::key("big"));
                for i in 0..k {
                    update = update.delete_from_set(&Multi::GROUPS.key(format!("g{i}")), ["x"]);
                }
                let (count, result) = sent(&requests, update.into_future()).await;
                eprintln!("{k} nested set deletes: {count} request(s), {}", outcome(&result));
                not_rejected(&format!("{k} delete_from_set on GROUPS entries"), count, &result);
                let mut update = Multi::update(&c, Multi::key("big"));
                for i in 0..k {
                    update = update.remove(&Multi::LIST.index(i + 5));
                }
                let (count, result) = sent(&requests, update.into_future()).await;
                eprintln!("{k} guarded removes: {count} request(s), {}", outcome(&result));
                not_rejected(&format!("{k} remove on LIST elements"), count, &result);
                let mut update = Multi::update(&c, Multi::key("big"));
                for i in 0..k {
                    update = update.set(&Multi::CAPPED.key(format!("k{i}")), "v");
                }
                let (count, result) = sent(&requests, update.into_future()).await;
                eprintln!("{k} guarded sets of a capped map: {count} request(s), {}", outcome(&result));
                not_rejected(&format!("{k} set on CAPPED entries"), count, &result);
            }
            readable_and_valid::<Multi>(&db, Multi::key("big"), "many guarded actions").await;
        });
    }
}

// ============================================================== versions

mod versions {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv3_ver")]
    pub struct V {
        #[dynamo(hash_key)]
        pub id: String,
        pub note: Option<String>,
        pub plain: u64,
        #[dynamo(version)]
        pub version: u64,
    }

    /// The refusal of a version past u64::MAX.
    fn past_max(error: &Error) -> bool {
        matches!(error, Error::Validation { errors, .. } if errors.len() == 1
            && errors[0].attribute == "version"
            && errors[0].rule == Rule::Max("18446744073709551615".into()))
    }

    async fn raw_put(db: &Db, id: &str, version: &str) {
        db.client()
            .put_item()
            .table_name(db.table_name::<V>())
            .item("id", s(id))
            .item("plain", n("0"))
            .item("version", n(version))
            .send()
            .await
            .unwrap();
    }

    #[test]
    fn every_update_action_on_the_version_is_refused_before_sending() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            let stored = V::put(&db, &V { id: "a".into(), note: None, plain: 0, version: 0 }).await.unwrap();
            let (c, requests) = counted(&db);
            let key = || V::key("a");
            let cases = [
                ("remove(&VERSION)", V::update(&c, key()).remove(&V::VERSION)),
                ("set(&VERSION, 1)", V::update(&c, key()).set(&V::VERSION, 1u64)),
                ("set_if_not_exists(&VERSION, 9)", V::update(&c, key()).set_if_not_exists(&V::VERSION, 9u64)),
                ("set_to(&VERSION, VERSION.plus(0))", V::update(&c, key()).set_to(&V::VERSION, V::VERSION.plus(0))),
                ("set_from(&VERSION, &PLAIN)", V::update(&c, key()).set_from(&V::VERSION, &V::PLAIN)),
                ("add(&VERSION, 1) + expect_version", V::update(&c, key()).expect_version(1).add(&V::VERSION, 1)),
                ("upsert add(&VERSION, 5)", V::update(&c, V::key("new")).upsert().add(&V::VERSION, 5)),
            ];
            for (what, update) in cases {
                let (count, result) = sent(&requests, update.into_future()).await;
                not_rejected(what, count, &result);
                assert!(
                    matches!(&result, Err(Error::InvalidRequest { reason: RequestReason::VersionWrite { .. }, .. })),
                    "{what}: {result:?}"
                );
            }
            // Reading the version into another field is fine.
            let after = V::update(&c, key()).set_to(&V::PLAIN, V::VERSION.plus(10)).await.unwrap().into_item().unwrap();
            assert_eq!((after.plain, after.version), (stored.version + 10, stored.version + 1));
        });
    }

    #[test]
    fn expect_version_with_upsert_creates_only_at_zero_and_conflicts_otherwise() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, V::update(&c, V::key("u")).upsert().expect_version(3).set(&V::PLAIN, 1).into_future())
                    .await;
            not_rejected("upsert expect_version(3) on no item", count, &result);
            assert!(matches!(result, Err(Error::VersionConflict { .. })), "{result:?}");
            assert!(V::get(&db, V::key("u")).consistent().await.unwrap().is_none(), "promise 3: nothing written");
            let created = V::update(&c, V::key("u"))
                .upsert()
                .expect_version(0)
                .set(&V::PLAIN, 1)
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!(created.version, 1);
            let result = V::update(&c, V::key("u")).upsert().expect_version(0).set(&V::PLAIN, 2).await;
            assert!(matches!(result, Err(Error::VersionConflict { .. })), "{result:?}");
            let moved = V::update(&c, V::key("u"))
                .upsert()
                .expect_version(1)
                .set(&V::PLAIN, 3)
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!((moved.plain, moved.version), (3, 2));
        });
    }

    /// An item at version u64::MAX (written by other code, readable by the model): an
    /// update would add 1 and store 2^64, which the model cannot read. DynamoDB checks
    /// the bound (the library cannot know the stored version): not applied, typed.
    #[test]
    fn an_update_of_an_item_at_version_u64_max_is_not_applied() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            raw_put(&db, "max", "18446744073709551615").await;
            let read = V::get(&db, V::key("max")).consistent().await.unwrap().unwrap();
            assert_eq!(read.version, u64::MAX);
            let (c, requests) = counted(&db);
            let (count, result) = sent(&requests, V::update(&c, V::key("max")).set(&V::NOTE, "n").into_future()).await;
            assert_eq!(count, 1);
            assert!(result.as_ref().err().is_some_and(past_max), "{result:?}");
            let after = readable_and_valid::<V>(&db, V::key("max"), "update of an item at version u64::MAX").await;
            assert_eq!(after, read, "not applied");
            // The control: one below, the same update is applied and reaches u64::MAX.
            raw_put(&db, "below", "18446744073709551614").await;
            let moved = V::update(&db, V::key("below")).set(&V::NOTE, "n").await.unwrap().into_item().unwrap();
            assert_eq!((moved.version, moved.note.as_deref()), (u64::MAX, Some("n")));
        });
    }

    /// A put of an item read at version u64::MAX has no next version to write: refused
    /// before sending, so two writers of the same read cannot both succeed.
    #[test]
    fn a_put_of_an_item_read_at_version_u64_max_is_refused_before_sending() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            raw_put(&db, "max", "18446744073709551615").await;
            let read = V::get(&db, V::key("max")).consistent().await.unwrap().unwrap();
            let (c, requests) = counted(&db);
            for note in ["first", "second"] {
                refused!(requests, V::put(&c, &V { note: Some(note.into()), ..read.clone() }), error if past_max(error));
            }
            let after = readable_and_valid::<V>(&db, V::key("max"), "put at u64::MAX").await;
            assert_eq!(after, read);
        });
    }

    /// `expect_version(u64::MAX)` asks for a version with no next one: refused before
    /// sending; `u64::MAX - 1` reaches it.
    #[test]
    fn expect_version_u64_max_on_an_update_is_refused_before_sending() {
        run(|db| async move {
            V::create_table(&db).await.unwrap();
            raw_put(&db, "m2", "18446744073709551614").await;
            let (c, requests) = counted(&db);
            let first = V::update(&c, V::key("m2")).expect_version(u64::MAX - 1).set(&V::PLAIN, 1).await;
            assert_eq!(first.unwrap().into_item().unwrap().version, u64::MAX);
            refused!(requests, V::update(&c, V::key("m2")).expect_version(u64::MAX).set(&V::PLAIN, 2), error if past_max(error));
            let after = readable_and_valid::<V>(&db, V::key("m2"), "update expect_version(u64::MAX)").await;
            assert_eq!((after.plain, after.version), (1, u64::MAX));
        });
    }
}

// ============================================================== filters on indexes

mod index_filters {
    use super::*;

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Info {
        pub city: String,
        pub zip: String,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(
        table = "adv3_ev",
        gsi(name = "by_kind", hash = kind, range = n, projection = keys_only),
        gsi(name = "by_kind_inc", hash = kind, range = n, projection = include(label, info, tags)),
        gsi(name = "by_kind_all", hash = kind, range = n, projection = all),
        lsi(name = "by_n", range = n, projection = include(label))
    )]
    pub struct Ev {
        #[dynamo(hash_key)]
        pub pk: String,
        #[dynamo(range_key)]
        pub sk: String,
        pub kind: String,
        pub n: i64,
        pub label: String,
        pub body: String,
        pub info: Info,
        pub other: Info,
        pub tags: BTreeSet<String>,
        pub extra_tags: BTreeSet<String>,
        #[dynamo(ttl)]
        pub expires: Option<i64>,
    }

    #[derive(Document, Debug, Clone, PartialEq)]
    pub struct EvKeys {
        pub pk: String,
        pub sk: String,
        pub kind: String,
        pub n: i64,
    }

    fn ev(i: i64) -> Ev {
        Ev {
            pk: "p".into(),
            sk: format!("s{i:02}"),
            kind: "k".into(),
            n: i,
            label: format!("l{i}"),
            body: "b".repeat(i as usize + 1),
            info: Info { city: if i % 2 == 0 { "even".into() } else { "odd".into() }, zip: "z".into() },
            other: Info { city: "o".into(), zip: "z".into() },
            tags: BTreeSet::from([format!("t{}", i % 3)]),
            extra_tags: BTreeSet::from(["e".to_owned()]),
            expires: None,
        }
    }

    async fn setup(db: &Db) {
        Ev::create_table(db).await.unwrap();
        for i in 0..10 {
            Ev::put(db, &ev(i)).await.unwrap();
        }
    }

    fn unprojected<T: Debug>(what: &str, count: usize, result: &dynamo_model::Result<T>) {
        not_rejected(what, count, result);
        assert!(
            matches!(result, Err(Error::Unprojected { .. })) && count == 0,
            "{what}: {count} request(s), {result:?}"
        );
    }

    #[test]
    fn filters_on_attributes_an_index_lacks_are_refused_in_every_read_shape() {
        run(|db| async move {
            setup(&db).await;
            let (c, r) = counted(&db);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND
                    .query(&c, "k")
                    .filter(Ev::INFO.then(Info::CITY).eq("odd"))
                    .project_into::<EvKeys>()
                    .into_future(),
            )
            .await;
            unprojected("KEYS_ONLY query filter INFO.CITY", k, &res);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND.query(&c, "k").filter(Ev::BODY.size().gt(3)).project_into::<EvKeys>().into_future(),
            )
            .await;
            unprojected("KEYS_ONLY query filter size(BODY)", k, &res);
            let (k, res) = sent(&r, Ev::BY_KIND.query(&c, "k").filter(Ev::BODY.exists()).count()).await;
            unprojected("KEYS_ONLY query count() filter BODY", k, &res);
            let (k, res) = sent(&r, Ev::BY_KIND.scan(&c).filter(Ev::LABEL.eq("l1")).count()).await;
            unprojected("KEYS_ONLY scan count() filter LABEL", k, &res);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND.scan(&c).filter(Ev::LABEL.eq("l1")).project_into::<EvKeys>().segments(3).into_future(),
            )
            .await;
            unprojected("KEYS_ONLY scan segments(3) filter LABEL", k, &res);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND_INC
                    .query(&c, "k")
                    .filter(Ev::OTHER.then(Info::CITY).eq("o"))
                    .project_into::<EvKeys>()
                    .into_future(),
            )
            .await;
            unprojected("INCLUDE query filter OTHER.CITY (not included)", k, &res);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND_INC
                    .query(&c, "k")
                    .filter(Ev::TAGS.contains("t1") | Ev::EXTRA_TAGS.contains("e"))
                    .project_into::<EvKeys>()
                    .into_future(),
            )
            .await;
            unprojected("INCLUDE query filter TAGS | EXTRA_TAGS (one not included)", k, &res);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND_INC
                    .query(&c, "k")
                    .filter(Ev::LABEL.eq_path(&Ev::BODY))
                    .project_into::<EvKeys>()
                    .into_future(),
            )
            .await;
            unprojected("INCLUDE query filter LABEL = BODY", k, &res);
            let (k, res) =
                sent(&r, Ev::BY_KIND_INC.query(&c, "k").skip_expired().project_into::<EvKeys>().into_future()).await;
            unprojected("INCLUDE query skip_expired (ttl not included)", k, &res);
            let (k, res) =
                sent(&r, Ev::BY_KIND.scan(&c).select(&Ev::BODY).project_into::<EvKeys>().into_future()).await;
            unprojected("KEYS_ONLY scan select BODY", k, &res);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND_INC
                    .query(&c, "k")
                    .select(&Ev::OTHER.then(Info::CITY))
                    .project_into::<EvKeys>()
                    .into_future(),
            )
            .await;
            unprojected("INCLUDE query select OTHER.CITY", k, &res);
        });
    }

    #[test]
    fn filters_on_what_an_index_holds_are_sent_and_match() {
        run(|db| async move {
            setup(&db).await;
            let (c, r) = counted(&db);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND_INC
                    .query(&c, "k")
                    .filter(Ev::INFO.then(Info::CITY).eq("odd") & Ev::TAGS.contains("t1"))
                    .project_into::<EvKeys>()
                    .into_future(),
            )
            .await;
            not_rejected("INCLUDE filter INFO.CITY & TAGS", k, &res);
            let ns: Vec<i64> = res.unwrap().iter().map(|e| e.n).collect();
            assert_eq!(ns, vec![1, 7]);
            // Table keys are projected into every index: a filter on them is fine.
            let (k, res) = sent(
                &r,
                Ev::BY_KIND.query(&c, "k").filter(Ev::SK.begins_with("s0")).project_into::<EvKeys>().into_future(),
            )
            .await;
            not_rejected("KEYS_ONLY filter on the table sort key", k, &res);
            assert_eq!(res.unwrap().len(), 10);
            let (k, res) =
                sent(&r, Ev::BY_KIND_ALL.query(&c, "k").filter(Ev::BODY.size().gt(5)).skip_expired().into_future())
                    .await;
            not_rejected("ALL filter size(BODY) skip_expired", k, &res);
            assert_eq!(res.unwrap().len(), 5);
            let (k, res) = sent(&r, Ev::BY_KIND_INC.scan(&c).filter(Ev::LABEL.ne("l0")).count()).await;
            not_rejected("INCLUDE scan count filter LABEL", k, &res);
            assert_eq!(res.unwrap(), 9);
            let (k, res) = sent(
                &r,
                Ev::BY_KIND_INC
                    .scan(&c)
                    .filter(Ev::INFO.then(Info::CITY).eq("even"))
                    .project_into::<EvKeys>()
                    .segments(4)
                    .into_future(),
            )
            .await;
            not_rejected("INCLUDE scan segments(4) filter INFO.CITY", k, &res);
            let mut ns: Vec<i64> = res.unwrap().iter().map(|e| e.n).collect();
            ns.sort();
            assert_eq!(ns, vec![0, 2, 4, 6, 8]);
        });
    }

    /// A filtered index query with a limit: pages of exactly `limit`, each item once;
    /// an edited cursor is InvalidCursor with no request.
    #[test]
    fn index_pages_with_a_filter_resume_exactly_and_edited_cursors_are_refused() {
        run(|db| async move {
            setup(&db).await;
            // Many items with the same index sort key too.
            for i in 10..30 {
                Ev::put(&db, &Ev { n: 5, ..ev(i) }).await.unwrap();
            }
            let mut seen = Vec::new();
            let mut cursor: Option<Cursor> = None;
            let mut cursors = Vec::new();
            loop {
                let page = Ev::BY_KIND_INC
                    .query(&db, "k")
                    .filter(Ev::LABEL.ne("l3"))
                    .project_into::<EvKeys>()
                    .limit(3)
                    .page(cursor.take())
                    .await
                    .unwrap();
                if page.cursor.is_some() {
                    assert_eq!(page.items.len(), 3);
                }
                seen.extend(page.items.iter().map(|e| e.sk.clone()));
                match page.cursor {
                    Some(next) => {
                        cursors.push(next.to_string());
                        cursor = Some(next.to_string().parse().unwrap());
                    }
                    None => break,
                }
                assert!(seen.len() < 200);
            }
            let unique: BTreeSet<_> = seen.iter().cloned().collect();
            assert_eq!(unique.len(), seen.len(), "each once: {seen:?}");
            assert_eq!(unique.len(), 29);
            let (c, r) = counted(&db);
            let text = &cursors[1];
            let mut edited = Vec::new();
            for i in 0..text.len() {
                let mut bytes = text.clone().into_bytes();
                bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
                edited.push(String::from_utf8(bytes).unwrap());
            }
            let mut accepted = Vec::new();
            for e in edited {
                let Ok(parsed) = e.parse::<Cursor>() else { continue };
                let (k, res) = sent(
                    &r,
                    Ev::BY_KIND_INC
                        .query(&c, "k")
                        .filter(Ev::LABEL.ne("l3"))
                        .project_into::<EvKeys>()
                        .limit(3)
                        .page(Some(parsed)),
                )
                .await;
                match res {
                    Err(Error::InvalidCursor { .. }) if k == 0 => {}
                    Err(Error::InvalidCursor { .. }) => panic!("InvalidCursor after {k} requests"),
                    other => accepted.push(format!("{e}: {k} request(s), {:?}", other.map(|p| p.items.len()))),
                }
            }
            // An edit of the plain (unsealed) cursor may still name a valid key; print those.
            eprintln!("edited cursors accepted: {}", accepted.len());
            for a in accepted.iter().take(5) {
                eprintln!("  {a}");
            }
        });
    }
    /// With sealed cursors every edit of a cursor's text is InvalidCursor before sending,
    /// and a sealed cursor is refused by an unsealed `Db` and the other way round.
    #[test]
    fn edited_sealed_cursors_and_cursors_across_sealing_are_invalid_with_no_request() {
        run(|db| async move {
            setup(&db).await;
            let sealed = db.clone().with_cursor_key(dynamo_model::cursor::CursorKey::from_bytes([7; 32]));
            fn query(d: &Db) -> dynamo_model::ops::Query<'_, Ev, impl dynamo_model::KeySpace<Model = Ev>, EvKeys> {
                Ev::BY_KIND_INC.query(d, "k").filter(Ev::LABEL.ne("l3")).project_into::<EvKeys>().limit(3)
            }
            let mut seen = Vec::new();
            let mut cursor: Option<Cursor> = None;
            let mut texts = Vec::new();
            loop {
                let page = query(&sealed).page(cursor.take()).await.unwrap();
                seen.extend(page.items.iter().map(|e| e.sk.clone()));
                match page.cursor {
                    Some(next) => {
                        texts.push(next.to_string());
                        cursor = Some(next.to_string().parse().unwrap());
                    }
                    None => break,
                }
            }
            let unique: BTreeSet<_> = seen.iter().cloned().collect();
            assert_eq!((unique.len(), seen.len()), (9, 9), "{seen:?}");
            let (c, r) = counted(&sealed);
            let text = &texts[0];
            let mut accepted = Vec::new();
            for i in 0..text.len() {
                let mut bytes = text.clone().into_bytes();
                bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
                let edited = String::from_utf8(bytes).unwrap();
                let Ok(parsed) = edited.parse::<Cursor>() else { continue };
                let (k, res) = sent(&r, query(&c).page(Some(parsed))).await;
                if !(matches!(res, Err(Error::InvalidCursor { .. })) && k == 0) {
                    accepted.push(format!("char {i}: {k} request(s), {:?}", res.map(|p| p.items.len())));
                }
            }
            assert!(accepted.is_empty(), "promise 4: edited sealed cursors accepted: {accepted:?}");
            let plain_cursor = query(&db).page(None).await.unwrap().cursor.unwrap();
            let (k, res) = sent(&r, query(&c).page(Some(plain_cursor))).await;
            assert!(
                matches!(res, Err(Error::InvalidCursor { .. })) && k == 0,
                "plain cursor to sealed db: {k}, {res:?}"
            );
            let (plain_c, plain_r) = counted(&db);
            let sealed_cursor: Cursor = texts[0].parse().unwrap();
            let (k, res) = sent(&plain_r, query(&plain_c).page(Some(sealed_cursor))).await;
            assert!(
                matches!(res, Err(Error::InvalidCursor { .. })) && k == 0,
                "sealed cursor to plain db: {k}, {res:?}"
            );
        });
    }
}

// ============================================================== put read-back

mod readback {
    use super::*;

    #[derive(Document, Debug, Clone, PartialEq)]
    pub struct Holder {
        pub raw: AttributeValue,
        pub raws: Vec<AttributeValue>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv3_raw")]
    pub struct Raw {
        #[dynamo(hash_key)]
        pub id: String,
        pub holders: Vec<Holder>,
        pub by_name: HashMap<String, AttributeValue>,
        #[dynamo(extra)]
        pub extra: HashMap<String, AttributeValue>,
    }

    #[test]
    fn numbers_in_odd_notation_deep_in_raw_values_and_extra_read_back_as_put_returned_them() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            let odd = ["1.50e1", "-0.000", "0E+5", "1.0E-3", "+7", "000.1000", "12e-1", "-1e0", "5E125", "1E-130"];
            let mut all_broken = Vec::new();
            for (i, text) in odd.iter().enumerate() {
                let deep = AttributeValue::M(HashMap::from([
                    ("n".to_owned(), n(text)),
                    ("l".to_owned(), AttributeValue::L(vec![n(text), AttributeValue::L(vec![n(text)])])),
                ]));
                let item = Raw {
                    id: format!("r{i}"),
                    holders: vec![Holder { raw: n(text), raws: vec![deep.clone(), n(text)] }],
                    by_name: HashMap::from([("k".to_owned(), n(text)), ("d".to_owned(), deep.clone())]),
                    extra: HashMap::from([("x".to_owned(), n(text)), ("deep".to_owned(), deep)]),
                };
                let (c, requests) = counted(&db);
                let (count, result) = sent(&requests, Raw::put(&c, &item).into_future()).await;
                not_rejected(&format!("put with {text}"), count, &result);
                if let Ok(returned) = result {
                    let got = Raw::get(&db, Raw::key(format!("r{i}"))).consistent().await.unwrap().unwrap();
                    if returned != got {
                        all_broken.push(format!("{text}: put returned {returned:?}\n    get returned {got:?}"));
                    }
                } else {
                    eprintln!("{text}: refused: {}", outcome(&result));
                }
            }
            assert!(all_broken.is_empty(), "promise 5 broken:\n{}", all_broken.join("\n"));
        });
    }
}
