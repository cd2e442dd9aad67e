//! Adversarial probes of the library's promises, against DynamoDB Local, written as a
//! user of the library would write them.
//!
//! The promises under test (README, issue 7):
//! 1. a request DynamoDB would reject is a typed error before anything is sent;
//! 2. a write DynamoDB applied is never reported as failed;
//! 3. nothing is written that the model cannot read back;
//! 4. every supported Rust type reads back exactly as written, or does not compile;
//! 5. `validate(...)` rules apply to written values only; `set` to every value;
//! 6. `add` keeps `min`/`max`;
//! 7. cursors are bound to their query, pages return every item exactly once;
//! 8. errors say why.
//!
//! Each test asserts the outcome the README promises and fails when that promise is
//! broken, with one exception: `lost_responses::*` pin what happens today when the
//! answer to an applied write is lost (the SDK's retry is reported as AlreadyExists /
//! VersionConflict, an ADD is applied twice). Promise 2 is broken there, and those tests
//! pass while it is: they exist so that a change to the retry policy changes them
//! knowingly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dynamo_model::{AttributeValue, Cursor, Db, Document, Error, InvalidReason, Model, Page, RequestReason, Rule};
use serde::{Deserialize, Serialize};

use crate::common::{base64url_decode, base64url_encode, counted, n, raw, run, s};

/// The request was either refused before sending with a typed error, or accepted by
/// DynamoDB; a `ValidationException` from DynamoDB breaks promise 1.
fn not_rejected_by_dynamodb<T: std::fmt::Debug>(what: &str, result: &dynamo_model::Result<T>) {
    if let Err(error @ Error::Service { code, .. }) = result {
        panic!(
            "promise 1 broken: {what} was sent and DynamoDB rejected it ({code:?}): {error}\n(a request DynamoDB \
             would reject must be a typed error before anything is sent)"
        );
    }
}

// ======================================================= numbers that leave their type

mod overflow {
    use super::*;

    /// Number fields without `min`/`max`: nothing bounds an `add`.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_narrow")]
    pub(super) struct Narrow {
        #[dynamo(hash_key)]
        pub id: String,
        pub small: i8,
        pub byte: u8,
        pub big: u64,
        pub unsigned: u32,
        pub ratio: f32,
        #[dynamo(counter)]
        pub hits: u16,
    }

    pub(super) fn narrow(id: &str) -> Narrow {
        Narrow { id: id.into(), small: 0, byte: 0, big: 0, unsigned: 0, ratio: 0.0, hits: 0 }
    }

    /// The field's type bounds an increment as `validate(min, max)` would (README, "Expressions,
    /// queries and updates"): the update is `Error::Validation` naming `attribute` and the
    /// broken bound, and the stored item is unchanged (still `before`, still readable).
    async fn refused_by_the_type(
        db: &Db,
        before: &Narrow,
        what: &str,
        result: dynamo_model::Result<dynamo_model::ops::Returned<Narrow>>,
        attribute: &str,
        bound: fn(&Rule) -> bool,
    ) {
        match &result {
            Err(Error::Validation { errors, .. })
                if errors.len() == 1 && errors[0].attribute == attribute && bound(&errors[0].rule) => {}
            other => panic!("{what}: expected Validation of `{attribute}` by its type's bound, got {other:?}"),
        }
        let stored = raw::<Narrow>(db, &before.key()).await;
        let now = Narrow::get(db, before.key()).consistent().await;
        assert!(
            matches!(&now, Ok(Some(now)) if now == before),
            "{what} was refused but the item changed: {now:?}\nstored: {stored:?}"
        );
    }

    fn max(rule: &Rule) -> bool {
        matches!(rule, Rule::Max(_))
    }

    fn min(rule: &Rule) -> bool {
        matches!(rule, Rule::Min(_))
    }

    #[test]
    fn add_past_i8_max_is_refused_and_writes_nothing() {
        run(|db| async move {
            Narrow::create_table(&db).await.unwrap();
            let item = Narrow { small: 127, ..narrow("i8") };
            Narrow::put(&db, &item).await.unwrap();
            let result = Narrow::update(&db, item.key()).add(&Narrow::SMALL, 1).await;
            refused_by_the_type(&db, &item, "add(&SMALL, 1) at 127", result, "small", max).await;
        });
    }

    #[test]
    fn add_past_u64_max_is_refused_and_writes_nothing() {
        run(|db| async move {
            Narrow::create_table(&db).await.unwrap();
            let item = Narrow { big: u64::MAX, ..narrow("u64") };
            Narrow::put(&db, &item).await.unwrap();
            let result = Narrow::update(&db, item.key()).add(&Narrow::BIG, 1).await;
            refused_by_the_type(&db, &item, "add(&BIG, 1) at u64::MAX", result, "big", max).await;
        });
    }

    #[test]
    fn counter_add_past_u16_max_is_refused_and_writes_nothing() {
        run(|db| async move {
            Narrow::create_table(&db).await.unwrap();
            let item = Narrow { hits: u16::MAX, ..narrow("ctr") };
            Narrow::put(&db, &item).await.unwrap();
            let result = Narrow::update(&db, item.key()).add(&Narrow::HITS, 1).await;
            refused_by_the_type(&db, &item, "counter add(&HITS, 1) at u16::MAX", result, "hits", max).await;
        });
    }

    #[test]
    fn minus_below_zero_on_a_u32_is_refused_and_writes_nothing() {
        run(|db| async move {
            Narrow::create_table(&db).await.unwrap();
            let item = narrow("u32");
            Narrow::put(&db, &item).await.unwrap();
            let result = Narrow::update(&db, item.key()).set_to(&Narrow::UNSIGNED, Narrow::UNSIGNED.minus(1)).await;
            refused_by_the_type(&db, &item, "set_to(&UNSIGNED, UNSIGNED.minus(1)) at 0", result, "unsigned", min).await;
        });
    }

    #[test]
    fn plus_past_u8_max_is_refused_and_writes_nothing() {
        run(|db| async move {
            Narrow::create_table(&db).await.unwrap();
            let item = Narrow { byte: 200, ..narrow("u8") };
            Narrow::put(&db, &item).await.unwrap();
            let result = Narrow::update(&db, item.key()).set_to(&Narrow::BYTE, Narrow::BYTE.plus(100)).await;
            refused_by_the_type(&db, &item, "set_to(&BYTE, BYTE.plus(100)) at 200", result, "byte", max).await;
        });
    }
    // `add` on a float field does not compile: tests/ui/expr/float_add.rs.
}

// ============================================= requests DynamoDB rejects (promise 1)

mod rejected {
    use super::*;

    /// A sparse GSI whose keys can be copied from plain string fields.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_tagged", gsi(name = "by_tag", hash = tag, range = rank))]
    pub(super) struct Tagged {
        #[dynamo(hash_key)]
        pub id: String,
        pub tag: Option<String>,
        pub rank: Option<String>,
        pub label: String,
        pub body: String,
        pub doc: HashMap<String, AttributeValue>,
        pub list: Vec<AttributeValue>,
    }

    pub(super) fn tagged(id: &str) -> Tagged {
        Tagged {
            id: id.into(),
            tag: None,
            rank: None,
            label: String::new(),
            body: String::new(),
            doc: HashMap::new(),
            list: Vec::new(),
        }
    }

    #[test]
    fn set_from_into_a_gsi_partition_key_is_refused_before_sending() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            let item = tagged("t1"); // label is "" (allowed outside keys)
            Tagged::put(&db, &item).await.unwrap();
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Tagged::update(&cdb, item.key()).set_from(&Tagged::TAG, &Tagged::LABEL),
                Error::InvalidRequest { reason: RequestReason::CopyIntoIndexKey { attribute }, .. } if attribute == "tag"
            );
            assert_eq!(Tagged::get(&db, item.key()).consistent().await.unwrap(), Some(item));
        });
    }

    #[test]
    fn set_from_into_a_gsi_sort_key_is_refused_before_sending() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            let item = Tagged { body: "b".repeat(1025), tag: Some("t".into()), ..tagged("t2") };
            Tagged::put(&db, &item).await.unwrap();
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Tagged::update(&cdb, item.key()).set_from(&Tagged::RANK, &Tagged::BODY),
                Error::InvalidRequest { reason: RequestReason::CopyIntoIndexKey { attribute }, .. } if attribute == "rank"
            );
            assert_eq!(Tagged::get(&db, item.key()).consistent().await.unwrap(), Some(item));
        });
    }

    #[test]
    fn an_update_setting_a_value_larger_than_an_item_can_be_is_refused_before_sending() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            let item = tagged("big");
            Tagged::put(&db, &item).await.unwrap();
            // One string of 409,600 bytes cannot fit in any item next to its key.
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Tagged::update(&cdb, item.key()).set(&Tagged::BODY, "x".repeat(409_600)),
                Error::Invalid { reason: InvalidReason::ItemTooLarge { .. }, .. }
            );
        });
    }

    #[test]
    fn an_upsert_setting_a_value_larger_than_an_item_can_be_is_refused_before_sending() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Tagged::update(&cdb, Tagged::key("big2"))
                    .set(&Tagged::LABEL, "")
                    .set(&Tagged::BODY, "x".repeat(409_595))
                    .set(&Tagged::DOC, HashMap::new())
                    .set(&Tagged::LIST, Vec::new())
                    .upsert(),
                Error::Invalid { reason: InvalidReason::ItemTooLarge { .. }, .. }
            );
            assert_eq!(raw::<Tagged>(&db, &Tagged::key("big2")).await, None);
        });
    }

    /// The deepest value DynamoDB holds (31 levels) is fine as an attribute, but written
    /// one level down, inside a map, it is 32 deep.
    fn nested(levels: usize) -> AttributeValue {
        let mut value = s("leaf");
        for _ in 0..levels {
            value = AttributeValue::L(vec![value]);
        }
        value
    }

    #[test]
    fn a_31_deep_value_written_inside_a_map_entry_is_refused_before_sending() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            let item = tagged("deep");
            Tagged::put(&db, &item).await.unwrap();
            // As a whole attribute, 31 levels are stored (control).
            let whole = Tagged { list: vec![nested(30)], ..tagged("deep-ok") };
            Tagged::put(&db, &whole).await.expect("31 levels as an attribute are accepted");
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Tagged::update(&cdb, item.key()).set(&Tagged::DOC.key("k"), nested(31)),
                Error::Invalid { reason: InvalidReason::TooDeep { .. }, .. }
            );
        });
    }

    #[test]
    fn a_31_deep_value_written_as_a_list_element_is_refused_before_sending() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            let item = Tagged { list: vec![s("x")], ..tagged("deep2") };
            Tagged::put(&db, &item).await.unwrap();
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Tagged::update(&cdb, item.key()).set(&Tagged::LIST.index(0), nested(31)),
                Error::Invalid { reason: InvalidReason::TooDeep { .. }, .. }
            );
        });
    }
}

// ======================================================= exact conversion (promise 4)

mod conversion {
    use super::*;

    #[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub(super) struct Unit;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_loose")]
    pub(super) struct Loose {
        #[dynamo(hash_key)]
        pub id: String,
        pub raw: Option<AttributeValue>,
        pub raws: HashMap<String, Option<AttributeValue>>,
        #[dynamo(serde)]
        pub unit: Option<Unit>,
        pub float: f64,
        pub note: Option<String>,
        #[dynamo(extra)]
        pub extra: HashMap<String, AttributeValue>,
    }

    pub(super) fn loose(id: &str) -> Loose {
        Loose {
            id: id.into(),
            raw: None,
            raws: HashMap::new(),
            unit: None,
            float: 1.0,
            note: None,
            extra: HashMap::new(),
        }
    }

    /// `Some(NULL)` would be stored as NULL and read back as `None` (README: a `None`
    /// inside a map is `NULL`), so the put is refused before sending and nothing is stored.
    #[test]
    fn option_attribute_value_holding_null_is_refused() {
        run(|db| async move {
            Loose::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let item = Loose { raw: Some(AttributeValue::Null(true)), ..loose("null") };
            refused!(
                requests,
                Loose::put(&cdb, &item),
                Error::Invalid { attribute, reason: InvalidReason::Indistinct, .. } if attribute == "raw"
            );
            assert_eq!(raw::<Loose>(&db, &item.key()).await, None);
        });
    }

    #[test]
    fn map_of_option_attribute_value_holding_null_is_refused() {
        run(|db| async move {
            Loose::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let item =
                Loose { raws: HashMap::from([("k".to_owned(), Some(AttributeValue::Null(true)))]), ..loose("nulls") };
            refused!(
                requests,
                Loose::put(&cdb, &item),
                Error::Invalid { attribute, reason: InvalidReason::Indistinct, .. } if attribute == "raws.k"
            );
            assert_eq!(raw::<Loose>(&db, &item.key()).await, None);
        });
    }

    #[test]
    fn serde_option_of_a_unit_struct_reads_back_as_serde_dynamo_stores_it() {
        run(|db| async move {
            Loose::create_table(&db).await.unwrap();
            // Through serde_dynamo, `None`, `()` and unit structs are all NULL: a serde field
            // of `Option<Unit>` is not exact (documented with `#[dynamo(serde)]`); what a
            // put returns still is what a get returns.
            let item = Loose { unit: Some(Unit), ..loose("unit") };
            let stored = Loose::put(&db, &item).await.unwrap();
            let got = Loose::get(&db, item.key()).consistent().await.unwrap();
            assert_eq!(got.as_ref(), Some(&stored));
            assert_eq!(stored.unit, None);
        });
    }

    #[test]
    fn negative_zero_float_reads_back_as_the_zero_dynamodb_stores() {
        run(|db| async move {
            Loose::create_table(&db).await.unwrap();
            let item = Loose { float: -0.0, ..loose("neg-zero") };
            let stored = Loose::put(&db, &item).await.unwrap();
            let got = Loose::get(&db, item.key()).consistent().await.unwrap().unwrap();
            // DynamoDB has no negative zero: -0.0 is stored as 0 (+0.0, bit for bit), and
            // the put returns it as stored.
            assert_eq!((stored.float.to_bits(), got.float.to_bits()), (0.0f64.to_bits(), 0.0f64.to_bits()));
        });
    }

    /// An `extra` entry named like a declared field would be read back into that field,
    /// so the put is refused before sending and nothing is stored.
    #[test]
    fn an_extra_attribute_named_like_an_absent_option_field_is_refused() {
        run(|db| async move {
            Loose::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let item = Loose { extra: HashMap::from([("note".to_owned(), s("from extra"))]), ..loose("extra") };
            refused!(
                requests,
                Loose::put(&cdb, &item),
                Error::Invalid { attribute, reason: InvalidReason::DeclaredName, .. } if attribute == "note"
            );
            assert_eq!(raw::<Loose>(&db, &item.key()).await, None);
        });
    }

    /// A raw value with the members of its sets sorted: DynamoDB keeps a set's members
    /// in an order of its own, which an `AttributeValue` (a list of members) shows.
    fn unordered(value: &AttributeValue) -> AttributeValue {
        match value {
            AttributeValue::Ss(members) => AttributeValue::Ss({
                let mut members = members.clone();
                members.sort();
                members
            }),
            AttributeValue::Ns(members) => AttributeValue::Ns({
                let mut members: Vec<(f64, String)> =
                    members.iter().map(|m| (m.parse().unwrap_or(f64::NAN), m.clone())).collect();
                members.sort_by(|a, b| a.0.total_cmp(&b.0));
                members.into_iter().map(|(_, m)| m).collect()
            }),
            AttributeValue::Bs(members) => AttributeValue::Bs({
                let mut members = members.clone();
                members.sort_by(|a, b| a.as_ref().cmp(b.as_ref()));
                members
            }),
            AttributeValue::L(list) => AttributeValue::L(list.iter().map(unordered).collect()),
            AttributeValue::M(map) => AttributeValue::M(map.iter().map(|(k, v)| (k.clone(), unordered(v))).collect()),
            other => other.clone(),
        }
    }

    /// What a put returns is what a get returns afterwards, for raw values DynamoDB
    /// rewrites: `values` are written in an `AttributeValue` field one by one.
    async fn put_then_get(db: &Db, prefix: &str, values: Vec<(&str, AttributeValue)>) -> Vec<String> {
        let mut wrong = Vec::new();
        for (i, (label, value)) in values.into_iter().enumerate() {
            let item = Loose { raw: Some(value.clone()), ..loose(&format!("{prefix}{i}")) };
            let stored = match Loose::put(db, &item).await {
                Ok(stored) => stored,
                Err(error) => {
                    wrong.push(format!("{label}: put failed: {error}"));
                    continue;
                }
            };
            let got = Loose::get(db, item.key()).consistent().await.unwrap().unwrap();
            if got.raw.as_ref().map(unordered) != stored.raw.as_ref().map(unordered) {
                wrong.push(format!("{label}: put returned {:?}, get returns {:?}", stored.raw, got.raw));
            }
        }
        wrong
    }

    #[test]
    fn put_returns_raw_numbers_in_any_spelling_exactly_as_a_get_returns_them() {
        run(|db| async move {
            Loose::create_table(&db).await.unwrap();
            let values = vec![
                ("1E+2", n("1E+2")),
                ("-0", n("-0")),
                ("-0.0e5", n("-0.0e5")),
                ("0.000", n("0.000")),
                ("+5", n("+5")),
                (".5", n(".5")),
                ("5.", n("5.")),
                ("1e-130", n("1e-130")),
                ("-1e-130", n("-1e-130")),
                ("9.99e125", n("9.99e125")),
                ("38 digits then zeros", n("1234567890123456789012345678901234567800000")),
                ("38 digits after a point", n("0.12345678901234567890123456789012345678")),
                ("00001.500", n("00001.500")),
                ("1.0000000000000000000000000000000000000000", n("1.0000000000000000000000000000000000000000")),
                (
                    "N in a list in a map",
                    AttributeValue::M(HashMap::from([("k".to_owned(), AttributeValue::L(vec![n("1E3"), n("-0.50")]))])),
                ),
            ];
            let wrong = put_then_get(&db, "n", values).await;
            assert!(wrong.is_empty(), "a put's returned item differs from the stored one: {wrong:#?}");
        });
    }

    #[test]
    fn put_returns_raw_sets_with_the_members_a_get_returns() {
        run(|db| async move {
            Loose::create_table(&db).await.unwrap();
            let values = vec![
                ("NS", AttributeValue::Ns(vec!["3".into(), "1".into(), "2".into(), "10".into(), "-1".into()])),
                ("SS", AttributeValue::Ss(vec!["b".into(), "a".into(), "é".into(), "😀".into(), "Z".into()])),
                (
                    "BS",
                    AttributeValue::Bs(vec![
                        vec![3u8].into(),
                        vec![1u8].into(),
                        vec![0xffu8].into(),
                        vec![2u8, 0].into(),
                    ]),
                ),
                (
                    "NS in a map",
                    AttributeValue::M(HashMap::from([(
                        "k".to_owned(),
                        AttributeValue::Ns(vec!["2".into(), "1".into()]),
                    )])),
                ),
            ];
            let wrong = put_then_get(&db, "s", values).await;
            assert!(
                wrong.is_empty(),
                "promise broken (a put returns the item exactly as stored): the put's item differs from what a get returns: {wrong:#?}"
            );
        });
    }
}

// ======================================================= cursors and pages (promise 7)

mod cursors {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_single")]
    pub(super) struct Single {
        #[dynamo(hash_key)]
        pub id: String,
        pub v: i64,
    }

    /// Stream `p` holds `x`, `xa`, `xb`, `y`; a sparse GSI on `tag`, an LSI on `rank`.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(
        table = "adv_log",
        gsi(name = "by_tag", hash = tag, range = seq_copy),
        gsi(name = "by_tag_keys", hash = tag, projection = keys_only),
        lsi(name = "by_rank", range = rank)
    )]
    pub(super) struct Log {
        #[dynamo(hash_key)]
        pub stream: String,
        #[dynamo(range_key)]
        pub seq: String,
        pub tag: Option<String>,
        pub seq_copy: Option<String>,
        pub rank: i64,
        pub body: String,
    }

    #[derive(Document, Debug, Clone, PartialEq)]
    pub(super) struct LogKeys {
        pub stream: String,
        pub seq: String,
    }

    pub(super) fn log(seq: &str, rank: i64, tagged: bool) -> Log {
        Log {
            stream: "p".into(),
            seq: seq.into(),
            tag: tagged.then(|| "t".to_owned()),
            seq_copy: tagged.then(|| seq.to_owned()),
            rank,
            body: format!("body-{seq}"),
        }
    }

    pub(super) async fn logs(db: &Db) -> Vec<Log> {
        Log::create_table(db).await.unwrap();
        let logs = vec![log("x", 1, true), log("xa", 2, false), log("xb", 2, true), log("y", 3, true)];
        for item in &logs {
            Log::put(db, item).await.unwrap();
        }
        logs
    }

    fn seqs(items: &[Log]) -> Vec<&str> {
        items.iter().map(|l| l.seq.as_str()).collect()
    }

    /// Walks every page through the cursor's text, as an HTTP client would.
    async fn walk<T, F, Fut>(mut next: F) -> dynamo_model::Result<Vec<Vec<T>>>
    where
        F: FnMut(Option<Cursor>) -> Fut,
        Fut: std::future::Future<Output = dynamo_model::Result<Page<T>>>,
    {
        let mut pages = Vec::new();
        let mut cursor = None;
        for _ in 0..50 {
            let page = next(cursor.take()).await?;
            pages.push(page.items);
            match page.cursor {
                Some(c) => cursor = Some(c.to_string().parse().unwrap()),
                None => return Ok(pages),
            }
        }
        panic!("more than 50 pages");
    }

    #[test]
    fn a_query_of_a_hash_only_table_reads_with_any_page_size() {
        run(|db| async move {
            Single::create_table(&db).await.unwrap();
            Single::put(&db, &Single { id: "a".into(), v: 1 }).await.unwrap();
            let result = Single::query(&db, "a").page_size(1).await;
            not_rejected_by_dynamodb("Single::query(&db, \"a\").page_size(1)", &result);
            assert_eq!(result.unwrap().len(), 1);
            let page = Single::query(&db, "a").page_size(1).page(None).await.unwrap();
            assert_eq!(page.items.len(), 1);
            // DynamoDB may end a page of `page_size` items with a key to resume after even
            // when nothing follows (DynamoDB Local does not for a hash-only query): when a
            // cursor is there, the page after it is empty and last.
            if let Some(cursor) = page.cursor {
                let next = Single::query(&db, "a").page_size(1).page(Some(cursor)).await;
                not_rejected_by_dynamodb("the page after a hash-only query's first page", &next);
                let next = next.unwrap();
                assert!(next.items.is_empty() && next.cursor.is_none(), "{next:?}");
            }
            let count = Single::query(&db, "a").page_size(1).count().await;
            not_rejected_by_dynamodb("Single::query(&db, \"a\").page_size(1).count()", &count);
            assert_eq!(count.unwrap(), 1);
        });
    }

    #[test]
    fn a_descending_begins_with_query_whose_page_ends_on_the_prefix_item_goes_on() {
        run(|db| async move {
            logs(&db).await;
            // Descending, `x` (equal to the prefix) is the last item; page_size(3) ends on it.
            let result = Log::query(&db, "p").range(Log::SEQ.begins_with("x")).descending().page_size(3).await;
            not_rejected_by_dynamodb("descending begins_with(\"x\") with page_size(3)", &result);
            assert_eq!(seqs(&result.unwrap()), ["xb", "xa", "x"]);
            let result = Log::query(&db, "p").range(Log::SEQ.begins_with("x")).descending().page_size(1).await;
            not_rejected_by_dynamodb("descending begins_with(\"x\") with page_size(1)", &result);
            assert_eq!(seqs(&result.unwrap()), ["xb", "xa", "x"]);
        });
    }

    #[test]
    fn an_eq_query_whose_page_ends_on_its_only_item_goes_on_both_ways() {
        run(|db| async move {
            logs(&db).await;
            for descending in [false, true] {
                let mut query = Log::query(&db, "p").range(Log::SEQ.eq("xa")).page_size(1);
                if descending {
                    query = query.descending();
                }
                let result = query.await;
                not_rejected_by_dynamodb(&format!("eq(\"xa\") page_size(1) descending={descending}"), &result);
                assert_eq!(seqs(&result.unwrap()), ["xa"]);
            }
        });
    }

    #[test]
    fn every_sort_key_condition_both_ways_pages_through_every_item_exactly_once() {
        run(|db| async move {
            let all = logs(&db).await;
            type Cond = dynamo_model::expr::KeyComparison<Log, dynamo_model::expr::Field<1>>;
            type Case = (&'static str, fn() -> Cond, Vec<&'static str>);
            let conditions: Vec<Case> = vec![
                ("eq x", || Log::SEQ.eq("x"), vec!["x"]),
                ("lt xb", || Log::SEQ.lt("xb"), vec!["x", "xa"]),
                ("le xb", || Log::SEQ.le("xb"), vec!["x", "xa", "xb"]),
                ("gt x", || Log::SEQ.gt("x"), vec!["xa", "xb", "y"]),
                ("ge xa", || Log::SEQ.ge("xa"), vec!["xa", "xb", "y"]),
                ("between x y", || Log::SEQ.between("x", "y"), vec!["x", "xa", "xb", "y"]),
                ("between xa xa", || Log::SEQ.between("xa", "xa"), vec!["xa"]),
                ("begins_with x", || Log::SEQ.begins_with("x"), vec!["x", "xa", "xb"]),
                ("begins_with y", || Log::SEQ.begins_with("y"), vec!["y"]),
            ];
            let mut wrong = Vec::new();
            for (label, cond, expected) in conditions {
                for descending in [false, true] {
                    for page_size in [1, 2, 3] {
                        for limit in [None, Some(1), Some(2)] {
                            let walked = walk(|c| {
                                let mut q = Log::query(&db, "p").range(cond()).page_size(page_size);
                                if descending {
                                    q = q.descending();
                                }
                                if let Some(limit) = limit {
                                    q = q.limit(limit);
                                }
                                q.page(c)
                            })
                            .await;
                            let mut want = expected.clone();
                            if descending {
                                want.reverse();
                            }
                            match walked {
                                Ok(pages) => {
                                    let got: Vec<String> = pages.concat().iter().map(|l| l.seq.clone()).collect();
                                    if got != want {
                                        wrong.push(format!(
                                            "{label} desc={descending} page_size={page_size} limit={limit:?}: {got:?}"
                                        ));
                                    }
                                }
                                Err(error) => wrong.push(format!(
                                    "{label} desc={descending} page_size={page_size} limit={limit:?}: {error}"
                                )),
                            }
                        }
                    }
                }
            }
            assert!(wrong.is_empty(), "paging broke ({} of all) : {wrong:#?}", all.len());
        });
    }

    #[test]
    fn a_cursor_reused_or_given_to_a_different_limit_filter_or_projection_resumes_after_its_item() {
        run(|db| async move {
            logs(&db).await;
            let first = Log::query(&db, "p").limit(2).page(None).await.unwrap();
            assert_eq!(seqs(&first.items), ["x", "xa"]);
            let cursor = first.cursor.unwrap();
            // Used twice: the same page twice.
            let a = Log::query(&db, "p").limit(1).page(Some(cursor.clone())).await.unwrap();
            let b = Log::query(&db, "p").limit(1).page(Some(cursor.clone())).await.unwrap();
            assert_eq!(a, b);
            assert_eq!(seqs(&a.items), ["xb"]);
            // Another limit, a filter, a projection: they resume after `xa`.
            let rest = Log::query(&db, "p").limit(10).page(Some(cursor.clone())).await.unwrap();
            assert_eq!(seqs(&rest.items), ["xb", "y"]);
            assert!(rest.cursor.is_none());
            let filtered = Log::query(&db, "p").filter(Log::RANK.ge(3)).page(Some(cursor.clone())).await.unwrap();
            assert_eq!(seqs(&filtered.items), ["y"]);
            let keys = Log::query(&db, "p").project_into::<LogKeys>().page(Some(cursor.clone())).await.unwrap();
            assert_eq!(keys.items[0], LogKeys { stream: "p".into(), seq: "xb".into() });
            // Given to a descending query of the same partition: it resumes downwards.
            let down = Log::query(&db, "p").descending().page(Some(cursor.clone())).await.unwrap();
            assert_eq!(seqs(&down.items), ["x"]);
            // After the item it points to is deleted, it still resumes after that key.
            Log::delete(&db, Log::key("p", "xa")).await.unwrap();
            let after = Log::query(&db, "p").page(Some(cursor.clone())).await.unwrap();
            assert_eq!(seqs(&after.items), ["xb", "y"]);
        });
    }

    #[test]
    fn foreign_cursors_are_invalid_cursor_and_send_nothing() {
        run(|db| async move {
            logs(&db).await;
            let (cdb, requests) = counted(&db);
            let table = Log::query(&db, "p").limit(1).page(None).await.unwrap().cursor.unwrap();
            let index = Log::BY_TAG.query(&db, "t").limit(1).page(None).await.unwrap().cursor.unwrap();
            let lsi = Log::BY_RANK.query(&db, "p").limit(1).page(None).await.unwrap().cursor.unwrap();
            let scan = Log::scan(&db).limit(1).page(None).await.unwrap().cursor.unwrap();
            refused!(requests, Log::BY_TAG.query(&cdb, "t").page(Some(table.clone())), Error::InvalidCursor { .. });
            refused!(
                requests,
                Log::BY_TAG_KEYS.query(&cdb, "t").project_into::<LogKeys>().page(Some(index.clone())),
                Error::InvalidCursor { .. }
            );
            refused!(requests, Log::query(&cdb, "p").page(Some(lsi.clone())), Error::InvalidCursor { .. });
            refused!(requests, Log::query(&cdb, "p").page(Some(scan.clone())), Error::InvalidCursor { .. });
            refused!(requests, Log::scan(&cdb).page(Some(table.clone())), Error::InvalidCursor { .. });
            refused!(requests, Log::query(&cdb, "q").page(Some(table.clone())), Error::InvalidCursor { .. });
            // Another table prefix is another table.
            let prefixed = cdb.clone().with_table_prefix("other-");
            refused!(requests, Log::query(&prefixed, "p").page(Some(table.clone())), Error::InvalidCursor { .. });
            // A sealed Db refuses plain cursors, and a plain Db refuses sealed ones.
            let sealed = cdb.clone().with_cursor_key(dynamo_model::cursor::CursorKey::from_bytes([1; 32]));
            refused!(requests, Log::query(&sealed, "p").page(Some(table.clone())), Error::InvalidCursor { .. });
            let sealed_cursor =
                Log::query(&db.clone().with_cursor_key(dynamo_model::cursor::CursorKey::from_bytes([1; 32])), "p")
                    .limit(1)
                    .page(None)
                    .await
                    .unwrap()
                    .cursor
                    .unwrap();
            refused!(requests, Log::query(&cdb, "p").page(Some(sealed_cursor)), Error::InvalidCursor { .. });
            // Outside the sort-key condition of the query given it.
            refused!(
                requests,
                Log::query(&cdb, "p").range(Log::SEQ.begins_with("y")).page(Some(table.clone())),
                Error::InvalidCursor { .. }
            );
            assert_eq!(requests.count(), 0);
        });
    }

    /// Plain cursors are readable JSON: a client can edit one. Any edit that makes a key
    /// DynamoDB refuses must be `InvalidCursor`, never a DynamoDB error.
    #[test]
    fn edited_plain_cursors_never_reach_dynamodb_as_invalid_start_keys() {
        run(|db| async move {
            logs(&db).await;
            let cursor = Log::BY_TAG.query(&db, "t").limit(1).page(None).await.unwrap().cursor.unwrap();
            let json = String::from_utf8(base64url_decode(&cursor.to_string()).expect("base64url")).unwrap();
            // The first item of the index is `x`: its key holds seq_copy "x", seq "x", stream "p", tag "t".
            let long = "x".repeat(1025);
            let edits: Vec<(&str, &str, String)> = vec![
                ("seq_copy empty", r#""seq_copy":{"S":"x"}"#, r#""seq_copy":{"S":""}"#.to_owned()),
                ("seq_copy 1025 bytes", r#""seq_copy":{"S":"x"}"#, format!(r#""seq_copy":{{"S":"{long}"}}"#)),
                ("seq_copy as N", r#""seq_copy":{"S":"x"}"#, r#""seq_copy":{"N":"1"}"#.to_owned()),
                ("seq 1025 bytes", r#""seq":{"S":"x"}"#, format!(r#""seq":{{"S":"{long}"}}"#)),
                ("seq empty", r#""seq":{"S":"x"}"#, r#""seq":{"S":""}"#.to_owned()),
                ("stream 2049 bytes", r#""stream":{"S":"p"}"#, format!(r#""stream":{{"S":"{}"}}"#, "p".repeat(2049))),
                ("stream as N", r#""stream":{"S":"p"}"#, r#""stream":{"N":"1"}"#.to_owned()),
                ("tag other partition", r#""tag":{"S":"t"}"#, r#""tag":{"S":"u"}"#.to_owned()),
            ];
            let mut wrong = Vec::new();
            for (label, from, to) in edits {
                assert!(json.contains(from), "{json}");
                let edited = json.replace(from, &to);
                let cursor: Cursor = match base64url_encode(edited.as_bytes()).parse() {
                    Ok(cursor) => cursor,
                    Err(_) => continue, // too long to be a cursor: refused at parse
                };
                match Log::BY_TAG.query(&db, "t").page(Some(cursor)).await {
                    Err(Error::InvalidCursor { .. }) => {}
                    other => wrong.push(format!("{label}: {other:?}")),
                }
            }
            assert!(wrong.is_empty(), "{wrong:#?}");
        });
    }

    #[test]
    fn paging_a_sparse_gsi_and_a_keys_only_gsi_returns_every_indexed_item_once() {
        run(|db| async move {
            logs(&db).await;
            for page_size in [1, 2, 3] {
                let pages = walk(|c| Log::BY_TAG.query(&db, "t").page_size(page_size).limit(1).page(c)).await.unwrap();
                assert_eq!(seqs(&pages.concat()), ["x", "xb", "y"], "page_size {page_size}");
                let pages =
                    walk(|c| Log::BY_TAG_KEYS.query(&db, "t").project_into::<LogKeys>().page_size(page_size).page(c))
                        .await
                        .unwrap();
                let mut got: Vec<String> = pages.concat().into_iter().map(|k| k.seq).collect();
                got.sort();
                assert_eq!(got, ["x", "xb", "y"]);
            }
            // Removing the sparse key by update takes the item out of the index; setting it
            // with set_if_not_exists puts it back.
            Log::update(&db, Log::key("p", "xb")).remove(&Log::TAG).await.unwrap();
            let found = Log::BY_TAG.query(&db, "t").await.unwrap();
            assert_eq!(seqs(&found), ["x", "y"]);
            let back = Log::update(&db, Log::key("p", "xb")).set_if_not_exists(&Log::TAG, "t").await.unwrap();
            assert_eq!(back.into_item().unwrap().tag.as_deref(), Some("t"));
            assert_eq!(seqs(&Log::BY_TAG.query(&db, "t").await.unwrap()), ["x", "xb", "y"]);
        });
    }
}

// =========================================================== bounds of add (promise 6)

mod bounds {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_bounded")]
    pub(super) struct Bounded {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(validate(min = 0.0, max = 1.1))]
        pub level: f64,
        #[dynamo(validate(min = 0, max = 10))]
        pub stock: i64,
    }

    // A float `add` could take a bounded field past its max (binary `max - d` lands
    // above the decimal one DynamoDB adds in), so floats have no `add`: see
    // tests/ui/expr/float_add.rs.

    /// Many concurrent decrements of a `min = 0` field: exactly as many succeed as the
    /// stock allows, the rest are `Error::Validation`, and the stock never goes below 0.
    #[test]
    fn concurrent_bounded_adds_never_leave_the_bounds() {
        run(|db| async move {
            Bounded::create_table(&db).await.unwrap();
            let item = Bounded { id: "c".into(), level: 0.0, stock: 5 };
            Bounded::put(&db, &item).await.unwrap();
            let tries =
                (0..20).map(|_| async { Bounded::update(&db, Bounded::key("c")).add(&Bounded::STOCK, -1).await });
            let results = futures::future::join_all(tries).await;
            let ok = results.iter().filter(|r| r.is_ok()).count();
            let refused = results.iter().filter(|r| matches!(r, Err(Error::Validation { .. }))).count();
            assert_eq!((ok, refused), (5, 15), "{results:?}");
            let stored = Bounded::get(&db, Bounded::key("c")).consistent().await.unwrap().unwrap();
            assert_eq!(stored.stock, 0);
            let ups = (0..20).map(|_| async { Bounded::update(&db, Bounded::key("c")).add(&Bounded::STOCK, 3).await });
            let results = futures::future::join_all(ups).await;
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
            assert_eq!(Bounded::get(&db, Bounded::key("c")).consistent().await.unwrap().unwrap().stock, 9);
        });
    }

    #[test]
    fn add_with_extreme_deltas_on_a_bounded_field_is_refused_or_kept_in_bounds() {
        run(|db| async move {
            Bounded::create_table(&db).await.unwrap();
            let item = Bounded { id: "x".into(), level: 0.5, stock: 5 };
            Bounded::put(&db, &item).await.unwrap();
            for delta in [i64::MIN, i64::MIN + 1, -6, 6, i64::MAX, i64::MAX - 4] {
                let result = Bounded::update(&db, item.key()).add(&Bounded::STOCK, delta).await;
                assert!(matches!(result, Err(Error::Validation { .. })), "add({delta}): {result:?}");
            }
            for delta in [-5, 5, 0] {
                Bounded::update(&db, item.key()).add(&Bounded::STOCK, delta).await.unwrap();
            }
            // On an absent attribute ADD starts from 0; a delta that keeps 0 + d in bounds works.
            Bounded::update(&db, Bounded::key("absent"))
                .add(&Bounded::STOCK, 4)
                .set(&Bounded::LEVEL, 0.0)
                .upsert()
                .await
                .unwrap();
            let result = Bounded::update(&db, Bounded::key("absent2"))
                .add(&Bounded::STOCK, 11)
                .set(&Bounded::LEVEL, 0.0)
                .upsert()
                .await;
            assert!(matches!(result, Err(Error::Validation { .. })), "{result:?}");
            assert!(Bounded::get(&db, Bounded::key("absent2")).consistent().await.unwrap().is_none());
        });
    }
}

// ====================================================== other writes the model cannot read

mod unreadable {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_bytes")]
    pub(super) struct Bytes {
        #[dynamo(hash_key)]
        pub id: String,
        pub plain: Vec<u8>,
        #[dynamo(serde)]
        pub via_serde: Vec<u8>,
    }

    /// Both fields are `Vec<u8>`, so `set_from` type-checks, but one is stored as binary
    /// (`B`) and the other, through serde, as a list of numbers (`L`).
    #[test]
    fn set_from_between_two_vec_u8_fields_stored_differently_is_refused() {
        run(|db| async move {
            Bytes::create_table(&db).await.unwrap();
            let item = Bytes { id: "b".into(), plain: vec![1, 2], via_serde: vec![3, 4] };
            assert_eq!(Bytes::put(&db, &item).await.unwrap(), item);
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Bytes::update(&cdb, item.key()).set_from(&Bytes::PLAIN, &Bytes::VIA_SERDE),
                Error::InvalidRequest { reason: RequestReason::UncheckableCopy { attribute, source }, .. }
                    if attribute == "plain" && source == "via_serde"
            );
            assert_eq!(Bytes::get(&db, item.key()).consistent().await.unwrap(), Some(item));
        });
    }
}

// ====================================================== versions, timestamps, limits

mod lifecycle {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_doc")]
    pub(super) struct Doc {
        #[dynamo(hash_key)]
        pub id: String,
        pub body: String,
        pub note: String,
        #[dynamo(version)]
        pub version: u64,
        #[dynamo(created_at)]
        pub created_at: i64,
        #[dynamo(updated_at = "millis")]
        pub updated_at: i64,
    }

    fn doc(id: &str, body: String) -> Doc {
        Doc { id: id.into(), body, note: String::new(), version: 0, created_at: 0, updated_at: 0 }
    }

    /// The size of the item a put of `doc` would store, stamps included (as compiled now).
    fn size_of(db: &Db, doc: &Doc) -> usize {
        dynamo_model::limits::item_size(&Doc::put(db, doc).compile().unwrap().item)
    }

    #[test]
    fn a_put_at_exactly_400_kb_after_its_stamps_is_stored_and_one_byte_more_is_refused() {
        run(|db| async move {
            Doc::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            // The millisecond stamp can end in zeros, which DynamoDB does not count: try
            // again when the clock moved the size between compile and send.
            let mut stored = None;
            for _ in 0..5 {
                let base = size_of(&db, &doc("d", String::new()));
                let pad = 409_600 - base;
                let at_limit = doc("d", "é".repeat(pad / 2) + &"x".repeat(pad % 2));
                match Doc::put(&cdb, &at_limit).await {
                    Ok(item) => {
                        assert_eq!(
                            dynamo_model::limits::item_size(&raw::<Doc>(&db, &item.key()).await.unwrap()),
                            409_600
                        );
                        stored = Some(item);
                        break;
                    }
                    Err(Error::Invalid { reason: InvalidReason::ItemTooLarge { size, .. }, .. }) if size <= 409_602 => {
                    }
                    Err(other) => panic!("{other:?}"),
                }
            }
            let stored = stored.expect("an item of exactly 409,600 bytes is stored");
            assert_eq!(Doc::get(&db, stored.key()).consistent().await.unwrap(), Some(stored.clone()));
            let over = doc("e", stored.body.clone() + "xxx");
            refused!(
                requests,
                Doc::put(&cdb, &over),
                Error::Invalid { reason: InvalidReason::ItemTooLarge { .. }, .. }
            );
        });
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_ver")]
    pub(super) struct Ver {
        #[dynamo(hash_key)]
        pub id: String,
        pub body: String,
        pub note: String,
        #[dynamo(version)]
        pub version: u64,
    }

    /// An item at the limit, and an update that changes nothing in size: the version the
    /// library adds (100 → 101 is one byte more as DynamoDB counts numbers) pushes it over.
    /// The library cannot know the stored size; this shows what the caller gets.
    #[test]
    fn an_update_growing_an_item_at_400_kb_is_dynamodbs_validation_error() {
        run(|db| async move {
            Ver::create_table(&db).await.unwrap();
            let item = Ver { id: "v".into(), body: String::new(), note: String::new(), version: 0 };
            Ver::put(&db, &item).await.unwrap();
            for _ in 1..99 {
                Ver::update(&db, item.key()).set(&Ver::NOTE, "").await.unwrap();
            }
            let base = dynamo_model::limits::item_size(&raw::<Ver>(&db, &item.key()).await.unwrap());
            // 99 and 100 both count 2 bytes: after this update the item is exactly 409,600.
            let filled = Ver::update(&db, item.key()).set(&Ver::BODY, "x".repeat(409_600 - base)).await.unwrap();
            assert_eq!(filled.into_item().unwrap().version, 100);
            assert_eq!(dynamo_model::limits::item_size(&raw::<Ver>(&db, &item.key()).await.unwrap()), 409_600);
            // The stored size is DynamoDB's to know: it refuses, the library says so with
            // DynamoDB's code and message, and nothing is written.
            let result = Ver::update(&db, item.key()).set(&Ver::NOTE, "").await;
            match &result {
                Err(Error::Service { code, retryable: false, .. }) => {
                    assert_eq!(code.as_deref(), Some("ValidationException"))
                }
                other => panic!("expected DynamoDB's refusal, got {other:?}"),
            }
            assert_eq!(dynamo_model::limits::item_size(&raw::<Ver>(&db, &item.key()).await.unwrap()), 409_600);
        });
    }

    /// README: "an update adds 1 and never resets it".
    #[test]
    fn an_update_cannot_set_the_version_back() {
        run(|db| async move {
            Doc::create_table(&db).await.unwrap();
            let stored = Doc::put(&db, &doc("v", "b".into())).await.unwrap();
            let stored = Doc::put(&db, &stored).await.unwrap();
            assert_eq!(stored.version, 2);
            let (cdb, requests) = counted(&db);
            for result in [
                Doc::update(&cdb, stored.key()).set(&Doc::VERSION, 0).await,
                Doc::update(&cdb, stored.key()).remove(&Doc::VERSION).await,
            ] {
                assert!(
                    matches!(result, Err(Error::InvalidRequest { reason: RequestReason::VersionWrite { .. }, .. })),
                    "{result:?}"
                );
            }
            assert_eq!(requests.count(), 0, "refused before sending");
            let now = Doc::get(&db, stored.key()).consistent().await.unwrap().unwrap();
            assert_eq!(now.version, 2);
            // Control: the item as read is written again at the next version.
            let put_back = Doc::put(&db, &Doc { body: "edited".into(), ..now.clone() }).await.unwrap();
            assert_eq!(put_back.version, 3);
        });
    }

    #[test]
    fn concurrent_puts_of_one_version_let_exactly_one_win() {
        run(|db| async move {
            Doc::create_table(&db).await.unwrap();
            let stored = Doc::put(&db, &doc("c", "v1".into())).await.unwrap();
            let writers = (0..10).map(|i| {
                let next = Doc { body: format!("writer {i}"), ..stored.clone() };
                let db = db.clone();
                async move { Doc::put(&db, &next).await }
            });
            let results = futures::future::join_all(writers).await;
            let winners: Vec<&Doc> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            assert_eq!(winners.len(), 1, "{results:?}");
            assert!(results
                .iter()
                .filter(|r| r.is_err())
                .all(|r| matches!(r, Err(Error::VersionConflict { expected: 1, .. }))));
            assert_eq!(Doc::get(&db, stored.key()).consistent().await.unwrap().as_ref(), Some(winners[0]));
        });
    }

    #[test]
    fn upserts_with_expect_version_create_only_at_version_zero() {
        run(|db| async move {
            Doc::create_table(&db).await.unwrap();
            let result = Doc::update(&db, Doc::key("u"))
                .set(&Doc::BODY, "b")
                .set(&Doc::NOTE, "")
                .upsert()
                .expect_version(3)
                .await;
            assert!(matches!(result, Err(Error::VersionConflict { expected: 3, .. })), "{result:?}");
            assert!(Doc::get(&db, Doc::key("u")).consistent().await.unwrap().is_none());
            let created = Doc::update(&db, Doc::key("u"))
                .set(&Doc::BODY, "b")
                .set(&Doc::NOTE, "")
                .upsert()
                .expect_version(0)
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!(created.version, 1);
            assert!(created.created_at > 0 && created.updated_at > 0);
            assert_eq!(Doc::get(&db, Doc::key("u")).consistent().await.unwrap(), Some(created.clone()));
            let again = Doc::update(&db, Doc::key("u"))
                .set(&Doc::BODY, "c")
                .set(&Doc::NOTE, "")
                .upsert()
                .expect_version(0)
                .await;
            assert!(matches!(again, Err(Error::VersionConflict { expected: 0, .. })), "{again:?}");
        });
    }
}

// ============================================ rules on written values (promise 5)

mod rules {
    use super::*;

    fn trim(value: &str) -> String {
        value.trim().to_owned()
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_account")]
    pub(super) struct Account {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(validate(email))]
        pub email: String,
        #[dynamo(validate(len(min = 2)), set = trim)]
        pub name: String,
        #[dynamo(validate(len(max = 2)))]
        pub tags: Vec<String>,
        #[dynamo(validate(len(max = 2)))]
        pub labels: BTreeSet<String>,
        #[dynamo(validate(len(max = 1)))]
        pub scores: BTreeMap<String, i64>,
    }

    fn account(id: &str) -> Account {
        Account {
            id: id.into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            tags: vec!["a".into(), "b".into()],
            labels: ["x", "y"].into_iter().map(str::to_owned).collect(),
            scores: BTreeMap::from([("k".to_owned(), 1)]),
        }
    }

    /// The update was sent (its `size()` condition guards the rule), DynamoDB found the
    /// rule would break, and the library reports `Error::Validation` naming the field
    /// and its `len` rule; the item is as it was.
    async fn refused_by_len(
        db: &Db,
        id: &str,
        what: &str,
        result: dynamo_model::Result<dynamo_model::ops::Returned<Account>>,
        attribute: &str,
        max: usize,
    ) {
        let rule = Rule::Length { min: None, max: Some(max) };
        assert!(
            matches!(&result, Err(Error::Validation { errors, .. })
                if errors.len() == 1 && errors[0].attribute == attribute && errors[0].rule == rule),
            "{what}: expected Validation of `{attribute}` by {rule:?}, got {result:?}"
        );
        assert_eq!(Account::get(db, Account::key(id)).consistent().await.unwrap(), Some(account(id)), "{what}");
    }

    #[test]
    fn set_from_into_a_field_with_rules_is_refused() {
        run(|db| async move {
            Account::create_table(&db).await.unwrap();
            Account::put(&db, &account("a")).await.unwrap();
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Account::update(&cdb, Account::key("a")).set_from(&Account::EMAIL, &Account::NAME),
                Error::InvalidRequest { reason: RequestReason::UncheckableCopy { attribute, source }, .. }
                    if attribute == "email" && source == "name"
            );
            assert_eq!(Account::get(&db, Account::key("a")).consistent().await.unwrap(), Some(account("a")));
        });
    }

    #[test]
    fn append_past_a_lists_len_max_is_refused() {
        run(|db| async move {
            Account::create_table(&db).await.unwrap();
            Account::put(&db, &account("b")).await.unwrap();
            let result = Account::update(&db, Account::key("b")).append(&Account::TAGS, ["c"]).await;
            refused_by_len(&db, "b", "append(&TAGS /* len(max = 2), holding 2 */, [\"c\"])", result, "tags", 2).await;
        });
    }

    #[test]
    fn add_to_set_past_a_sets_len_max_is_refused() {
        run(|db| async move {
            Account::create_table(&db).await.unwrap();
            Account::put(&db, &account("c")).await.unwrap();
            let result = Account::update(&db, Account::key("c")).add_to_set(&Account::LABELS, ["z"]).await;
            let what = "add_to_set(&LABELS /* len(max = 2), holding 2 */, [\"z\"])";
            refused_by_len(&db, "c", what, result, "labels", 2).await;
        });
    }

    #[test]
    fn setting_a_new_map_entry_past_a_maps_len_max_is_refused() {
        run(|db| async move {
            Account::create_table(&db).await.unwrap();
            Account::put(&db, &account("d")).await.unwrap();
            let result = Account::update(&db, Account::key("d")).set(&Account::SCORES.key("j"), 2).await;
            let what = "set(&SCORES.key(\"j\") /* len(max = 1), holding 1 */, 2)";
            refused_by_len(&db, "d", what, result, "scores", 1).await;
        });
    }

    /// Comparison operands go through `set` but are never held to the rules.
    #[test]
    fn comparison_operands_are_transformed_but_not_validated() {
        run(|db| async move {
            Account::create_table(&db).await.unwrap();
            Account::put(&db, &account("e")).await.unwrap();
            let (cdb, requests) = counted(&db);
            // " Ada " is trimmed to "Ada"; "A" breaks len(min = 2) but is only compared.
            let ok = Account::update(&cdb, Account::key("e"))
                .set(&Account::TAGS, ["q".to_owned()])
                .condition(
                    Account::NAME.eq("  Ada ") & Account::NAME.begins_with(" A") & Account::NAME.is_in([" Ada", "x"]),
                )
                .condition(!Account::NAME.eq("A") & Account::NAME.between("  A ", " B") & Account::EMAIL.ne("nope"))
                .await;
            assert!(ok.is_ok(), "{ok:?}");
            let n = Account::scan(&cdb).filter(Account::NAME.contains(" d ")).count().await.unwrap();
            assert_eq!(n, 1);
            // Written values are held to the rules after the transform: "  A " is "A".
            refused!(
                requests,
                Account::update(&cdb, Account::key("e")).set(&Account::NAME, "  A "),
                Error::Validation { .. }
            );
            refused!(
                requests,
                Account::update(&cdb, Account::key("e")).set(&Account::EMAIL, "not an email"),
                Error::Validation { .. }
            );
            refused!(
                requests,
                Account::update(&cdb, Account::key("e")).set(&Account::TAGS, ["1", "2", "3"]),
                Error::Validation { .. }
            );
        });
    }
}

// ======================================================== errors say why (promise 8)

mod errors {
    use super::*;
    use crate::adversarial::rejected::{tagged, Tagged};

    #[test]
    fn a_service_error_shows_dynamodbs_code_and_message_and_is_not_retryable() {
        run(|db| async move {
            Tagged::create_table(&db).await.unwrap();
            Tagged::put(&db, &Tagged { label: "l".repeat(300_000), ..tagged("t") }).await.unwrap();
            // What only DynamoDB can know: the stored item would grow past 400 KB.
            let error =
                Tagged::update(&db, Tagged::key("t")).set(&Tagged::BODY, "n".repeat(200_000)).await.unwrap_err();
            let text = error.to_string();
            match &error {
                Error::Service { code, message, retryable, .. } => {
                    assert_eq!(code.as_deref(), Some("ValidationException"));
                    assert!(!message.is_empty() && text.contains(message.as_str()), "{text}");
                    assert!(text.contains("ValidationException"), "{text}");
                    assert!(!retryable && !error.is_retryable());
                }
                other => panic!("{other:?}"),
            }
        });
    }

    #[test]
    fn a_missing_table_is_table_not_found_for_every_operation() {
        run(|db| async move {
            let item = tagged("t");
            assert!(matches!(Tagged::put(&db, &item).await, Err(Error::TableNotFound { .. })));
            assert!(matches!(Tagged::get(&db, item.key()).await, Err(Error::TableNotFound { .. })));
            assert!(matches!(
                Tagged::update(&db, item.key()).set(&Tagged::LABEL, "x").await,
                Err(Error::TableNotFound { .. })
            ));
            assert!(matches!(Tagged::delete(&db, item.key()).await, Err(Error::TableNotFound { .. })));
            assert!(matches!(Tagged::query(&db, "t").await, Err(Error::TableNotFound { .. })));
            assert!(matches!(Tagged::scan(&db).await, Err(Error::TableNotFound { .. })));
            assert!(matches!(Tagged::BY_TAG.query(&db, "t").await, Err(Error::TableNotFound { .. })));
            let error = Tagged::scan(&db).await.unwrap_err();
            assert!(!error.is_retryable());
            assert!(error.to_string().contains("adv_tagged"), "{error}");
        });
    }
}

// ============================================== odd names, odd strings, reserved words

mod names {
    use super::*;

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub(super) struct Inner {
        #[dynamo(rename = "a.b")]
        pub dotted: String,
        #[dynamo(rename = "size")]
        pub size: Option<i64>,
    }

    /// Attribute names that are reserved words or hold expression syntax.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_names", gsi(name = "by_name", hash = name, range = data))]
    pub(super) struct Odd {
        #[dynamo(hash_key, rename = "key")]
        pub pk: String,
        #[dynamo(range_key, rename = "range")]
        pub sk: String,
        #[dynamo(rename = "name")]
        pub name: String,
        #[dynamo(rename = "data")]
        pub data: String,
        #[dynamo(rename = "#status :v [0]")]
        pub status: String,
        #[dynamo(rename = "😀")]
        pub emoji: HashMap<String, i64>,
        #[dynamo(rename = "ttl")]
        pub inner: Inner,
        pub list: Vec<String>,
    }

    pub(super) fn odd(pk: &str, sk: &str) -> Odd {
        Odd {
            pk: pk.into(),
            sk: sk.into(),
            name: "n".into(),
            data: "d".into(),
            status: "s".into(),
            emoji: HashMap::from([
                ("a.b".to_owned(), 1),
                ("[0]".to_owned(), 2),
                ("#x".to_owned(), 3),
                (":v0".to_owned(), 4),
                ("with space".to_owned(), 5),
                ("𝄞 astral".to_owned(), 6),
                ("\u{0}nul".to_owned(), 7),
            ]),
            inner: Inner { dotted: "x".into(), size: Some(1) },
            list: vec!["a".into()],
        }
    }

    #[test]
    fn reserved_and_syntax_like_names_and_map_keys_work_in_every_expression() {
        run(|db| async move {
            Odd::create_table(&db).await.unwrap();
            let item = odd("k", "r");
            assert_eq!(Odd::put(&db, &item).await.unwrap(), item);
            assert_eq!(Odd::get(&db, item.key()).consistent().await.unwrap(), Some(item.clone()));
            let updated = Odd::update(&db, item.key())
                .add(&Odd::EMOJI.key("a.b"), 10)
                .set(&Odd::EMOJI.key("[0]"), 20)
                .remove(&Odd::EMOJI.key("#x"))
                .set(&Odd::EMOJI.key("new :v1 #n0"), 30)
                .set(&Odd::INNER.then(Inner::DOTTED), "y")
                .remove(&Odd::INNER.then(Inner::SIZE))
                .set(&Odd::STATUS, "t")
                .condition(
                    Odd::EMOJI.key(":v0").eq(4)
                        & Odd::EMOJI.key("nope").not_exists()
                        & Odd::INNER.then(Inner::SIZE).exists()
                        & Odd::EMOJI.size().eq(7)
                        & Odd::NAME.eq("n")
                        & Odd::DATA.is_in(["d", "e"]),
                )
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!(updated.emoji["a.b"], 11);
            assert_eq!(updated.emoji["[0]"], 20);
            assert_eq!(updated.emoji["new :v1 #n0"], 30);
            assert!(!updated.emoji.contains_key("#x"));
            assert_eq!(updated.inner, Inner { dotted: "y".into(), size: None });
            assert_eq!(Odd::get(&db, item.key()).consistent().await.unwrap(), Some(updated.clone()));
            let found = Odd::BY_NAME
                .query(&db, "n")
                .range(Odd::DATA.begins_with("d"))
                .filter(Odd::STATUS.eq("t"))
                .await
                .unwrap();
            assert_eq!(found, std::slice::from_ref(&updated));
            let found =
                Odd::query(&db, "k").range(Odd::SK.eq("r")).filter(Odd::EMOJI.key("with space").eq(5)).await.unwrap();
            assert_eq!(found.len(), 1);
            // not_exists on a path under an absent map entry, and under a list index.
            let deleted = Odd::delete(&db, item.key())
                .condition(Odd::EMOJI.key("no").not_exists() & Odd::LIST.index(7).not_exists())
                .await
                .unwrap()
                .into_item()
                .unwrap();
            assert_eq!(deleted, Some(updated));
        });
    }

    #[test]
    fn keys_of_astral_characters_at_exactly_the_byte_limits_are_stored_queried_and_paged() {
        run(|db| async move {
            Odd::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let pk = "😀".repeat(512); // 2048 bytes, 512 characters, 1024 UTF-16 units
            let sks = ["\u{e000}".repeat(341) + "a", "\u{ffff}".repeat(341) + "b", "😀".repeat(256), "𝄞".repeat(256)];
            for sk in &sks {
                assert!(sk.len() <= 1024, "{}", sk.len());
                let item = Odd { name: "😀".repeat(512), data: sk.clone(), ..odd(&pk, sk) };
                assert_eq!(Odd::put(&cdb, &item).await.unwrap(), item);
            }
            let too_long = Odd { ..odd(&pk, &("😀".repeat(256) + "x")) };
            refused!(
                requests,
                Odd::put(&cdb, &too_long),
                Error::Invalid { reason: InvalidReason::KeyTooLong { len: 1025, max: 1024 }, .. }
            );
            // DynamoDB orders strings by UTF-8 bytes: U+E000 < U+FFFF < U+1D11E (𝄞) < U+1F600 (😀).
            let mut expected: Vec<String> = sks.to_vec();
            expected.sort();
            for page_size in [1, 2, 3] {
                for descending in [false, true] {
                    let mut q = Odd::query(&cdb, &pk).range(Odd::SK.between(&sks[0], &sks[2])).page_size(page_size);
                    if descending {
                        q = q.descending();
                    }
                    let got = q.await;
                    not_rejected_by_dynamodb(
                        &format!("between over astral keys page_size {page_size} desc {descending}"),
                        &got,
                    );
                    let mut got: Vec<String> = got.unwrap().into_iter().map(|o| o.sk).collect();
                    if descending {
                        got.reverse();
                    }
                    assert_eq!(got, expected, "page_size {page_size} descending {descending}");
                }
            }
            let got = Odd::BY_NAME
                .query(&cdb, "😀".repeat(512))
                .range(Odd::DATA.begins_with("😀"))
                .page_size(1)
                .await
                .unwrap();
            assert_eq!(got.len(), 1);
        });
    }
}

// ================================ writes applied but reported failed (promise 2)

mod lost_responses {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::adversarial::lifecycle::Ver;

    /// Reads one HTTP/1.1 message (headers and a body of `Content-Length` bytes, or a
    /// chunked body) from `stream`; `None` at end of stream.
    fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
        let mut data = Vec::new();
        let mut buf = [0u8; 8192];
        let header_end = loop {
            if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let read = stream.read(&mut buf).ok()?;
            if read == 0 {
                return None;
            }
            data.extend_from_slice(&buf[..read]);
        };
        let headers = String::from_utf8_lossy(&data[..header_end]).to_ascii_lowercase();
        let length = headers
            .lines()
            .find_map(|line| line.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()));
        let chunked = headers.contains("transfer-encoding: chunked");
        loop {
            let done = match length {
                Some(length) => data.len() >= header_end + length,
                None if chunked => data[header_end..].ends_with(b"0\r\n\r\n"),
                None => true,
            };
            if done {
                return Some(data);
            }
            let read = stream.read(&mut buf).ok()?;
            if read == 0 {
                return Some(data);
            }
            data.extend_from_slice(&buf[..read]);
        }
    }

    /// A proxy in front of DynamoDB Local that forwards every request and, for the first
    /// `drops` requests whose target is `target`, closes the connection instead of
    /// returning DynamoDB's answer: the write happened, its response was lost.
    fn lossy_proxy(upstream: String, target: &'static str, drops: usize) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                let upstream = upstream.clone();
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let mut server = TcpStream::connect(&upstream).unwrap();
                    while let Some(request) = read_message(&mut client) {
                        server.write_all(&request).unwrap();
                        let Some(response) = read_message(&mut server) else { return };
                        let is_target = String::from_utf8_lossy(&request).contains(target);
                        if is_target && counter.fetch_add(1, Ordering::SeqCst) < drops {
                            let _ = client.shutdown(std::net::Shutdown::Both);
                            return; // no answer: the connection just closes
                        }
                        if client.write_all(&response).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{address}"), seen)
    }

    /// A `Db` on `db`'s namespace whose requests go through a lossy proxy.
    async fn through_proxy(db: &Db, target: &'static str) -> (Db, Arc<AtomicUsize>) {
        let endpoint = crate::common::local().endpoint().to_owned();
        let upstream = endpoint.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let (url, dropped) = lossy_proxy(upstream, target, 1);
        let config = db.client().config().to_builder().endpoint_url(url).build();
        (Db::new(aws_sdk_dynamodb::Client::from_conf(config)).with_table_prefix(db.table_prefix()), dropped)
    }

    fn ver(id: &str) -> Ver {
        Ver { id: id.into(), body: "b".into(), note: String::new(), version: 0 }
    }

    // When the answer to an applied write is lost, the SDK's own retry sends it again.
    // A conditional write's retry then fails its own condition, and the library reports
    // the outcome as unknown (with that failure as the cause), never as the failure. A
    // non-idempotent `ADD` without a guard is applied twice, as with any DynamoDB client:
    // the README says so.

    /// A non-idempotent `ADD` whose answer is lost is applied twice.
    #[test]
    fn an_add_whose_response_is_lost_is_applied_twice() {
        run(|db| async move {
            crate::adversarial::overflow::Narrow::create_table(&db).await.unwrap();
            use crate::adversarial::overflow::{narrow, Narrow};
            let item = narrow("twice");
            Narrow::put(&db, &item).await.unwrap();
            let (pdb, _) = through_proxy(&db, "DynamoDB_20120810.UpdateItem").await;
            let result = Narrow::update(&pdb, item.key()).add(&Narrow::HITS, 1).await;
            let now = Narrow::get(&db, item.key()).consistent().await.unwrap().unwrap();
            assert_eq!(
                now.hits,
                2,
                "add(&HITS, 1) called once returned {:?}",
                result.map(|r| r.into_item().map(|n| n.hits))
            );
        });
    }

    #[test]
    fn a_create_whose_response_is_lost_is_reported_as_unknown() {
        run(|db| async move {
            Ver::create_table(&db).await.unwrap();
            let (pdb, dropped) = through_proxy(&db, "DynamoDB_20120810.PutItem").await;
            let item = ver("lost-create");
            let result = Ver::put(&pdb, &item).if_not_exists().await;
            assert_eq!(dropped.load(Ordering::SeqCst), 2, "one answer dropped, one retry");
            let stored = raw::<Ver>(&db, &item.key()).await;
            assert!(stored.is_some(), "the first attempt wrote the item");
            let Err(Error::OutcomeUnknown { operation: "PutItem", attempts: 2, cause, .. }) = result else {
                panic!("{result:?}")
            };
            assert!(matches!(*cause, Error::AlreadyExists { .. }), "the retry's answer: {cause:?}");
        });
    }

    #[test]
    fn a_versioned_put_whose_response_is_lost_is_reported_as_unknown() {
        run(|db| async move {
            Ver::create_table(&db).await.unwrap();
            let stored = Ver::put(&db, &ver("lost-put")).await.unwrap();
            let (pdb, _) = through_proxy(&db, "DynamoDB_20120810.PutItem").await;
            let next = Ver { body: "second".into(), ..stored };
            let result = Ver::put(&pdb, &next).await;
            let now = Ver::get(&db, next.key()).consistent().await.unwrap().unwrap();
            assert_eq!((now.body.as_str(), now.version), ("second", 2), "the first attempt wrote it");
            let Err(Error::OutcomeUnknown { operation: "PutItem", cause, .. }) = result else { panic!("{result:?}") };
            assert!(matches!(*cause, Error::VersionConflict { expected: 1, .. }), "the retry's answer: {cause:?}");
        });
    }

    #[test]
    fn an_update_with_expect_version_whose_response_is_lost_is_reported_as_unknown() {
        run(|db| async move {
            Ver::create_table(&db).await.unwrap();
            let stored = Ver::put(&db, &ver("lost-update")).await.unwrap();
            let (pdb, _) = through_proxy(&db, "DynamoDB_20120810.UpdateItem").await;
            let result = Ver::update(&pdb, stored.key()).set(&Ver::BODY, "changed").expect_version(1).await;
            let now = Ver::get(&db, stored.key()).consistent().await.unwrap().unwrap();
            assert_eq!(now.body, "changed", "the first attempt wrote it");
            let Err(Error::OutcomeUnknown { operation: "UpdateItem", cause, .. }) = result else {
                panic!("{result:?}")
            };
            assert!(matches!(*cause, Error::VersionConflict { expected: 1, .. }), "the retry's answer: {cause:?}");
        });
    }
}

// ======================================================= expression limits with guards

mod expression_limits {
    use aws_sdk_dynamodb::error::ProvideErrorMetadata;

    use super::*;
    use crate::adversarial::names::Odd;

    /// The library's decision (compile or refuse) must match DynamoDB's near the 4 KB
    /// limit, counting the conditions the library adds itself (item exists, the map
    /// written inside exists).
    #[test]
    fn an_update_condition_near_4_kb_with_the_librarys_guards_is_refused_exactly_when_dynamodb_would() {
        run(|db| async move {
            Odd::create_table(&db).await.unwrap();
            Odd::put(&db, &crate::adversarial::names::odd("k", "r")).await.unwrap();
            let update = |k: usize| {
                let mut condition = Odd::EMOJI.key("c0").not_exists();
                for i in 1..k {
                    condition = condition | Odd::EMOJI.key(format!("c{i}")).not_exists();
                }
                Odd::update(&db, Odd::key("k", "r")).set(&Odd::EMOJI.key("x"), 1).condition(condition)
            };
            let mut last_ok = 0;
            let mut refused_at = None;
            let mut mismatches = Vec::new();
            for k in 90..140 {
                let compiled = update(k).compile();
                let len = compiled.as_ref().ok().and_then(|c| c.expressions.condition.as_ref().map(String::len));
                let result = update(k).await;
                match (&compiled, &result) {
                    (Ok(_), Err(Error::Service { message, .. })) => {
                        mismatches.push(format!("k={k} len={len:?}: compiled, DynamoDB refused: {message}"))
                    }
                    (Ok(_), _) => last_ok = k,
                    (Err(_), _) => {
                        refused_at.get_or_insert((k, compiled.err().map(|e| e.to_string())));
                    }
                }
            }
            // The boundary lies inside the range tried: some compiled, some were refused.
            assert!(last_ok > 0 && refused_at.is_some(), "last compiled {last_ok}, first refused {refused_at:?}");
            assert!(mismatches.is_empty(), "{mismatches:#?}");
            // The other direction: the first expression refused, sent through the SDK as
            // the library would have rendered it, is one DynamoDB rejects.
            let (first_refused, reason) = refused_at.unwrap();
            assert_eq!(first_refused, last_ok + 1, "compiled up to {last_ok}, then refused: {reason:?}");
            let refused_len = match update(first_refused).compile() {
                Err(Error::InvalidRequest {
                    reason: RequestReason::ExpressionTooLong { expression: "condition", len, max: 4096 },
                    ..
                }) => len,
                other => panic!("k={first_refused}: expected ExpressionTooLong of the condition, got {other:?}"),
            };
            let base = update(last_ok).compile().unwrap();
            let condition = base.expressions.condition.clone().unwrap();
            let mut names = base.expressions.names.clone().unwrap();
            // The last term of the chain (`c{last_ok - 1}`), repeated for one more key.
            let last = names.iter().find(|(_, name)| **name == format!("c{}", last_ok - 1)).unwrap().0.clone();
            let end = condition.find(&format!(".{last})")).unwrap() + last.len() + 2;
            let start = condition[..end].rfind("attribute_not_exists(").unwrap();
            let next = format!("#n{}", names.len());
            assert!(!names.contains_key(&next));
            let term = condition[start..end].replace(&format!(".{last})"), &format!(".{next})"));
            names.insert(next, format!("c{last_ok}"));
            let raw_condition = format!("{} OR {term}{}", &condition[..end], &condition[end..]);
            assert_eq!(
                raw_condition.len(),
                refused_len,
                "the raw condition is as long as the one refused: {raw_condition}"
            );
            let sent = db
                .client()
                .update_item()
                .table_name(db.table_name::<Odd>())
                .set_key(Some(base.key.clone()))
                .set_update_expression(base.expressions.update.clone())
                .condition_expression(raw_condition)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(base.expressions.values.clone())
                .send()
                .await;
            let error = sent.expect_err("DynamoDB rejects a condition over 4 KB");
            assert_eq!(error.code(), Some("ValidationException"), "{error:?}");
        });
    }

    #[test]
    fn not_of_an_in_with_100_values_is_accepted_and_101_refused() {
        run(|db| async move {
            Odd::create_table(&db).await.unwrap();
            let (cdb, requests) = counted(&db);
            let values: Vec<String> = (0..100).map(|i| format!("v{i}")).collect();
            let found =
                Odd::scan(&cdb).filter(!Odd::NAME.is_in(values.clone()) & !Odd::STATUS.is_in(values.clone())).await;
            assert!(found.is_ok(), "{found:?}");
            let mut more = values.clone();
            more.push("v100".into());
            refused!(requests, Odd::scan(&cdb).filter(!Odd::NAME.is_in(more)), Error::InvalidRequest { .. });
        });
    }
}

// ========================================================== scans racing with writes

mod racing {
    use super::*;
    use crate::adversarial::cursors::{log, Log};

    #[test]
    fn a_paginated_scan_racing_with_writes_returns_every_untouched_item_exactly_once() {
        run(|db| async move {
            Log::create_table(&db).await.unwrap();
            let originals: Vec<String> = (0..40).map(|i| format!("o{i:02}")).collect();
            for seq in &originals {
                Log::put(&db, &log(seq, 1, true)).await.unwrap();
            }
            let writer = {
                let db = db.clone();
                tokio::spawn(async move {
                    for i in 0..60 {
                        Log::put(&db, &log(&format!("n{i:02}"), 2, i % 2 == 0)).await.unwrap();
                        Log::update(&db, Log::key("p", format!("o{:02}", i % 40))).add(&Log::RANK, 1).await.unwrap();
                    }
                })
            };
            let mut seen: Vec<String> = Vec::new();
            let mut cursor: Option<Cursor> = None;
            loop {
                let page = Log::scan(&db).page_size(3).limit(3).page(cursor.take()).await.unwrap();
                seen.extend(page.items.into_iter().map(|l| l.seq));
                match page.cursor {
                    Some(c) => cursor = Some(c.to_string().parse().unwrap()),
                    None => break,
                }
            }
            writer.await.unwrap();
            for seq in &originals {
                let times = seen.iter().filter(|s| *s == seq).count();
                assert_eq!(times, 1, "{seq} seen {times} times");
            }
            let mut dedup = seen.clone();
            dedup.sort();
            dedup.dedup();
            assert_eq!(dedup.len(), seen.len(), "an item came twice");
            // And the index walk with page_size 1, while nothing is written.
            let pages = Log::BY_RANK.query(&db, "p").page_size(1).await.unwrap();
            assert_eq!(pages.len(), 100);
        });
    }
}

// ============================================= index key conditions, every kind, both ways

mod index_paging {
    use super::*;
    use crate::adversarial::cursors::Log;

    fn log(seq: &str, rank: i64, copy: &str) -> Log {
        Log {
            stream: "p".into(),
            seq: seq.into(),
            tag: Some("t".into()),
            seq_copy: Some(copy.into()),
            rank,
            body: String::new(),
        }
    }

    /// On the LSI (`rank`, repeating) and the GSI (`seq_copy`, repeating), every sort-key
    /// condition with every page size, both directions: every item exactly once.
    #[test]
    fn every_index_sort_key_condition_both_ways_pages_through_every_item_exactly_once() {
        run(|db| async move {
            Log::create_table(&db).await.unwrap();
            let rows = [("a", 1, "x"), ("b", 2, "xa"), ("c", 2, "xa"), ("d", 2, "xa"), ("e", 3, "xb"), ("f", 3, "y")];
            for (seq, rank, copy) in rows {
                Log::put(&db, &log(seq, rank, copy)).await.unwrap();
            }
            type Lsi = dynamo_model::expr::KeyComparison<Log, dynamo_model::expr::Field<4>>;
            type Gsi = dynamo_model::expr::KeyComparison<Log, dynamo_model::expr::Field<3>>;
            type Case<C> = (&'static str, fn() -> C, usize);
            let lsi: Vec<Case<Lsi>> = vec![
                ("eq 2", || Log::RANK.eq(2), 3),
                ("le 2", || Log::RANK.le(2), 4),
                ("lt 3", || Log::RANK.lt(3), 4),
                ("ge 2", || Log::RANK.ge(2), 5),
                ("gt 1", || Log::RANK.gt(1), 5),
                ("between 2 2", || Log::RANK.between(2, 2), 3),
                ("between 1 2", || Log::RANK.between(1, 2), 4),
            ];
            let gsi: Vec<Case<Gsi>> = vec![
                ("eq xa", || Log::SEQ_COPY.eq("xa"), 3),
                ("begins_with x", || Log::SEQ_COPY.begins_with("x"), 5),
                ("begins_with xa", || Log::SEQ_COPY.begins_with("xa"), 3),
                ("le xa", || Log::SEQ_COPY.le("xa"), 4),
                ("ge xa", || Log::SEQ_COPY.ge("xa"), 5),
                ("between xa xa", || Log::SEQ_COPY.between("xa", "xa"), 3),
            ];
            let mut wrong = Vec::new();
            for page_size in [1, 2, 3] {
                for descending in [false, true] {
                    for (label, cond, expected) in &lsi {
                        let mut q = Log::BY_RANK.query(&db, "p").range(cond()).page_size(page_size);
                        if descending {
                            q = q.descending();
                        }
                        match q.await {
                            Ok(items) => {
                                let mut seqs: Vec<String> = items.into_iter().map(|l| l.seq).collect();
                                seqs.sort();
                                seqs.dedup();
                                if seqs.len() != *expected {
                                    wrong.push(format!("lsi {label} ps {page_size} desc {descending}: {seqs:?}"));
                                }
                            }
                            Err(e) => wrong.push(format!("lsi {label} ps {page_size} desc {descending}: {e}")),
                        }
                    }
                    for (label, cond, expected) in &gsi {
                        let mut q = Log::BY_TAG.query(&db, "t").range(cond()).page_size(page_size);
                        if descending {
                            q = q.descending();
                        }
                        match q.await {
                            Ok(items) => {
                                let mut seqs: Vec<String> = items.into_iter().map(|l| l.seq).collect();
                                let total = seqs.len();
                                seqs.sort();
                                seqs.dedup();
                                if seqs.len() != *expected || total != *expected {
                                    wrong.push(format!(
                                        "gsi {label} ps {page_size} desc {descending}: {seqs:?} ({total})"
                                    ));
                                }
                            }
                            Err(e) => wrong.push(format!("gsi {label} ps {page_size} desc {descending}: {e}")),
                        }
                    }
                }
            }
            assert!(wrong.is_empty(), "{wrong:#?}");
        });
    }
}

// ================================================ more requests DynamoDB rejects

mod rejected_more {
    use super::*;

    /// An index whose sort key is the TTL attribute: finding soon-to-expire items.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_session", gsi(name = "by_user_expiry", hash = user, range = expires_at))]
    pub(super) struct Session {
        #[dynamo(hash_key)]
        pub id: String,
        pub user: String,
        #[dynamo(ttl)]
        pub expires_at: Option<i64>,
        pub nums: Vec<i64>,
        pub sets: Vec<BTreeSet<String>>,
    }

    fn session(id: &str, expires_at: i64) -> Session {
        Session {
            id: id.into(),
            user: "u".into(),
            expires_at: Some(expires_at),
            nums: vec![1],
            sets: vec![["a".to_owned()].into_iter().collect()],
        }
    }

    #[test]
    fn skip_expired_on_an_index_keyed_by_the_ttl_attribute_is_refused_before_sending() {
        run(|db| async move {
            Session::create_table(&db).await.unwrap();
            Session::put(&db, &session("live", 4_000_000_000)).await.unwrap();
            Session::put(&db, &session("expired", 1_000)).await.unwrap();
            // Without skip_expired the index query works (control).
            assert_eq!(Session::BY_USER_EXPIRY.query(&db, "u").await.unwrap().len(), 2);
            // The TTL is the index's sort key: DynamoDB takes it only in the key condition.
            let (cdb, requests) = counted(&db);
            let result = Session::BY_USER_EXPIRY.query(&cdb, "u").skip_expired().await;
            assert!(
                matches!(&result, Err(Error::InvalidRequest { reason: RequestReason::FilterOnKey { attribute }, .. }) if attribute == "expires_at"),
                "{result:?}"
            );
            assert_eq!(requests.count(), 0);
            // What it says to do instead: the condition on the sort key.
            let live =
                Session::BY_USER_EXPIRY.query(&db, "u").range(Session::EXPIRES_AT.gt(2_000_000_000)).await.unwrap();
            assert_eq!(live.len(), 1);
        });
    }

    #[test]
    fn add_and_delete_on_a_list_element_past_the_end_are_refused_or_accepted() {
        run(|db| async move {
            Session::create_table(&db).await.unwrap();
            let item = session("s", 4_000_000_000);
            Session::put(&db, &item).await.unwrap();
            let add = Session::update(&db, item.key()).add(&Session::NUMS.index(5), 1).await;
            not_rejected_by_dynamodb("add(&NUMS.index(5), 1) on a list of 1", &add);
            let add_set = Session::update(&db, item.key()).add_to_set(&Session::SETS.index(5), ["x"]).await;
            not_rejected_by_dynamodb("add_to_set(&SETS.index(5), [\"x\"]) on a list of 1", &add_set);
            let del_set = Session::update(&db, item.key()).delete_from_set(&Session::SETS.index(5), ["x"]).await;
            not_rejected_by_dynamodb("delete_from_set(&SETS.index(5), [\"x\"]) on a list of 1", &del_set);
            let read = Session::get(&db, item.key()).consistent().await;
            assert!(read.is_ok(), "{read:?}");
        });
    }

    #[test]
    fn a_parallel_scan_with_a_limit_returns_distinct_items() {
        run(|db| async move {
            Session::create_table(&db).await.unwrap();
            for i in 0..25 {
                Session::put(&db, &session(&format!("p{i:02}"), 4_000_000_000)).await.unwrap();
            }
            let all = Session::scan(&db).segments(4).await.unwrap();
            assert_eq!(all.len(), 25);
            let some = Session::scan(&db).limit(7).page_size(2).segments(3).await.unwrap();
            let mut ids: Vec<String> = some.into_iter().map(|s| s.id).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 7);
            assert_eq!(Session::scan(&db).segments(5).count().await.unwrap(), 25);
        });
    }
}

// ================================================================ smaller surprises

mod surprises {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv_plain")]
    pub(super) struct Plain {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(default = "7")]
        pub level: Option<i64>,
        pub status: String,
    }

    /// `None` in an `Option` field with `default = ..` is stored as the default, as
    /// documented, so it reads back as `Some(default)`; the put returns it so.
    #[test]
    fn none_in_an_option_field_with_a_default_is_stored_as_the_default() {
        run(|db| async move {
            Plain::create_table(&db).await.unwrap();
            let item = Plain { id: "p".into(), level: None, status: "s".into() };
            let stored = Plain::put(&db, &item).await.unwrap();
            let got = Plain::get(&db, item.key()).consistent().await.unwrap();
            assert_eq!(got.as_ref(), Some(&stored));
            assert_eq!(stored, Plain { level: Some(7), ..item });
        });
    }

    /// `expect_version` on a model without `#[dynamo(version)]` compiles, but there is
    /// no version to hold it against: the update and the delete it was meant to guard are
    /// refused before sending (`RequestReason::NoVersion`), and the item is unchanged.
    #[test]
    fn expect_version_on_a_model_without_a_version_is_refused() {
        run(|db| async move {
            Plain::create_table(&db).await.unwrap();
            let item = Plain { id: "v".into(), level: Some(1), status: "s".into() };
            Plain::put(&db, &item).await.unwrap();
            let (cdb, requests) = counted(&db);
            refused!(
                requests,
                Plain::update(&cdb, item.key()).set(&Plain::STATUS, "changed").expect_version(41),
                Error::InvalidRequest { reason: RequestReason::NoVersion, .. }
            );
            refused!(
                requests,
                Plain::delete(&cdb, item.key()).expect_version(42),
                Error::InvalidRequest { reason: RequestReason::NoVersion, .. }
            );
            assert_eq!(Plain::get(&db, item.key()).consistent().await.unwrap(), Some(item));
        });
    }
}
