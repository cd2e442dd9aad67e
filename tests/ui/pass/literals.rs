//! Integer and float literals work for every numeric field type, without suffixes, and
//! values of the field's type are taken by value, by reference or in a common spelling.

use std::collections::BTreeSet;

use dynamo_model::{Db, Model};

#[derive(Model, Debug, Clone)]
#[dynamo(table = "pages")]
struct Page {
    #[dynamo(hash_key)]
    site: String,
    #[dynamo(range_key)]
    number: u32,
    visits: u64,
    rank: u16,
    score: f32,
    delta: i8,
    big: u128,
    tags: BTreeSet<String>,
    lines: Vec<String>,
    bytes: Vec<u8>,
}

fn main() -> dynamo_model::Result<()> {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .build();
    let db = Db::new(aws_sdk_dynamodb::Client::from_conf(config));
    let name = String::from("home");
    let update = Page::update(&db, Page::key("example.org", 7))
        .add(&Page::VISITS, 1)
        .set(&Page::RANK, 4)
        .set(&Page::SCORE, 1.5)
        .add(&Page::DELTA, -2)
        .set(&Page::BIG, 12345678901234567890)
        .add_to_set(&Page::TAGS, ["a", "b"])
        .append(&Page::LINES, ["x"])
        .set(&Page::BYTES, b"raw")
        .condition(Page::TAGS.contains(&name) | Page::SCORE.ge(0.5) & Page::RANK.between(1, 10))
        .compile()?;
    let values = compiled_values(&compiled_update(update));
    // Every literal is sent in the field's number notation, unsuffixed.
    for literal in ["1", "4", "1.5", "-2", "12345678901234567890", "0.5", "10"] {
        assert!(values.contains(&literal.to_owned()), "{literal} is not among {values:?}");
    }
    let query = Page::query(&db, "example.org").range(Page::NUMBER.between(10, 20)).compile()?;
    assert_eq!(query.expressions.key_condition.as_deref(), Some("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"));
    assert_eq!(compiled_values(&query.expressions), ["10", "20"]);
    Ok(())
}

fn compiled_update(update: dynamo_model::compile::CompiledUpdate) -> dynamo_model::compile::Expressions {
    update.expressions
}

fn compiled_values(expressions: &dynamo_model::compile::Expressions) -> Vec<String> {
    let mut numbers: Vec<String> = expressions
        .values
        .iter()
        .flatten()
        .filter_map(|(_, value)| value.as_n().ok().cloned())
        .collect();
    numbers.sort();
    numbers
}
