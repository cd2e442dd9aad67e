//! Timestamp and TTL fields of time types: `SystemTime`, `chrono::DateTime<Utc>` and
//! `time::OffsetDateTime`, stored as epoch numbers in their unit, stamped by writes,
//! compared in conditions, and read back as the put returned them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dynamo_model::{AttributeValue, Model};

use crate::common::run;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "sessions")]
struct Session {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(created_at)]
    created: SystemTime,
    #[dynamo(updated_at = "millis")]
    touched: chrono::DateTime<chrono::Utc>,
    #[dynamo(ttl)]
    expires: Option<time::OffsetDateTime>,
}

fn session(id: &str) -> Session {
    Session { id: id.into(), created: UNIX_EPOCH, touched: chrono::DateTime::UNIX_EPOCH, expires: None }
}

#[test]
fn time_fields_are_epoch_numbers_stamped_on_write() {
    run(|db| async move {
        Session::create_table(&db).await.unwrap();
        let before = SystemTime::now() - Duration::from_secs(1);
        let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        let stored = Session::put(&db, &Session { expires: Some(expires), ..session("s1") }).await.unwrap();
        assert!(stored.created >= before, "created_at is stamped on the first write");
        assert!(stored.touched.timestamp() >= before.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64);
        assert_eq!(stored.expires.unwrap().unix_timestamp(), expires.unix_timestamp(), "ttl is kept, in seconds");

        let raw = db.client().get_item().table_name("sessions").key("id", AttributeValue::S("s1".into())).send().await;
        let raw = raw.unwrap().item.unwrap();
        let seconds = |name: &str| raw[name].as_n().unwrap().parse::<i64>().unwrap();
        assert_eq!(seconds("created"), stored.created.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64);
        assert_eq!(seconds("touched"), stored.touched.timestamp_millis(), "updated_at = \"millis\" is in milliseconds");
        assert_eq!(seconds("expires"), expires.unix_timestamp());

        // What the put returned is what a read gives, to the unit.
        let read = Session::get(&db, Session::key("s1")).consistent().await.unwrap().unwrap();
        assert_eq!(read, stored);

        // Written again, created_at is kept and updated_at moves.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let again = Session::put(&db, &read).await.unwrap();
        assert_eq!(again.created, read.created);
        assert!(again.touched > read.touched);

        // Conditions compare times as the field stores them.
        let later = SystemTime::now() + Duration::from_secs(3600);
        let found = Session::scan(&db)
            .filter(Session::CREATED.lt(later) & Session::EXPIRES.gt(time::OffsetDateTime::now_utc()))
            .await;
        assert_eq!(found.unwrap().len(), 1);
        let none = Session::scan(&db).filter(Session::CREATED.gt(later)).await.unwrap();
        assert!(none.is_empty(), "control: a condition that does not hold finds nothing");

        // An expired TTL can be skipped.
        let past = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
        Session::put(&db, &Session { expires: Some(past), ..session("s2") }).await.unwrap();
        assert!(Session::get(&db, Session::key("s2")).consistent().await.unwrap().is_some(), "control: still stored");
        assert!(Session::get(&db, Session::key("s2")).consistent().skip_expired().await.unwrap().is_none());
    });
}
