//! Typed DynamoDB Streams records, as Lambda delivers them (feature `streams`).
//!
//! A Lambda function on a table's stream gets an [`StreamEvent`] (`aws_lambda_events`'
//! DynamoDB event). [`decode`] turns one record into a [`Change`] of a model: an insert, a
//! modification, a removal by a caller, or an expiry by DynamoDB's time to live. What the
//! record carries depends on the stream's view type, and [`Image`] says which: the
//! item, or only its key attributes. In a shared table, records of other models are
//! `Ok(None)`, not errors.
//!
//! [`process`] runs a handler over an event's records in order and builds the partial
//! batch failure response Lambda reads with `ReportBatchItemFailures`: the first record
//! whose handler failed (Lambda retries from there, so nothing after it is handled
//! twice). A record the model cannot read never reads better on a retry, so it is set
//! aside (in [`Processed::undecodable`]) rather than failed: one bad record does not make
//! Lambda retry the batch forever.
//!
//! ```
//! use dynamo_model::stream::{self, Change, Image, StreamEvent};
//! use dynamo_model::Model;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[dynamo(table = "items")]
//! struct Item { #[dynamo(hash_key)] id: String, category: String }
//!
//! let event: StreamEvent = serde_json::from_str(r#"{"Records": [{
//!     "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
//!     "awsRegion": "us-east-1",
//!     "dynamodb": {
//!         "Keys": {"id": {"S": "a"}},
//!         "NewImage": {"id": {"S": "a"}, "category": {"S": "books"}},
//!         "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"
//!     }
//! }]}"#).unwrap();
//! let change = stream::decode::<Item>(&event.records[0])?.unwrap();
//! assert_eq!(change, Change::Insert(Image::Item(Item { id: "a".into(), category: "books".into() })));
//! # Ok::<(), dynamo_model::Error>(())
//! ```

use std::future::Future;

pub use aws_lambda_events::event::dynamodb::{Event as StreamEvent, EventRecord};
pub use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

use crate::{Error, Item, Model, Result};

/// What a record shows of an item: the item itself, or only its key attributes (a
/// `KEYS_ONLY` stream, or the side a `NEW_IMAGE` / `OLD_IMAGE` stream leaves out).
#[derive(Debug, Clone, PartialEq)]
pub enum Image<M> {
    /// The whole item, decoded.
    Item(M),
    /// Only the key attributes, as stored.
    Keys(Item),
}

impl<M> Image<M> {
    /// A reference to the item, when the record carries it; `None` for keys only.
    pub fn item(&self) -> Option<&M> {
        match self {
            Image::Item(item) => Some(item),
            Image::Keys(_) => None,
        }
    }

    /// The item itself, when the record carries it; `None` for keys only.
    pub fn into_item(self) -> Option<M> {
        match self {
            Image::Item(item) => Some(item),
            Image::Keys(_) => None,
        }
    }
}

/// One change to one item of model `M`.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<M> {
    /// A new item.
    Insert(Image<M>),
    /// An item changed: as it was, and as it is.
    Modify {
        /// Before the change.
        old: Image<M>,
        /// After the change.
        new: Image<M>,
    },
    /// An item deleted by a request (a delete, a transaction, a batch).
    Remove(Image<M>),
    /// An item deleted by DynamoDB's time to live (the record's user identity is the
    /// DynamoDB service principal).
    Expire(Image<M>),
}

/// Whether a removal was made by DynamoDB's time to live, as AWS documents it: user
/// identity of type `Service` with principal `dynamodb.amazonaws.com`.
fn by_ttl(record: &EventRecord) -> bool {
    record
        .user_identity
        .as_ref()
        .is_some_and(|identity| identity.type_ == "Service" && identity.principal_id == "dynamodb.amazonaws.com")
}

/// The record's sequence number: what a partial batch failure names.
pub fn sequence_number(record: &EventRecord) -> Option<&str> {
    record.change.sequence_number.as_deref()
}

/// Decodes one record as a change of model `M`; `Ok(None)` when it is an item of another
/// model of a shared table (its entity marker is another's). A record whose item does
/// not fit `M`, or whose event name is unknown, is an [`Error::Decode`].
pub fn decode<M: Model>(record: &EventRecord) -> Result<Option<Change<M>>> {
    let keys: Item = record.change.keys.clone().into();
    let new: Item = record.change.new_image.clone().into();
    let old: Item = record.change.old_image.clone().into();
    // A record of another model of a shared table says so by its marker (a keys-only
    // record carries none, and is taken as the model's).
    if let Some(entity) = M::ENTITY {
        let marker = new.get(entity.attribute).or_else(|| old.get(entity.attribute));
        if let Some(marker) = marker {
            if marker.as_s().map(String::as_str) != Ok(entity.name) {
                return Ok(None);
            }
        }
    }
    let image = |item: Item| -> Result<Image<M>> {
        if item.is_empty() {
            Ok(Image::Keys(keys.clone()))
        } else {
            M::from_item(item).map(Image::Item)
        }
    };
    let change = match record.event_name.as_str() {
        "INSERT" => Change::Insert(image(new)?),
        "MODIFY" => Change::Modify { old: image(old)?, new: image(new)? },
        "REMOVE" if by_ttl(record) => Change::Expire(image(old)?),
        "REMOVE" => Change::Remove(image(old)?),
        other => {
            return Err(Error::Decode {
                model: M::NAME,
                attribute: "eventName".into(),
                expected: "INSERT, MODIFY or REMOVE".into(),
                found: other.to_owned().into(),
            })
        }
    };
    Ok(Some(change))
}

/// What [`process`] did with an event.
#[derive(Debug, Default)]
pub struct Processed {
    /// The response for Lambda (`ReportBatchItemFailures`): empty when every record was
    /// handled or set aside, else the first record whose handler failed.
    pub response: DynamoDbEventResponse,
    /// Records whose change the handler took.
    pub handled: usize,
    /// Records of other models of a shared table, skipped.
    pub other_models: usize,
    /// Records the model cannot read, set aside with their sequence number and error.
    pub undecodable: Vec<(String, Error)>,
}

/// Runs `handler` over the event's records of model `M`, in order, until one fails:
/// that record is the batch item failure (Lambda retries it and everything after it);
/// records after it are not handled now. Records of other models are skipped, records
/// `M` cannot read are set aside (see the module docs).
///
/// The handler gets each change with its record, for what the change does not say: the
/// sequence number (which orders the changes of one item, and tells a record Lambda
/// delivers again from a new one), the event id, the approximate time.
pub async fn process<'e, M, F, Fut, E>(event: &'e StreamEvent, mut handler: F) -> Processed
where
    M: Model,
    F: FnMut(Change<M>, &'e EventRecord) -> Fut,
    Fut: Future<Output = std::result::Result<(), E>>,
{
    let mut processed = Processed::default();
    for record in &event.records {
        let sequence = sequence_number(record).unwrap_or(&record.event_id).to_owned();
        match decode::<M>(record) {
            Ok(None) => processed.other_models += 1,
            Err(error) => processed.undecodable.push((sequence, error)),
            Ok(Some(change)) => {
                if handler(change, record).await.is_err() {
                    let mut failure = DynamoDbBatchItemFailure::default();
                    failure.item_identifier = Some(sequence);
                    processed.response.batch_item_failures.push(failure);
                    break;
                }
                processed.handled += 1;
            }
        }
    }
    processed
}
