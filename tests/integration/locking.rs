//! Optimistic locking: concurrent read-modify-write loops lose no update on a versioned
//! model, and do lose updates without the version (the control that shows the test can
//! fail).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dynamo_model::{Db, Error, Model};

use crate::common::run;

const TASKS: u64 = 8;
const INCREMENTS: u64 = 50;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "versioned")]
struct Versioned {
    #[dynamo(hash_key)]
    id: String,
    value: u64,
    #[dynamo(version)]
    version: u64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "unversioned")]
struct Unversioned {
    #[dynamo(hash_key)]
    id: String,
    value: u64,
}

/// One task: read, add one, write back; on a version conflict read again.
async fn increment_versioned(db: Db, acks: Arc<AtomicU64>) {
    let mut done = 0;
    while done < INCREMENTS {
        let current = Versioned::get(&db, Versioned::key("x")).consistent().await.unwrap();
        let next = match current {
            Some(item) => Versioned { value: item.value + 1, ..item },
            None => Versioned { id: "x".into(), value: 1, version: 0 },
        };
        tokio::task::yield_now().await;
        match Versioned::put(&db, &next).await {
            Ok(_) => {
                done += 1;
                acks.fetch_add(1, Ordering::SeqCst);
            }
            Err(Error::VersionConflict { .. } | Error::AlreadyExists { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
}

async fn increment_unversioned(db: Db, acks: Arc<AtomicU64>) {
    for _ in 0..INCREMENTS {
        let current = Unversioned::get(&db, Unversioned::key("x")).consistent().await.unwrap();
        let value = current.map_or(0, |item| item.value) + 1;
        tokio::task::yield_now().await;
        Unversioned::put(&db, &Unversioned { id: "x".into(), value }).await.unwrap();
        acks.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn concurrent_read_modify_write_loses_no_update_with_a_version() {
    run(|db| async move {
        Versioned::create_table(&db).await.unwrap();
        let acks = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..TASKS).map(|_| tokio::spawn(increment_versioned(db.clone(), acks.clone()))).collect();
        for task in tasks {
            task.await.unwrap();
        }
        let item = Versioned::get(&db, Versioned::key("x")).consistent().await.unwrap().unwrap();
        let acked = acks.load(Ordering::SeqCst);
        assert_eq!(acked, TASKS * INCREMENTS);
        assert_eq!((item.value, item.version), (acked, acked), "value = version = acknowledged writes");
    });
}

#[test]
fn control_without_a_version_updates_are_lost() {
    run(|db| async move {
        Unversioned::create_table(&db).await.unwrap();
        let acks = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..TASKS).map(|_| tokio::spawn(increment_unversioned(db.clone(), acks.clone()))).collect();
        for task in tasks {
            task.await.unwrap();
        }
        let item = Unversioned::get(&db, Unversioned::key("x")).consistent().await.unwrap().unwrap();
        assert_eq!(acks.load(Ordering::SeqCst), TASKS * INCREMENTS);
        assert!(item.value < TASKS * INCREMENTS, "the same loop without a version loses updates: {}", item.value);
    });
}

#[test]
fn updates_and_deletes_check_the_version_and_never_reset_it() {
    run(|db| async move {
        Versioned::create_table(&db).await.unwrap();
        let fresh = Versioned { id: "v".into(), value: 1, version: 0 };
        Versioned::put(&db, &fresh).await.unwrap();
        match Versioned::put(&db, &fresh).await {
            Err(Error::AlreadyExists { .. } | Error::VersionConflict { .. }) => {}
            other => panic!("a second create must fail, got {other:?}"),
        }
        let read = Versioned::get(&db, Versioned::key("v")).consistent().await.unwrap().unwrap();
        assert_eq!(read.version, 1);

        // An update without an expected version still counts the version up.
        let updated = Versioned::update(&db, read.key()).add(&Versioned::VALUE, 1).await.unwrap().into_item().unwrap();
        assert_eq!((updated.value, updated.version), (2, 2));

        // A stale version is refused, with the current item in the error.
        let err = Versioned::update(&db, read.key()).add(&Versioned::VALUE, 1).expect_version(1).await.unwrap_err();
        match &err {
            Error::VersionConflict { expected: 1, current: Some(_), .. } => {}
            other => panic!("expected VersionConflict, got {other:?}"),
        }
        assert_eq!(err.current_item::<Versioned>().unwrap().unwrap().version, 2);
        let err = Versioned::put(&db, &read).await.unwrap_err();
        assert!(matches!(err, Error::VersionConflict { expected: 1, .. }), "{err:?}");
        let err = Versioned::delete(&db, read.key()).expect_version(1).await.unwrap_err();
        assert!(matches!(err, Error::VersionConflict { .. }), "{err:?}");

        let current = Versioned::update(&db, read.key())
            .add(&Versioned::VALUE, 1)
            .expect_version(2)
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert_eq!((current.value, current.version), (3, 3));
        assert!(Versioned::delete(&db, read.key()).expect_version(3).await.unwrap().into_item().unwrap().is_some());
    });
}
