//! Transactions against DynamoDB Local: limits checked before sending, a failed action
//! named with its key and item, nothing half-applied, typed reads, idempotency tokens,
//! and the bank invariant under concurrency.

use std::collections::HashMap;

use dynamo_model::tx::{ActionKind, CancelReason, TransactionReason};
use dynamo_model::{AttributeValue, Db, Error, Model, RequestReason};

use crate::common::{counted, run};

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "tx_accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(min = 0))]
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "tx_notes")]
struct Note {
    #[dynamo(hash_key)]
    id: u32,
    text: String,
    #[dynamo(updated_at)]
    updated_at: u64,
}

#[derive(dynamo_model::Document, Debug, Clone, PartialEq)]
struct NoteText {
    text: String,
}

fn note(id: u32) -> Note {
    Note { id, text: format!("note {id}"), updated_at: 0 }
}

fn account(id: &str, balance: i64) -> Account {
    Account { id: id.into(), balance, version: 0 }
}

async fn tables(db: &Db) {
    Account::create_table(db).await.unwrap();
    Note::create_table(db).await.unwrap();
}

#[test]
fn a_hundred_actions_apply_together() {
    run(|db| async move {
        tables(&db).await;
        let notes: Vec<Note> = (0..100).map(note).collect();
        let (db, requests) = counted(&db);
        let mut transaction = db.transaction();
        for note in &notes {
            transaction = transaction.put(Note::put(&db, note));
        }
        transaction.await.unwrap();
        assert_eq!(requests.count(), 1);
        let stored = Note::scan(&db).await.unwrap();
        assert_eq!(stored.len(), 100);
        assert!(stored.iter().all(|note| note.updated_at > 0), "timestamps are stamped as by a put");
    });
}

#[test]
fn too_many_actions_the_same_item_twice_or_too_large_are_refused_before_sending() {
    run(|db| async move {
        tables(&db).await;
        let (db, requests) = counted(&db);
        let notes: Vec<Note> = (0..101).map(note).collect();
        let mut transaction = db.transaction();
        for note in &notes {
            transaction = transaction.put(Note::put(&db, note));
        }
        let err = transaction.await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidTransaction { reason: TransactionReason::TooManyActions { count: 101, max: 100 } }
            ),
            "{err:?}"
        );

        let first = note(1);
        let err = db
            .transaction()
            .put(Note::put(&db, &note(0)))
            .put(Note::put(&db, &first))
            .delete(Note::delete(&db, Note::key(1)))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidTransaction { reason: TransactionReason::SameItem { first: 1, second: 2 } }),
            "{err:?}"
        );

        // 11 items of 390,000 bytes: 4.29 MB, over the 4 MB (4,194,304 bytes) limit.
        let big: Vec<Note> = (0..11).map(|id| Note { text: "x".repeat(390_000), ..note(id) }).collect();
        let mut transaction = db.transaction();
        for note in &big {
            transaction = transaction.put(Note::put(&db, note));
        }
        let err = transaction.await.unwrap_err();
        match err {
            Error::InvalidTransaction { reason: TransactionReason::TooLarge { size, max } } => {
                assert_eq!(max, 4 * 1024 * 1024);
                assert!(size > 11 * 390_000, "{size}");
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        // An empty transaction, and a refused action: nothing sent either.
        let err = db.transaction().await.unwrap_err();
        assert!(matches!(err, Error::InvalidTransaction { reason: TransactionReason::Empty }), "{err:?}");
        let err =
            db.transaction().put(Note::put(&db, &note(1))).put(Account::put(&db, &account("a", -1))).await.unwrap_err();
        match err {
            Error::Action { index: 1, error } => assert!(matches!(*error, Error::Validation { .. }), "{error:?}"),
            other => panic!("expected action 1 refused, got {other:?}"),
        }
        assert_eq!(requests.count(), 0, "nothing was sent");

        // The control: ten of the big items fit (3.9 MB) and go through.
        let mut transaction = db.transaction();
        for note in &big[..10] {
            transaction = transaction.put(Note::put(&db, note));
        }
        transaction.await.unwrap();
        assert_eq!(requests.count(), 1);
    });
}

#[test]
fn a_failed_condition_names_its_action_key_and_item_and_nothing_is_applied() {
    run(|db| async move {
        tables(&db).await;
        let a = Account::put(&db, &account("a", 10)).await.unwrap();
        let b = Account::put(&db, &account("b", 3)).await.unwrap();
        let c = Account::put(&db, &account("c", 0)).await.unwrap();
        Note::put(&db, &note(1)).await.unwrap();
        let (db, requests) = counted(&db);
        let err = db
            .transaction()
            .put(Note::put(&db, &note(2)))
            .update(Account::update(&db, a.key()).add(&Account::BALANCE, 5))
            // Action 3 of 5: `b` holds 3, so it cannot give 5.
            .update(Account::update(&db, b.key()).add(&Account::BALANCE, -5))
            .delete(Note::delete(&db, Note::key(1)))
            .check(Account::check(&db, c.key(), Account::BALANCE.ge(0)))
            .await
            .unwrap_err();
        assert_eq!(requests.count(), 1, "a cancellation is not retried");
        let Error::TransactionCanceled { actions } = &err else { panic!("expected a cancellation, got {err:?}") };
        assert_eq!(actions.len(), 5);
        let causes: Vec<usize> = actions.iter().filter(|action| action.is_cause()).map(|action| action.index).collect();
        assert_eq!(causes, [2]);
        let failed = &actions[2];
        assert_eq!(failed.kind, ActionKind::Update);
        assert_eq!((failed.model, failed.table.as_str()), ("Account", "tx_accounts"));
        assert_eq!(failed.reason, CancelReason::ConditionalCheckFailed);
        assert_eq!(failed.key, HashMap::from([("id".to_owned(), AttributeValue::S("b".into()))]));
        assert_eq!(failed.current_item::<Account>().unwrap().unwrap(), b);
        // The action's own reading of its failure: the increment's bound.
        match failed.error.as_deref() {
            Some(Error::Validation { model: "Account", errors }) => assert_eq!(errors[0].attribute, "balance"),
            other => panic!("expected the bound of balance, got {other:?}"),
        }
        assert!(err.to_string().contains("action 2"), "{err}");
        assert!(!err.is_retryable());
        // Nothing of the other four was applied.
        assert_eq!(Account::get(&db, a.key()).consistent().await.unwrap().unwrap(), a);
        assert_eq!(Account::get(&db, b.key()).consistent().await.unwrap().unwrap(), b);
        assert!(Note::get(&db, Note::key(2)).consistent().await.unwrap().is_none());
        assert!(Note::get(&db, Note::key(1)).consistent().await.unwrap().is_some());
    });
}

#[test]
fn a_moved_version_is_a_version_conflict_of_its_action() {
    run(|db| async move {
        tables(&db).await;
        let read = Account::put(&db, &account("a", 10)).await.unwrap();
        // Someone else writes it after it was read.
        Account::put(&db, &Account { balance: 11, ..read.clone() }).await.unwrap();
        let err = db
            .transaction()
            .put(Note::put(&db, &note(7)))
            .put(Account::put(&db, &Account { balance: 20, ..read.clone() }))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { actions } = &err else { panic!("expected a cancellation, got {err:?}") };
        assert_eq!(actions[0].reason, CancelReason::None);
        match actions[1].error.as_deref() {
            Some(Error::VersionConflict { expected: 1, current: Some(current), .. }) => {
                assert_eq!(current.get("version"), Some(&AttributeValue::N("2".into())));
            }
            other => panic!("expected a version conflict, got {other:?}"),
        }
        // Create-only and must-exist read the same way as alone.
        let err = db
            .transaction()
            .put(Note::put(&db, &note(8)).if_not_exists())
            .update(Note::update(&db, Note::key(99)).set(&Note::TEXT, "x"))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { actions } = &err else { panic!("expected a cancellation, got {err:?}") };
        assert_eq!(actions[0].reason, CancelReason::None);
        assert!(matches!(actions[1].error.as_deref(), Some(Error::NotFound { .. })), "{:?}", actions[1]);
        assert!(Note::get(&db, Note::key(8)).consistent().await.unwrap().is_none());
    });
}

#[test]
fn reads_are_typed_by_their_handles() {
    run(|db| async move {
        tables(&db).await;
        Account::put(&db, &account("a", 10)).await.unwrap();
        Note::put(&db, &note(1)).await.unwrap();
        let (db, requests) = counted(&db);
        let mut read = db.transaction_get();
        let a = read.get(Account::get(&db, Account::key("a")));
        let missing = read.get(Account::get(&db, Account::key("zz")));
        let text = read.get(Note::get(&db, Note::key(1)).project_into::<NoteText>());
        let got = read.await.unwrap();
        assert_eq!(requests.count(), 1);
        assert_eq!(got.get(&a).unwrap().unwrap().balance, 10);
        assert_eq!(got.get(&missing).unwrap(), None);
        assert_eq!(got.get(&text).unwrap(), Some(NoteText { text: "note 1".into() }));
        // The projection read only what `NoteText` needs (and the key).
        let raw = got.items()[2].as_ref().unwrap();
        assert!(!raw.contains_key("updated_at"), "{raw:?}");

        // A handle of another read is refused, not misread.
        let mut other = db.transaction_get();
        let foreign = other.get(Note::get(&db, Note::key(1)));
        assert!(matches!(got.get(&foreign), Err(Error::InvalidRequest { reason: RequestReason::ForeignHandle, .. })));

        // 101 reads, or one item twice: refused before sending.
        let before = requests.count();
        let mut read = db.transaction_get();
        for id in 0..101 {
            read.get(Note::get(&db, Note::key(id)));
        }
        assert!(matches!(
            read.await,
            Err(Error::InvalidTransaction { reason: TransactionReason::TooManyActions { count: 101, .. } })
        ));
        let mut read = db.transaction_get();
        read.get(Note::get(&db, Note::key(1)));
        read.get(Note::get(&db, Note::key(1)).project_into::<NoteText>());
        assert!(matches!(
            read.await,
            Err(Error::InvalidTransaction { reason: TransactionReason::SameItem { first: 0, second: 1 } })
        ));
        assert_eq!(requests.count(), before);
    });
}

#[test]
fn a_token_applies_a_transaction_once() {
    run(|db| async move {
        tables(&db).await;
        Account::put(&db, &account("a", 10)).await.unwrap();
        let deposit = || {
            db.transaction()
                .update(Account::update(&db, Account::key("a")).add(&Account::BALANCE, 5))
                .token("deposit-1")
        };
        deposit().await.unwrap();
        deposit().await.unwrap();
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!(stored.balance, 15, "sent twice with one token, applied once");
        // The control: without the token, each is applied.
        for _ in 0..2 {
            db.transaction().update(Account::update(&db, Account::key("a")).add(&Account::BALANCE, 5)).await.unwrap();
        }
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!(stored.balance, 25);
    });
}

const ACCOUNTS: usize = 10;
const START: i64 = 100;

fn account_id(n: usize) -> String {
    format!("acct{n}")
}

/// A small deterministic generator, so a failing run can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Every account's balance from one point in time.
async fn snapshot(db: &Db) -> Vec<i64> {
    let mut read = db.transaction_get();
    let handles: Vec<_> = (0..ACCOUNTS).map(|n| read.get(Account::get(db, Account::key(account_id(n))))).collect();
    let got = read.await.unwrap();
    handles.iter().map(|handle| got.get(handle).unwrap().map_or(0, |account| account.balance)).collect()
}

async fn open_accounts(db: &Db) {
    Account::create_table(db).await.unwrap();
    Account::batch_overwrite(db, (0..ACCOUNTS).map(|n| account(&account_id(n), START))).await.unwrap();
}

/// 8 tasks × 50 random transfers, as transactions or as two separate updates; a reader
/// takes snapshots meanwhile. Returns the snapshots' totals and the lowest balance seen.
async fn transfers(db: &Db, transactional: bool, seed: u64) -> (Vec<i64>, i64) {
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let db = db.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                seen.push(snapshot(&db).await);
            }
            seen
        })
    };
    let mut tasks = Vec::new();
    for task in 0..8u64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut random = Lcg(seed ^ (task + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            for _ in 0..50 {
                let from = random.next() as usize % ACCOUNTS;
                let to = (from + 1 + random.next() as usize % (ACCOUNTS - 1)) % ACCOUNTS;
                let amount = 1 + (random.next() % 60) as i64;
                let debit = Account::update(&db, Account::key(account_id(from))).add(&Account::BALANCE, -amount);
                let credit = Account::update(&db, Account::key(account_id(to))).add(&Account::BALANCE, amount);
                if transactional {
                    match db.transaction().update(debit).update(credit).await {
                        Ok(()) => {}
                        // Not enough money, or a conflict that outlasted the retries.
                        Err(Error::TransactionCanceled { .. }) => {}
                        Err(other) => panic!("transfer failed: {other:?}"),
                    }
                } else {
                    match debit.await {
                        Ok(_) => {
                            // Between the two updates, the money is nowhere.
                            tokio::task::yield_now().await;
                            credit.await.unwrap();
                        }
                        Err(Error::Validation { .. }) => {}
                        Err(other) => panic!("debit failed: {other:?}"),
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut snapshots = reader.await.unwrap();
    snapshots.push(snapshot(db).await);
    let totals = snapshots.iter().map(|balances| balances.iter().sum()).collect();
    let lowest = snapshots.iter().flatten().copied().min().unwrap_or(0);
    (totals, lowest)
}

#[test]
fn transfers_in_transactions_keep_the_total() {
    run(|db| async move {
        open_accounts(&db).await;
        let (totals, lowest) = transfers(&db, true, 0x5EED).await;
        assert!(totals.len() > 1, "the reader took snapshots while transfers ran");
        let total = START * ACCOUNTS as i64;
        assert!(totals.iter().all(|t| *t == total), "every snapshot holds {total}: {totals:?}");
        assert!(lowest >= 0, "no balance went negative");
        // Money moved at all (else the test proves nothing).
        assert_ne!(snapshot(&db).await, vec![START; ACCOUNTS]);
    });
}

#[test]
fn transfers_as_separate_updates_break_the_total_the_control() {
    run(|db| async move {
        open_accounts(&db).await;
        // The same transfers as two updates each: a reader can see money in flight.
        let total = START * ACCOUNTS as i64;
        let mut broken = false;
        for seed in 0..5 {
            let (totals, _) = transfers(&db, false, 0x5EED + seed).await;
            if totals.iter().any(|t| *t != total) {
                broken = true;
                break;
            }
        }
        assert!(broken, "separate updates showed a snapshot without the total");

        // And deterministically: a credit that fails after its debit loses the money,
        // where the same transfer in a transaction is canceled whole.
        let balances = snapshot(&db).await;
        let before: i64 = balances.iter().sum();
        // The richest account: it holds at least a tenth of the total, so it can give 1.
        let rich = (0..ACCOUNTS).max_by_key(|n| balances[*n]).unwrap();
        let debit = || Account::update(&db, Account::key(account_id(rich))).add(&Account::BALANCE, -1);
        let credit = || Account::update(&db, Account::key("closed")).add(&Account::BALANCE, 1);
        let err = db.transaction().update(debit()).update(credit()).await.unwrap_err();
        assert!(matches!(err, Error::TransactionCanceled { .. }), "{err:?}");
        assert_eq!(snapshot(&db).await.iter().sum::<i64>(), before, "the transaction kept the total");
        debit().await.unwrap();
        assert!(matches!(credit().await, Err(Error::NotFound { .. })));
        assert_eq!(snapshot(&db).await.iter().sum::<i64>(), before - 1, "separate updates lost the money");
    });
}

/// Found by the random operations: an update with no action (which `UpdateItem` takes)
/// in a transaction, which takes none, is refused before sending; it used to panic.
#[test]
fn an_update_without_actions_is_refused_in_a_transaction() {
    #[derive(Model, Debug, Clone, PartialEq)]
    #[dynamo(table = "tx_plain")]
    struct Plain {
        #[dynamo(hash_key)]
        id: String,
        n: i64,
    }
    run(|db| async move {
        Plain::create_table(&db).await.unwrap();
        Plain::put(&db, &Plain { id: "p".into(), n: 1 }).await.unwrap();
        let (db, requests) = counted(&db);
        let err = db.transaction().update(Plain::update(&db, Plain::key("p"))).await.unwrap_err();
        match err {
            Error::Action { index: 0, error } => {
                assert!(matches!(*error, Error::InvalidRequest { reason: RequestReason::EmptyUpdate, .. }), "{error:?}")
            }
            other => panic!("expected the update refused, got {other:?}"),
        }
        assert_eq!(requests.count(), 0);
        // Alone, the same update is sent (UpdateItem takes no action) and applies.
        Plain::update(&db, Plain::key("p")).await.unwrap();
        assert_eq!(requests.count(), 1);
    });
}
