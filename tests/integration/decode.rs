//! Items that do not fit the model decode to typed errors naming the attribute: never a
//! panic, never silently defaulted data.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use dynamo_model::{AttributeValue, Db, Document, Error, Model};

use crate::common::{n, run, s};
use crate::roundtrip::Everything;

/// Writes a raw item next to a valid one, then reads it through the model.
async fn read_raw(db: &Db, change: impl FnOnce(&mut HashMap<String, AttributeValue>)) -> Result<Everything, Error> {
    let mut item = crate::roundtrip::everything().to_item().unwrap();
    change(&mut item);
    db.client().put_item().table_name(db.table_name::<Everything>()).set_item(Some(item)).send().await.unwrap();
    let key = crate::roundtrip::everything().key();
    Everything::get(db, key).consistent().await.map(|item| item.expect("the raw item"))
}

#[test]
fn wrong_and_missing_attributes_are_typed_errors() {
    type Change = fn(&mut HashMap<String, AttributeValue>);
    let cases: Vec<(&str, Change, &str, &str)> = vec![
        ("missing", |i| drop(i.remove("text")), "text", "missing"),
        ("string for number", |i| drop(i.insert("medium".into(), s("12"))), "medium", "S \"12\""),
        ("number for string", |i| drop(i.insert("text".into(), n("12"))), "text", "N 12"),
        ("u8 out of range", |i| drop(i.insert("byte".into(), n("256"))), "byte", "N 256"),
        ("negative for unsigned", |i| drop(i.insert("uint".into(), n("-1"))), "uint", "N -1"),
        ("fraction for integer", |i| drop(i.insert("big_negative".into(), n("1.5"))), "big_negative", "N 1.5"),
        ("null for string", |i| drop(i.insert("unicode".into(), AttributeValue::Null(true))), "unicode", "NULL"),
        ("bool for list", |i| drop(i.insert("strings".into(), AttributeValue::Bool(true))), "strings", "BOOL true"),
        (
            "wrong list element",
            |i| drop(i.insert("strings".into(), AttributeValue::L(vec![s("a"), n("1")]))),
            "strings[1]",
            "N 1",
        ),
        (
            "wrong nested list element",
            |i| drop(i.insert("matrix".into(), AttributeValue::L(vec![AttributeValue::L(vec![s("x")])]))),
            "matrix[0][0]",
            "S \"x\"",
        ),
        (
            "wrong map value",
            |i| drop(i.insert("counts".into(), AttributeValue::M(HashMap::from([("k".into(), s("v"))])))),
            "counts.k",
            "S \"v\"",
        ),
        (
            "number set for string set",
            |i| drop(i.insert("string_set".into(), AttributeValue::Ns(vec!["1".into()]))),
            "string_set",
            "NS",
        ),
        ("list for bytes", |i| drop(i.insert("bytes".into(), AttributeValue::L(vec![n("1")]))), "bytes", "L"),
        ("bytes for string", |i| drop(i.insert("text".into(), AttributeValue::B(Blob::new(vec![1])))), "text", "B"),
        ("serde struct missing", |i| drop(i.remove("address")), "address", "missing"),
        ("serde struct of wrong shape", |i| drop(i.insert("address".into(), s("nowhere"))), "address", "S \"nowhere\""),
        ("with-module rejects", |i| drop(i.insert("color".into(), s("blue"))), "color", "blue"),
        ("with-module missing", |i| drop(i.remove("color")), "color", "missing"),
    ];
    run(|db| async move {
        Everything::create_table(&db).await.unwrap();
        for (case, change, attribute, found) in cases {
            match read_raw(&db, change).await {
                Err(Error::Decode { model, attribute: a, found: f, expected }) => {
                    assert_eq!(model, "Everything", "{case}");
                    assert_eq!(a, attribute, "{case}");
                    assert_eq!(f, found, "{case}");
                    assert!(!expected.is_empty(), "{case}");
                }
                other => panic!("{case}: expected a decode error, got {other:?}"),
            }
        }
    });
}

#[test]
fn absent_optional_and_default_attributes_decode_without_error() {
    run(|db| async move {
        Everything::create_table(&db).await.unwrap();
        let read = read_raw(&db, |i| {
            i.remove("some_text");
            i.remove("string_set");
            i.remove("never_written");
            i.insert("unknown_extra".into(), s("ignored"));
        })
        .await
        .unwrap();
        assert_eq!(read.some_text, None);
        assert!(read.string_set.is_empty());
        assert_eq!(read.never_written, "");
    });
}

#[test]
fn decode_errors_display_the_attribute_and_both_sides() {
    run(|db| async move {
        Everything::create_table(&db).await.unwrap();
        let err = read_raw(&db, |i| drop(i.insert("byte".into(), n("300")))).await.unwrap_err();
        assert_eq!(err.to_string(), "Everything.byte: expected integer from 0 to 255, found N 300");
    });
}
