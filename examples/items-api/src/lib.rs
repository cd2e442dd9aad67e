//! An items API on dynamo-model, the way it runs on AWS: an axum router behind API
//! Gateway and Lambda ([`api`]), and a second Lambda on the table's DynamoDB stream
//! that keeps per-category counts ([`counts`]). On one machine, `cargo run -p items-api`
//! serves the same router on `127.0.0.1` and feeds the same stream handler from
//! DynamoDB Local's stream ([`local_stream`]).

pub mod api;
pub mod counts;
pub mod lambda;
pub mod local_stream;
pub mod model;

use dynamo_model::cursor::CursorKey;
use dynamo_model::{Db, Table};

pub use model::{Applied, CategoryCount, Item, ItemsTable};

/// The [`Db`] a Lambda function uses: region and credentials from its environment, and
/// the table-name prefix in `ITEMS_TABLE_PREFIX` (the SAM template sets it to the
/// stack's name, so each stack has its own table).
pub async fn lambda_db() -> Db {
    let db = Db::from_env().await;
    match std::env::var("ITEMS_TABLE_PREFIX") {
        Ok(prefix) => db.with_table_prefix(prefix),
        Err(_) => db,
    }
}

/// Creates the items table (with its index and stream) unless it exists.
pub async fn ensure_table(db: &Db) -> dynamo_model::Result<()> {
    if !ItemsTable::table_exists(db).await? {
        ItemsTable::create_table(db).await?;
    }
    Ok(())
}

/// The key that seals list cursors: `ITEMS_API_CURSOR_KEY` (64 hex digits) if set,
/// else a fresh one (cursors then last as long as the process). Every instance of a
/// deployed API needs the same key, so the SAM template passes one in.
pub fn cursor_key_from_env() -> Result<CursorKey, String> {
    let Some(hex) = std::env::var("ITEMS_API_CURSOR_KEY").ok().filter(|v| !v.is_empty()) else {
        return Ok(CursorKey::generate());
    };
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect::<Option<_>>()
        .ok_or("ITEMS_API_CURSOR_KEY is not hexadecimal")?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| "ITEMS_API_CURSOR_KEY is not 32 bytes (64 hex digits)")?;
    Ok(CursorKey::from_bytes(bytes))
}
