//! Seventh round of adversarial probes: time fields compared exactly (sub-millisecond,
//! pre-1970, is_in, millis fields) and documents with their own rule written through
//! `set_if_not_exists`, `prepend`, nested lists of documents and `Option` documents.

use std::collections::HashMap;
use std::fmt::Debug;
use std::future::IntoFuture;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dynamo_model::expr::Condition;
use dynamo_model::{Db, Document, Error, Model};

use crate::common::{check_stored, counted, judge_filter, outcome, run, sent};

mod times {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv7_times")]
    pub struct T {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(created_at)]
        pub created: SystemTime,
        #[dynamo(updated_at = "millis")]
        pub updated: SystemTime,
        #[dynamo(ttl)]
        pub expires: Option<SystemTime>,
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    const T0: u64 = 1_900_000_000;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv7_pre")]
    pub struct P {
        #[dynamo(hash_key)]
        pub id: String,
        #[dynamo(created_at)]
        pub at: SystemTime,
    }

    /// Sub-millisecond operands on a millis field, is_in with sub-second values, and a
    /// `created_at` field holding a pre-1970 time with a fraction (stored rounded down to -2 s).
    #[test]
    fn adversarial7_exact_time_comparisons() {
        run(|db| async move {
            T::create_table(&db).await.unwrap();
            let pre = UNIX_EPOCH - Duration::from_millis(1500); // -1.5 s
            let item = T { id: "a".into(), created: at(T0), updated: at(1), expires: Some(at(T0 + 100)) };
            T::put(&db, &item).await.unwrap();
            let read = T::get(&db, T::key("a")).consistent().await.unwrap().unwrap();
            eprintln!("read back: {read:?}");
            let upd = read.updated; // millisecond precision
            let sub = Duration::from_micros(300);
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            let filters: Vec<(&str, Condition<T>, usize)> = vec![
                ("UPDATED = read (control)", T::UPDATED.eq(upd).into(), 1),
                ("UPDATED < read + 0.3ms", T::UPDATED.lt(upd + sub).into(), 1),
                ("UPDATED >= read + 0.3ms", T::UPDATED.ge(upd + sub).into(), 0),
                ("UPDATED > read - 0.3ms", T::UPDATED.gt(upd - sub).into(), 1),
                ("UPDATED = read + 0.3ms", T::UPDATED.eq(upd + sub).into(), 0),
                ("UPDATED <> read + 0.3ms", T::UPDATED.ne(upd + sub), 1),
                (
                    "UPDATED between read+0.1ms..read+0.9ms",
                    T::UPDATED.between(upd + Duration::from_micros(100), upd + Duration::from_micros(900)).into(),
                    0,
                ),
                ("CREATED in [T0+0.5s]", T::CREATED.is_in([at(T0) + Duration::from_millis(500)]), 0),
                ("CREATED in [T0+0.5s, T0]", T::CREATED.is_in([at(T0) + Duration::from_millis(500), at(T0)]), 1),
                ("CREATED in [T0 - 1ns]", T::CREATED.is_in([at(T0) - Duration::from_nanos(1)]), 0),
                ("CREATED > T0 - 1ns", T::CREATED.gt(at(T0) - Duration::from_nanos(1)).into(), 1),
                ("CREATED <= T0 - 1ns", T::CREATED.le(at(T0) - Duration::from_nanos(1)).into(), 0),
                ("EXPIRES = T0+100+1ns", T::EXPIRES.eq(at(T0 + 100) + Duration::from_nanos(1)).into(), 0),
                ("EXPIRES < T0+100+1ns", T::EXPIRES.lt(at(T0 + 100) + Duration::from_nanos(1)).into(), 1),
            ];
            for (what, filter, expected) in filters {
                let (count, result) = sent(&requests, T::scan(&c).filter(filter).into_future()).await;
                eprintln!("filter {what}: {count} request(s), {:?}", result.as_ref().map(Vec::len));
                broken.extend(judge_filter(what, count, &result, expected));
            }
            // conditions on a write: a condition false for the value read back must fail and write nothing
            let (count, result) = sent(
                &requests,
                T::update(&c, T::key("a"))
                    .set(&T::EXPIRES, at(5))
                    .condition(T::CREATED.eq(at(T0) + Duration::from_micros(1)))
                    .into_future(),
            )
            .await;
            let after = T::get(&db, T::key("a")).consistent().await.unwrap().unwrap();
            eprintln!("conditional update: {count} request(s), {}", outcome(&result));
            if result.is_ok() || after.expires != Some(at(T0 + 100)) {
                broken.push(format!("promise 4/2: update with CREATED = T0+1us applied: {}", outcome(&result)));
            }
            P::create_table(&db).await.unwrap();
            let put = P::put(&db, &P { id: "p".into(), at: pre }).await.unwrap();
            let p = P::get(&db, P::key("p")).consistent().await.unwrap().unwrap();
            eprintln!("pre-1970 read back: {p:?}");
            // created_at is stored in whole seconds (floor): -1.5 s is -2 s; filters answer for that
            if p.at != put.at || p.at != UNIX_EPOCH - Duration::from_secs(2) {
                broken.push(format!(
                    "promise 3: pre-1970 created_at {pre:?} read back as {:?}, put returned {:?}",
                    p.at, put.at
                ));
            }
            let pfilters: Vec<(&str, Condition<P>, usize)> = vec![
                ("AT = -1.5s (pre-1970)", P::AT.eq(pre).into(), 0),
                ("AT < -1.4s", P::AT.lt(UNIX_EPOCH - Duration::from_millis(1400)).into(), 1),
                ("AT > -1.6s", P::AT.gt(UNIX_EPOCH - Duration::from_millis(1600)).into(), 0),
                ("AT < -1.5s", P::AT.lt(pre).into(), 1),
                ("AT > -1.5s", P::AT.gt(pre).into(), 0),
                ("AT in [-1.5s]", P::AT.is_in([pre]), 0),
            ];
            for (what, filter, expected) in pfilters {
                let (count, result) = sent(&requests, P::scan(&c).filter(filter).into_future()).await;
                eprintln!("filter {what}: {count} request(s), {:?}", result.as_ref().map(Vec::len));
                broken.extend(judge_filter(what, count, &result, expected));
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }

    /// Same-unit path comparisons accepted; different units refused (TimeUnits).
    #[test]
    fn adversarial7_time_paths_units() {
        run(|db| async move {
            T::create_table(&db).await.unwrap();
            let item = T { id: "a".into(), created: at(T0), updated: at(1), expires: Some(at(T0 + 100)) };
            T::put(&db, &item).await.unwrap();
            let (c, requests) = counted(&db);
            let mut broken = Vec::new();
            let filters: Vec<(&str, Condition<T>, Option<usize>)> = vec![
                ("EXPIRES gt_path CREATED", T::EXPIRES.gt_path(&T::CREATED), Some(1)),
                ("CREATED lt_path EXPIRES", T::CREATED.lt_path(&T::EXPIRES), Some(1)),
                ("EXPIRES gt_path UPDATED", T::EXPIRES.gt_path(&T::UPDATED), None),
                ("CREATED eq_path UPDATED", T::CREATED.eq_path(&T::UPDATED), None),
            ];
            for (what, filter, expected) in filters {
                let (count, result) = sent(&requests, T::scan(&c).filter(filter).into_future()).await;
                eprintln!("filter {what}: {count} request(s), {}", outcome(&result));
                match expected {
                    Some(e) => broken.extend(judge_filter(what, count, &result, e)),
                    None => {
                        let ok = count == 0
                            && matches!(
                                &result,
                                Err(Error::InvalidRequest {
                                    reason: dynamo_model::RequestReason::TimeUnits { .. },
                                    ..
                                })
                            );
                        if !ok {
                            broken.push(format!("`{what}`: {count} request(s), {}", outcome(&result)));
                        }
                    }
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }
}

mod doc_rule {
    use super::*;

    pub fn ordered(range: &Range) -> Result<(), String> {
        if range.lo <= range.hi {
            Ok(())
        } else {
            Err("lo above hi".into())
        }
    }

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    #[dynamo(validate = ordered)]
    pub struct Range {
        #[dynamo(validate(min = -100, max = 100))]
        pub lo: i64,
        pub hi: i64,
    }

    #[derive(Document, Debug, Clone, PartialEq, Default)]
    pub struct Outer {
        pub ranges: Vec<Range>,
        pub maybe: Option<Range>,
        pub by: HashMap<String, Vec<Range>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "adv7_doc_rule")]
    pub struct R {
        #[dynamo(hash_key)]
        pub id: String,
        pub maybe: Option<Range>,
        pub ranges: Vec<Range>,
        pub outer: Outer,
        pub outers: Vec<Outer>,
    }

    fn good() -> Range {
        Range { lo: 1, hi: 5 }
    }

    fn r() -> R {
        let outer =
            Outer { ranges: vec![good()], maybe: Some(good()), by: HashMap::from([("a".to_owned(), vec![good()])]) };
        R { id: "x".into(), maybe: None, ranges: vec![good()], outer: outer.clone(), outers: vec![outer] }
    }

    type Make = for<'a> fn(&'a Db) -> dynamo_model::ops::Update<'a, R>;

    /// Whole-value writes carrying a bad Range (document rule or field rule): must be
    /// Validation with zero requests, and the stored item keeps its rules.
    #[test]
    fn adversarial7_whole_writes_of_bad_documents_are_validation() {
        run(|db| async move {
            R::create_table(&db).await.unwrap();
            let cases: Vec<(&str, Make)> = vec![
                ("set_if_not_exists(&MAYBE, bad rule)", |c| {
                    R::update(c, R::key("x")).set_if_not_exists(&R::MAYBE, Range { lo: 9, hi: 1 })
                }),
                ("set_if_not_exists(&MAYBE, bad min)", |c| {
                    R::update(c, R::key("x")).set_if_not_exists(&R::MAYBE, Range { lo: -500, hi: 1 })
                }),
                ("prepend(&RANGES, [bad rule])", |c| {
                    R::update(c, R::key("x")).prepend(&R::RANGES, [Range { lo: 9, hi: 1 }])
                }),
                ("append(&RANGES, [good, bad max])", |c| {
                    R::update(c, R::key("x")).append(&R::RANGES, [good(), Range { lo: 200, hi: 300 }])
                }),
                ("set(&RANGES, vec[bad])", |c| R::update(c, R::key("x")).set(&R::RANGES, vec![Range { lo: 9, hi: 1 }])),
                ("append(&OUTER.then(RANGES), [bad])", |c| {
                    R::update(c, R::key("x")).append(&R::OUTER.then(Outer::RANGES), [Range { lo: 9, hi: 1 }])
                }),
                ("prepend(&OUTERS[0].then(RANGES), [bad])", |c| {
                    R::update(c, R::key("x")).prepend(&R::OUTERS.index(0).then(Outer::RANGES), [Range { lo: 9, hi: 1 }])
                }),
                ("append(&OUTER.then(BY.key(a)), [bad])", |c| {
                    R::update(c, R::key("x")).append(&R::OUTER.then(Outer::BY.key("a")), [Range { lo: 9, hi: 1 }])
                }),
                ("append(&OUTERS, [outer with bad nested])", |c| {
                    R::update(c, R::key("x"))
                        .append(&R::OUTERS, [Outer { ranges: vec![Range { lo: 9, hi: 1 }], ..Outer::default() }])
                }),
                ("set(&OUTER.then(MAYBE), Some(bad))", |c| {
                    R::update(c, R::key("x")).set(&R::OUTER.then(Outer::MAYBE), Range { lo: 9, hi: 1 })
                }),
                ("set_if_not_exists(&OUTER.then(BY.key(b)), [bad])", |c| {
                    R::update(c, R::key("x"))
                        .set_if_not_exists(&R::OUTER.then(Outer::BY.key("b")), vec![Range { lo: 9, hi: 1 }])
                }),
                ("set(&OUTER, outer with bad by)", |c| {
                    R::update(c, R::key("x")).set(
                        &R::OUTER,
                        Outer {
                            by: HashMap::from([("z".to_owned(), vec![Range { lo: 9, hi: 1 }])]),
                            ..Outer::default()
                        },
                    )
                }),
            ];
            let mut broken = Vec::new();
            for (what, make) in cases {
                R::put(&db, &r()).await.unwrap();
                let (c, requests) = counted(&db);
                let (count, result) = sent(&requests, make(&c).into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                broken.extend(check_stored::<R>(&db, R::key("x"), what).await);
                if !(count == 0 && matches!(result, Err(Error::Validation { .. }))) {
                    broken.push(format!("`{what}`: expected Validation, got {count} request(s), {}", outcome(&result)));
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }

    /// Part writes into a document with a document rule, at depth, through Option / Vec /
    /// HashMap, and set_from: refused (UncheckableRule) or the stored item keeps the rule.
    #[test]
    fn adversarial7_part_writes_into_rule_documents_at_depth() {
        run(|db| async move {
            R::create_table(&db).await.unwrap();
            let cases: Vec<(&str, Make)> = vec![
                ("set(&OUTER.then(RANGES.index(0).then(LO)), 9)", |c| {
                    R::update(c, R::key("x")).set(&R::OUTER.then(Outer::RANGES.index(0).then(Range::LO)), 9)
                }),
                ("set(&OUTERS[0].then(MAYBE).then(LO), 9)", |c| {
                    R::update(c, R::key("x")).set(&R::OUTERS.index(0).then(Outer::MAYBE).then(Range::LO), 9)
                }),
                ("add(&OUTER.then(BY.key(a)).index(0).then(HI), -9)", |c| {
                    R::update(c, R::key("x")).add(&R::OUTER.then(Outer::BY.key("a")).index(0).then(Range::HI), -9)
                }),
                ("remove(&OUTER.then(MAYBE).then(HI))", |c| {
                    R::update(c, R::key("x")).remove(&R::OUTER.then(Outer::MAYBE).then(Range::HI))
                }),
                ("set_from(&RANGES[0].then(LO), &OUTER.then(MAYBE).then(HI)) (5 -> lo, ok)", |c| {
                    R::update(c, R::key("x"))
                        .set_from(&R::RANGES.index(0).then(Range::LO), &R::OUTER.then(Outer::MAYBE).then(Range::HI))
                }),
                ("set_if_not_exists(&OUTER.then(MAYBE).then(LO), 9)", |c| {
                    R::update(c, R::key("x")).set_if_not_exists(&R::OUTER.then(Outer::MAYBE).then(Range::LO), 9)
                }),
            ];
            let mut broken = Vec::new();
            for (what, make) in cases {
                R::put(&db, &r()).await.unwrap();
                let (c, requests) = counted(&db);
                let (count, result) = sent(&requests, make(&c).into_future()).await;
                eprintln!("{what}: {count} request(s), {}", outcome(&result));
                broken.extend(check_stored::<R>(&db, R::key("x"), what).await);
                if result.is_ok() && count > 0 {
                    broken.push(format!("`{what}`: applied ({count} request(s)); expected UncheckableRule"));
                }
            }
            assert!(broken.is_empty(), "broken:\n{}", broken.join("\n"));
        });
    }
}
