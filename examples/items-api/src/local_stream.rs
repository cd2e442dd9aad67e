//! The stream side on one machine: reads a table's stream on DynamoDB Local through
//! `aws-sdk-dynamodbstreams` and hands each batch of records to a handler as the
//! [`StreamEvent`] Lambda would deliver, retrying from the batch item failure it reports.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use aws_sdk_dynamodbstreams::Client;
use dynamo_model::stream::{DynamoDbEventResponse, EventRecord, StreamEvent};
use dynamo_model::Db;

/// How long to wait between polls of a shard that had no new records.
const IDLE: Duration = Duration::from_millis(200);

/// A streams client for a DynamoDB Local at `endpoint`, with the access key of the
/// [`Db`] whose tables it reads (DynamoDB Local keeps tables apart per access key).
pub fn client(endpoint: &str, access_key: &str) -> Client {
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodbstreams::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::Credentials::new(access_key, "local", None, None, "items-api"))
        .build();
    Client::from_conf(config)
}

/// Polls the stream of `table` (its full name, in `db`) from its oldest record, forever: each
/// shard's records, in order, in batches of at most `batch_size`, go to `handler` as a
/// Lambda event. A batch item failure is retried from that record after a pause, as
/// Lambda does. Returns only on an error from the streams API.
pub async fn run<F, Fut>(
    streams: &Client,
    db: &Db,
    table: &str,
    batch_size: i32,
    mut handler: F,
) -> Result<(), aws_sdk_dynamodbstreams::Error>
where
    F: FnMut(StreamEvent) -> Fut,
    Fut: Future<Output = DynamoDbEventResponse>,
{
    let table_description = db.client().describe_table().table_name(table).send().await;
    let arn = table_description.ok().and_then(|output| output.table?.latest_stream_arn).unwrap_or_default();
    let region = db.client().config().region().map(|r| r.to_string()).unwrap_or_default();
    // Shards done (closed and read to their end), and where each open one resumes.
    let mut done: HashSet<String> = HashSet::new();
    let mut iterators: HashMap<String, String> = HashMap::new();
    loop {
        let description = streams.describe_stream().stream_arn(&arn).send().await?;
        let shards = description.stream_description.and_then(|d| d.shards).unwrap_or_default();
        let mut progressed = false;
        for shard in &shards {
            let Some(id) = shard.shard_id() else { continue };
            let parent_pending = shard
                .parent_shard_id()
                .is_some_and(|parent| shards.iter().any(|s| s.shard_id() == Some(parent)) && !done.contains(parent));
            if done.contains(id) || parent_pending {
                continue;
            }
            let iterator = match iterators.remove(id) {
                Some(iterator) => iterator,
                None => {
                    let output = streams
                        .get_shard_iterator()
                        .stream_arn(&arn)
                        .shard_id(id)
                        .shard_iterator_type(ShardIteratorType::TrimHorizon)
                        .send()
                        .await?;
                    match output.shard_iterator {
                        Some(iterator) => iterator,
                        None => continue,
                    }
                }
            };
            let output = streams.get_records().shard_iterator(&iterator).limit(batch_size).send().await?;
            let records = output.records.unwrap_or_default();
            let next = output.next_shard_iterator;
            if records.is_empty() {
                match next {
                    Some(next) => {
                        iterators.insert(id.to_owned(), next);
                    }
                    None => {
                        done.insert(id.to_owned());
                    }
                }
                continue;
            }
            progressed = true;
            let mut event = StreamEvent::default();
            event.records = records.iter().map(|r| event_record(r, &arn, &region)).collect();
            let response = handler(event).await;
            match response.batch_item_failures.first().and_then(|f| f.item_identifier.clone()) {
                None => match next {
                    Some(next) => {
                        iterators.insert(id.to_owned(), next);
                    }
                    None => {
                        done.insert(id.to_owned());
                    }
                },
                Some(failed) => {
                    // Retry from the failed record, as Lambda does.
                    let output = streams
                        .get_shard_iterator()
                        .stream_arn(&arn)
                        .shard_id(id)
                        .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
                        .sequence_number(failed)
                        .send()
                        .await?;
                    if let Some(iterator) = output.shard_iterator {
                        iterators.insert(id.to_owned(), iterator);
                    }
                    tokio::time::sleep(IDLE).await;
                }
            }
        }
        if !progressed {
            tokio::time::sleep(IDLE).await;
        }
    }
}

/// A record of the streams API as Lambda delivers it.
pub fn event_record(record: &Record, arn: &str, region: &str) -> EventRecord {
    let mut event = EventRecord::default();
    event.aws_region = record.aws_region.clone().unwrap_or_else(|| region.to_owned());
    event.event_id = record.event_id.clone().unwrap_or_default();
    event.event_name = record.event_name.as_ref().map(|name| name.as_str().to_owned()).unwrap_or_default();
    event.event_source = record.event_source.clone();
    event.event_version = record.event_version.clone();
    event.event_source_arn = Some(arn.to_owned());
    if let Some(identity) = &record.user_identity {
        let mut user = aws_lambda_events::event::dynamodb::UserIdentity::default();
        user.type_ = identity.r#type.clone().unwrap_or_default();
        user.principal_id = identity.principal_id.clone().unwrap_or_default();
        event.user_identity = Some(user);
    }
    if let Some(change) = &record.dynamodb {
        let image = |map: &Option<HashMap<String, AttributeValue>>| map.as_ref().map(item).unwrap_or_default();
        event.change.keys = image(&change.keys);
        event.change.new_image = image(&change.new_image);
        event.change.old_image = image(&change.old_image);
        event.change.sequence_number = change.sequence_number.clone();
        event.change.size_bytes = change.size_bytes.unwrap_or_default();
        event.change.stream_view_type =
            change.stream_view_type.as_ref().and_then(|view| serde_json::from_value(view.as_str().into()).ok());
        event.change.approximate_creation_date_time = change
            .approximate_creation_date_time
            .and_then(|time| chrono::DateTime::from_timestamp(time.secs(), time.subsec_nanos()))
            .unwrap_or_default();
    }
    event
}

/// An image of the streams API as the `serde_dynamo` item Lambda's event holds.
fn item(map: &HashMap<String, AttributeValue>) -> serde_dynamo::Item {
    map.iter().map(|(name, value)| (name.clone(), value_of(value))).collect::<HashMap<_, _>>().into()
}

fn value_of(value: &AttributeValue) -> serde_dynamo::AttributeValue {
    use serde_dynamo::AttributeValue as V;
    match value {
        AttributeValue::S(s) => V::S(s.clone()),
        AttributeValue::N(n) => V::N(n.clone()),
        AttributeValue::B(b) => V::B(b.as_ref().to_vec()),
        AttributeValue::Bool(b) => V::Bool(*b),
        AttributeValue::Null(n) => V::Null(*n),
        AttributeValue::Ss(ss) => V::Ss(ss.clone()),
        AttributeValue::Ns(ns) => V::Ns(ns.clone()),
        AttributeValue::Bs(bs) => V::Bs(bs.iter().map(|b| b.as_ref().to_vec()).collect()),
        AttributeValue::L(list) => V::L(list.iter().map(value_of).collect()),
        AttributeValue::M(map) => V::M(map.iter().map(|(k, v)| (k.clone(), value_of(v))).collect()),
        // A type newer than this code: kept as NULL rather than failing the batch.
        _ => V::Null(true),
    }
}
