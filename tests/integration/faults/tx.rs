//! Canceled transactions: every action with its reason, the error a failed condition
//! would have had alone, and retries of conflicts only, under one idempotency token.

use std::collections::HashMap;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsOutput;
use aws_sdk_dynamodb::operation::transact_write_items::{TransactWriteItemsInput, TransactWriteItemsOutput};
use aws_sdk_dynamodb::types::ItemResponse;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, Rule, RuleMode};
use dynamo_model::tx::{ActionKind, CancelReason, CanceledAction};
use dynamo_model::{AttributeValue, Db, Document, Error, Item, Model};

use crate::faults::{block_on, fast, mocked, order, recording, Account, Log, Order, ACCOUNTS, ORDERS};

/// A `TransactionCanceledException` body as DynamoDB sends it, with these reasons
/// (`{"Code": …, "Message": …, "Item": …}` each).
pub(crate) fn canceled(codes: &[&str], reasons: &[&str]) -> String {
    format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [{}]","CancellationReasons":[{}]}}"#,
        codes.join(", "),
        reasons.join(",")
    )
}

const NONE: &str = r#"{"Code":"None"}"#;
const CONFLICT: &str = r#"{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}"#;

/// Conflicts only: worth sending again.
fn conflicted() -> String {
    canceled(&["None", "TransactionConflict"], &[NONE, CONFLICT])
}

/// A failed condition: not worth sending again.
fn condition_failed() -> String {
    canceled(
        &["None", "ConditionalCheckFailed"],
        &[
            NONE,
            r#"{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"id":{"N":"1"},"note":{"S":"stored"}}}"#,
        ],
    )
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: u32) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key(name: &str, value: AttributeValue) -> Item {
    HashMap::from([(name.to_owned(), value)])
}

/// A `Db` whose client does not retry, answering `TransactWriteItems` by `rule`.
fn db(rule: &Rule, attempts: u32) -> Db {
    mocked(&[rule], RuleMode::Sequential, RetryConfig::disabled(), fast(attempts))
}

/// Two actions: an update of a versioned account, a create-only put of an order.
async fn two_actions(db: &Db, token: Option<&str>) -> dynamo_model::Result<()> {
    let transaction = db
        .transaction()
        .update(Account::update(db, Account::key("a1")).add(&Account::BALANCE, -5).expect_version(3))
        .put(Order::put(db, &order(1)).if_not_exists());
    match token {
        Some(token) => transaction.token(token).await,
        None => transaction.await,
    }
}

fn tokens(log: &Log<TransactWriteItemsInput>) -> Vec<String> {
    log.inputs().iter().map(|input| input.client_request_token().expect("a token").to_owned()).collect()
}

/// A canceled action as (index, kind, model, table, key, reason, message).
type Summary<'a> = (usize, ActionKind, &'a str, &'a str, &'a Item, &'a CancelReason, Option<&'a str>);

#[test]
fn a_cancellation_lists_every_action_with_its_reason_and_error() {
    let body = canceled(
        &["None", "ConditionalCheckFailed", "ConditionalCheckFailed", "TransactionConflict", "ValidationError"],
        &[
            NONE,
            r#"{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"id":{"S":"a1"},"balance":{"N":"40"},"version":{"N":"5"}}}"#,
            r#"{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"id":{"N":"2"},"note":{"S":"stored"}}}"#,
            CONFLICT,
            r#"{"Code":"ValidationError","Message":"One or more parameter values were invalid"}"#,
        ],
    );
    let (builder, log) = recording(mock!(Client::transact_write_items));
    // Repeated: a retry would be answered (and counted), not panic.
    let rule = builder.sequence().http_status(400, Some(body)).repeatedly().build();
    let db = db(&rule, 5);

    let err = block_on(
        db.transaction()
            .put(Order::put(&db, &order(1)))
            .update(Account::update(&db, Account::key("a1")).add(&Account::BALANCE, -5).expect_version(3))
            .put(Order::put(&db, &order(2)).if_not_exists())
            .delete(Order::delete(&db, Order::key(3)))
            .check(Account::check(&db, Account::key("a2"), Account::BALANCE.ge(0))),
    )
    .unwrap_err();

    assert_eq!(rule.num_calls(), 1, "a failed condition is never retried");
    assert_eq!(log.inputs()[0].transact_items().len(), 5);
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "transaction canceled: \
         action 1 (Update Account in `fault_accounts`): ConditionalCheckFailed \
         (Account: expected version 3 of the item in table `fault_accounts`, found another); \
         action 2 (Put Order in `fault_orders`): ConditionalCheckFailed \
         (Order: an item with this key already exists in table `fault_orders`); \
         action 3 (Delete Order in `fault_orders`): TransactionConflict; \
         action 4 (Check Account in `fault_accounts`): ValidationError"
    );
    let Error::TransactionCanceled { actions } = &err else { panic!("expected TransactionCanceled, got {err:?}") };
    let summary: Vec<Summary<'_>> = actions
        .iter()
        .map(|a| (a.index, a.kind, a.model, a.table.as_str(), &a.key, &a.reason, a.message.as_deref()))
        .collect();
    let conditional = Some("The conditional request failed");
    assert_eq!(
        summary,
        [
            (0, ActionKind::Put, "Order", ORDERS, &key("id", n(1)), &CancelReason::None, None),
            (
                1,
                ActionKind::Update,
                "Account",
                ACCOUNTS,
                &key("id", s("a1")),
                &CancelReason::ConditionalCheckFailed,
                conditional
            ),
            (2, ActionKind::Put, "Order", ORDERS, &key("id", n(2)), &CancelReason::ConditionalCheckFailed, conditional),
            (
                3,
                ActionKind::Delete,
                "Order",
                ORDERS,
                &key("id", n(3)),
                &CancelReason::TransactionConflict,
                Some("Transaction is ongoing for the item")
            ),
            (
                4,
                ActionKind::Check,
                "Account",
                ACCOUNTS,
                &key("id", s("a2")),
                &CancelReason::ValidationError,
                Some("One or more parameter values were invalid")
            ),
        ]
    );
    let causes: Vec<bool> = actions.iter().map(CanceledAction::is_cause).collect();
    assert_eq!(causes, [false, true, true, true, true]);

    // The update's version moved: a version conflict, with the account as stored.
    let stored = Account { id: "a1".into(), balance: 40, version: 5 };
    match actions[1].error.as_deref() {
        Some(Error::VersionConflict { model: "Account", table, expected: 3, current: Some(current) }) => {
            assert_eq!(table, ACCOUNTS);
            assert_eq!(Account::from_item((**current).clone()).unwrap(), stored);
        }
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(actions[1].current_item::<Account>().unwrap().unwrap(), stored);
    assert_eq!(actions[1].error.as_ref().unwrap().current_item::<Account>().unwrap().unwrap(), stored);
    // The create-only put found an item.
    match actions[2].error.as_deref() {
        Some(Error::AlreadyExists { model: "Order", table }) => assert_eq!(table, ORDERS),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(actions[2].current_item::<Order>().unwrap().unwrap(), Order { id: 2, note: "stored".into() });
    // The others carry no error and no item.
    for action in [&actions[0], &actions[3], &actions[4]] {
        assert!(action.error.is_none(), "action {}: {:?}", action.index, action.error);
        assert!(action.item.is_none(), "action {}: {:?}", action.index, action.item);
    }
}

#[test]
fn a_failed_condition_with_the_expected_version_is_the_callers_condition() {
    // The version is the one expected: the caller's own condition failed.
    let body = canceled(
        &["ConditionalCheckFailed"],
        &[r#"{"Code":"ConditionalCheckFailed","Item":{"id":{"S":"a1"},"balance":{"N":"3"},"version":{"N":"3"}}}"#],
    );
    let rule = mock!(Client::transact_write_items).sequence().http_status(400, Some(body)).repeatedly().build();
    let db = db(&rule, 5);

    let err = block_on(
        db.transaction().update(
            Account::update(&db, Account::key("a1"))
                .add(&Account::BALANCE, -5)
                .expect_version(3)
                .condition(Account::BALANCE.ge(5)),
        ),
    )
    .unwrap_err();

    assert_eq!(rule.num_calls(), 1);
    let Error::TransactionCanceled { actions } = &err else { panic!("expected TransactionCanceled, got {err:?}") };
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].message, None);
    match actions[0].error.as_deref() {
        Some(Error::ConditionFailed { model: "Account", table, item: Some(_) }) => assert_eq!(table, ACCOUNTS),
        other => panic!("expected ConditionFailed, got {other:?}"),
    }
    assert_eq!(
        actions[0].current_item::<Account>().unwrap().unwrap(),
        Account { id: "a1".into(), balance: 3, version: 3 }
    );
}

#[test]
fn a_transaction_canceled_by_conflicts_only_is_retried_under_one_token() {
    let (builder, log) = recording(mock!(Client::transact_write_items));
    let rule = builder
        .sequence()
        .http_status(400, Some(conflicted()))
        .times(2)
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let db = db(&rule, 5);

    block_on(two_actions(&db, None)).unwrap();

    assert_eq!(rule.num_calls(), 3, "two conflicts, then through");
    let tokens = tokens(&log);
    assert_eq!(tokens.len(), 3);
    assert!(tokens.iter().all(|token| *token == tokens[0]), "one token for every attempt: {tokens:?}");
    // The library's own token, not the SDK's default one.
    assert_eq!(tokens[0].len(), 32, "{tokens:?}");
    assert!(tokens[0].chars().all(|c| c.is_ascii_hexdigit()), "{tokens:?}");
    let inputs = log.inputs();
    assert!(inputs.iter().all(|input| input.transact_items() == inputs[0].transact_items()), "the same actions");
}

#[test]
fn each_call_makes_its_own_token() {
    // The control of the test above: one token per call, not one per process.
    let (first, first_log) = recording(mock!(Client::transact_write_items));
    let first = first.then_output(|| TransactWriteItemsOutput::builder().build());
    let (second, second_log) = recording(mock!(Client::transact_write_items));
    let second = second.then_output(|| TransactWriteItemsOutput::builder().build());
    let db = mocked(&[&first, &second], RuleMode::Sequential, RetryConfig::disabled(), fast(5));

    block_on(two_actions(&db, None)).unwrap();
    block_on(two_actions(&db, None)).unwrap();

    let (first, second) = (tokens(&first_log), tokens(&second_log));
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_ne!(first[0], second[0]);
}

#[test]
fn a_given_token_is_sent_on_every_attempt() {
    let (builder, log) = recording(mock!(Client::transact_write_items));
    let rule = builder
        .sequence()
        .http_status(400, Some(conflicted()))
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let db = db(&rule, 5);

    block_on(two_actions(&db, Some("order-o1"))).unwrap();

    assert_eq!(rule.num_calls(), 2);
    assert_eq!(tokens(&log), ["order-o1", "order-o1"]);
}

#[test]
fn conflicts_forever_end_after_the_policys_attempts() {
    let (builder, log) = recording(mock!(Client::transact_write_items));
    let rule = builder.sequence().http_status(400, Some(conflicted())).repeatedly().build();
    let db = db(&rule, 4);

    let err = block_on(two_actions(&db, None)).unwrap_err();

    assert_eq!(rule.num_calls(), 4, "max_attempts requests");
    let tokens = tokens(&log);
    assert!(tokens.iter().all(|token| *token == tokens[0]), "{tokens:?}");
    assert!(err.is_retryable(), "conflicts may clear later");
    let Error::TransactionCanceled { actions } = &err else { panic!("expected TransactionCanceled, got {err:?}") };
    let reasons: Vec<&CancelReason> = actions.iter().map(|action| &action.reason).collect();
    assert_eq!(reasons, [&CancelReason::None, &CancelReason::TransactionConflict]);
    assert!(actions.iter().all(|action| action.error.is_none()));
}

#[test]
fn a_transaction_canceled_by_a_failed_condition_is_not_retried() {
    // The control of the retries above: the same answer sequence would let it through.
    let rule = mock!(Client::transact_write_items)
        .sequence()
        .http_status(400, Some(condition_failed()))
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let db = db(&rule, 5);

    let err = block_on(two_actions(&db, None)).unwrap_err();

    assert_eq!(rule.num_calls(), 1);
    assert!(!err.is_retryable());
    let Error::TransactionCanceled { actions } = &err else { panic!("expected TransactionCanceled, got {err:?}") };
    match actions[1].error.as_deref() {
        Some(Error::AlreadyExists { model: "Order", table }) => assert_eq!(table, ORDERS),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
}

#[test]
fn a_conflict_mixed_with_a_failed_condition_is_not_retried() {
    let body = canceled(
        &["TransactionConflict", "ConditionalCheckFailed"],
        &[CONFLICT, r#"{"Code":"ConditionalCheckFailed","Item":{"id":{"N":"1"},"note":{"S":"stored"}}}"#],
    );
    let rule = mock!(Client::transact_write_items)
        .sequence()
        .http_status(400, Some(body))
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let db = db(&rule, 5);

    let err = block_on(two_actions(&db, None)).unwrap_err();

    assert_eq!(rule.num_calls(), 1);
    assert!(!err.is_retryable());
}

#[test]
fn a_read_canceled_by_a_conflict_is_retried() {
    let rule = mock!(Client::transact_get_items)
        .sequence()
        .http_status(400, Some(conflicted()))
        .output(|| {
            TransactGetItemsOutput::builder()
                .responses(ItemResponse::builder().set_item(Some(order(1).to_item().unwrap())).build())
                .responses(ItemResponse::builder().build())
                .build()
        })
        .build();
    let db = mocked(&[&rule], RuleMode::Sequential, RetryConfig::disabled(), fast(5));

    let mut read = db.transaction_get();
    let first = read.get(Order::get(&db, Order::key(1)));
    let second = read.get(Order::get(&db, Order::key(2)));
    let got = block_on(read).unwrap();

    assert_eq!(rule.num_calls(), 2);
    assert_eq!(got.get(&first).unwrap(), Some(order(1)));
    assert_eq!(got.get(&second).unwrap(), None);
}
