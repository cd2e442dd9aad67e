//! The stream handler on DynamoDB stream events as Lambda delivers them: typed changes,
//! the counts they make, redelivery, and the partial batch failure response.

use std::collections::BTreeMap;

use dynamo_model::stream::{self, Change, Image, StreamEvent};
use dynamo_model::Model;
use items_api::{counts, CategoryCount, Item};

use crate::common::env;

/// An item's image in DynamoDB JSON, as the items table stores it.
fn image(id: &str, category: &str, version: u32) -> String {
    format!(
        r#"{{"pk": {{"S": "ITEM#{id}"}}, "sk": {{"S": "ITEM"}}, "_type": {{"S": "ITEM"}},
            "gsi1pk": {{"S": "CATEGORY#{category}"}}, "gsi1sk": {{"S": "{id}"}},
            "id": {{"S": "{id}"}}, "name": {{"S": "Item {id}"}}, "category": {{"S": "{category}"}},
            "price_cents": {{"N": "1250"}}, "tags": {{"L": [{{"S": "new"}}]}},
            "version": {{"N": "{version}"}}, "created_at": {{"N": "1764547200"}}, "updated_at": {{"N": "1764547200"}}}}"#
    )
}

fn keys(id: &str) -> String {
    format!(r#"{{"pk": {{"S": "ITEM#{id}"}}, "sk": {{"S": "ITEM"}}}}"#)
}

/// One record in the shape of AWS's documented DynamoDB event for Lambda.
fn record(name: &str, sequence: u64, keys: &str, images: &str, view: &str, identity: Option<&str>) -> String {
    let identity = identity.map(|identity| format!(r#""userIdentity": {identity},"#)).unwrap_or_default();
    format!(
        r#"{{
        "eventID": "c4ca4238a0b923820dcc509a6f75849{sequence}",
        "eventName": "{name}",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        {identity}
        "dynamodb": {{
            "ApproximateCreationDateTime": 1764547200,
            "Keys": {keys},
            {images}
            "SequenceNumber": "{sequence:021}",
            "SizeBytes": 321,
            "StreamViewType": "{view}"
        }},
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/2026-12-01T00:00:00.000"
    }}"#
    )
}

const BOTH: &str = "NEW_AND_OLD_IMAGES";
const TTL: &str = r#"{"type": "Service", "principalId": "dynamodb.amazonaws.com"}"#;

fn insert(sequence: u64, id: &str, category: &str) -> String {
    record("INSERT", sequence, &keys(id), &format!(r#""NewImage": {},"#, image(id, category, 1)), BOTH, None)
}

fn modify(sequence: u64, id: &str, from: &str, to: &str) -> String {
    let images = format!(r#""OldImage": {}, "NewImage": {},"#, image(id, from, 1), image(id, to, 2));
    record("MODIFY", sequence, &keys(id), &images, BOTH, None)
}

fn remove(sequence: u64, id: &str, category: &str, identity: Option<&str>) -> String {
    record("REMOVE", sequence, &keys(id), &format!(r#""OldImage": {},"#, image(id, category, 2)), BOTH, identity)
}

fn event(records: &[String]) -> StreamEvent {
    serde_json::from_str(&format!(r#"{{"Records": [{}]}}"#, records.join(","))).expect("a DynamoDB event")
}

async fn counts_of(db: &dynamo_model::Db) -> BTreeMap<String, i64> {
    let counts = CategoryCount::scan(db).consistent().await.expect("a scan");
    counts.into_iter().filter(|c| c.count != 0).map(|c| (c.category, c.count)).collect()
}

fn expected(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(category, count)| ((*category).to_owned(), *count)).collect()
}

#[test]
fn records_decode_to_typed_changes() {
    let records = [
        insert(1, "a", "books"),
        modify(2, "a", "books", "games"),
        remove(3, "a", "games", None),
        remove(4, "b", "games", Some(TTL)),
        record("INSERT", 5, &keys("c"), "", "KEYS_ONLY", None),
        record(
            "MODIFY",
            6,
            r#"{"pk": {"S": "CATEGORY#books"}, "sk": {"S": "COUNT"}}"#,
            r#""OldImage": {"pk": {"S": "CATEGORY#books"}, "sk": {"S": "COUNT"}, "_type": {"S": "CATEGORY_COUNT"}, "category": {"S": "books"}, "count": {"N": "1"}},
               "NewImage": {"pk": {"S": "CATEGORY#books"}, "sk": {"S": "COUNT"}, "_type": {"S": "CATEGORY_COUNT"}, "category": {"S": "books"}, "count": {"N": "2"}},"#,
            BOTH,
            None,
        ),
    ];
    let event = event(&records);
    let changes: Vec<_> = event.records.iter().map(|r| stream::decode::<Item>(r).expect("decodes")).collect();
    let item = |category: &str, version: u64| Item {
        id: "a".into(),
        name: "Item a".into(),
        category: category.into(),
        price_cents: 1250,
        tags: vec!["new".into()],
        version,
        created_at: 1764547200,
        updated_at: 1764547200,
    };
    assert_eq!(changes[0], Some(Change::Insert(Image::Item(item("books", 1)))));
    assert_eq!(
        changes[1],
        Some(Change::Modify { old: Image::Item(item("books", 1)), new: Image::Item(item("games", 2)) })
    );
    assert_eq!(changes[2], Some(Change::Remove(Image::Item(item("games", 2)))));
    assert!(matches!(&changes[3], Some(Change::Expire(Image::Item(b))) if b.id == "b"), "{:?}", changes[3]);
    assert!(
        matches!(&changes[4], Some(Change::Insert(Image::Keys(keys))) if keys.contains_key("pk")),
        "{:?}",
        changes[4]
    );
    assert_eq!(changes[5], None, "a count's record is another model's");
    // The same records through the counts model: only the count record is its own.
    let counts: Vec<_> = event.records.iter().map(stream::decode::<CategoryCount>).collect();
    assert!(matches!(&counts[5], Ok(Some(Change::Modify { new: Image::Item(c), .. })) if c.count == 2));
    assert!(counts[..4].iter().all(|c| matches!(c, Ok(None))));
}

#[tokio::test]
async fn counts_follow_inserts_moves_and_deletes_once_per_record() {
    let env = env().await;
    let db = &env.db;
    let batch = event(&[
        insert(10, "a", "books"),
        insert(11, "b", "books"),
        insert(12, "c", "games"),
        modify(13, "a", "books", "games"),
        modify(14, "c", "games", "games"),
        remove(15, "b", "books", None),
        insert(16, "d", "music"),
        remove(17, "d", "music", Some(TTL)),
    ]);
    let processed = counts::handle(db, &batch).await;
    assert!(processed.response.batch_item_failures.is_empty());
    assert_eq!((processed.handled, processed.other_models, processed.undecodable.len()), (8, 0, 0));
    assert_eq!(counts_of(db).await, expected(&[("games", 2)]));

    // Lambda delivers the same batch again (a retry after a timeout): nothing moves.
    let again = counts::handle(db, &batch).await;
    assert_eq!(again.handled, 8);
    assert_eq!(counts_of(db).await, expected(&[("games", 2)]));
    // Nor does an older record of an item whose newer record was applied.
    counts::handle(db, &event(&[insert(12, "c", "games")])).await;
    assert_eq!(counts_of(db).await, expected(&[("games", 2)]));
    // Control: a new record (a higher sequence number) does count.
    counts::handle(db, &event(&[insert(20, "e", "games"), modify(21, "c", "games", "books")])).await;
    assert_eq!(counts_of(db).await, expected(&[("games", 2), ("books", 1)]));

    // The table's own count records (another model) are skipped, not failed.
    let count_record = record(
        "INSERT",
        22,
        r#"{"pk": {"S": "CATEGORY#x"}, "sk": {"S": "COUNT"}}"#,
        r#""NewImage": {"pk": {"S": "CATEGORY#x"}, "sk": {"S": "COUNT"}, "_type": {"S": "CATEGORY_COUNT"}, "category": {"S": "x"}, "count": {"N": "1"}},"#,
        BOTH,
        None,
    );
    let skipped = counts::handle(db, &event(&[count_record])).await;
    assert_eq!((skipped.handled, skipped.other_models), (0, 1));
    assert!(skipped.response.batch_item_failures.is_empty());
}

#[tokio::test]
async fn a_record_that_cannot_count_is_the_batch_item_failure() {
    let env = env().await;
    let db = &env.db;
    // A keys-only record cannot say its category: the handler fails on it. Lambda is
    // told to retry from it, and the insert after it is not counted now.
    let batch = event(&[
        insert(30, "a", "books"),
        record("REMOVE", 31, &keys("a"), "", "KEYS_ONLY", None),
        insert(32, "b", "books"),
    ]);
    let processed = counts::handle(db, &batch).await;
    let failures: Vec<_> = processed.response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    assert_eq!(failures, [Some(format!("{:021}", 31))]);
    assert_eq!(processed.handled, 1);
    assert_eq!(counts_of(db).await, expected(&[("books", 1)]));
    // The response is what Lambda reads with ReportBatchItemFailures.
    let json = serde_json::to_value(&processed.response).expect("serializes");
    assert_eq!(json, serde_json::json!({"batchItemFailures": [{"itemIdentifier": format!("{:021}", 31)}]}));

    // A record whose item the model cannot read is set aside, not failed: it would
    // never read better, and Lambda would retry it forever.
    let broken = record(
        "INSERT",
        33,
        &keys("z"),
        r#""NewImage": {"pk": {"S": "ITEM#z"}, "sk": {"S": "ITEM"}, "_type": {"S": "ITEM"}, "id": {"S": "z"}},"#,
        BOTH,
        None,
    );
    let processed = counts::handle(db, &event(&[broken, insert(34, "c", "books")])).await;
    assert!(processed.response.batch_item_failures.is_empty());
    assert_eq!((processed.handled, processed.undecodable.len()), (1, 1));
    assert_eq!(processed.undecodable[0].0, format!("{:021}", 33));
    assert_eq!(counts_of(db).await, expected(&[("books", 2)]));
}
