//! The schema rules and lifecycle attributes expand to code that compiles and
//! behaves as documented, without a database: `validate`, `set`/`get`, defaults,
//! `extra`, the lifecycle constants and the path encoders that check values.

use std::collections::HashMap;

use dynamo_model::expr::Condition;
use dynamo_model::{AttributeValue, Document, Error, InvalidReason, Model, Rule, TimeUnit, Timestamp};

pub fn trim(value: &String) -> String {
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

// `set` and a rule's `with` take the value by reference; as in a direct call, a
// `&str` serves a `String`.
pub fn trim_str(value: &str) -> String {
    value.trim().to_owned()
}

pub fn digits(value: &str) -> Result<(), String> {
    if value.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("digits only".into())
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "accounts", validate = totals_agree)]
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

/// Rules on `Option` fields and floats, transforms and defaults on `Option`, and
/// a document with rules.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "misc")]
pub struct Misc {
    #[dynamo(hash_key, validate(len(max = 8)))]
    pub id: String,
    #[dynamo(validate(min = 0, max = 1.5))]
    pub ratio: f64,
    #[dynamo(validate(min = -5, one_of = [-5, 0, 5]))]
    pub offset: Option<i32>,
    #[dynamo(validate(regex = r"^\d+$", regex = "^1", with = digits), set = trim_str, default = "\"100\".to_owned()")]
    pub code: Option<String>,
    #[dynamo(set = trim_str, validate(with = digits))]
    pub pin: String,
    #[dynamo(get = shout)]
    pub label: Option<String>,
    #[dynamo(default = "vec![1, 2]")]
    pub numbers: Vec<u8>,
    #[dynamo(version)]
    pub version: u64,
    #[dynamo(counter)]
    pub hits: Option<u64>,
    pub note: Note,
}

#[derive(Document, Debug, Clone, PartialEq)]
pub struct Note {
    #[dynamo(validate(non_empty))]
    pub text: String,
}

fn account(id: &str) -> Account {
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

fn string(value: &str) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn rendered_value(condition: impl Into<Condition<Account>>) -> dynamo_model::Result<AttributeValue> {
    let rendered = condition.into().render()?;
    Ok(rendered.values[":v0"].clone())
}

fn main() {
    // Every broken rule, in field order, then the struct's own check.
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
    match bad.validate() {
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
    match (Account { used: 20, ..account("a") }).validate() {
        Err(Error::Validation { errors, .. }) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].attribute, "Account");
            assert_eq!(errors[0].rule, Rule::Custom("used exceeds quota".into()));
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    account("a").validate().unwrap();

    // `set` on the way in, `get` on the way out, defaults for missing attributes,
    // undeclared attributes kept in `extra` and written back.
    let mut item = account("a").to_item().unwrap();
    assert_eq!(item["name"], string("Ada"));
    assert_eq!(item["motto"], string("be kind"));
    assert!(!item.contains_key("extra"));
    item.remove("plan");
    item.remove("seats");
    item.insert("legacyFlag".into(), AttributeValue::Bool(true));
    let read = Account::from_item(item).unwrap();
    assert_eq!((read.name.as_str(), read.motto.as_str()), ("Ada", "BE KIND"));
    assert_eq!((read.plan.as_str(), read.seats), ("free", 3));
    assert_eq!(read.extra, HashMap::from([("legacyFlag".to_owned(), AttributeValue::Bool(true))]));
    let mut clash = read.clone();
    clash.extra.insert("name".into(), string("not this one"));
    match clash.to_item() {
        Err(Error::Invalid { attribute, reason: InvalidReason::DeclaredName, .. }) => assert_eq!(attribute, "name"),
        other => panic!("an `extra` entry may not shadow a declared attribute, got {other:?}"),
    }
    let written = read.to_item().unwrap();
    assert_eq!(written["legacyFlag"], AttributeValue::Bool(true));

    // Lifecycle constants. A field named like one (`created_at`) has a path
    // constant of that name, which `Account::CREATED_AT` finds first.
    assert!(!Account::ATTRIBUTES.contains(&"extra"));
    assert_eq!(<Account as Model>::VERSION, None);
    assert_eq!(<Account as Model>::CREATED_AT, Some(Timestamp { name: "created_at", unit: TimeUnit::Seconds }));
    assert_eq!(<Account as Model>::UPDATED_AT, Some(Timestamp { name: "updated_at", unit: TimeUnit::Millis }));
    assert_eq!(Account::TTL, Some("expires_at"));
    assert_eq!(Account::COUNTERS, ["logins"]);
    assert_eq!(<Misc as Model>::VERSION, Some("version"));
    assert_eq!(Misc::COUNTERS, ["hits"]);
    assert_eq!((Misc::CREATED_AT, Misc::UPDATED_AT, Misc::TTL), (None, None, None));

    // Values compared with a path are transformed as stored values are, and never held
    // to the field's rules: a prefix or a bound need not be a valid value.
    assert_eq!(rendered_value(Account::NAME.eq("  Ada ")).unwrap(), string("Ada"));
    assert_eq!(rendered_value(Account::NAME.begins_with(" A ")).unwrap(), string("A"));
    assert_eq!(rendered_value(Account::QUOTA.lt(1001)).unwrap(), AttributeValue::N("1001".into()));
    assert_eq!(rendered_value(Account::ROLE.eq("root")).unwrap(), string("root"));
    assert_eq!(rendered_value(Account::PLAN.eq("x")).unwrap(), string("x"));

    // Option fields: rules on the value when there is one, `set` and the default
    // on writes, `get` on reads; floats compared with integer bounds.
    let misc = Misc {
        id: "m".into(),
        ratio: 0.5,
        offset: None,
        code: None,
        pin: " 42 ".into(),
        label: Some("hi".into()),
        numbers: vec![],
        version: 7,
        hits: None,
        note: Note { text: "n".into() },
    };
    misc.validate().unwrap();
    assert_eq!(misc.version(), 7);
    let item = misc.to_item().unwrap();
    assert_eq!(item["code"], string("100"), "`None` writes the default");
    assert_eq!(item["pin"], string("42"));
    let mut item = Misc { code: Some(" 12 ".into()), ..misc.clone() }.to_item().unwrap();
    assert_eq!(item["code"], string("12"));
    item.remove("code");
    item.remove("numbers");
    let read = Misc::from_item(item).unwrap();
    assert_eq!(read.code.as_deref(), Some("100"));
    assert_eq!(read.label.as_deref(), Some("HI"));
    assert_eq!(read.numbers, [1, 2]);
    let bad = Misc {
        ratio: 2.0,
        offset: Some(3),
        code: Some(" 2 ".into()),
        id: "too long an id".into(),
        note: Note { text: String::new() },
        ..misc
    };
    match bad.validate() {
        Err(Error::Validation { model: "Misc", errors }) => {
            let found: Vec<&str> = errors.iter().map(|e| e.attribute.as_ref()).collect();
            assert_eq!(found, ["id", "ratio", "offset", "code", "note.text"]);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    // Nested documents are validated on their own too.
    Note { text: String::new() }.validate().unwrap_err();
}
