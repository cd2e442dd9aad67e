//! Table management: explicit create, check and delete.

use aws_sdk_dynamodb::types::{BillingMode, KeyType, ScalarAttributeType};
use dynamo_model::{Error, Model};

use crate::common::run;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "events")]
struct Event {
    #[dynamo(hash_key)]
    stream: String,
    #[dynamo(range_key)]
    seq: u64,
}

#[test]
fn create_table_follows_the_key_schema_with_on_demand_billing() {
    run(|db| async move {
        assert!(!Event::table_exists(&db).await.unwrap());
        Event::create_table(&db).await.unwrap();
        assert!(Event::table_exists(&db).await.unwrap());

        let table = db.client().describe_table().table_name("events").send().await.unwrap().table.unwrap();
        let keys: Vec<_> = table.key_schema().iter().map(|k| (k.attribute_name(), k.key_type().clone())).collect();
        assert_eq!(keys, [("stream", KeyType::Hash), ("seq", KeyType::Range)]);
        let mut types: Vec<_> =
            table.attribute_definitions().iter().map(|a| (a.attribute_name(), a.attribute_type().clone())).collect();
        types.sort_by_key(|(name, _)| name.to_string());
        assert_eq!(types, [("seq", ScalarAttributeType::N), ("stream", ScalarAttributeType::S)]);
        assert_eq!(
            table.billing_mode_summary().and_then(|b| b.billing_mode().cloned()),
            Some(BillingMode::PayPerRequest)
        );

        Event::delete_table(&db).await.unwrap();
        assert!(!Event::table_exists(&db).await.unwrap());
    });
}

#[test]
fn writes_never_create_a_table() {
    run(|db| async move {
        let event = Event { stream: "s".into(), seq: 1 };
        assert!(matches!(Event::put(&db, &event).await, Err(Error::TableNotFound { .. })));
        assert!(!Event::table_exists(&db).await.unwrap());
    });
}

#[test]
fn creating_an_existing_table_is_a_service_error() {
    run(|db| async move {
        Event::create_table(&db).await.unwrap();
        match Event::create_table(&db).await {
            Err(Error::Service { operation: "CreateTable", source, .. }) => {
                assert!(matches!(*source, aws_sdk_dynamodb::Error::ResourceInUseException(_)));
            }
            other => panic!("expected ResourceInUse, got {other:?}"),
        }
    });
}
