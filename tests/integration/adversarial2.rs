//! Second round of adversarial probes against DynamoDB Local, written as a user would
//! write them, aimed at the areas changed most recently: `add` / `plus` / `minus` guards,
//! `set_from`, `len` rules on parts of lists, maps and sets, raw values, index reads and
//! expression limits.
//!
//! Promises (README):
//! 1. DynamoDB never rejects a request the library built with a ValidationException
//!    (the one exception: an update growing a stored item past 400 KB);
//! 2. a write the library accepts leaves an item the model reads back and whose rules hold;
//! 3. failed conditions are typed and write nothing;
//! 4. `limit` counts matches, cursors resume after the last item returned;
//! 5. put returns the item exactly as a later get returns it.
//!
//! Each test fails when its promise is broken.
//!
//! Failing at the commit these were written on (`783b49f`):
//! - 1: `numbers::add_on_a_with_field_stored_as_text_*` and `numbers::plus_on_a_with_field_*`
//!   (`add` / `plus` on a `with` field stored as `S` are sent; DynamoDB rejects them);
//! - 2: `numbers_more::add_on_a_field_with_a_custom_rule_keeps_the_rule` (`add` skips
//!   `validate(with = f)`), `sets::deleting_the_last_member_of_a_set_in_a_non_empty_*`
//!   (DynamoDB drops a nested set's map entry or list element with its last member, emptying
//!   a `non_empty` container);
//! - other: `numbers_more::an_update_that_adds_zero_to_the_version_is_refused`
//!   (`add(&VERSION, 0)` replaced the update's own `ADD version 1`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;
use std::future::IntoFuture;

use dynamo_model::{
    AttributeValue, Cursor, Db, DecodeError, Document, EncodeError, Error, InvalidReason, Model, RequestReason,
};

use crate::common::{counted, n, not_rejected, raw, readable_and_valid, run, s, sent, RequestCounter};

// ============================================================== add / plus / minus

pub mod as_text {
    use super::*;

    /// An `i64` stored as a decimal string (`S`).
    pub fn to_attribute(value: &i64) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(value.to_string()))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<i64, DecodeError> {
        match value {
            AttributeValue::S(text) => text.parse().map_err(|_| DecodeError::new("integer text", text)),
            _ => Err(DecodeError::new("S", "another type")),
        }
    }
}

pub mod hundredths {
    use super::*;

    /// An `i64` of cents stored as a number of euros (`N`, value / 100).
    pub fn to_attribute(value: &i64) -> Result<AttributeValue, EncodeError> {
        let sign = if *value < 0 { "-" } else { "" };
        let abs = value.unsigned_abs();
        Ok(AttributeValue::N(format!("{sign}{}.{:02}", abs / 100, abs % 100)))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<i64, DecodeError> {
        match value {
            AttributeValue::N(text) => {
                let parsed: f64 = text.parse().map_err(|_| DecodeError::new("number", text.clone()))?;
                let cents = (parsed * 100.0).round();
                if (cents / 100.0 - parsed).abs() > 1e-9 {
                    return Err(DecodeError::new("a number of hundredths", text));
                }
                Ok(cents as i64)
            }
            _ => Err(DecodeError::new("N", "another type")),
        }
    }
}

mod numbers {
    use super::*;

    fn even(value: &i64) -> Result<(), String> {
        if value % 2 == 0 {
            Ok(())
        } else {
            Err("must be even".into())
        }
    }

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Level {
        #[dynamo(validate(min = 0, max = 10))]
        pub level: i64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv2_nums")]
    pub struct Nums {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(with = as_text)]
        pub text_num: i64,
        #[dynamo(with = hundredths)]
        pub euros: i64,
        pub opt: Option<u8>,
        #[dynamo(validate(min = 1, max = 5))]
        pub opt_bounded: Option<i32>,
        pub big: u128,
        pub neg: i128,
        #[dynamo(validate(with = even))]
        pub even: i64,
        pub counts: HashMap<String, u8>,
        pub list: Vec<u16>,
        pub inner: Level,
        pub levels: Vec<Level>,
        #[dynamo(version)]
        pub version: u64,
    }

    pub fn nums(id: &str) -> Nums {
        Nums {
            id: id.into(),
            text_num: 7,
            euros: 150,
            opt: None,
            opt_bounded: None,
            big: 0,
            neg: 0,
            even: 2,
            counts: HashMap::from([("k".to_owned(), 250)]),
            list: vec![65535],
            inner: Level { level: 9 },
            levels: vec![Level { level: 9 }],
            version: 0,
        }
    }

    async fn setup(db: &Db, item: Nums) -> Nums {
        Nums::create_table(db).await.unwrap();
        Nums::put(db, &item).await.unwrap()
    }

    #[test]
    fn add_on_a_with_field_stored_as_text_is_never_rejected_by_dynamodb() {
        run(|db| async move {
            setup(&db, nums("t")).await;
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("t")).add(&Nums::TEXT_NUM, 1).into_future()).await;
            not_rejected("add(&TEXT_NUM /* with = as_text, stored as S */, 1)", count, &result);
            assert!(
                matches!(&result, Err(Error::InvalidRequest { reason: RequestReason::Converted { attribute }, .. })
                    if attribute == "text_num"),
                "{result:?}"
            );
            readable_and_valid::<Nums>(&db, Nums::key("t"), "add(&TEXT_NUM, 1)").await;
        });
    }

    #[test]
    fn plus_on_a_with_field_stored_as_text_is_never_rejected_by_dynamodb() {
        run(|db| async move {
            setup(&db, nums("t")).await;
            let (c, requests) = counted(&db);
            let (count, result) = sent(
                &requests,
                Nums::update(&c, Nums::key("t")).set_to(&Nums::TEXT_NUM, Nums::TEXT_NUM.plus(1)).into_future(),
            )
            .await;
            not_rejected("set_to(&TEXT_NUM, TEXT_NUM.plus(1)) /* stored as S */", count, &result);
            assert!(
                matches!(&result, Err(Error::InvalidRequest { reason: RequestReason::Converted { .. }, .. })),
                "{result:?}"
            );
        });
    }

    /// The field holds cents; the stored number is euros, so DynamoDB would add to the
    /// euros: `add` on a `with` field is refused before sending, and the item is unchanged.
    #[test]
    fn add_on_a_with_field_stored_as_scaled_number_is_refused_as_not_stored_as_number() {
        run(|db| async move {
            let item = setup(&db, nums("e")).await;
            let (c, requests) = counted(&db);
            refused!(
                requests,
                Nums::update(&c, Nums::key("e")).add(&Nums::EUROS, 1),
                Error::InvalidRequest { reason: RequestReason::Converted { attribute }, .. } if attribute == "euros"
            );
            let after = readable_and_valid::<Nums>(&db, Nums::key("e"), "add(&EUROS, 1)").await;
            assert_eq!(after, item);
        });
    }

    #[test]
    fn add_on_an_absent_option_u8_counts_from_zero_and_stops_at_255() {
        run(|db| async move {
            setup(&db, nums("o")).await;
            let (c, requests) = counted(&db);
            let stored = Nums::update(&c, Nums::key("o")).add(&Nums::OPT, 200).await.unwrap().into_item().unwrap();
            assert_eq!(stored.opt, Some(200));
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("o")).add(&Nums::OPT, 100).into_future()).await;
            not_rejected("add(&OPT, 100) at 200", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "add(&OPT /* u8 */, 100) at 200: {result:?}");
            let after = readable_and_valid::<Nums>(&db, Nums::key("o"), "add(&OPT, 100)").await;
            assert_eq!(after.opt, Some(200), "nothing written");
        });
    }

    #[test]
    fn add_zero_or_negative_on_an_absent_bounded_option_is_validation_and_writes_nothing() {
        run(|db| async move {
            setup(&db, nums("ob")).await;
            let (c, requests) = counted(&db);
            for delta in [0, -3, 6] {
                let (count, result) =
                    sent(&requests, Nums::update(&c, Nums::key("ob")).add(&Nums::OPT_BOUNDED, delta).into_future())
                        .await;
                not_rejected("add(&OPT_BOUNDED /* min 1 max 5, absent */, ..)", count, &result);
                assert!(
                    matches!(result, Err(Error::Validation { .. })),
                    "add(&OPT_BOUNDED, {delta}) on absent (counts as 0, min = 1, max = 5): {result:?}"
                );
                let after = readable_and_valid::<Nums>(&db, Nums::key("ob"), "add(&OPT_BOUNDED, ..)").await;
                assert_eq!(after.opt_bounded, None);
            }
            let after =
                Nums::update(&c, Nums::key("ob")).add(&Nums::OPT_BOUNDED, 5).await.unwrap().into_item().unwrap();
            assert_eq!(after.opt_bounded, Some(5));
        });
    }

    #[test]
    fn add_on_a_map_entry_keeps_u8_range_and_counts_an_absent_entry_as_zero() {
        run(|db| async move {
            setup(&db, nums("m")).await;
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("m")).add(&Nums::COUNTS.key("k"), 10).into_future()).await;
            not_rejected("add(&COUNTS.key(\"k\"), 10) at 250", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "u8 entry 250 + 10: {result:?}");
            let after =
                Nums::update(&c, Nums::key("m")).add(&Nums::COUNTS.key("new"), 255).await.unwrap().into_item().unwrap();
            assert_eq!(after.counts.get("new"), Some(&255));
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("m")).add(&Nums::COUNTS.key("new"), 1).into_future()).await;
            not_rejected("add(&COUNTS.key(\"new\"), 1) at 255", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "u8 entry 255 + 1: {result:?}");
            let after = readable_and_valid::<Nums>(&db, Nums::key("m"), "add on map entries").await;
            assert_eq!(after.counts.get("k"), Some(&250));
            assert_eq!(after.counts.get("new"), Some(&255));
        });
    }

    #[test]
    fn add_and_minus_on_a_list_element_keep_u16_range() {
        run(|db| async move {
            setup(&db, nums("l")).await;
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("l")).add(&Nums::LIST.index(0), 1).into_future()).await;
            not_rejected("add(&LIST.index(0), 1) at 65535", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "u16 element 65535 + 1: {result:?}");
            let (count, result) = sent(
                &requests,
                Nums::update(&c, Nums::key("l"))
                    .set_to(&Nums::LIST.index(0), Nums::LIST.index(0).minus(65535))
                    .into_future(),
            )
            .await;
            not_rejected("set_to(&LIST[0], LIST[0].minus(65535)) at 65535", count, &result);
            assert!(result.is_ok(), "65535 - 65535 = 0 fits a u16: {result:?}");
            let (count, result) = sent(
                &requests,
                Nums::update(&c, Nums::key("l"))
                    .set_to(&Nums::LIST.index(0), Nums::LIST.index(0).minus(1))
                    .into_future(),
            )
            .await;
            not_rejected("set_to(&LIST[0], LIST[0].minus(1)) at 0", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "u16 element 0 - 1: {result:?}");
            let after = readable_and_valid::<Nums>(&db, Nums::key("l"), "arithmetic on a list element").await;
            assert_eq!(after.list, vec![0]);
        });
    }
}

mod numbers_more {
    use super::numbers::{nums, Level, Nums};
    use super::*;

    async fn setup(db: &Db, item: Nums) -> Nums {
        Nums::create_table(db).await.unwrap();
        Nums::put(db, &item).await.unwrap()
    }

    #[test]
    fn add_on_a_nested_document_field_and_a_list_of_documents_keeps_min_and_max() {
        run(|db| async move {
            setup(&db, nums("d")).await;
            let (c, requests) = counted(&db);
            for (what, update) in [
                (
                    "add(&INNER.then(LEVEL), 5) at 9 /* max 10 */",
                    Nums::update(&c, Nums::key("d")).add(&Nums::INNER.then(Level::LEVEL), 5),
                ),
                (
                    "add(&INNER.then(LEVEL), -10) at 9 /* min 0 */",
                    Nums::update(&c, Nums::key("d")).add(&Nums::INNER.then(Level::LEVEL), -10),
                ),
                (
                    "add(&LEVELS.index(0).then(LEVEL), 2) at 9 /* max 10 */",
                    Nums::update(&c, Nums::key("d")).add(&Nums::LEVELS.index(0).then(Level::LEVEL), 2),
                ),
                (
                    "set_to(&INNER.then(LEVEL), LEVELS[0].LEVEL.plus(3)) at 9 /* max 10 */",
                    Nums::update(&c, Nums::key("d"))
                        .set_to(&Nums::INNER.then(Level::LEVEL), Nums::LEVELS.index(0).then(Level::LEVEL).plus(3)),
                ),
            ] {
                let (count, result) = sent(&requests, update.into_future()).await;
                not_rejected(what, count, &result);
                assert!(matches!(result, Err(Error::Validation { .. })), "{what}: {result:?}");
            }
            let after = readable_and_valid::<Nums>(&db, Nums::key("d"), "adds on nested levels").await;
            assert_eq!((after.inner.level, after.levels[0].level), (9, 9), "nothing written");
        });
    }

    #[test]
    fn u128_and_i128_at_38_nines_cannot_be_pushed_past_38_digits() {
        run(|db| async move {
            let nines: u128 = 99_999_999_999_999_999_999_999_999_999_999_999_999;
            setup(&db, Nums { big: nines, neg: -(nines as i128), ..nums("b") }).await;
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("b")).add(&Nums::BIG, 1).into_future()).await;
            not_rejected("add(&BIG, 1) at 38 nines", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "u128 at 38 nines + 1: {result:?}");
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("b")).add(&Nums::NEG, -1).into_future()).await;
            not_rejected("add(&NEG, -1) at -38 nines", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "i128 at -38 nines - 1: {result:?}");
            // A delta of 39 digits cannot be sent at all.
            refused!(
                requests,
                Nums::update(&c, Nums::key("b")).add(&Nums::NEG, i128::MIN),
                Error::Invalid { attribute, reason: InvalidReason::NumberOutOfRange { .. }, .. } if attribute == "neg"
            );
            accepted!(requests, Nums::update(&c, Nums::key("b")).set_to(&Nums::BIG, Nums::BIG.minus(nines)));
            let after = readable_and_valid::<Nums>(&db, Nums::key("b"), "128-bit adds").await;
            assert_eq!(after.big, 0);
            assert_eq!(after.neg, -(nines as i128));
        });
    }

    #[test]
    fn add_on_a_field_with_a_custom_rule_keeps_the_rule() {
        run(|db| async move {
            setup(&db, nums("ev")).await;
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, Nums::update(&c, Nums::key("ev")).add(&Nums::EVEN, 1).into_future()).await;
            not_rejected("add(&EVEN /* validate(with = even) */, 1) at 2", count, &result);
            assert!(
                matches!(&result, Err(Error::InvalidRequest { reason: RequestReason::UncheckableRule { attribute }, .. })
                    if attribute == "even"),
                "{result:?}"
            );
            readable_and_valid::<Nums>(&db, Nums::key("ev"), "add(&EVEN /* validate(with = even) */, 1) at 2").await;
        });
    }

    /// README: "an update action on the version itself, even an `add`, is refused"; the
    /// version stays where the put left it.
    #[test]
    fn an_update_that_adds_zero_to_the_version_is_refused() {
        run(|db| async move {
            let stored = setup(&db, nums("v")).await;
            assert_eq!(stored.version, 1);
            let (c, requests) = counted(&db);
            refused!(
                requests,
                Nums::update(&c, Nums::key("v")).set(&Nums::TEXT_NUM, 8).add(&Nums::VERSION, 0),
                Error::InvalidRequest { reason: RequestReason::VersionWrite { attribute }, .. } if attribute == "version"
            );
            let after = readable_and_valid::<Nums>(&db, Nums::key("v"), "add(&VERSION, 0)").await;
            assert_eq!(after, stored, "nothing written: the version is still 1");
        });
    }
}

// ============================================================== sets and len rules

mod sets {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv2_sets")]
    pub struct Sets {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(validate(non_empty))]
        pub groups: HashMap<String, BTreeSet<String>>,
        #[dynamo(validate(non_empty))]
        pub stacks: Vec<BTreeSet<String>>,
        #[dynamo(validate(len(max = 1)))]
        pub capped: BTreeMap<String, BTreeSet<String>>,
        #[dynamo(validate(len(min = 1)))]
        pub tags: BTreeSet<String>,
        pub plain: BTreeSet<String>,
        pub plain_map: HashMap<String, BTreeSet<i64>>,
        pub plain_list: Vec<BTreeSet<String>>,
    }

    fn one(x: &str) -> BTreeSet<String> {
        BTreeSet::from([x.to_owned()])
    }

    pub fn sets(id: &str) -> Sets {
        Sets {
            id: id.into(),
            groups: HashMap::from([("a".to_owned(), one("x"))]),
            stacks: vec![one("x")],
            capped: BTreeMap::from([("a".to_owned(), one("x"))]),
            tags: one("x"),
            plain: one("x"),
            plain_map: HashMap::from([("a".to_owned(), BTreeSet::from([1]))]),
            plain_list: vec![one("x"), one("y")],
        }
    }

    async fn setup(db: &Db, id: &str) {
        Sets::create_table(db).await.unwrap();
        Sets::put(db, &sets(id)).await.unwrap();
    }

    #[test]
    fn deleting_the_last_member_of_a_set_in_a_non_empty_map_keeps_the_map_non_empty() {
        run(|db| async move {
            setup(&db, "g").await;
            let (c, requests) = counted(&db);
            let (count, result) = sent(
                &requests,
                Sets::update(&c, Sets::key("g")).delete_from_set(&Sets::GROUPS.key("a"), ["x"]).into_future(),
            )
            .await;
            not_rejected("delete_from_set(&GROUPS.key(\"a\"), [\"x\"])", count, &result);
            assert!(matches!(&result, Err(Error::Validation { .. })), "{result:?}");
            readable_and_valid::<Sets>(
                &db,
                Sets::key("g"),
                "delete_from_set(&GROUPS.key(\"a\") /* its only entry, one member */, [\"x\"]) on a non_empty map",
            )
            .await;
        });
    }

    #[test]
    fn deleting_the_last_member_of_a_set_in_a_non_empty_list_keeps_the_list_readable_and_non_empty() {
        run(|db| async move {
            setup(&db, "st").await;
            let (c, requests) = counted(&db);
            let (count, result) = sent(
                &requests,
                Sets::update(&c, Sets::key("st")).delete_from_set(&Sets::STACKS.index(0), ["x"]).into_future(),
            )
            .await;
            not_rejected("delete_from_set(&STACKS.index(0), [\"x\"])", count, &result);
            assert!(matches!(&result, Err(Error::Validation { .. })), "{result:?}");
            readable_and_valid::<Sets>(
                &db,
                Sets::key("st"),
                "delete_from_set(&STACKS.index(0) /* only element, one member */, [\"x\"])",
            )
            .await;
        });
    }

    /// The control for the two above: when the set keeps a member, nothing is removed
    /// from the map or list, and the same deletes are applied.
    #[test]
    fn deleting_a_member_that_leaves_the_set_non_empty_is_applied() {
        run(|db| async move {
            setup(&db, "keep").await;
            Sets::update(&db, Sets::key("keep"))
                .add_to_set(&Sets::GROUPS.key("a"), ["y"])
                .add_to_set(&Sets::STACKS.index(0), ["y"])
                .await
                .unwrap();
            let after = Sets::update(&db, Sets::key("keep"))
                .delete_from_set(&Sets::GROUPS.key("a"), ["x"])
                .delete_from_set(&Sets::STACKS.index(0), ["x"])
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!(after.groups["a"], BTreeSet::from(["y".to_owned()]));
            assert_eq!(after.stacks, vec![BTreeSet::from(["y".to_owned()])]);
        });
    }

    /// README: DynamoDB removes a set that loses its last member, also as a list element
    /// (the elements after it move up one) or a map entry.
    #[test]
    fn deleting_the_last_member_of_a_set_in_a_plain_list_or_map_removes_the_element_or_entry() {
        run(|db| async move {
            setup(&db, "pl").await;
            let (c, requests) = counted(&db);
            accepted!(requests, Sets::update(&c, Sets::key("pl")).delete_from_set(&Sets::PLAIN_LIST.index(0), ["x"]));
            let after =
                readable_and_valid::<Sets>(&db, Sets::key("pl"), "delete_from_set(&PLAIN_LIST.index(0), [\"x\"])")
                    .await;
            assert_eq!(after.plain_list, vec![one("y")], "element 0 is gone, element 1 moved up");
            accepted!(requests, Sets::update(&c, Sets::key("pl")).delete_from_set(&Sets::PLAIN_MAP.key("a"), [1]));
            let after =
                readable_and_valid::<Sets>(&db, Sets::key("pl"), "delete_from_set(&PLAIN_MAP.key(\"a\"), [1])").await;
            assert_eq!(after.plain_map, HashMap::new(), "entry a is gone");
            assert_eq!(after, Sets { plain_list: vec![one("y")], plain_map: HashMap::new(), ..sets("pl") });
        });
    }

    #[test]
    fn len_rules_hold_for_members_entries_and_removals() {
        run(|db| async move {
            setup(&db, "len").await;
            let (c, requests) = counted(&db);
            let cases = [
                (
                    "delete_from_set(&TAGS /* len(min 1), {x} */, [x])",
                    Sets::update(&c, Sets::key("len")).delete_from_set(&Sets::TAGS, ["x"]),
                ),
                (
                    "add_to_set(&CAPPED.key(b) /* len(max 1), {a} */, [x])",
                    Sets::update(&c, Sets::key("len")).add_to_set(&Sets::CAPPED.key("b"), ["x"]),
                ),
                (
                    "remove(&GROUPS.key(a)) /* non_empty, only entry */",
                    Sets::update(&c, Sets::key("len")).remove(&Sets::GROUPS.key("a")),
                ),
                (
                    "remove(&STACKS.index(0)) /* non_empty, only element */",
                    Sets::update(&c, Sets::key("len")).remove(&Sets::STACKS.index(0)),
                ),
                (
                    "set(&CAPPED.key(c), {x}) /* len(max 1), {a} */",
                    Sets::update(&c, Sets::key("len")).set(&Sets::CAPPED.key("c"), ["x"]),
                ),
            ];
            for (what, update) in cases {
                let (count, result) = sent(&requests, update.into_future()).await;
                not_rejected(what, count, &result);
                assert!(matches!(result, Err(Error::Validation { .. })), "{what}: {result:?}");
            }
            let after = readable_and_valid::<Sets>(&db, Sets::key("len"), "len probes").await;
            assert_eq!(after, sets("len"), "nothing written");
        });
    }

    /// An empty set is no value: as an attribute's operand (a write, a member list, a
    /// comparison) it is refused before sending. Nested in a map or list it is `NULL`
    /// (README, "Models"), so those writes are sent, applied, and read back as empty sets.
    #[test]
    fn empty_sets_as_top_level_operands_are_refused_and_nested_ones_are_stored() {
        run(|db| async move {
            setup(&db, "e").await;
            let (c, requests) = counted(&db);
            let empty = BTreeSet::<String>::new();
            let cases = [
                ("add_to_set(&PLAIN, {})", Sets::update(&c, Sets::key("e")).add_to_set(&Sets::PLAIN, empty.clone())),
                (
                    "delete_from_set(&PLAIN, {})",
                    Sets::update(&c, Sets::key("e")).delete_from_set(&Sets::PLAIN, empty.clone()),
                ),
                ("set(&PLAIN, {})", Sets::update(&c, Sets::key("e")).set(&Sets::PLAIN, empty.clone())),
                (
                    "set_if_not_exists(&PLAIN, {})",
                    Sets::update(&c, Sets::key("e")).set_if_not_exists(&Sets::PLAIN, empty.clone()),
                ),
                (
                    "condition PLAIN.eq({})",
                    Sets::update(&c, Sets::key("e")).set(&Sets::PLAIN, ["q"]).condition(Sets::PLAIN.eq(empty.clone())),
                ),
                (
                    "condition PLAIN.ne({})",
                    Sets::update(&c, Sets::key("e")).set(&Sets::PLAIN, ["q"]).condition(Sets::PLAIN.ne(empty.clone())),
                ),
                (
                    "condition PLAIN.is_in([{}, {x}])",
                    Sets::update(&c, Sets::key("e"))
                        .set(&Sets::PLAIN, ["q"])
                        .condition(Sets::PLAIN.is_in([empty.clone(), BTreeSet::from(["x".to_owned()])])),
                ),
            ];
            for (what, update) in cases {
                let (count, result) = sent(&requests, update.into_future()).await;
                assert!(
                    count == 0
                        && matches!(&result, Err(Error::Invalid { attribute, reason: InvalidReason::EmptyValue, .. })
                            if attribute == "plain"),
                    "{what}: expected Invalid(EmptyValue) of `plain` with no request, got {result:?} after {count} request(s)"
                );
            }
            assert_eq!(readable_and_valid::<Sets>(&db, Sets::key("e"), "refused writes").await, sets("e"));
            refused!(
                requests,
                Sets::scan(&c).filter(Sets::PLAIN.eq(empty.clone())),
                Error::Invalid { reason: InvalidReason::EmptyValue, .. }
            );
            accepted!(
                requests,
                Sets::update(&c, Sets::key("e")).set(&Sets::PLAIN_MAP.key("z"), BTreeSet::<i64>::new())
            );
            accepted!(requests, Sets::update(&c, Sets::key("e")).append(&Sets::PLAIN_LIST, [empty.clone()]));
            let after = readable_and_valid::<Sets>(&db, Sets::key("e"), "nested empty sets").await;
            assert_eq!(
                after.plain_map,
                HashMap::from([("a".to_owned(), BTreeSet::from([1])), ("z".to_owned(), BTreeSet::new())])
            );
            assert_eq!(after.plain_list, vec![one("x"), one("y"), BTreeSet::new()]);
        });
    }
}

// ============================================================== set_from

mod copies {
    use super::numbers::Level;
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv2_copy", gsi(name = "by_tag", hash = tag), lsi(name = "by_rank", range = rank))]
    pub struct Copy {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(range_key)]
        pub sk: String,
        pub tag: Option<String>,
        pub rank: Option<i64>,
        pub note: String,
        pub other: Option<String>,
        #[dynamo(created_at)]
        pub created: i64,
        #[dynamo(updated_at = "millis")]
        pub touched: i64,
        #[dynamo(ttl)]
        pub expires: Option<i64>,
        pub plain: i64,
        pub plain_u64: u64,
        #[dynamo(validate(len(max = 1)))]
        pub limited: BTreeMap<String, String>,
        pub texts: Vec<String>,
        #[dynamo(counter)]
        pub hits: u64,
        #[dynamo(version)]
        pub version: u64,
        pub level: Level,
        pub levels: Vec<Level>,
        #[dynamo(with = as_text)]
        pub text_num: i64,
    }

    pub fn copy(id: &str) -> Copy {
        Copy {
            id: id.into(),
            sk: "s".into(),
            tag: Some("t".into()),
            rank: Some(1),
            note: "note".into(),
            other: None,
            created: 0,
            touched: 0,
            expires: None,
            plain: 4_102_444_800, // 2100-01-01 in seconds
            plain_u64: 3,
            limited: BTreeMap::from([("a".to_owned(), "x".to_owned())]),
            texts: vec!["p".into()],
            hits: 0,
            version: 0,
            level: Level { level: 3 },
            levels: vec![Level { level: 4 }],
            text_num: 12,
        }
    }

    fn copy_refused(error: &Error, into: &str, from: &str) -> bool {
        matches!(error, Error::InvalidRequest { reason: RequestReason::UncheckableCopy { attribute, source }, .. }
            if attribute == into && source == from)
    }

    fn into_index_key(error: &Error, key: &str) -> bool {
        matches!(error, Error::InvalidRequest { reason: RequestReason::CopyIntoIndexKey { attribute }, .. }
            if attribute == key)
    }

    fn path_not_found(error: &Error, missing: &str) -> bool {
        matches!(error, Error::PathNotFound { path, .. } if path == missing)
    }

    /// Each copy README refuses ("stored differently", "rules or a `set` transform the
    /// copy would skip", "an index key", counters and the version) is refused before
    /// sending with its reason; a copy from an absent attribute is sent and is
    /// `PathNotFound`. Nothing is written.
    #[test]
    fn set_from_refusals_send_nothing_and_copies_from_absent_attributes_are_path_not_found() {
        run(|db| async move {
            Copy::create_table(&db).await.unwrap();
            let stored = Copy::put(&db, &copy("c")).await.unwrap();
            let (c, requests) = counted(&db);
            let key = || Copy::key("c", "s");
            type Expect = fn(&Error) -> bool;
            let cases: Vec<(&str, _, usize, Expect)> = vec![
                (
                    "set_from(&CREATED /* seconds */, &TOUCHED /* millis */)",
                    Copy::update(&c, key()).set_from(&Copy::CREATED, &Copy::TOUCHED),
                    0,
                    |e| copy_refused(e, "created", "touched"),
                ),
                (
                    "set_from(&EXPIRES /* ttl */, &PLAIN)",
                    Copy::update(&c, key()).set_from(&Copy::EXPIRES, &Copy::PLAIN),
                    0,
                    |e| copy_refused(e, "expires", "plain"),
                ),
                (
                    "set_from(&PLAIN, &TEXT_NUM /* with, S */)",
                    Copy::update(&c, key()).set_from(&Copy::PLAIN, &Copy::TEXT_NUM),
                    0,
                    |e| copy_refused(e, "plain", "text_num"),
                ),
                (
                    "set_from(&RANK /* LSI sort key */, &PLAIN)",
                    Copy::update(&c, key()).set_from(&Copy::RANK, &Copy::PLAIN),
                    0,
                    |e| into_index_key(e, "rank"),
                ),
                (
                    "set_from(&TAG /* GSI hash key */, &NOTE)",
                    Copy::update(&c, key()).set_from(&Copy::TAG, &Copy::NOTE),
                    0,
                    |e| into_index_key(e, "tag"),
                ),
                (
                    "set_from(&HITS /* counter */, &PLAIN_U64)",
                    Copy::update(&c, key()).set_from(&Copy::HITS, &Copy::PLAIN_U64),
                    0,
                    |e| matches!(e, Error::InvalidRequest { reason: RequestReason::CounterWrite { .. }, .. }),
                ),
                (
                    "set_from(&VERSION, &PLAIN_U64)",
                    Copy::update(&c, key()).set_from(&Copy::VERSION, &Copy::PLAIN_U64),
                    0,
                    |e| matches!(e, Error::InvalidRequest { reason: RequestReason::VersionWrite { .. }, .. }),
                ),
                (
                    "set_from(&LEVEL.then(LEVEL) /* min 0 max 10 */, &PLAIN)",
                    Copy::update(&c, key()).set_from(&Copy::LEVEL.then(Level::LEVEL), &Copy::PLAIN),
                    0,
                    |e| copy_refused(e, "level.level", "plain"),
                ),
                (
                    "set_from(&LIMITED.key(b) /* len(max 1) */, &NOTE)",
                    Copy::update(&c, key()).set_from(&Copy::LIMITED.key("b"), &Copy::NOTE),
                    1,
                    |e| matches!(e, Error::Validation { errors, .. } if errors.len() == 1 && errors[0].attribute == "limited"),
                ),
                (
                    "set_from(&LEVELS.index(0).then(LEVEL), &PLAIN)",
                    Copy::update(&c, key()).set_from(&Copy::LEVELS.index(0).then(Level::LEVEL), &Copy::PLAIN),
                    0,
                    |e| copy_refused(e, "levels[0].level", "plain"),
                ),
                (
                    "set_from(&NOTE, &OTHER /* absent */)",
                    Copy::update(&c, key()).set_from(&Copy::NOTE, &Copy::OTHER),
                    1,
                    |e| path_not_found(e, "other"),
                ),
                (
                    "set_from(&TEXTS.index(0), &OTHER /* absent */)",
                    Copy::update(&c, key()).set_from(&Copy::TEXTS.index(0), &Copy::OTHER),
                    1,
                    |e| path_not_found(e, "other"),
                ),
            ];
            let mut wrong = Vec::new();
            for (what, update, expected_requests, expected) in cases {
                let (count, result) = sent(&requests, update.into_future()).await;
                match &result {
                    Err(error) if count == expected_requests && expected(error) => {}
                    _ => wrong.push(format!("{what}: {count} request(s), {result:?}")),
                }
            }
            assert!(wrong.is_empty(), "unexpected outcomes: {wrong:#?}");
            let after = readable_and_valid::<Copy>(&db, Copy::key("c", "s"), "set_from probes").await;
            assert_eq!(after, stored, "nothing written");
        });
    }

    #[test]
    fn set_from_between_list_elements_and_map_entries_is_accepted_and_reads_back() {
        run(|db| async move {
            Copy::create_table(&db).await.unwrap();
            let stored = Copy::put(&db, &Copy { other: Some("o".into()), ..copy("n") }).await.unwrap();
            let (c, requests) = counted(&db);
            accepted!(
                requests,
                Copy::update(&c, Copy::key("n", "s"))
                    .set_from(&Copy::TEXTS.index(5), &Copy::NOTE)
                    .set_from(&Copy::LIMITED.key("a"), &Copy::OTHER)
            );
            let after = readable_and_valid::<Copy>(&db, Copy::key("n", "s"), "set_from of elements").await;
            assert_eq!(after.texts, vec!["p".to_owned(), "note".to_owned()]);
            assert_eq!(after.limited.get("a").map(String::as_str), Some("o"));
            assert_eq!(after.version, stored.version + 1);
        });
    }
}

// ============================================================== put returns what get returns

mod put_vs_get {
    use std::time::SystemTime;

    use super::*;

    fn shout(value: String) -> String {
        value.to_uppercase()
    }

    fn trim(value: &str) -> String {
        value.trim().to_owned()
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv2_shape")]
    pub struct Shape {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(get = shout)]
        pub motto: String,
        #[dynamo(set = trim)]
        pub name: String,
        #[dynamo(skip)]
        pub cache: u32,
        #[dynamo(updated_at = "millis")]
        pub touched: SystemTime,
        #[dynamo(created_at)]
        pub created: chrono::DateTime<chrono::Utc>,
        #[dynamo(ttl)]
        pub expires: Option<time::OffsetDateTime>,
        pub ratio: f64,
        pub small: f32,
        pub raw: AttributeValue,
        #[dynamo(extra)]
        pub extra: HashMap<String, AttributeValue>,
    }

    fn shape(id: &str) -> Shape {
        Shape {
            id: id.into(),
            motto: "be kind".into(),
            name: "  Ada  ".into(),
            cache: 7,
            touched: SystemTime::UNIX_EPOCH,
            created: chrono::DateTime::<chrono::Utc>::from_timestamp(0, 0).unwrap(),
            expires: Some(
                time::OffsetDateTime::from_unix_timestamp(4_102_444_800).unwrap() + time::Duration::milliseconds(789),
            ),
            ratio: 0.1 + 0.2,
            small: 1.0e-7,
            raw: n("1e2"),
            extra: HashMap::from([("x.y#[0]".to_owned(), n("0.50")), ("ü".to_owned(), AttributeValue::Null(true))]),
        }
    }

    #[test]
    fn put_returns_get_transforms_skipped_fields_and_stamps_exactly_as_get() {
        run(|db| async move {
            Shape::create_table(&db).await.unwrap();
            let returned = Shape::put(&db, &shape("p")).await.unwrap();
            let got = Shape::get(&db, Shape::key("p")).consistent().await.unwrap().unwrap();
            assert_eq!(returned, got, "promise 5: put returns the item exactly as a later get returns it");
            // The transforms and stamps really applied: `get` on the way out, `set` on the
            // way in, `skip` as the default, stamps set to now, the TTL rounded down to seconds.
            assert_eq!((returned.motto.as_str(), returned.name.as_str(), returned.cache), ("BE KIND", "Ada", 0));
            assert!(returned.touched > SystemTime::UNIX_EPOCH, "{:?}", returned.touched);
            assert!(returned.created.timestamp() > 0, "{:?}", returned.created);
            assert_eq!(returned.expires.map(|t| t.unix_timestamp_nanos()), Some(4_102_444_800_000_000_000));
            // And what put returns can be put again and still round-trips.
            let again = Shape::put(&db, &returned).await.unwrap();
            let got = Shape::get(&db, Shape::key("p")).consistent().await.unwrap().unwrap();
            assert_eq!(again, got, "promise 5 on the second put");
        });
    }
}

// ============================================================== raw values

mod raw {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv2_raw")]
    pub struct Raw {
        #[dynamo(hash_key)]
        pub id: String,
        pub value: AttributeValue,
        pub maybe: Option<AttributeValue>,
        pub list: Vec<AttributeValue>,
        #[dynamo(extra)]
        pub extra: HashMap<String, AttributeValue>,
    }

    fn raw(id: &str, value: AttributeValue) -> Raw {
        Raw { id: id.into(), value, maybe: None, list: vec![], extra: HashMap::new() }
    }

    fn ns(members: &[&str]) -> AttributeValue {
        AttributeValue::Ns(members.iter().map(|m| (*m).to_owned()).collect())
    }

    /// Each value is refused before sending or stored, and the put returns what get returns.
    async fn probe(db: &Db, requests: &RequestCounter, id: &str, value: AttributeValue) -> &'static str {
        let what = format!("put of {value:?}");
        let item = raw(id, value.clone());
        let (count, result) = sent(requests, Raw::put(db, &item).into_future()).await;
        not_rejected(&what, count, &result);
        match result {
            Ok(returned) => {
                let got = Raw::get(db, Raw::key(id)).consistent().await.unwrap().unwrap();
                assert_eq!(returned, got, "promise 5 for {what}");
                // The value also works as an update operand and in a condition.
                let (count, result) = sent(
                    requests,
                    Raw::update(db, Raw::key(id))
                        .set(&Raw::MAYBE, value.clone())
                        .condition(Raw::VALUE.eq(value.clone()))
                        .into_future(),
                )
                .await;
                not_rejected(&format!("update with {value:?}"), count, &result);
                assert!(result.is_ok(), "{value:?} was stored, so VALUE.eq(it) holds: {result:?}");
                "stored"
            }
            Err(_) => "refused",
        }
    }

    #[test]
    fn numbers_in_odd_notation_are_refused_or_stored_and_read_back_as_put_returned_them() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            let (c, requests) = counted(&db);
            let texts = [
                "+1",
                "1.",
                ".5",
                "-.5",
                "1e2",
                "1E+2",
                "1e+02",
                "0.0",
                "-0",
                "-0.0",
                "00012",
                "1_000",
                " 1",
                "1 ",
                "Infinity",
                "NaN",
                "0x1F",
                "1e-130",
                "1e-131",
                "9.99e125",
                "9.999e125",
                "1e126",
                "1e99999999999",
                "1e-99999999999",
                "12345678901234567890123456789012345678",
                "123456789012345678901234567890123456789",
                "1.0000000000000000000000000000000000000000",
                "0.00000000000000000000000000000000000000000001",
                "1234567890123456789012345678901234567800000",
                "-",
                "",
                "e5",
                "1e",
                "1.2.3",
            ];
            let mut outcomes = Vec::new();
            for (i, text) in texts.iter().enumerate() {
                outcomes.push((*text, probe(&c, &requests, &format!("n{i}"), n(text)).await));
            }
            eprintln!("{outcomes:?}");
        });
    }

    /// Members equal in value are one member to DynamoDB ("duplicated set members" in
    /// README, "Schema"), as a whole value and nested in a list; distinct members are stored.
    #[test]
    fn number_sets_with_members_equal_in_value_are_refused_before_sending() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            let (c, requests) = counted(&db);
            for (i, members) in [&["1", "1.0"][..], &["100", "1e2"], &["0", "-0"], &["0.10", "0.1"], &["5", "05"]]
                .into_iter()
                .enumerate()
            {
                for (label, value) in [("s", ns(members)), ("l", AttributeValue::L(vec![ns(members)]))] {
                    let item = raw(&format!("{label}{i}"), value);
                    refused!(
                        requests,
                        Raw::put(&c, &item),
                        Error::Invalid { reason: InvalidReason::DuplicateSetMember { .. }, .. }
                    );
                    assert_eq!(crate::common::raw::<Raw>(&db, &item.key()).await, None);
                }
            }
            assert_eq!(probe(&c, &requests, "s5", ns(&["1", "2"])).await, "stored");
            assert_eq!(probe(&c, &requests, "l5", AttributeValue::L(vec![ns(&["1", "2"])])).await, "stored");
        });
    }

    #[test]
    fn odd_names_and_nested_odd_values_in_extra_round_trip() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            let (c, requests) = counted(&db);
            let long = "n".repeat(255);
            let longer = "n".repeat(256);
            let extra = HashMap::from([
                (".".to_owned(), s(".")),
                ("#".to_owned(), s("#")),
                ("[0]".to_owned(), s("[0]")),
                ("a.b".to_owned(), s("a.b")),
                (":v0".to_owned(), s(":v0")),
                ("#n0".to_owned(), s("#n0")),
                ("id ".to_owned(), s("space")),
                ("\u{0}".to_owned(), s("nul")),
                ("\u{1F600}".to_owned(), s("emoji")),
                (long, s("255")),
                (longer, s("256")),
                (
                    "nested".to_owned(),
                    AttributeValue::M(HashMap::from([
                        ("empty_list".to_owned(), AttributeValue::L(vec![])),
                        ("empty_map".to_owned(), AttributeValue::M(HashMap::new())),
                        ("null".to_owned(), AttributeValue::Null(true)),
                        // (Nested sets are probed in `raw_sets`; DynamoDB Local's notation of nested
                        // number sets is a documented quirk.)
                        ("a.b".to_owned(), AttributeValue::L(vec![s("b"), s("a")])),
                        ("nums".to_owned(), AttributeValue::L(vec![n("1e-7"), n("1E+2"), n("-0.0")])),
                    ])),
                ),
            ]);
            let item = Raw { extra, ..raw("x", AttributeValue::Bool(false)) };
            let returned = accepted!(requests, Raw::put(&c, &item));
            let got = Raw::get(&c, Raw::key("x")).consistent().await.unwrap().unwrap();
            assert_eq!(returned, got, "promise 5 with odd extra names");
            // An update and a filtered scan of the item never trip over the names.
            accepted!(requests, Raw::update(&c, Raw::key("x")).set(&Raw::VALUE, s("y")));
            let found = accepted!(requests, Raw::scan(&c).filter(Raw::VALUE.eq(s("y"))));
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].extra, returned.extra, "every odd name reads back after the update");
        });
    }
}

// ============================================================== reads

mod reads {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(
        table = "adv2_logs",
        gsi(name = "by_kind", hash = kind, projection = keys_only),
        gsi(name = "by_kind_inc", hash = kind, range = n, projection = include(label)),
        lsi(name = "by_n", range = n, projection = keys_only)
    )]
    pub struct Log {
        #[dynamo(hash_key)]
        pub pk: String,
        #[dynamo(range_key)]
        pub sk: String,
        pub kind: String,
        pub n: i64,
        pub label: String,
        pub body: String,
        #[dynamo(ttl)]
        pub expires: Option<i64>,
    }

    #[derive(Document, Debug, Clone, PartialEq)]
    pub struct LogIds {
        pub pk: String,
        pub sk: String,
    }

    #[derive(Document, Debug, Clone, PartialEq)]
    pub struct LogKeys {
        pub pk: String,
        pub sk: String,
        pub kind: String,
    }

    fn log(sk: &str, n: i64, body_len: usize) -> Log {
        Log {
            pk: "p".into(),
            sk: sk.into(),
            kind: "k".into(),
            n,
            label: format!("l{n}"),
            body: "b".repeat(body_len),
            expires: None,
        }
    }

    fn now() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    }

    #[test]
    fn index_scans_and_queries_with_filters_on_attributes_the_index_lacks_are_never_rejected() {
        run(|db| async move {
            Log::create_table(&db).await.unwrap();
            for i in 0..4 {
                Log::put(&db, &log(&format!("s{i}"), i, 10)).await.unwrap();
            }
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, Log::BY_KIND.scan(&c).filter(Log::N.gt(0)).project_into::<LogKeys>().into_future())
                    .await;
            not_rejected("scan of KEYS_ONLY gsi filtered on N (not projected)", count, &result);
            // DynamoDB Local answers such a scan from the whole items (3 have n > 0);
            // DynamoDB sees only what the index holds. Refused, as for a query.
            assert!(
                matches!(&result, Err(Error::Unprojected { missing, .. }) if missing == &["n".to_owned()]),
                "{result:?}"
            );
            assert_eq!(count, 0);
            let (count, result) = sent(
                &requests,
                Log::BY_KIND_INC.scan(&c).filter(Log::BODY.exists()).project_into::<LogKeys>().into_future(),
            )
            .await;
            not_rejected("scan of INCLUDE gsi filtered on BODY (not projected)", count, &result);
            assert!(matches!(&result, Err(Error::Unprojected { .. })), "{result:?}");
            // The control: a filter on what the index holds is sent and means what it says.
            let (count, result) = sent(
                &requests,
                Log::BY_KIND_INC.scan(&c).filter(Log::LABEL.ne("l0")).project_into::<LogKeys>().into_future(),
            )
            .await;
            assert_eq!((count, result.map(|items| items.len()).ok()), (1, Some(3)));
            let (count, result) = sent(
                &requests,
                Log::BY_N.query(&c, "p").filter(Log::BODY.exists()).project_into::<LogKeys>().into_future(),
            )
            .await;
            not_rejected("query of KEYS_ONLY lsi filtered on BODY", count, &result);
            let (count, result) =
                sent(&requests, Log::BY_KIND_INC.scan(&c).skip_expired().project_into::<LogKeys>().into_future()).await;
            not_rejected("skip_expired scan of an INCLUDE gsi without the ttl", count, &result);
        });
    }

    #[test]
    fn a_filtered_scan_and_query_over_large_items_return_exactly_limit_matches_and_resume_exactly() {
        run(|db| async move {
            Log::create_table(&db).await.unwrap();
            // 20 items of ~150 KB: a DynamoDB page (1 MB) holds about 6.
            let mut expected = BTreeSet::new();
            for i in 0..20 {
                let item = log(&format!("s{i:02}"), i % 4, 150_000);
                if item.n == 0 {
                    expected.insert(item.sk.clone());
                }
                Log::put(&db, &item).await.unwrap();
            }
            for query in [false, true] {
                let mut seen = Vec::new();
                let mut cursor: Option<Cursor> = None;
                let mut pages = 0;
                loop {
                    let page = if query {
                        Log::query(&db, "p").filter(Log::N.eq(0)).limit(2).page(cursor.take()).await.unwrap()
                    } else {
                        Log::scan(&db).filter(Log::N.eq(0)).limit(2).page(cursor.take()).await.unwrap()
                    };
                    pages += 1;
                    let sks: Vec<String> = page.items.iter().map(|i| i.sk.clone()).collect();
                    if page.cursor.is_some() {
                        assert_eq!(sks.len(), 2, "a page with more to come holds exactly `limit` matches: {sks:?}");
                    }
                    seen.extend(sks);
                    match page.cursor {
                        Some(next) => cursor = Some(next.to_string().parse().unwrap()),
                        None => break,
                    }
                    assert!(pages < 50);
                }
                let unique: BTreeSet<String> = seen.iter().cloned().collect();
                assert_eq!(unique.len(), seen.len(), "every item once: {seen:?}");
                assert_eq!(unique, expected, "every match (query: {query})");
            }
        });
    }

    #[test]
    fn skip_expired_with_a_limit_counts_only_unexpired_items() {
        run(|db| async move {
            Log::create_table(&db).await.unwrap();
            for i in 0..6 {
                let expires = if i % 2 == 0 { Some(now() - 1000) } else { Some(now() + 100_000) };
                Log::put(&db, &Log { expires, ..log(&format!("s{i}"), i, 10) }).await.unwrap();
            }
            let page = Log::query(&db, "p").skip_expired().limit(2).page(None).await.unwrap();
            let sks: Vec<&str> = page.items.iter().map(|i| i.sk.as_str()).collect();
            assert_eq!(sks, ["s1", "s3"]);
            let rest = Log::query(&db, "p").skip_expired().limit(2).page(page.cursor).await.unwrap();
            let sks: Vec<&str> = rest.items.iter().map(|i| i.sk.as_str()).collect();
            assert_eq!(sks, ["s5"]);
            assert!(Log::get(&db, Log::key("p", "s0")).skip_expired().consistent().await.unwrap().is_none());
            let count = Log::scan(&db).skip_expired().count().await.unwrap();
            assert_eq!(count, 3);
        });
    }

    #[test]
    fn a_cursor_of_a_scan_is_invalid_for_a_query_and_a_cursor_of_another_table_prefix_too() {
        run(|db| async move {
            Log::create_table(&db).await.unwrap();
            for i in 0..4 {
                Log::put(&db, &log(&format!("s{i}"), i, 10)).await.unwrap();
            }
            let scan_cursor = Log::scan(&db).limit(1).page(None).await.unwrap().cursor.unwrap();
            let query_cursor = Log::query(&db, "p").limit(1).page(None).await.unwrap().cursor.unwrap();
            let index_cursor =
                Log::BY_N.query(&db, "p").project_into::<LogIds>().limit(1).page(None).await.unwrap().cursor.unwrap();
            let (c, requests) = counted(&db);
            let (count, result) = sent(&requests, Log::query(&c, "p").limit(1).page(Some(scan_cursor.clone()))).await;
            assert!(
                matches!(result, Err(Error::InvalidCursor { .. })) && count == 0,
                "scan cursor to a query: {result:?}, {count}"
            );
            let (count, result) = sent(&requests, Log::scan(&c).limit(1).page(Some(query_cursor.clone()))).await;
            assert!(
                matches!(result, Err(Error::InvalidCursor { .. })) && count == 0,
                "query cursor to a scan: {result:?}, {count}"
            );
            let (count, result) = sent(&requests, Log::query(&c, "p").limit(1).page(Some(index_cursor.clone()))).await;
            assert!(
                matches!(result, Err(Error::InvalidCursor { .. })) && count == 0,
                "lsi cursor to a table query: {result:?}, {count}"
            );
            let (count, result) = sent(
                &requests,
                Log::BY_KIND.scan(&c).project_into::<LogKeys>().limit(1).page(Some(scan_cursor.clone())),
            )
            .await;
            assert!(
                matches!(result, Err(Error::InvalidCursor { .. })) && count == 0,
                "table scan cursor to an index scan: {result:?}, {count}"
            );
            let other = db.clone().with_table_prefix(format!("{}other_", db.table_prefix()));
            Log::create_table(&other).await.unwrap();
            let (c2, requests2) = counted(&other);
            let (count, result) = sent(&requests2, Log::query(&c2, "p").limit(1).page(Some(query_cursor))).await;
            assert!(
                matches!(result, Err(Error::InvalidCursor { .. })) && count == 0,
                "cursor of another table: {result:?}, {count}"
            );
        });
    }
}

// ============================================================== expression limits

mod limits {
    use super::numbers::{nums, Nums};
    use super::*;

    #[test]
    fn many_bounded_adds_on_map_entries_are_refused_typed_or_accepted() {
        run(|db| async move {
            Nums::create_table(&db).await.unwrap();
            Nums::put(&db, &Nums { counts: HashMap::new(), ..nums("a") }).await.unwrap();
            let (c, requests) = counted(&db);
            let mut outcomes = Vec::new();
            for k in [40, 60, 75, 100, 150, 300] {
                let mut update = Nums::update(&c, Nums::key("a"));
                for i in 0..k {
                    update = update.add(&Nums::COUNTS.key(format!("k{i}")), 1);
                }
                let (count, result) = sent(&requests, update.into_future()).await;
                not_rejected(&format!("{k} adds of 1 to u8 map entries"), count, &result);
                outcomes.push((k, count, result.as_ref().map(|_| ()).map_err(|e| e.to_string())));
            }
            eprintln!("{outcomes:#?}");
            readable_and_valid::<Nums>(&db, Nums::key("a"), "many adds").await;
        });
    }

    #[test]
    fn many_subtractions_with_guards_on_list_elements_are_refused_typed_or_accepted() {
        run(|db| async move {
            Nums::create_table(&db).await.unwrap();
            Nums::put(&db, &Nums { list: vec![100; 200], ..nums("b") }).await.unwrap();
            let (c, requests) = counted(&db);
            for k in [50, 99, 100, 101, 150, 200] {
                let mut update = Nums::update(&c, Nums::key("b"));
                for i in 0..k {
                    update = update.set_to(&Nums::LIST.index(i), Nums::LIST.index(i).minus(1));
                }
                let (count, result) = sent(&requests, update.into_future()).await;
                not_rejected(&format!("{k} minus(1) on u16 list elements"), count, &result);
                eprintln!(
                    "{k} subtractions: {count} request(s), {:?}",
                    result.as_ref().map(|_| ()).map_err(|e| e.to_string())
                );
            }
            readable_and_valid::<Nums>(&db, Nums::key("b"), "many subtractions").await;
        });
    }

    /// An expression counted with its values is limited to 1 MB: under it the update is
    /// sent (and its condition fails: no value matches), over it the update is
    /// `ExpressionTooLarge` before sending.
    #[test]
    fn conditions_with_large_distinct_values_are_sent_under_1_mb_and_refused_over_it() {
        run(|db| async move {
            Nums::create_table(&db).await.unwrap();
            let stored = Nums::put(&db, &nums("c")).await.unwrap();
            let (c, requests) = counted(&db);
            for (k, size, fits) in
                [(3, 300_000, true), (4, 300_000, false), (5, 250_000, false), (2, 399_000, true), (3, 399_000, false)]
            {
                let mut condition = Nums::COUNTS.key("v0").exists();
                for i in 0..k {
                    let value: String = format!("{i}{}", "x".repeat(size));
                    condition = condition | Nums::ID.eq(value);
                }
                let update = Nums::update(&c, Nums::key("c")).set(&Nums::TEXT_NUM, 1).condition(condition);
                let (count, result) = sent(&requests, update.into_future()).await;
                let what = format!("condition with {k} distinct values of {size} bytes");
                if fits {
                    assert!(
                        count == 1 && matches!(result, Err(Error::ConditionFailed { .. })),
                        "{what}: {count} request(s), {result:?}"
                    );
                } else {
                    assert!(
                        count == 0
                            && matches!(
                                result,
                                Err(Error::InvalidRequest { reason: RequestReason::ExpressionTooLarge { .. }, .. })
                            ),
                        "{what}: {count} request(s), {result:?}"
                    );
                }
            }
            assert_eq!(Nums::get(&db, Nums::key("c")).consistent().await.unwrap(), Some(stored));
        });
    }

    #[test]
    fn an_update_setting_hundreds_of_map_entries_is_refused_typed_or_accepted() {
        run(|db| async move {
            Nums::create_table(&db).await.unwrap();
            Nums::put(&db, &nums("d")).await.unwrap();
            let (c, requests) = counted(&db);
            for k in [100, 250, 400, 800] {
                let mut update = Nums::update(&c, Nums::key("d"));
                for i in 0..k {
                    update = update.set(&Nums::COUNTS.key(format!("entry{i}")), 1);
                }
                let (count, result) = sent(&requests, update.into_future()).await;
                not_rejected(&format!("{k} map entries set"), count, &result);
                eprintln!("{k} sets: {count} request(s), {:?}", result.as_ref().map(|_| ()).map_err(|e| e.to_string()));
            }
        });
    }
}

// ============================================================== lifecycle

mod lifecycle {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv2_ver")]
    pub struct Ver {
        #[dynamo(hash_key)]
        pub id: String,
        pub note: Option<String>,
        #[dynamo(counter)]
        pub hits: u32,
        #[dynamo(created_at)]
        pub created: i64,
        #[dynamo(updated_at)]
        pub touched: i64,
        #[dynamo(version)]
        pub version: u64,
    }

    fn ver(id: &str) -> Ver {
        Ver { id: id.into(), note: None, hits: 0, created: 0, touched: 0, version: 0 }
    }

    #[test]
    fn a_put_of_a_read_version_when_the_item_is_gone_is_a_version_conflict_and_writes_nothing() {
        run(|db| async move {
            Ver::create_table(&db).await.unwrap();
            let stored = Ver::put(&db, &ver("a")).await.unwrap();
            Ver::delete(&db, Ver::key("a")).await.unwrap();
            let result = Ver::put(&db, &stored).await;
            assert!(matches!(result, Err(Error::VersionConflict { .. })), "{result:?}");
            assert!(Ver::get(&db, Ver::key("a")).consistent().await.unwrap().is_none());
        });
    }

    #[test]
    fn upsert_counters_and_stamps_on_a_new_item() {
        run(|db| async move {
            Ver::create_table(&db).await.unwrap();
            let (c, requests) = counted(&db);
            let (count, result) =
                sent(&requests, Ver::update(&c, Ver::key("u")).upsert().add(&Ver::HITS, 3).into_future()).await;
            not_rejected("upsert add(&HITS, 3)", count, &result);
            let item = result.unwrap().into_item().unwrap();
            assert_eq!((item.hits, item.version), (3, 1));
            assert!(item.created > 0 && item.touched > 0);
            // A counter cannot be pushed past its type either, even on upsert.
            let (count, result) =
                sent(&requests, Ver::update(&c, Ver::key("u")).upsert().add(&Ver::HITS, u32::MAX).into_future()).await;
            not_rejected("upsert add(&HITS, u32::MAX) at 3", count, &result);
            assert!(matches!(result, Err(Error::Validation { .. })), "{result:?}");
            let (count, result) = sent(
                &requests,
                Ver::update(&c, Ver::key("new")).upsert().expect_version(0).add(&Ver::HITS, u32::MAX).into_future(),
            )
            .await;
            not_rejected("upsert expect_version(0) add(&HITS, u32::MAX)", count, &result);
            assert!(result.is_ok(), "{result:?}");
            let (count, result) = sent(
                &requests,
                Ver::update(&c, Ver::key("new")).upsert().expect_version(0).add(&Ver::HITS, 1).into_future(),
            )
            .await;
            not_rejected("upsert expect_version(0) on an existing item", count, &result);
            assert!(matches!(result, Err(Error::VersionConflict { .. } | Error::Validation { .. })), "{result:?}");
            let after = readable_and_valid::<Ver>(&db, Ver::key("new"), "upserts").await;
            assert_eq!((after.hits, after.version), (u32::MAX, 1));
        });
    }

    /// README: "An update that writes either [stamp] itself keeps the value it writes";
    /// removing a stamp the model needs, or a counter, is refused before sending.
    #[test]
    fn an_update_setting_the_stamps_itself_keeps_the_values_it_writes_and_removing_them_is_refused() {
        run(|db| async move {
            Ver::create_table(&db).await.unwrap();
            Ver::put(&db, &ver("s")).await.unwrap();
            let (c, requests) = counted(&db);
            let key = || Ver::key("s");
            let after = accepted!(requests, Ver::update(&c, key()).set(&Ver::TOUCHED, 5)).into_item().unwrap();
            assert_eq!(after.touched, 5);
            let after = accepted!(requests, Ver::update(&c, key()).set(&Ver::CREATED, 5)).into_item().unwrap();
            assert_eq!(after.created, 5);
            let stored = readable_and_valid::<Ver>(&db, key(), "set(&CREATED, 5)").await;
            assert_eq!(stored.created, 5);
            refused!(
                requests,
                Ver::update(&c, key()).remove(&Ver::CREATED),
                Error::InvalidRequest { reason: RequestReason::RemoveRequired { .. }, .. }
            );
            let after = accepted!(requests, Ver::update(&c, key()).add(&Ver::CREATED, -1)).into_item().unwrap();
            assert_eq!(after.created, 4);
            let touched = after.touched;
            let after =
                accepted!(requests, Ver::update(&c, key()).set_from(&Ver::CREATED, &Ver::TOUCHED)).into_item().unwrap();
            assert_eq!(after.created, touched, "the copy reads the stored value");
            refused!(
                requests,
                Ver::update(&c, key()).remove(&Ver::HITS),
                Error::InvalidRequest { reason: RequestReason::CounterWrite { .. }, .. }
            );
            readable_and_valid::<Ver>(&db, key(), "stamp writes").await;
        });
    }
}

mod raw_sets {
    use super::raw::Raw;
    use super::*;

    fn ss(members: &[&str]) -> AttributeValue {
        AttributeValue::Ss(members.iter().map(|m| (*m).to_owned()).collect())
    }

    fn sorted(value: &AttributeValue) -> AttributeValue {
        match value {
            AttributeValue::Ss(members) => {
                let mut members = members.clone();
                members.sort();
                AttributeValue::Ss(members)
            }
            AttributeValue::L(list) => AttributeValue::L(list.iter().map(sorted).collect()),
            AttributeValue::M(map) => AttributeValue::M(map.iter().map(|(k, v)| (k.clone(), sorted(v))).collect()),
            other => other.clone(),
        }
    }

    /// Put returns the members a get returns, wherever the set is; their order may differ
    /// (README: reads give "set members in DynamoDB's order"; printed when it does).
    #[test]
    fn put_returns_the_members_of_string_sets_nested_in_lists_and_maps_that_get_returns() {
        run(|db| async move {
            Raw::create_table(&db).await.unwrap();
            let cases = [
                ("top", ss(&["b", "a", "c"])),
                ("in_list", AttributeValue::L(vec![ss(&["b", "a", "c"])])),
                ("in_map", AttributeValue::M(HashMap::from([("k".to_owned(), ss(&["b", "a", "c"]))]))),
            ];
            let mut broken = Vec::new();
            for (id, value) in cases {
                let item = Raw { id: id.into(), value, maybe: None, list: vec![], extra: HashMap::new() };
                let returned = Raw::put(&db, &item).await.unwrap();
                let got = Raw::get(&db, Raw::key(id)).consistent().await.unwrap().unwrap();
                if returned != got {
                    // Member order differs (README: reads give "set members in DynamoDB's
                    // order"); the members themselves must not.
                    eprintln!("set order: {id}: put returned {:?}, get returned {:?}", returned.value, got.value);
                }
                if sorted(&returned.value) != sorted(&got.value) {
                    broken.push(format!("{id}: put returned {:?}, get returned {:?}", returned.value, got.value));
                }
            }
            assert!(broken.is_empty(), "promise 5 broken:\n{}", broken.join("\n"));
        });
    }
}

// ============================================================ found in review

mod review {
    use super::*;

    fn double(n: &i64) -> i64 {
        n * 2
    }

    /// A number field whose `set` transform changes what is added.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv2_doubled")]
    pub struct Doubled {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(set = double, validate(max = 10))]
        pub score: i64,
    }

    /// The bound of an `add` holds for the number DynamoDB adds (the delta through the
    /// field's `set` transform), not for the delta as given: `add(4)` sends 8.
    #[test]
    fn add_through_a_set_transform_keeps_the_bound_of_what_is_added() {
        run(|db| async move {
            Doubled::create_table(&db).await.unwrap();
            Doubled::put(&db, &Doubled { id: "d".into(), score: 2 }).await.unwrap(); // stored 4
            assert_eq!(raw::<Doubled>(&db, &Doubled::key("d")).await.unwrap()["score"], n("4"));
            // The control: 4 + 8 would break max = 10 only if 8 is what is added.
            let result = Doubled::update(&db, Doubled::key("d")).add(&Doubled::SCORE, 4).await;
            assert!(matches!(&result, Err(Error::Validation { .. })), "{:?}", result.map(|r| r.into_item()));
            assert_eq!(raw::<Doubled>(&db, &Doubled::key("d")).await.unwrap()["score"], n("4"), "nothing written");
            let set_to = Doubled::update(&db, Doubled::key("d")).set_to(&Doubled::SCORE, Doubled::SCORE.plus(4)).await;
            assert!(matches!(&set_to, Err(Error::Validation { .. })), "{:?}", set_to.map(|r| r.into_item()));
            // add(3) sends 6: 4 + 6 = 10 is within the bound.
            let added = Doubled::update(&db, Doubled::key("d")).add(&Doubled::SCORE, 3).await.unwrap();
            assert_eq!(added.into_item().unwrap().score, 10);
        });
    }
}
