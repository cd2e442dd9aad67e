//! The rules of a `#[derive(Document)]` nested in a model (directly, in an `Option`,
//! a list or a map) are checked when the model is validated, before any request.

use std::collections::HashMap;

use dynamo_model::{Document, Error, Model, Rule};

use crate::common::{counted, run};

#[derive(Document, Debug, Clone, PartialEq)]
struct Address {
    #[dynamo(validate(len(min = 2)))]
    city: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "people")]
struct Person {
    #[dynamo(hash_key)]
    id: String,
    address: Address,
    previous: Option<Address>,
    history: Vec<Address>,
    by_label: HashMap<String, Address>,
}

fn city(name: &str) -> Address {
    Address { city: name.into() }
}

fn person(id: &str) -> Person {
    Person {
        id: id.into(),
        address: city("Lyon"),
        previous: Some(city("Oslo")),
        history: vec![city("Rome"), city("Kyiv")],
        by_label: HashMap::from([("home".to_owned(), city("Bern")), ("work".to_owned(), city("Turku"))]),
    }
}

#[test]
fn nested_rules_fail_before_any_request() {
    run(|db| async move {
        Person::create_table(&db).await.unwrap();
        let (db, requests) = counted(&db);
        let bad = Person {
            address: city("A"),
            previous: Some(city("")),
            history: vec![city("Rome"), city("K")],
            by_label: HashMap::from([("home".to_owned(), city("B")), ("work".to_owned(), city("Turku"))]),
            ..person("p1")
        };
        match Person::put(&db, &bad).await {
            Err(Error::Validation { model: "Person", errors }) => {
                let found: Vec<(&str, &Rule)> = errors.iter().map(|e| (e.attribute.as_ref(), &e.rule)).collect();
                let rule = Rule::Length { min: Some(2), max: None };
                assert_eq!(
                    found,
                    [
                        ("address.city", &rule),
                        ("previous.city", &rule),
                        ("history[1].city", &rule),
                        ("by_label.home.city", &rule),
                    ]
                );
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert_eq!(requests.count(), 0, "no request may leave for bad input");

        // Control: a valid item is stored, and `None` or empty containers hold nothing to check.
        Person::put(&db, &person("p1")).await.unwrap();
        assert_eq!(requests.count(), 1);
        let empty = Person { previous: None, history: vec![], by_label: HashMap::new(), ..person("p2") };
        Person::put(&db, &empty).await.unwrap();
        assert_eq!(Person::get(&db, Person::key("p1")).await.unwrap(), Some(person("p1")));
    });
}
