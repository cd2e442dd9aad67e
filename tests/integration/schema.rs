//! Schema rules and lifecycle attributes against DynamoDB Local: validation, defaults,
//! transforms, timestamps, TTL, counters and unknown attributes.

use std::collections::HashMap;

use dynamo_model::{AttributeValue, Error, Model, Rule};

use crate::common::run;

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

pub fn trim(value: &str) -> String {
    value.trim().to_owned()
}

pub fn shout(value: String) -> String {
    value.to_uppercase()
}

pub fn even(value: &i64) -> Result<(), String> {
    if value % 2 == 0 {
        Ok(())
    } else {
        Err("must be even".into())
    }
}

pub fn totals_agree(user: &Account) -> Result<(), String> {
    if user.quota >= user.used {
        Ok(())
    } else {
        Err("used exceeds quota".into())
    }
}

pub fn default_plan() -> String {
    "free".into()
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "accounts", validate = totals_agree, gsi(name = "by_role", hash = role, projection = keys_only))]
pub struct Account {
    #[dynamo(hash_key)]
    pub id: String,
    #[dynamo(validate(len(min = 2, max = 20)), set = trim)]
    pub name: String,
    #[dynamo(validate(email))]
    pub email: String,
    #[dynamo(validate(regex = "^[A-Z]{2}$"))]
    pub country: String,
    #[dynamo(validate(one_of = ["admin", "member"]))]
    pub role: String,
    #[dynamo(validate(min = 0, max = 1000))]
    pub quota: i64,
    #[dynamo(validate(min = 0, with = even))]
    pub used: i64,
    #[dynamo(validate(non_empty))]
    pub tags: Vec<String>,
    #[dynamo(required)]
    pub phone: Option<String>,
    #[dynamo(default_fn = default_plan)]
    pub plan: String,
    #[dynamo(default = "3")]
    pub seats: u32,
    #[dynamo(get = shout)]
    pub motto: String,
    #[dynamo(counter)]
    pub logins: u64,
    #[dynamo(created_at)]
    pub created_at: i64,
    #[dynamo(updated_at = "millis")]
    pub updated_at: i64,
    #[dynamo(ttl)]
    pub expires_at: Option<i64>,
    #[dynamo(extra)]
    pub extra: HashMap<String, AttributeValue>,
}

pub fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        name: "  Ada  ".into(),
        email: "ada@example.org".into(),
        country: "PT".into(),
        role: "admin".into(),
        quota: 10,
        used: 2,
        tags: vec!["x".into()],
        phone: Some("+351".into()),
        plan: "pro".into(),
        seats: 5,
        motto: "be kind".into(),
        logins: 0,
        created_at: 0,
        updated_at: 0,
        expires_at: None,
        extra: HashMap::new(),
    }
}

#[test]
fn every_broken_rule_is_listed_in_one_error() {
    let bad = Account {
        name: " A ".into(),
        email: "nope".into(),
        country: "Portugal".into(),
        role: "root".into(),
        quota: 2000,
        used: 3,
        tags: vec![],
        phone: None,
        ..account("a")
    };
    match dynamo_model::Document::validate(&bad) {
        Err(Error::Validation { model: "Account", errors }) => {
            let found: Vec<(&str, &Rule)> = errors.iter().map(|e| (e.attribute.as_ref(), &e.rule)).collect();
            assert_eq!(
                found,
                [
                    ("name", &Rule::Length { min: Some(2), max: Some(20) }),
                    ("email", &Rule::Email),
                    ("country", &Rule::Pattern("^[A-Z]{2}$")),
                    ("role", &Rule::OneOf(vec!["admin".into(), "member".into()])),
                    ("quota", &Rule::Max("1000".into())),
                    ("used", &Rule::Custom("must be even".into())),
                    ("tags", &Rule::NonEmpty),
                    ("phone", &Rule::Required),
                ]
            );
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    // The model-level rule runs too.
    let over = Account { used: 20, ..account("a") };
    match dynamo_model::Document::validate(&over) {
        Err(Error::Validation { errors, .. }) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].rule, Rule::Custom("used exceeds quota".into()));
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(dynamo_model::Document::validate(&account("a")).is_ok(), "control: a valid account passes");
}

#[test]
fn defaults_transforms_timestamps_and_extra_attributes_round_trip() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        let before = now_secs();
        Account::put(&db, &account("a1")).await.unwrap();
        let stored = Account::get(&db, Account::key("a1")).consistent().await.unwrap().unwrap();
        assert_eq!(stored.name, "Ada", "set = trim applied on the way in");
        assert_eq!(stored.motto, "BE KIND", "get = shout applied on the way out");
        assert!(stored.created_at >= before && stored.created_at <= now_secs() + 1, "created_at in seconds");
        assert!(stored.updated_at >= before * 1000, "updated_at in milliseconds");

        // Conditions on a transformed field compare with the transformed value.
        Account::update(&db, Account::key("a1"))
            .set(&Account::ROLE, "member")
            .condition(Account::NAME.eq("  Ada "))
            .await
            .unwrap();

        // Missing attributes read as their defaults; unknown ones are kept in `extra`.
        let mut raw = dynamo_model::Document::to_item(&account("a2")).unwrap();
        raw.remove("plan");
        raw.remove("seats");
        raw.insert("legacyFlag".into(), AttributeValue::Bool(true));
        db.client().put_item().table_name("accounts").set_item(Some(raw)).send().await.unwrap();
        let read = Account::get(&db, Account::key("a2")).consistent().await.unwrap().unwrap();
        assert_eq!((read.plan.as_str(), read.seats), ("free", 3));
        assert_eq!(read.extra.get("legacyFlag"), Some(&AttributeValue::Bool(true)));
        Account::put(&db, &read).await.unwrap();
        let raw = db
            .client()
            .get_item()
            .table_name("accounts")
            .key("id", AttributeValue::S("a2".into()))
            .send()
            .await
            .unwrap()
            .item
            .unwrap();
        assert_eq!(raw.get("legacyFlag"), Some(&AttributeValue::Bool(true)), "extra attributes are written back");

        // created_at never changes after create; updated_at moves.
        let first = Account::get(&db, Account::key("a1")).consistent().await.unwrap().unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let updated =
            Account::update(&db, Account::key("a1")).add(&Account::LOGINS, 1).await.unwrap().into_item().unwrap();
        assert_eq!(updated.created_at, first.created_at);
        assert!(updated.updated_at > first.updated_at);
        assert_eq!(updated.logins, 1);
    });
}

#[test]
fn ttl_is_enabled_and_expired_items_can_be_skipped() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        let ttl = db.client().describe_time_to_live().table_name("accounts").send().await.unwrap();
        let description = ttl.time_to_live_description.unwrap();
        assert_eq!(description.attribute_name(), Some("expires_at"));

        let expired = Account { expires_at: Some(now_secs() - 60), ..account("old") };
        let live = Account { expires_at: Some(now_secs() + 3600), ..account("new") };
        let forever = account("forever");
        for a in [&expired, &live, &forever] {
            Account::put(&db, a).await.unwrap();
        }
        assert!(Account::get(&db, Account::key("old")).consistent().await.unwrap().is_some(), "control: still stored");
        assert!(Account::get(&db, Account::key("old")).consistent().skip_expired().await.unwrap().is_none());
        assert!(Account::get(&db, Account::key("new")).skip_expired().await.unwrap().is_some());
        let mut ids: Vec<String> = Account::scan(&db).skip_expired().await.unwrap().into_iter().map(|a| a.id).collect();
        ids.sort();
        assert_eq!(ids, ["forever", "new"]);
        assert_eq!(Account::scan(&db).await.unwrap().len(), 3);

        // An index without the TTL attribute cannot filter on it: refused before sending.
        let (counted_db, requests) = crate::common::counted(&db);
        match Account::BY_ROLE.query(&counted_db, "admin").skip_expired().project_into::<RoleKeys>().await {
            Err(Error::Unprojected { missing, .. }) => assert_eq!(missing, ["expires_at"]),
            other => panic!("expected Unprojected, got {other:?}"),
        }
        assert_eq!(requests.count(), 0);
        let keys = Account::BY_ROLE.query(&counted_db, "admin").project_into::<RoleKeys>().await.unwrap();
        assert_eq!((keys.len(), requests.count()), (3, 1), "control: the same query without skip_expired is sent");
    });
}

#[derive(dynamo_model::Document, Debug, Clone, PartialEq)]
struct RoleKeys {
    id: String,
    role: String,
}
