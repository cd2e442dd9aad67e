//! Pagination: whole partitions of large items, empty pages under selective filters,
//! `limit` counting matches, resumable cursors, and parallel scans.

use std::collections::BTreeSet;

use futures::TryStreamExt;

use dynamo_model::{Cursor, Db, Error, Model};

use crate::common::run;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "pages")]
struct Entry {
    #[dynamo(hash_key)]
    part: String,
    #[dynamo(range_key)]
    seq: u32,
    matches: bool,
    #[dynamo(default)]
    payload: String,
}

async fn fill(db: &Db, part: &str, n: u32, payload_len: usize, matching: impl Fn(u32) -> bool) {
    if !Entry::table_exists(db).await.unwrap() {
        Entry::create_table(db).await.unwrap();
    }
    for seq in 0..n {
        let entry = Entry { part: part.into(), seq, matches: matching(seq), payload: "x".repeat(payload_len) };
        Entry::put(db, &entry).await.unwrap();
    }
}

#[test]
fn a_partition_of_30_items_of_100_kb_comes_back_whole() {
    run(|db| async move {
        fill(&db, "big", 30, 100 * 1024, |_| true).await;
        // 3 MB of items: DynamoDB returns at most 1 MB per request.
        let first_request = Entry::query(&db, "big").page(None).await.unwrap();
        assert!(first_request.items.len() < 30, "control: one request does not hold the partition");
        let all = Entry::query(&db, "big").await.unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), (0..30).collect::<Vec<_>>());
        assert!(all.iter().all(|e| e.payload.len() == 100 * 1024));
    });
}

#[test]
fn selective_filter_walks_through_empty_pages() {
    run(|db| async move {
        fill(&db, "p", 40, 0, |seq| seq == 33).await;
        // Pages of 5 read items: the first six pages have no match.
        let first = Entry::query(&db, "p").filter(Entry::MATCHES.eq(true)).page_size(5).page(None).await.unwrap();
        assert_eq!(first.items.iter().map(|e| e.seq).collect::<Vec<_>>(), [33]);
        let all = Entry::query(&db, "p").filter(Entry::MATCHES.eq(true)).page_size(5).await.unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [33]);
        let count = Entry::query(&db, "p").filter(Entry::MATCHES.eq(true)).page_size(5).count().await.unwrap();
        assert_eq!(count, 1);
    });
}

#[test]
fn limit_returns_exactly_n_matches_and_cursors_resume_without_gaps() {
    run(|db| async move {
        fill(&db, "p", 50, 0, |seq| seq % 3 == 0).await;
        let expected: Vec<u32> = (0..50).filter(|s| s % 3 == 0).collect();

        let first = Entry::query(&db, "p").filter(Entry::MATCHES.eq(true)).limit(4).page_size(7).await.unwrap();
        assert_eq!(first.iter().map(|e| e.seq).collect::<Vec<_>>(), &expected[..4]);

        // Page through with a cursor that goes through text, as over HTTP.
        let mut seen = Vec::new();
        let mut cursor: Option<Cursor> = None;
        let mut pages = 0;
        loop {
            let page = Entry::query(&db, "p")
                .filter(Entry::MATCHES.eq(true))
                .limit(4)
                .page_size(7)
                .page(cursor.take())
                .await
                .unwrap();
            pages += 1;
            assert!(page.items.len() <= 4);
            seen.extend(page.items.iter().map(|e| e.seq));
            match page.cursor {
                Some(next) => cursor = Some(next.to_string().parse().unwrap()),
                None => break,
            }
            assert!(pages < 20, "pagination does not end");
        }
        assert_eq!(seen, expected, "no gaps, no duplicates");
        assert!(pages >= 5);
    });
}

#[test]
fn stream_pulls_every_item_and_respects_limit() {
    run(|db| async move {
        fill(&db, "s", 25, 0, |_| true).await;
        let all: Vec<Entry> = Entry::query(&db, "s").page_size(4).stream().try_collect().await.unwrap();
        assert_eq!(all.len(), 25);
        let some: Vec<Entry> =
            Entry::query(&db, "s").page_size(4).limit(6).descending().stream().try_collect().await.unwrap();
        assert_eq!(some.iter().map(|e| e.seq).collect::<Vec<_>>(), [24, 23, 22, 21, 20, 19]);
    });
}

#[test]
fn a_cursor_from_elsewhere_is_rejected() {
    run(|db| async move {
        Entry::create_table(&db).await.unwrap();
        let foreign = Entry::query(&db, "q").limit(1).page(None).await.unwrap();
        assert!(foreign.cursor.is_none(), "an empty partition has no next page");
        // A cursor made by another query: the same table, another partition.
        for seq in [1, 2] {
            Entry::put(&db, &Entry { part: "q".into(), seq, matches: true, payload: String::new() }).await.unwrap();
        }
        let foreign = Entry::query(&db, "q").limit(1).page(None).await.unwrap().cursor.unwrap();
        match Entry::query(&db, "p").page(Some(foreign)).await {
            Err(Error::InvalidCursor { .. }) => {}
            other => panic!("expected InvalidCursor, got {other:?}"),
        }
        assert!(matches!("%%%".parse::<Cursor>(), Err(Error::InvalidCursor { .. })));
    });
}

#[test]
fn parallel_scan_returns_exactly_the_items_of_a_sequential_scan() {
    run(|db| async move {
        for part in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            fill(&db, part, 12, 10, |seq| seq % 2 == 0).await;
        }
        let key = |e: &Entry| (e.part.clone(), e.seq);
        let sequential: BTreeSet<_> = Entry::scan(&db).await.unwrap().iter().map(key).collect();
        assert_eq!(sequential.len(), 96);
        for segments in [1, 2, 4, 7] {
            let parallel = Entry::scan(&db).page_size(10).segments(segments).await.unwrap();
            assert_eq!(parallel.len(), 96, "{segments} segments: no duplicates");
            let set: BTreeSet<_> = parallel.iter().map(key).collect();
            assert_eq!(set, sequential, "{segments} segments");
        }
        let filtered = Entry::scan(&db).filter(Entry::MATCHES.eq(true)).segments(4).count().await.unwrap();
        assert_eq!(filtered, 48);
    });
}
