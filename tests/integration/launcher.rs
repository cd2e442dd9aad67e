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

/// The local addresses of the listening TCP sockets on `port`, from /proc/net, in the
/// kernel's hex notation.
#[cfg(target_os = "linux")]
fn listeners(port: u16) -> Vec<String> {
    let port = format!("{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .flat_map(|table| table.lines().skip(1).map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (address, socket_port) = fields.get(1)?.rsplit_once(':')?;
            // 0A: LISTEN
            (socket_port == port && fields.get(3) == Some(&"0A")).then(|| address.to_owned())
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn listens_on_loopback_only() {
    if std::env::var_os(dynamo_model::local::ENDPOINT_VAR).is_some() {
        return; // not started by us
    }
    let endpoint = local().endpoint();
    let port: u16 = endpoint.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port in the endpoint");
    let listeners = listeners(port);
    assert!(!listeners.is_empty(), "control: the listening socket of {endpoint} is found");
    for address in listeners {
        // 127.0.0.1 as IPv4 (0100007F) or as IPv4-mapped IPv6; never 0.0.0.0 or ::.
        assert!(address == "0100007F" || address == "0000000000000000FFFF00000100007F", "listens on {address}");
    }
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
        // A `Db` keeps the process running after the handle is gone…
        let db = second.isolated_db();
        drop(second);
        assert!(proc_dir.exists(), "a Db from the handle keeps DynamoDB Local running");
        Thing::create_table(&db).await.unwrap();
        Thing::put(&db, &Thing { id: "t".into() }).await.unwrap();
        // …and the last one to go stops it.
        drop(db);
        assert!(!proc_dir.exists(), "process {pid} still running after the last drop");
    });
}

/// `local::test_db()`, the harness for users' tests: each call, from any runtime (here
/// two, as two `#[tokio::test]`s have), gets an empty namespace on one shared instance.
#[test]
fn the_test_harness_gives_each_test_its_own_namespace() {
    let new_runtime = || tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let first = new_runtime().block_on(async {
        let db = dynamo_model::local::test_db().await.unwrap();
        Thing::create_table(&db).await.unwrap();
        Thing::put(&db, &Thing { id: "a".into() }).await.unwrap();
        Thing::get(&db, Thing::key("a")).await.unwrap()
    });
    assert_eq!(first, Some(Thing { id: "a".into() }));
    new_runtime().block_on(async {
        let db = dynamo_model::local::test_db().await.unwrap();
        assert!(!Thing::table_exists(&db).await.unwrap(), "a new namespace starts empty");
        Thing::create_table(&db).await.unwrap();
        assert!(Thing::scan(&db).await.unwrap().is_empty());
    });
}
