//! Secondary indexes: created with the table, queried with typed keys, and guarded
//! against projections that would leave fields without data.

use dynamo_model::{Document, Error, Model};

use crate::common::run;

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = "tickets",
    gsi(name = "by_assignee", hash = assignee, range = priority),
    gsi(name = "by_state", hash = state, projection = keys_only),
    gsi(name = "titles", hash = state, range = priority, projection = include(title)),
    lsi(name = "by_priority", range = priority)
)]
struct Ticket {
    #[dynamo(hash_key)]
    project: String,
    #[dynamo(range_key)]
    id: u32,
    assignee: String,
    state: String,
    priority: i32,
    title: String,
    body: String,
}

#[derive(Document, Debug, Clone, PartialEq)]
struct Title {
    project: String,
    id: u32,
    title: String,
}

fn ticket(id: u32, assignee: &str, state: &str, priority: i32) -> Ticket {
    Ticket {
        project: "p".into(),
        id,
        assignee: assignee.into(),
        state: state.into(),
        priority,
        title: format!("ticket {id}"),
        body: "long text".into(),
    }
}

#[test]
fn indexes_are_created_and_queried_with_their_own_keys() {
    run(|db| async move {
        Ticket::create_table(&db).await.unwrap();
        let description = db.client().describe_table().table_name("tickets").send().await.unwrap().table.unwrap();
        let mut gsis: Vec<_> = description.global_secondary_indexes().iter().filter_map(|i| i.index_name()).collect();
        gsis.sort_unstable();
        assert_eq!(gsis, ["by_assignee", "by_state", "titles"]);
        assert_eq!(description.local_secondary_indexes().len(), 1);

        for t in [
            ticket(1, "ana", "open", 3),
            ticket(2, "ana", "done", 1),
            ticket(3, "bo", "open", 2),
            ticket(4, "ana", "open", 5),
        ] {
            Ticket::put(&db, &t).await.unwrap();
        }
        let anas = Ticket::BY_ASSIGNEE.query(&db, "ana").range(Ticket::PRIORITY.ge(2)).await.unwrap();
        assert_eq!(anas.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 4]);

        let by_priority = Ticket::BY_PRIORITY.query(&db, "p").descending().consistent().await.unwrap();
        assert_eq!(by_priority.iter().map(|t| t.priority).collect::<Vec<_>>(), [5, 3, 2, 1]);

        // Counting reads no attributes: it works on any index, with any projection asked for.
        assert_eq!(Ticket::BY_STATE.query(&db, "open").count().await.unwrap(), 3);
        assert_eq!(Ticket::TITLES.query(&db, "open").project_into::<Title>().count().await.unwrap(), 3);
        assert_eq!(Ticket::query(&db, "p").select(&Ticket::TITLE).count().await.unwrap(), 4);
        assert_eq!(Ticket::scan(&db).filter(Ticket::STATE.eq("open")).segments(3).count().await.unwrap(), 3);

        let titles = Ticket::TITLES.query(&db, "open").project_into::<Title>().await.unwrap();
        assert_eq!(titles.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["ticket 3", "ticket 1", "ticket 4"]);
    });
}

#[test]
fn an_index_that_lacks_fields_of_the_result_type_is_a_typed_error() {
    run(|db| async move {
        Ticket::create_table(&db).await.unwrap();
        Ticket::put(&db, &ticket(1, "ana", "open", 3)).await.unwrap();
        match Ticket::BY_STATE.query(&db, "open").await {
            Err(Error::Unprojected { missing, .. }) => {
                assert!(missing.iter().any(|m| m == "body") && missing.iter().any(|m| m == "title"))
            }
            other => panic!("expected Unprojected, got {other:?}"),
        }
        match Ticket::TITLES.query(&db, "open").await {
            Err(Error::Unprojected { missing, .. }) => assert_eq!(missing, ["assignee", "body"]),
            other => panic!("expected Unprojected, got {other:?}"),
        }
        // Control: decoding into a type the index covers works.
        let keys = Ticket::BY_STATE.query(&db, "open").project_into::<TicketKeys>().await.unwrap();
        assert_eq!(keys, [TicketKeys { project: "p".into(), id: 1, state: "open".into() }]);
    });
}

#[derive(Document, Debug, Clone, PartialEq)]
struct TicketKeys {
    project: String,
    id: u32,
    state: String,
}
