//! Updates against DynamoDB Local: partial nested updates, not-found, upsert, and
//! conditions that hand back the current item.

use std::collections::{BTreeSet, HashMap};

use dynamo_model::{Document, Error, Model, RequestReason};

use crate::common::run;

#[derive(Document, Debug, Clone, PartialEq, Default)]
struct Address {
    street: String,
    city: String,
    zip: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "profiles", rename_all = "camelCase")]
struct Profile {
    #[dynamo(hash_key)]
    user_id: String,
    address: Address,
    visits: u64,
    tags: BTreeSet<String>,
    history: Vec<String>,
    scores: HashMap<String, i64>,
    nickname: Option<String>,
}

fn profile() -> Profile {
    Profile {
        user_id: "u1".into(),
        address: Address { street: "Rua Augusta 1".into(), city: "Lisbon".into(), zip: "1100".into() },
        visits: 1,
        tags: BTreeSet::from(["a".to_owned(), "b".to_owned()]),
        history: vec!["first".into()],
        scores: HashMap::from([("math".to_owned(), 5), ("art".to_owned(), 7)]),
        nickname: Some("neo".into()),
    }
}

#[test]
fn a_partial_nested_update_leaves_the_sibling_fields_intact() {
    run(|db| async move {
        Profile::create_table(&db).await.unwrap();
        Profile::put(&db, &profile()).await.unwrap();

        let returned = Profile::update(&db, Profile::key("u1"))
            .set(&Profile::ADDRESS.then(Address::CITY), "Porto")
            .add(&Profile::SCORES.key("math"), 2)
            .await
            .unwrap()
            .into_item()
            .unwrap();
        let stored = Profile::get(&db, Profile::key("u1")).consistent().await.unwrap().unwrap();
        assert_eq!(returned, stored, "the update returns the item as stored");

        let mut expected = profile();
        expected.address.city = "Porto".into();
        expected.scores.insert("math".into(), 7);
        assert_eq!(stored, expected, "street, zip and the other score are untouched");

        // Control: replacing the whole map does lose the siblings, which is what the
        // nested path avoids.
        Profile::update(&db, Profile::key("u1"))
            .set(&Profile::ADDRESS, Address { city: "Faro".into(), ..Address::default() })
            .await
            .unwrap();
        let replaced = Profile::get(&db, Profile::key("u1")).consistent().await.unwrap().unwrap();
        assert_eq!(replaced.address.street, "");
    });
}

#[test]
fn update_actions_on_numbers_sets_and_lists() {
    run(|db| async move {
        Profile::create_table(&db).await.unwrap();
        Profile::put(&db, &profile()).await.unwrap();
        let updated = Profile::update(&db, Profile::key("u1"))
            .add(&Profile::VISITS, 41u64)
            .add_to_set(&Profile::TAGS, BTreeSet::from(["c".to_owned()]))
            .append(&Profile::HISTORY, ["second", "third"])
            .remove(&Profile::NICKNAME)
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert_eq!(updated.visits, 42);
        assert_eq!(updated.tags, BTreeSet::from(["a".into(), "b".into(), "c".into()]));
        assert_eq!(updated.history, ["first", "second", "third"]);
        assert_eq!(updated.nickname, None);

        let updated = Profile::update(&db, Profile::key("u1"))
            .delete_from_set(&Profile::TAGS, BTreeSet::from(["a".to_owned(), "b".to_owned(), "c".to_owned()]))
            .prepend(&Profile::HISTORY, ["zeroth"])
            .set_to(&Profile::VISITS, Profile::VISITS.minus(2))
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert!(updated.tags.is_empty(), "deleting the last members removes the set");
        assert_eq!(updated.history, ["zeroth", "first", "second", "third"]);
        assert_eq!(updated.visits, 40);
    });
}

#[test]
fn updating_a_missing_item_is_not_found_unless_upsert() {
    run(|db| async move {
        Profile::create_table(&db).await.unwrap();
        match Profile::update(&db, Profile::key("ghost")).add(&Profile::VISITS, 1u64).await {
            Err(Error::NotFound { model: "Profile", .. }) => {}
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert_eq!(Profile::get(&db, Profile::key("ghost")).consistent().await.unwrap(), None, "nothing was created");

        // An upsert that would create an item without fields the model needs is refused
        // before sending, naming them; nothing is created.
        let err = Profile::update(&db, Profile::key("ghost")).add(&Profile::VISITS, 1).upsert().await.unwrap_err();
        match &err {
            Error::InvalidRequest { reason: RequestReason::IncompleteUpsert { missing }, .. } => {
                assert_eq!(missing, &["address", "history", "scores"]);
            }
            other => panic!("expected IncompleteUpsert, got {other:?}"),
        }
        let raw = db
            .client()
            .get_item()
            .table_name("profiles")
            .key("userId", dynamo_model::AttributeValue::S("ghost".into()))
            .send()
            .await
            .unwrap();
        assert!(raw.item.is_none(), "nothing was written");

        // Setting those fields too makes a complete item, which the upsert returns.
        let created = Profile::update(&db, Profile::key("ghost"))
            .add(&Profile::VISITS, 1)
            .set(&Profile::ADDRESS, Address::default())
            .set(&Profile::HISTORY, Vec::<String>::new())
            .set(&Profile::SCORES, HashMap::new())
            .upsert()
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert_eq!((created.visits, created.tags.len(), created.nickname), (1, 0, None));
    });
}

#[test]
fn failed_conditions_return_the_current_item() {
    run(|db| async move {
        Profile::create_table(&db).await.unwrap();
        Profile::put(&db, &profile()).await.unwrap();

        let err = Profile::update(&db, Profile::key("u1"))
            .add(&Profile::VISITS, 1u64)
            .condition(Profile::VISITS.gt(100u64))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
        assert_eq!(err.current_item::<Profile>().unwrap().unwrap(), profile());

        let err = Profile::put(&db, &profile()).condition(Profile::NICKNAME.eq("trinity")).await.unwrap_err();
        assert_eq!(err.current_item::<Profile>().unwrap().unwrap(), profile());

        let err = Profile::delete(&db, Profile::key("u1")).condition(Profile::TAGS.contains("zzz")).await.unwrap_err();
        assert_eq!(err.current_item::<Profile>().unwrap().unwrap(), profile());
        assert_eq!(
            Profile::get(&db, Profile::key("u1")).consistent().await.unwrap(),
            Some(profile()),
            "nothing changed"
        );

        let updated = Profile::update(&db, Profile::key("u1"))
            .add(&Profile::VISITS, 1u64)
            .condition(Profile::TAGS.contains("a") & Profile::ADDRESS.then(Address::CITY).eq("Lisbon"))
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert_eq!(updated.visits, 2, "control: a condition that holds lets the update through");
    });
}
