//! The bad-input catalogue: every rule and limit, each wrong kind of value, on every
//! write path. Each case must fail with a typed error naming the field, and no request
//! may leave: a counting interceptor sees every request the client sends.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;

use dynamo_model::{AttributeValue, Cursor, Db, Error, Model, RequestReason};

use crate::common::{counted, run};
use crate::schema::{account, Account};

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "limits", rename_all = "camelCase")]
struct Limits {
    #[dynamo(hash_key)]
    pk: String,
    #[dynamo(range_key)]
    sk: Vec<u8>,
    ratio: f64,
    small: f32,
    wide: i128,
    uwide: u128,
    tags: BTreeSet<String>,
    blob: String,
    lines: Vec<String>,
    scores: HashMap<String, i64>,
    raw: AttributeValue,
}

fn limits() -> Limits {
    Limits {
        pk: "p".into(),
        sk: vec![1],
        ratio: 0.5,
        small: 0.5,
        wide: 1,
        uwide: 1,
        tags: BTreeSet::new(),
        blob: String::new(),
        lines: Vec::new(),
        scores: HashMap::new(),
        raw: AttributeValue::S("x".into()),
    }
}

type Case<'a> = (&'static str, &'static str, Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>);

fn case<'a, T: Send + 'a>(
    name: &'static str,
    attribute: &'static str,
    f: impl Future<Output = Result<T, Error>> + Send + 'a,
) -> Case<'a> {
    (name, attribute, Box::pin(async move { f.await.map(drop) }))
}

/// The attribute an error names, whatever its kind.
fn named(err: &Error) -> Option<String> {
    match err {
        Error::Invalid { attribute, .. } => Some(attribute.to_string()),
        Error::Validation { errors, .. } => errors.first().map(|e| e.attribute.to_string()),
        Error::InvalidCursor { .. } => Some("cursor".into()),
        Error::InvalidRequest { reason: RequestReason::PageSize, .. } => Some("page_size".into()),
        Error::InvalidRequest { reason, .. } => reason.attribute().map(str::to_owned),
        _ => None,
    }
}

fn cases(db: &Db) -> Vec<Case<'_>> {
    vec![
        // Declared rules, on put.
        case("len too short", "name", async { Account::put(db, &Account { name: "A".into(), ..account("a") }).await }),
        case("len too long", "name", async {
            Account::put(db, &Account { name: "A".repeat(21), ..account("a") }).await
        }),
        case("email", "email", async { Account::put(db, &Account { email: "x@".into(), ..account("a") }).await }),
        case("regex", "country", async { Account::put(db, &Account { country: "pt".into(), ..account("a") }).await }),
        case("one_of", "role", async { Account::put(db, &Account { role: "root".into(), ..account("a") }).await }),
        case("min", "quota", async { Account::put(db, &Account { quota: -1, ..account("a") }).await }),
        case("max", "quota", async { Account::put(db, &Account { quota: 1001, ..account("a") }).await }),
        case("with", "used", async { Account::put(db, &Account { used: 1, ..account("a") }).await }),
        case("non_empty", "tags", async { Account::put(db, &Account { tags: vec![], ..account("a") }).await }),
        case("required", "phone", async { Account::put(db, &Account { phone: None, ..account("a") }).await }),
        case("model rule", "Account", async { Account::put(db, &Account { used: 100, ..account("a") }).await }),
        case("create-only put validates too", "role", async {
            Account::put(db, &Account { role: "x".into(), ..account("a") }).if_not_exists().await
        }),
        // Declared rules, on update values and conditions.
        case("update breaks regex", "country", async {
            Account::update(db, Account::key("a")).set(&Account::COUNTRY, "xx").await
        }),
        case("update breaks max", "quota", async {
            Account::update(db, Account::key("a")).set(&Account::QUOTA, 5000).await
        }),
        case("update breaks len", "name", async {
            Account::update(db, Account::key("a")).set(&Account::NAME, "").await
        }),
        case("update breaks one_of", "role", async {
            Account::update(db, Account::key("a")).set(&Account::QUOTA, 5).set(&Account::ROLE, "root").await
        }),
        case("counter set", "logins", async {
            Account::update(db, Account::key("a")).set(&Account::LOGINS, 5u64).await
        }),
        case("counter remove", "logins", async {
            Account::update(db, Account::key("a")).remove(&Account::LOGINS).await
        }),
        // Numbers DynamoDB cannot hold.
        case("NaN", "ratio", async { Limits::put(db, &Limits { ratio: f64::NAN, ..limits() }).await }),
        case("+inf", "ratio", async { Limits::put(db, &Limits { ratio: f64::INFINITY, ..limits() }).await }),
        case("-inf", "ratio", async { Limits::put(db, &Limits { ratio: f64::NEG_INFINITY, ..limits() }).await }),
        case("f32 NaN", "small", async { Limits::put(db, &Limits { small: f32::NAN, ..limits() }).await }),
        case("too big", "ratio", async { Limits::put(db, &Limits { ratio: 1e126, ..limits() }).await }),
        case("too small", "ratio", async { Limits::put(db, &Limits { ratio: 1e-131, ..limits() }).await }),
        case("39 digits", "wide", async { Limits::put(db, &Limits { wide: i128::MAX, ..limits() }).await }),
        case("-39 digits", "wide", async { Limits::put(db, &Limits { wide: i128::MIN, ..limits() }).await }),
        case("u128 max", "uwide", async { Limits::put(db, &Limits { uwide: u128::MAX, ..limits() }).await }),
        case("NaN in update", "ratio", async {
            Limits::update(db, Limits::key("p", vec![1])).set(&Limits::RATIO, f64::NAN).await
        }),
        case("NaN in condition", "ratio", async {
            Limits::delete(db, Limits::key("p", vec![1])).condition(Limits::RATIO.gt(f64::NAN)).await
        }),
        // Keys.
        case("empty hash key", "pk", async { Limits::put(db, &Limits { pk: String::new(), ..limits() }).await }),
        case("empty binary range key", "sk", async { Limits::put(db, &Limits { sk: vec![], ..limits() }).await }),
        case("hash key 2049 bytes", "pk", async {
            Limits::put(db, &Limits { pk: "é".repeat(1025), ..limits() }).await
        }),
        case("range key 1025 bytes", "sk", async { Limits::put(db, &Limits { sk: vec![7; 1025], ..limits() }).await }),
        case("get with empty key", "pk", async { Limits::get(db, Limits::key("", vec![1])).await }),
        case("delete with empty key", "sk", async { Limits::delete(db, Limits::key("p", vec![])).await }),
        case("query with empty hash", "pk", async { Limits::query(db, "").await }),
        case("update of a key", "pk", async {
            Limits::update(db, Limits::key("p", vec![1])).set(&Limits::PK, "q").await
        }),
        // Expressions DynamoDB would reject.
        case("overlapping paths", "scores.a", async {
            Limits::update(db, Limits::key("p", vec![1]))
                .set(&Limits::SCORES, HashMap::new())
                .add(&Limits::SCORES.key("a"), 1)
                .await
        }),
        case("same path twice", "ratio", async {
            Limits::update(db, Limits::key("p", vec![1])).set(&Limits::RATIO, 1.0).set(&Limits::RATIO, 2.0).await
        }),
        case("empty set added", "tags", async {
            Limits::update(db, Limits::key("p", vec![1])).add_to_set(&Limits::TAGS, BTreeSet::new()).await
        }),
        case("empty set compared", "tags", async { Limits::scan(db).filter(Limits::TAGS.eq(BTreeSet::new())).await }),
        case("IN without values", "blob", async {
            Limits::scan(db).filter(Limits::BLOB.is_in(Vec::<String>::new())).await
        }),
        case("IN of 101 values", "blob", async {
            Limits::scan(db).filter(Limits::BLOB.is_in((0..101).map(|i| i.to_string()))).await
        }),
        case("page size 0", "page_size", async { Limits::query(db, "p").page_size(0).await }),
        case("foreign cursor", "cursor", async {
            let cursor: Cursor = "eyJiIjoiMCIsImsiOnsienoiOnsiUyI6IngifX19".parse().unwrap();
            Limits::query(db, "p").page(Some(cursor)).await
        }),
        // Item size.
        case("item over 400 KB", "blob", async {
            Limits::put(db, &Limits { blob: "x".repeat(410 * 1024), ..limits() }).await
        }),
        case("duplicate set members", "raw", async {
            Limits::put(db, &Limits { raw: AttributeValue::Ns(vec!["1".into(), "1.0".into()]), ..limits() }).await
        }),
        case("39-digit number from a custom value", "raw", async {
            Limits::put(db, &Limits { raw: AttributeValue::N("1".repeat(39)), ..limits() }).await
        }),
        case("lists nested 32 deep", "raw", async {
            let deep = (0..32).fold(AttributeValue::Null(true), |inner, _| AttributeValue::L(vec![inner]));
            Limits::put(db, &Limits { raw: deep, ..limits() }).await
        }),
        case("list over 400 KB", "lines", async {
            Limits::put(db, &Limits { lines: vec!["y".repeat(1024); 401], ..limits() }).await
        }),
    ]
}

#[test]
fn bad_input_is_a_typed_error_naming_the_field_and_sends_nothing() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        Limits::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        let cases = cases(&db);
        assert!(cases.len() >= 40, "{} cases", cases.len());
        for (name, attribute, future) in cases {
            let result = future.await;
            let err = match result {
                Err(err) => err,
                Ok(()) => panic!("{name}: accepted"),
            };
            assert_eq!(named(&err).as_deref(), Some(attribute), "{name}: {err:?}");
            assert_eq!(requests.count(), 0, "{name}: a request was sent");
        }
        // Control: valid input does send, so the zero above is meaningful.
        Account::put(&db, &account("ok")).await.unwrap();
        Limits::put(&db, &limits()).await.unwrap();
        assert_eq!(requests.count(), 2);
    });
}
