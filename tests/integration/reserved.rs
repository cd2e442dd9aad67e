//! A model whose every attribute is a DynamoDB reserved word works in every kind of
//! expression: the library never writes a name into an expression string.

use dynamo_model::Model;

use crate::common::run;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "reserved", gsi(name = "by_status", hash = status, range = count))]
struct Reserved {
    #[dynamo(hash_key)]
    name: String,
    #[dynamo(range_key)]
    date: String,
    status: String,
    data: String,
    r#type: String,
    value: i64,
    ttl: Option<i64>,
    count: i64,
    size: u32,
    user: String,
}

fn item(date: &str, value: i64) -> Reserved {
    Reserved {
        name: "n1".into(),
        date: date.into(),
        status: "open".into(),
        data: "d".into(),
        r#type: "t".into(),
        value,
        ttl: Some(1),
        count: value,
        size: 3,
        user: "u".into(),
    }
}

#[test]
fn reserved_words_work_in_every_expression() {
    run(|db| async move {
        Reserved::create_table(&db).await.unwrap();
        for (i, date) in ["2026-01", "2026-02", "2026-03"].into_iter().enumerate() {
            Reserved::put(&db, &item(date, i as i64))
                .condition(Reserved::NAME.not_exists() | Reserved::STATUS.eq("open"))
                .await
                .unwrap();
        }

        let updated = Reserved::update(&db, Reserved::key("n1", "2026-02"))
            .set(&Reserved::DATA, "changed")
            .set(&Reserved::TYPE, "kind")
            .add(&Reserved::VALUE, 10)
            .remove(&Reserved::TTL)
            .condition(Reserved::SIZE.eq(3) & Reserved::USER.eq("u"))
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert_eq!(
            (updated.data.as_str(), updated.r#type.as_str(), updated.value, updated.ttl),
            ("changed", "kind", 11, None)
        );

        let found = Reserved::query(&db, "n1")
            .range(Reserved::DATE.begins_with("2026-0"))
            .filter(Reserved::COUNT.ge(1) & Reserved::TYPE.eq("kind") & Reserved::TTL.not_exists())
            .select(&Reserved::DATA)
            .select(&Reserved::VALUE)
            .project_into::<DataOnly>()
            .await
            .unwrap();
        assert_eq!(found, vec![DataOnly { data: "changed".into(), value: 11 }]);

        let by_status = Reserved::BY_STATUS.query(&db, "open").range(Reserved::COUNT.gt(0)).await.unwrap();
        assert_eq!(by_status.len(), 2);

        let deleted = Reserved::delete(&db, Reserved::key("n1", "2026-01"))
            .condition(Reserved::VALUE.eq(0))
            .await
            .unwrap()
            .into_item()
            .unwrap();
        assert_eq!(deleted.map(|d| d.date), Some("2026-01".to_owned()));
    });
}

#[derive(dynamo_model::Document, Debug, Clone, PartialEq)]
struct DataOnly {
    data: String,
    value: i64,
}
