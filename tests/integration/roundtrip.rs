//! put → get → equal, for every supported field type, and a look at the stored item.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use aws_sdk_dynamodb::primitives::Blob;
use dynamo_model::{AttributeValue, DecodeError, EncodeError, Model};
use serde::{Deserialize, Serialize};

use crate::common::run;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub geo: Option<(f64, f64)>,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Status {
    Pending,
    Shipped { carrier: String },
}

/// An RGB color stored as a `"#rrggbb"` string through a `with` module.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Color(pub u8, pub u8, pub u8);

pub mod hex_color {
    use super::*;

    pub fn to_attribute(c: &Color) -> Result<AttributeValue, EncodeError> {
        Ok(AttributeValue::S(format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)))
    }

    pub fn from_attribute(value: AttributeValue) -> Result<Color, DecodeError> {
        let text = match value {
            AttributeValue::S(s) => s,
            _ => return Err(DecodeError::new("color string", "another type")),
        };
        let channel = |i: usize| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| DecodeError::new("#rrggbb", text.clone()))
        };
        if text.len() != 7 || !text.starts_with('#') {
            return Err(DecodeError::new("#rrggbb", text.clone()));
        }
        Ok(Color(channel(1)?, channel(3)?, channel(5)?))
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "everything")]
pub struct Everything {
    #[dynamo(hash_key)]
    pub id: String,
    #[dynamo(range_key)]
    pub seq: u64,
    pub text: String,
    pub empty_text: String,
    pub unicode: String,
    pub flag: bool,
    pub tiny: i8,
    pub small: i16,
    pub medium: i32,
    pub big_negative: i64,
    pub huge: i128,
    pub byte: u8,
    pub ushort: u16,
    pub uint: u32,
    pub ulong_max: u64,
    pub uhuge: u128,
    pub isz: isize,
    pub usz: usize,
    pub single: f32,
    pub double: f64,
    pub tiny_float: f64,
    pub bytes: Vec<u8>,
    pub empty_bytes: Vec<u8>,
    pub blob: Blob,
    pub some_text: Option<String>,
    pub no_number: Option<i64>,
    pub strings: Vec<String>,
    pub empty_list: Vec<i32>,
    pub matrix: Vec<Vec<i32>>,
    pub counts: HashMap<String, i64>,
    pub flags_by_name: BTreeMap<String, Vec<bool>>,
    pub string_set: HashSet<String>,
    pub number_set: BTreeSet<i64>,
    pub binary_set: HashSet<Vec<u8>>,
    pub unsigned_set: BTreeSet<u64>,
    pub blob_set: HashSet<Blob>,
    pub empty_set: HashSet<String>,
    pub list_of_options: Vec<Option<i32>>,
    #[dynamo(serde)]
    pub address: Address,
    #[dynamo(serde)]
    pub status: Status,
    #[dynamo(serde)]
    pub no_address: Option<Address>,
    #[dynamo(with = hex_color)]
    pub color: Color,
    #[dynamo(skip)]
    pub cache: u32,
    #[dynamo(default)]
    pub never_written: String,
    #[dynamo(rename = "type")]
    pub kind: String,
}

pub fn everything() -> Everything {
    Everything {
        id: "all-types".into(),
        seq: u64::MAX,
        text: "hello".into(),
        empty_text: String::new(),
        unicode: "ünïcødé ✓ 日本".into(),
        flag: true,
        tiny: i8::MIN,
        small: i16::MAX,
        medium: i32::MIN,
        big_negative: i64::MIN,
        huge: 10i128.pow(38) - 1,
        byte: u8::MAX,
        ushort: u16::MAX,
        uint: u32::MAX,
        ulong_max: u64::MAX,
        uhuge: 12_345_678_901_234_567_890_123_456_789_012_345_678,
        isz: isize::MIN,
        usz: usize::MAX,
        single: 3.25,
        double: -1.234_567_890_123_456_7e125,
        tiny_float: 2.5e-130,
        bytes: vec![0, 1, 2, 254, 255],
        empty_bytes: Vec::new(),
        blob: Blob::new(b"blob".to_vec()),
        some_text: Some("present".into()),
        no_number: None,
        strings: vec!["a".into(), String::new(), "c".into()],
        empty_list: Vec::new(),
        matrix: vec![vec![1, 2], vec![], vec![-3]],
        counts: HashMap::from([("x".to_owned(), 1), ("y".to_owned(), -2)]),
        flags_by_name: BTreeMap::from([("on".to_owned(), vec![true, false])]),
        string_set: HashSet::from(["red".to_owned(), "green".to_owned()]),
        number_set: BTreeSet::from([i64::MIN, 0, i64::MAX]),
        binary_set: HashSet::from([vec![1u8], vec![2u8, 3]]),
        unsigned_set: BTreeSet::from([u64::MAX, 1]),
        blob_set: HashSet::from([Blob::new(vec![9u8])]),
        empty_set: HashSet::new(),
        list_of_options: vec![Some(1), None, Some(3)],
        address: Address {
            street: "Rua Augusta 1".into(),
            city: "Lisbon".into(),
            geo: Some((38.71, -9.14)),
            lines: vec!["floor 2".into()],
        },
        status: Status::Shipped { carrier: "DHL".into() },
        no_address: None,
        color: Color(0x12, 0xab, 0xff),
        cache: 0,
        never_written: String::new(),
        kind: "reserved-word attribute name".into(),
    }
}

#[test]
fn every_field_type_round_trips_through_dynamodb_local() {
    run(|db| async move {
        Everything::create_table(&db).await.unwrap();
        let mut item = everything();
        item.cache = 99; // skipped: never stored, read back as the default
        Everything::put(&db, &item).await.unwrap();

        let read = Everything::get(&db, item.key()).consistent().await.unwrap().expect("the item");
        item.cache = 0;
        assert_eq!(read, item);
    });
}

#[test]
fn stored_item_has_dynamodb_native_types_and_omits_none_and_empty_sets() {
    run(|db| async move {
        Everything::create_table(&db).await.unwrap();
        let item = everything();
        Everything::put(&db, &item).await.unwrap();

        let raw = db
            .client()
            .get_item()
            .table_name(db.table_name::<Everything>())
            .set_key(Some(dynamo_model::ModelKey::to_key_item(&item.key()).unwrap()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
            .unwrap();
        assert_eq!(raw["seq"], AttributeValue::N("18446744073709551615".into()));
        assert_eq!(raw["big_negative"], AttributeValue::N("-9223372036854775808".into()));
        assert_eq!(raw["empty_text"], AttributeValue::S(String::new()));
        assert_eq!(raw["bytes"], AttributeValue::B(Blob::new(vec![0, 1, 2, 254, 255])));
        assert!(raw["string_set"].is_ss());
        assert!(raw["number_set"].is_ns());
        assert!(raw["binary_set"].is_bs());
        assert!(raw["strings"].is_l());
        assert!(raw["counts"].is_m());
        assert!(raw["address"].is_m());
        assert_eq!(raw["color"], AttributeValue::S("#12abff".into()));
        assert_eq!(raw["type"], AttributeValue::S("reserved-word attribute name".into()));
        assert_eq!(raw["list_of_options"].as_l().unwrap()[1], AttributeValue::Null(true));
        for absent in ["no_number", "empty_set", "no_address", "cache", "kind"] {
            assert!(!raw.contains_key(absent), "`{absent}` should not be stored: {:?}", raw.get(absent));
        }
        assert!(raw.values().all(|v| !v.is_null()), "no top-level NULL attributes");
    });
}

/// Keys of every scalar kind: a number partition key and a binary sort key.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "numeric-keys", rename_all = "camelCase")]
struct Reading {
    #[dynamo(hash_key)]
    sensor_id: i64,
    #[dynamo(range_key)]
    at_bytes: Vec<u8>,
    value_celsius: f64,
}

#[test]
fn number_and_binary_keys_round_trip() {
    run(|db| async move {
        Reading::create_table(&db).await.unwrap();
        let reading = Reading { sensor_id: -7, at_bytes: vec![0xde, 0xad], value_celsius: 21.5 };
        Reading::put(&db, &reading).await.unwrap();
        let read = Reading::get(&db, Reading::key(-7, vec![0xde, 0xad])).await.unwrap();
        assert_eq!(read, Some(reading));
        assert_eq!(Reading::get(&db, Reading::key(-7, vec![0xde])).await.unwrap(), None);
    });
}

/// A model with only a partition key: `key` takes one argument.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(hash_key, rename = "pk")]
    id: String,
    name: String,
}

#[test]
fn hash_only_model_round_trips() {
    run(|db| async move {
        User::create_table(&db).await.unwrap();
        let user = User { id: "u1".into(), name: "Ada".into() };
        User::put(&db, &user).await.unwrap();
        assert_eq!(User::get(&db, User::key("u1")).await.unwrap(), Some(user));
        assert_eq!(User::KEY_SCHEMA.hash.name, "pk");
        assert!(User::KEY_SCHEMA.range.is_none());
    });
}
