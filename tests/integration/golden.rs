//! Golden tests: the exact expression strings and placeholder maps of representative
//! requests, rendered without a server.

use std::collections::{BTreeSet, HashMap};

use dynamo_model::expr::AttributeType;
use dynamo_model::{AttributeValue, Db, Document, Error, InvalidReason, Model, RequestReason};

use crate::common::{n, s};

fn offline_db() -> Db {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .build();
    Db::new(aws_sdk_dynamodb::Client::from_conf(config))
}

#[derive(Document, Debug, Clone, PartialEq, Default)]
pub struct Address {
    pub city: String,
    pub zip: String,
}

/// Every attribute name here is a DynamoDB reserved word.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "golden", gsi(name = "by_status", hash = status, range = date))]
pub struct Doc {
    #[dynamo(hash_key)]
    pub user: String,
    #[dynamo(range_key)]
    pub date: String,
    pub name: String,
    pub status: String,
    pub count: i64,
    pub size: u32,
    pub data: Vec<String>,
    pub ttl: Option<i64>,
    pub value: Address,
    pub keys: BTreeSet<String>,
    pub items: HashMap<String, i64>,
}

/// What the golden query selects.
#[derive(Document, Debug, Clone, PartialEq)]
pub struct NameAndValue {
    pub name: String,
    pub value: Address,
}

fn names(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

#[test]
fn key_condition_filter_and_projection_share_one_placeholder_set() {
    let db = offline_db();
    let request = Doc::query(&db, "u1")
        .range(Doc::DATE.between("2026-01", "2026-12"))
        .filter(Doc::COUNT.gt(3) & (Doc::NAME.begins_with("A") | Doc::STATUS.is_in(["new", "open"])))
        .filter(Doc::TTL.not_exists())
        .select(&Doc::NAME)
        .select(&Doc::VALUE.then(Address::CITY))
        .project_into::<NameAndValue>()
        .request()
        .unwrap();
    let input = request.as_input();
    assert_eq!(input.get_key_condition_expression().as_deref(), Some("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"));
    assert_eq!(
        input.get_filter_expression().as_deref(),
        Some("#n2 > :v3 AND (begins_with(#n3, :v4) OR #n4 IN (:v5, :v6)) AND attribute_not_exists(#n5)")
    );
    assert_eq!(input.get_projection_expression().as_deref(), Some("#n3, #n6.#n7, #n0, #n1"));
    assert_eq!(
        input.get_expression_attribute_names(),
        &names(&[
            ("#n0", "user"),
            ("#n1", "date"),
            ("#n2", "count"),
            ("#n3", "name"),
            ("#n4", "status"),
            ("#n5", "ttl"),
            ("#n6", "value"),
            ("#n7", "city")
        ])
    );
    let values = input.get_expression_attribute_values().as_ref().unwrap();
    assert_eq!(values.len(), 7);
    assert_eq!(values[":v0"], s("u1"));
    assert_eq!(values[":v3"], n("3"));
    assert_eq!(values[":v6"], s("open"));
}

#[test]
fn equal_values_share_a_placeholder_and_nothing_unused_is_sent() {
    let db = offline_db();
    let request = Doc::scan(&db).filter(Doc::NAME.eq("x") | Doc::STATUS.eq("x")).request().unwrap();
    let input = request.as_input();
    assert_eq!(input.get_filter_expression().as_deref(), Some("#n0 = :v0 OR #n1 = :v0"));
    assert_eq!(input.get_expression_attribute_values().as_ref().unwrap().len(), 1);
    assert_eq!(input.get_projection_expression(), &None);

    let plain = Doc::scan(&db).request().unwrap();
    assert_eq!(plain.as_input().get_expression_attribute_names(), &None);
    assert_eq!(plain.as_input().get_expression_attribute_values(), &None);
}

#[test]
fn functions_negation_and_size() {
    let db = offline_db();
    let condition = !(Doc::DATA.contains("a") & Doc::KEYS.contains("k"))
        | Doc::NAME.size().ge(2)
        | Doc::VALUE.attribute_type(AttributeType::M)
        | Doc::DATE.gt_path(&Doc::STATUS);
    let request = Doc::scan(&db).filter(condition).request().unwrap();
    assert_eq!(
        request.as_input().get_filter_expression().as_deref(),
        Some(
            "NOT (contains(#n0, :v0) AND contains(#n1, :v1)) OR size(#n2) >= :v2 OR attribute_type(#n3, :v3) OR #n4 > #n5"
        )
    );
    let values = request.as_input().get_expression_attribute_values().as_ref().unwrap();
    assert_eq!(values[":v3"], s("M"));
}

#[test]
fn nested_list_and_map_paths() {
    let db = offline_db();
    let request = Doc::update(&db, Doc::key("u1", "d1"))
        .set(&Doc::VALUE.then(Address::ZIP), "4000")
        .set(&Doc::DATA.index(3), "third")
        .add(&Doc::ITEMS.key("apples"), 2)
        .remove(&Doc::ITEMS.key("pears"))
        .request()
        .unwrap();
    let input = request.as_input();
    assert_eq!(
        input.get_update_expression().as_deref(),
        Some("SET #n0.#n1 = :v0, #n2[3] = :v1 REMOVE #n3.#n4 ADD #n3.#n5 :v2")
    );
    // The item must exist, and so must the map and list the update writes inside:
    // DynamoDB rejects the whole request otherwise.
    assert_eq!(
        input.get_condition_expression().as_deref(),
        Some(
            "attribute_exists(#n6) AND attribute_exists(#n0) AND attribute_exists(#n2) AND attribute_exists(#n3) \
             AND (attribute_not_exists(#n3.#n5) OR #n3.#n5 <= :v3)"
        )
    );
    // The number added to stays within what an i64 reads back.
    let values = input.get_expression_attribute_values().as_ref().unwrap();
    assert_eq!(values[":v3"], n("9223372036854775805"));
    assert_eq!(
        input.get_expression_attribute_names(),
        &names(&[
            ("#n0", "value"),
            ("#n1", "zip"),
            ("#n2", "data"),
            ("#n3", "items"),
            ("#n4", "pears"),
            ("#n5", "apples"),
            ("#n6", "user")
        ])
    );
}

#[test]
fn update_clauses_arithmetic_lists_and_sets() {
    let db = offline_db();
    let request = Doc::update(&db, Doc::key("u1", "d1"))
        .set_to(&Doc::COUNT, Doc::COUNT.plus(5))
        .set_to(&Doc::SIZE, Doc::SIZE.minus(1))
        .set_if_not_exists(&Doc::NAME, "first")
        .append(&Doc::DATA, ["x"])
        .delete_from_set(&Doc::KEYS, BTreeSet::from(["k".to_owned()]))
        .request()
        .unwrap();
    let input = request.as_input();
    assert_eq!(
        input.get_update_expression().as_deref(),
        Some(
            "SET #n0 = #n0 + :v0, #n1 = #n1 - :v1, #n2 = if_not_exists(#n2, :v2), \
             #n3 = list_append(if_not_exists(#n3, :v3), :v4) DELETE #n4 :v5"
        )
    );
    // The attributes the arithmetic reads must exist, and what it writes stays within
    // what an i64 and a u32 read back.
    assert_eq!(
        input.get_condition_expression().as_deref(),
        Some("attribute_exists(#n5) AND #n0 <= :v6 AND attribute_exists(#n0) AND #n1 >= :v1 AND attribute_exists(#n1)")
    );
    let values = input.get_expression_attribute_values().as_ref().unwrap();
    assert_eq!(values[":v3"], AttributeValue::L(vec![]));
    assert_eq!(values[":v4"], AttributeValue::L(vec![s("x")]));
    assert_eq!(values[":v5"], AttributeValue::Ss(vec!["k".into()]));
    // `size - 1` needs `size >= 1`: the same number as the 1 subtracted, one placeholder.
    assert_eq!((values[":v6"].clone(), values[":v1"].clone()), (n("9223372036854775802"), n("1")));

    let prepend = Doc::update(&db, Doc::key("u1", "d1")).prepend(&Doc::DATA, ["y"]).request().unwrap();
    assert_eq!(
        prepend.as_input().get_update_expression().as_deref(),
        Some("SET #n0 = list_append(:v1, if_not_exists(#n0, :v0))")
    );
}

#[test]
fn put_and_delete_conditions() {
    let db = offline_db();
    let doc = Doc {
        user: "u1".into(),
        date: "d1".into(),
        name: "n".into(),
        status: "s".into(),
        count: 1,
        size: 2,
        data: vec![],
        ttl: None,
        value: Address::default(),
        keys: BTreeSet::new(),
        items: HashMap::new(),
    };
    let put = Doc::put(&db, &doc).if_not_exists().condition(Doc::STATUS.ne("locked")).request().unwrap();
    assert_eq!(put.as_input().get_condition_expression().as_deref(), Some("attribute_not_exists(#n0) AND #n1 <> :v0"));
    let delete = Doc::delete(&db, doc.key()).condition(Doc::COUNT.le(1)).request().unwrap();
    assert_eq!(delete.as_input().get_condition_expression().as_deref(), Some("#n0 <= :v0"));
    assert_eq!(delete.as_input().get_expression_attribute_names(), &names(&[("#n0", "count")]));
}

#[test]
fn index_query_uses_the_index_keys() {
    let db = offline_db();
    let request = Doc::BY_STATUS.query(&db, "open").range(Doc::DATE.ge("2026")).descending().request().unwrap();
    let input = request.as_input();
    assert_eq!(input.get_index_name().as_deref(), Some("by_status"));
    assert_eq!(input.get_key_condition_expression().as_deref(), Some("#n0 = :v0 AND #n1 >= :v1"));
    assert_eq!(input.get_expression_attribute_names(), &names(&[("#n0", "status"), ("#n1", "date")]));
    assert_eq!(input.get_scan_index_forward(), &Some(false));
}

fn invalid_reason(result: Result<impl std::fmt::Debug, Error>) -> (String, InvalidReason) {
    match result {
        Err(Error::Invalid { attribute, reason, .. }) => (attribute.into_owned(), reason),
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

fn request_reason(result: Result<impl std::fmt::Debug, Error>) -> RequestReason {
    match result {
        Err(Error::InvalidRequest { reason, .. }) => reason,
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
}

#[test]
fn bad_expressions_fail_before_sending() {
    let db = offline_db();
    let key = || Doc::key("u1", "d1");

    let overlapping =
        Doc::update(&db, key()).set(&Doc::VALUE, Address::default()).set(&Doc::VALUE.then(Address::CITY), "x");
    assert_eq!(
        request_reason(overlapping.request()),
        RequestReason::OverlappingPaths { path: "value.city".into(), other: "value".into() }
    );
    assert_eq!(
        request_reason(Doc::update(&db, key()).set(&Doc::DATE, "d2").request()),
        RequestReason::KeyUpdate { attribute: "date".into() }
    );
    assert_eq!(
        request_reason(Doc::update(&db, key()).set(&Doc::NAME, "a").set(&Doc::NAME, "b").request()),
        RequestReason::OverlappingPaths { path: "name".into(), other: "name".into() }
    );

    let (attribute, reason) = invalid_reason(Doc::scan(&db).filter(Doc::KEYS.eq(BTreeSet::new())).request());
    assert_eq!((attribute.as_str(), reason), ("keys", InvalidReason::EmptyValue));

    let (attribute, reason) = invalid_reason(Doc::query(&db, "").request());
    assert_eq!((attribute.as_str(), reason), ("user", InvalidReason::EmptyKey));

    assert_eq!(
        request_reason(Doc::scan(&db).filter(Doc::NAME.is_in((0..101).map(|i| i.to_string()))).request()),
        RequestReason::InOperands { attribute: "name".into(), count: 101, max: 100 }
    );
    assert_eq!(
        request_reason(Doc::scan(&db).filter(Doc::NAME.is_in(Vec::<String>::new())).request()),
        RequestReason::InOperands { attribute: "name".into(), count: 0, max: 100 }
    );

    // Control: the same builders with valid input do render.
    assert!(Doc::scan(&db).filter(Doc::NAME.is_in((0..100).map(|i| i.to_string()))).request().is_ok());
    assert!(Doc::update(&db, key()).set(&Doc::VALUE.then(Address::CITY), "x").request().is_ok());
    assert!(Doc::scan(&db).filter(Doc::KEYS.eq(BTreeSet::from(["a".to_owned()]))).request().is_ok());
}
