//! The DynamoDB Local launcher: loopback only, isolated namespaces, stopped on drop.

use dynamo_model::local::DynamoDbLocal;
use dynamo_model::Model;

use crate::common::{local, run};

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "launcher")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

#[test]
fn listens_on_loopback() {
    let endpoint = local().endpoint();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
}

#[test]
fn isolated_namespaces_do_not_share_tables() {
    run(|db| async move {
        Thing::create_table(&db).await.unwrap();
        let other = local().isolated_db();
        assert!(Thing::table_exists(&db).await.unwrap());
        assert!(!Thing::table_exists(&other).await.unwrap());
    });
}

#[test]
fn dropping_the_handle_stops_the_process_it_started() {
    if std::env::var_os(dynamo_model::local::ENDPOINT_VAR).is_some() {
        // With an endpoint configured nothing is started, so there is nothing to stop.
        return;
    }
    run(|_| async move {
        let second = DynamoDbLocal::start().await.unwrap();
        let pid = second.pid().expect("a started process");
        assert_ne!(second.endpoint(), local().endpoint());
        assert!(!Thing::table_exists(&second.isolated_db()).await.unwrap());
        let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
        assert!(proc_dir.exists(), "control: the process runs before the drop");
        drop(second);
        assert!(!proc_dir.exists(), "process {pid} still running after drop");
    });
}
