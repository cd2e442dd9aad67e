//! Sparse secondary indexes: an index key field of type `Option<X>` keys the index
//! by `X`, and an item without the attribute is simply not in the index.

use dynamo_model::Model;

use crate::common::run;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "reports", gsi(name = "flagged", hash = flag, range = flagged_at))]
struct Report {
    #[dynamo(hash_key)]
    id: u32,
    flag: Option<String>,
    flagged_at: Option<i64>,
}

fn report(id: u32, flag: Option<&str>, flagged_at: Option<i64>) -> Report {
    Report { id, flag: flag.map(Into::into), flagged_at }
}

#[test]
fn items_without_the_index_keys_are_not_in_the_index() {
    run(|db| async move {
        Report::create_table(&db).await.unwrap();
        for r in [
            report(1, Some("yes"), Some(10)),
            report(2, None, None),
            report(3, Some("yes"), None),
            report(4, None, Some(30)),
            report(5, Some("yes"), Some(50)),
        ] {
            Report::put(&db, &r).await.unwrap();
        }

        let flagged = Report::FLAGGED.query(&db, "yes").range(Report::FLAGGED_AT.gt(0)).await.unwrap();
        assert_eq!(flagged, [report(1, Some("yes"), Some(10)), report(5, Some("yes"), Some(50))]);

        // The control: the table holds every item.
        let mut all: Vec<u32> = Report::scan(&db).await.unwrap().iter().map(|r| r.id).collect();
        all.sort_unstable();
        assert_eq!(all, [1, 2, 3, 4, 5]);
    });
}
