//! The stream handler: keeps [`CategoryCount`] right as items are created, moved between
//! categories and deleted, whether a record comes once or again.
//!
//! Each change that moves an item in or out of a category is one transaction: the
//! count updates (`ADD ±1`) and the item's [`Applied`] marker, put only if its sequence
//! number is below the record's. A record Lambda delivers a second time (a retried batch)
//! finds the marker at its own sequence number or past it, and changes nothing.

use std::time::{SystemTime, UNIX_EPOCH};

use dynamo_model::stream::{self, Change, EventRecord, Image, Processed, StreamEvent};
use dynamo_model::tx::CancelReason;
use dynamo_model::{Db, Error, Model};

use crate::model::{Applied, CategoryCount, Item};

/// How long an [`Applied`] marker is kept: longer than a stream keeps its records (24 h).
const MARKER_DAYS: i64 = 2;

/// Handles one event: every record of an item, in order, until one fails (the partial
/// batch failure in [`Processed::response`]). Records of the table's other models (the
/// counts and markers themselves) are skipped.
pub async fn handle(db: &Db, event: &StreamEvent) -> Processed {
    let processed = stream::process::<Item, _, _, Error>(event, |change, record| apply(db, change, record)).await;
    for (sequence, error) in &processed.undecodable {
        eprintln!("items-stream: record {sequence} set aside: {error}");
    }
    processed
}

/// The category an image is in; a keys-only image cannot say (the table's stream carries
/// new and old images, so this is a misconfigured stream).
fn category(image: &Image<Item>) -> Result<&str, Error> {
    match image.item() {
        Some(item) => Ok(&item.category),
        None => Err(Error::Decode {
            model: <Item as dynamo_model::Document>::NAME,
            attribute: "category".into(),
            expected: "a stream with new and old images".into(),
            found: "keys only".into(),
        }),
    }
}

/// Applies one change to the counts, at most once per record.
pub async fn apply(db: &Db, change: Change<Item>, record: &EventRecord) -> Result<(), Error> {
    let (id, left, joined) = match &change {
        Change::Insert(new) => (new.item().map(|item| item.id.clone()), None, Some(category(new)?)),
        Change::Modify { old, new } => {
            let (before, after) = (category(old)?, category(new)?);
            if before == after {
                return Ok(());
            }
            (new.item().map(|item| item.id.clone()), Some(before), Some(after))
        }
        Change::Remove(old) | Change::Expire(old) => {
            (old.item().map(|item| item.id.clone()), Some(category(old)?), None)
        }
    };
    let id = id.unwrap_or_default();
    let sequence = format!("{:0>40}", stream::sequence_number(record).unwrap_or_default());
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let marker = Applied { id, sequence, expires_at: now + MARKER_DAYS * 86_400 };
    let mut deltas: Vec<(&str, i64)> = left.map(|c| (c, -1)).into_iter().chain(joined.map(|c| (c, 1))).collect();
    loop {
        let mut transaction = db.transaction().put(
            Applied::put(db, &marker)
                .condition(Applied::SEQUENCE.not_exists().or(Applied::SEQUENCE.lt(marker.sequence.as_str()))),
        );
        for (category, delta) in &deltas {
            let mut update =
                CategoryCount::update(db, CategoryCount::key(*category)).add(&CategoryCount::COUNT, *delta).upsert();
            if *delta < 0 {
                // A count never goes below zero: a removal of an item the counts never
                // saw (one older than the stream's records) takes nothing away.
                update = update.condition(CategoryCount::COUNT.gt(0));
            }
            transaction = transaction.update(update);
        }
        let error = match transaction.await {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        let failed: Vec<usize> = match &error {
            Error::TransactionCanceled { actions } => actions
                .iter()
                .filter(|action| action.reason == CancelReason::ConditionalCheckFailed)
                .map(|action| action.index)
                .collect(),
            _ => Vec::new(),
        };
        if failed.contains(&0) {
            // The marker's condition: this record (or a later one of the item) was applied.
            return Ok(());
        }
        if failed.is_empty() {
            return Err(error);
        }
        // Drop the decrements of counts already at zero, and apply the rest.
        deltas = deltas.into_iter().enumerate().filter(|(i, _)| !failed.contains(&(i + 1))).map(|(_, d)| d).collect();
    }
}
