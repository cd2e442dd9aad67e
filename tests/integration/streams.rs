//! Typed DynamoDB Streams records from the event JSON Lambda delivers (as AWS documents
//! it): inserts, modifications, removals by a caller and by TTL, keys-only and one-sided
//! views, records of other models of a shared table, and the partial batch failure
//! response.

use dynamo_model::stream::{self, Change, Image, StreamEvent};
use dynamo_model::{Document, Error, Model, Table};

use crate::common::s;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "items")]
struct Item {
    #[dynamo(hash_key)]
    id: String,
    category: String,
    price_cents: i64,
}

#[derive(Table)]
#[dynamo(name = "shop")]
struct Shop;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = Shop, entity = "PRODUCT", hash = "PRODUCT#{id}", range = "META")]
struct Product {
    id: String,
    name: String,
}

fn item(id: &str, category: &str, price_cents: i64) -> Item {
    Item { id: id.into(), category: category.into(), price_cents }
}

/// One record as Lambda delivers it; `images` is the JSON of `NewImage`/`OldImage`.
fn record(name: &str, sequence: &str, view: &str, keys: &str, images: &str, identity: Option<&str>) -> String {
    let identity =
        identity.map(|principal| format!(r#", "userIdentity": {{"type": "Service", "principalId": "{principal}"}}"#));
    format!(
        r#"{{
            "eventID": "e-{sequence}",
            "eventName": "{name}",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/2026-12-01T00:00:00.000",
            "dynamodb": {{
                "ApproximateCreationDateTime": 1764547200.0,
                "Keys": {keys},
                {images}
                "SequenceNumber": "{sequence}",
                "SizeBytes": 59,
                "StreamViewType": "{view}"
            }}{}
        }}"#,
        identity.unwrap_or_default()
    )
}

fn event(records: &[String]) -> StreamEvent {
    serde_json::from_str(&format!(r#"{{"Records": [{}]}}"#, records.join(","))).unwrap()
}

const KEY_A: &str = r#"{"id": {"S": "a"}}"#;
const BOOKS_A: &str = r#"{"id": {"S": "a"}, "category": {"S": "books"}, "price_cents": {"N": "1250"}}"#;
const GAMES_A: &str = r#"{"id": {"S": "a"}, "category": {"S": "games"}, "price_cents": {"N": "990"}}"#;

#[test]
fn every_kind_of_change_decodes_as_the_model() {
    let both = "NEW_AND_OLD_IMAGES";
    let records = [
        record("INSERT", "100", both, KEY_A, &format!(r#""NewImage": {BOOKS_A},"#), None),
        record("MODIFY", "200", both, KEY_A, &format!(r#""OldImage": {BOOKS_A}, "NewImage": {GAMES_A},"#), None),
        record("REMOVE", "300", both, KEY_A, &format!(r#""OldImage": {GAMES_A},"#), None),
        record("REMOVE", "400", both, KEY_A, &format!(r#""OldImage": {GAMES_A},"#), Some("dynamodb.amazonaws.com")),
    ];
    let event = event(&records);
    let changes: Vec<Change<Item>> =
        event.records.iter().map(|record| stream::decode::<Item>(record).unwrap().unwrap()).collect();
    assert_eq!(
        changes,
        [
            Change::Insert(Image::Item(item("a", "books", 1250))),
            Change::Modify { old: Image::Item(item("a", "books", 1250)), new: Image::Item(item("a", "games", 990)) },
            Change::Remove(Image::Item(item("a", "games", 990))),
            Change::Expire(Image::Item(item("a", "games", 990))),
        ]
    );
    assert_eq!(stream::sequence_number(&event.records[1]), Some("200"));
}

#[test]
fn views_without_an_image_give_the_keys() {
    let keys = [("id".to_owned(), s("a"))].into_iter().collect::<dynamo_model::Item>();
    let keys_only = event(&[
        record("INSERT", "1", "KEYS_ONLY", KEY_A, "", None),
        record("MODIFY", "2", "KEYS_ONLY", KEY_A, "", None),
        record("REMOVE", "3", "KEYS_ONLY", KEY_A, "", None),
    ]);
    let changes: Vec<Change<Item>> = keys_only.records.iter().map(|r| stream::decode(r).unwrap().unwrap()).collect();
    assert_eq!(
        changes,
        [
            Change::Insert(Image::Keys(keys.clone())),
            Change::Modify { old: Image::Keys(keys.clone()), new: Image::Keys(keys.clone()) },
            Change::Remove(Image::Keys(keys.clone())),
        ]
    );
    // NEW_IMAGE: the new side only; OLD_IMAGE: the old side only.
    let one_sided = event(&[
        record("MODIFY", "4", "NEW_IMAGE", KEY_A, &format!(r#""NewImage": {GAMES_A},"#), None),
        record("MODIFY", "5", "OLD_IMAGE", KEY_A, &format!(r#""OldImage": {BOOKS_A},"#), None),
    ]);
    assert_eq!(
        stream::decode::<Item>(&one_sided.records[0]).unwrap().unwrap(),
        Change::Modify { old: Image::Keys(keys.clone()), new: Image::Item(item("a", "games", 990)) }
    );
    assert_eq!(
        stream::decode::<Item>(&one_sided.records[1]).unwrap().unwrap(),
        Change::Modify { old: Image::Item(item("a", "books", 1250)), new: Image::Keys(keys) }
    );
}

#[test]
fn records_of_other_models_are_reported_not_failed() {
    let product = Product { id: "p1".into(), name: "Pen".into() }.to_item().unwrap();
    let product_json = serde_json::to_string(&serde_dynamo::Item::from(product.clone())).unwrap();
    let other = r#"{"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}, "_type": {"S": "USER"}, "name": {"S": "Ada"}}"#;
    let keys = r#"{"pk": {"S": "PRODUCT#p1"}, "sk": {"S": "META"}}"#;
    let event = event(&[
        record("INSERT", "1", "NEW_AND_OLD_IMAGES", keys, &format!(r#""NewImage": {product_json},"#), None),
        record("INSERT", "2", "NEW_AND_OLD_IMAGES", keys, &format!(r#""NewImage": {other},"#), None),
    ]);
    assert_eq!(
        stream::decode::<Product>(&event.records[0]).unwrap(),
        Some(Change::Insert(Image::Item(Product { id: "p1".into(), name: "Pen".into() })))
    );
    assert_eq!(stream::decode::<Product>(&event.records[1]).unwrap(), None);
    // The same record decoded without the marker check fails instead of being skipped.
    let other_item: dynamo_model::Item = serde_json::from_str::<serde_dynamo::Item>(other).unwrap().into();
    assert!(matches!(Product::from_item(other_item), Err(Error::Decode { .. })));
}

#[test]
fn process_reports_the_first_failed_record_and_sets_aside_unreadable_ones() {
    let both = "NEW_AND_OLD_IMAGES";
    let broken = r#"{"id": {"S": "b"}, "category": {"N": "7"}, "price_cents": {"N": "1"}}"#;
    let event = event(&[
        record("INSERT", "1", both, KEY_A, &format!(r#""NewImage": {BOOKS_A},"#), None),
        record("INSERT", "2", both, r#"{"id": {"S": "b"}}"#, &format!(r#""NewImage": {broken},"#), None),
        record("MODIFY", "3", both, KEY_A, &format!(r#""OldImage": {BOOKS_A}, "NewImage": {GAMES_A},"#), None),
        record("REMOVE", "4", both, KEY_A, &format!(r#""OldImage": {GAMES_A},"#), None),
    ]);
    futures::executor::block_on(async {
        // Every record handled: an empty response (nothing for Lambda to retry).
        let mut seen = Vec::new();
        let all = stream::process::<Item, _, _, ()>(&event, |change, _| {
            seen.push(change);
            async { Ok(()) }
        })
        .await;
        assert!(all.response.batch_item_failures.is_empty());
        assert_eq!((all.handled, all.other_models, seen.len()), (3, 0, 3));
        assert_eq!(all.undecodable.len(), 1);
        assert_eq!(all.undecodable[0].0, "2");
        assert!(matches!(all.undecodable[0].1, Error::Decode { ref attribute, .. } if attribute == "category"));

        // The handler fails on the modification: it is the failure, and the removal
        // after it is not handled now (Lambda retries from the failure).
        let mut handled = Vec::new();
        let failed = stream::process::<Item, _, _, &str>(&event, |change, _| {
            let fail = matches!(change, Change::Modify { .. });
            handled.push(change);
            async move {
                if fail {
                    Err("downstream unavailable")
                } else {
                    Ok(())
                }
            }
        })
        .await;
        let identifiers: Vec<Option<String>> =
            failed.response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
        assert_eq!(identifiers, [Some("3".to_owned())]);
        assert_eq!(failed.handled, 1);
        assert_eq!(handled.len(), 2);
        let json = serde_json::to_value(&failed.response).unwrap();
        assert_eq!(json, serde_json::json!({"batchItemFailures": [{"itemIdentifier": "3"}]}));
    });
}

#[derive(Table)]
#[dynamo(name = "streamed", stream = new_and_old_images)]
struct Streamed;

/// The stream a table declares, or one asked for at creation, is the one DynamoDB has.
#[tokio::test]
async fn tables_are_created_with_the_stream_they_declare() {
    use aws_sdk_dynamodb::types::StreamViewType;
    use dynamo_model::single_table::StreamView;

    let db = dynamo_model::local::test_db().await.expect("a database");
    let stream_of = |table: String| {
        // DescribeTable answers whether DynamoDB made the stream.
        let db = db.clone();
        async move {
            let output = db.client().describe_table().table_name(table).send().await.expect("the table exists");
            let table = output.table.expect("a description");
            let specification = table.stream_specification;
            (
                specification.as_ref().map(|s| s.stream_enabled),
                specification.and_then(|s| s.stream_view_type),
                table.latest_stream_arn.is_some(),
            )
        }
    };
    assert_eq!(Streamed::DEF.stream, Some(StreamView::NewAndOldImages));
    Streamed::create_table(&db).await.expect("created");
    assert_eq!(
        stream_of(format!("{}{}", db.table_prefix(), Streamed::DEF.name)).await,
        (Some(true), Some(StreamViewType::NewAndOldImages), true)
    );

    // A model's own table: no stream unless asked for; then the view asked for.
    assert_eq!(Item::TABLE_DEF.stream, None);
    Item::create_table(&db).stream(StreamView::KeysOnly).await.expect("created");
    assert_eq!(stream_of(db.table_name::<Item>()).await, (Some(true), Some(StreamViewType::KeysOnly), true));
    // Control: a table declared without a stream has none.
    assert_eq!(Shop::DEF.stream, None);
    Shop::create_table(&db).await.expect("created");
    assert_eq!(stream_of(db.table_name::<Product>()).await, (None, None, false));
}
