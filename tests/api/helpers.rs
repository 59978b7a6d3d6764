//! `spawn_app()` and one helper per endpoint, so tests read like specs.

use std::net::SocketAddr;
use std::time::Duration;

use boxoffice::app::Application;
use boxoffice::config::Settings;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

pub const MARIADB_SERVER: &str = "mysql://root@127.0.0.1:3306";
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";
pub const ADMIN_KEY: &str = "test-admin-key";

/// A running instance and what a test needs to talk to it.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: Client,
    /// A direct connection to the instance's database, for asserting final states.
    pub db: DatabaseConnection,
    pub database_url: String,
    pub key_prefix: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Stops the whole test run at once, with one message naming the service to start, when
/// MariaDB or Redis is down: a wall of identical connection failures helps nobody.
async fn require_services() {
    static CHECKED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    CHECKED
        .get_or_init(|| async {
            let maria = tokio::time::timeout(Duration::from_secs(3), Database::connect(MARIADB_SERVER)).await;
            match maria {
                Ok(Ok(server)) => drop_stale_test_databases(&server).await,
                _ => stop_run(
                    "MariaDB is not reachable at 127.0.0.1:3306 (user root, empty password). Start it: \
                     start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
                ),
            }
            let redis = async {
                let client = deadpool_redis::redis::Client::open(REDIS_URL)?;
                let mut conn = client.get_multiplexed_async_connection().await?;
                drop_stale_test_keys(&mut conn).await
            };
            if !matches!(tokio::time::timeout(Duration::from_secs(3), redis).await, Ok(Ok(_))) {
                stop_run(
                    "Redis is not reachable at 127.0.0.1:6379. Start it: \
                     redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no",
                );
            }
        })
        .await;
}

fn stop_run(message: &str) -> ! {
    // Written to the real stderr: the test harness captures `eprintln!`, and the process
    // exits before it could show what it captured.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\nboxoffice tests need real services: {message}\n"
    );
    std::process::exit(1);
}

/// Keys of earlier runs (every test namespace starts with `test:`); this run's are
/// created after this point.
async fn drop_stale_test_keys(
    conn: &mut deadpool_redis::redis::aio::MultiplexedConnection,
) -> deadpool_redis::redis::RedisResult<()> {
    use deadpool_redis::redis::cmd;
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg("test:*")
            .arg("COUNT")
            .arg(1000)
            .query_async(conn)
            .await?;
        if !keys.is_empty() {
            let () = cmd("UNLINK").arg(keys).query_async(conn).await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// Databases of earlier runs; this run's are created after this point.
async fn drop_stale_test_databases(server: &DatabaseConnection) {
    let rows = server
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::MySql,
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'bo\\_test\\_%'",
        ))
        .await
        .expect("list test databases");
    for row in rows {
        let name: String = row.try_get_by_index(0).expect("schema name");
        server
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS `{name}`"))
            .await
            .expect("drop a stale test database");
    }
}

/// Declares an API test that runs twice: on MariaDB + Redis and on SQLite + the
/// in-process store. The body names the back end with the given identifier.
macro_rules! api_test {
    (async fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn on_mariadb_and_redis() {
                run($crate::helpers::Backend::MariaDb).await
            }

            #[tokio::test]
            async fn on_sqlite_and_memory() {
                run($crate::helpers::Backend::Sqlite).await
            }

            async fn run($backend: $crate::helpers::Backend) $body
        }
    };
}

/// Declares a conformance test of the hot-store contract that runs twice: against Redis
/// and against the in-process store. The body gets a fresh, empty store.
macro_rules! store_test {
    (async fn $name:ident($store:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn on_redis() {
                run($crate::helpers::hot_store($crate::helpers::StoreKind::Redis).await).await
            }

            #[tokio::test]
            async fn on_memory() {
                run($crate::helpers::hot_store($crate::helpers::StoreKind::Memory).await).await
            }

            async fn run($store: boxoffice::store::HotStore) $body
        }
    };
}

/// Settings overrides for one test, on top of the test defaults.
pub type Overrides<'a> = &'a [(&'a str, &'a str)];

/// Starts an instance on MariaDB + Redis with a fresh database and key namespace.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(overrides: Overrides<'_>) -> TestApp {
    spawn_app_for(Backend::MariaDb, overrides).await
}

/// The durable store a test instance runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    MariaDb,
    Sqlite,
}

pub async fn spawn_app_for(backend: Backend, overrides: Overrides<'_>) -> TestApp {
    require_services().await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let id = &id[..16];
    let database_url = match backend {
        Backend::MariaDb => format!("{MARIADB_SERVER}/bo_test_{id}"),
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("boxoffice-tests");
            std::fs::create_dir_all(&dir).expect("temp dir for SQLite tests");
            format!("sqlite://{}/{id}.db?mode=rwc", dir.display())
        }
    };
    let mut vars = overrides.to_vec();
    if backend == Backend::Sqlite {
        // An empty Redis URL selects the in-process store.
        vars.insert(0, ("APP_REDIS__URL", ""));
    }
    spawn_app_on(&database_url, &format!("test:{id}"), &vars).await
}

/// Starts an instance on an existing database and key namespace (a "restart").
pub async fn spawn_app_on(
    database_url: &str,
    key_prefix: &str,
    overrides: Overrides<'_>,
) -> TestApp {
    let mut vars: Vec<(&str, &str)> = vec![
        ("APP_SERVER__PORT", "0"),
        ("APP_DATABASE__URL", database_url),
        ("APP_DATABASE__MAX_CONNECTIONS", "16"),
        ("APP_REDIS__URL", REDIS_URL),
        ("APP_REDIS__KEY_PREFIX", key_prefix),
        ("APP_ADMIN__API_KEY", ADMIN_KEY),
        ("APP_JWT__SECRET", "test-jwt-secret"),
        ("APP_SERVER__SHUTDOWN_GRACE_SECS", "5"),
    ];
    vars.extend_from_slice(overrides);
    let settings = Settings::from_vars(&vars).expect("test settings");
    let app = Application::build(settings).await.expect("build the app");
    let address = app.local_addr();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let db = Database::connect(database_url)
        .await
        .expect("test database connection");
    TestApp {
        address,
        client: Client::new(),
        db,
        database_url: database_url.to_owned(),
        key_prefix: key_prefix.to_owned(),
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// A response read whole: status and JSON body (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub async fn read(response: Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Self {
            status,
            body,
            headers,
        }
    }

    /// Asserts the status and the contract's error shape with this code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["error"]["code"], code, "body: {}", self.body);
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "error message missing: {}",
            self.body
        );
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        &self.body
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn send(&self, request: RequestBuilder) -> Reply {
        Reply::read(request.send().await.expect("send request")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Reply {
        self.send(
            self.request(Method::POST, path)
                .bearer_auth(ADMIN_KEY)
                .json(&body),
        )
        .await
    }

    pub async fn create_user(&self, name: &str) -> i64 {
        let reply = self
            .admin_post("/api/admin/users", json!({ "name": name }))
            .await;
        reply.assert_status(201)["userId"].as_i64().expect("userId")
    }

    /// Creates a concert with one schedule a month ahead; returns (schedule id, seat ids).
    pub async fn create_schedule(&self, seat_count: i64, seat_price: i64) -> (i64, Vec<i64>) {
        let date = chrono::Utc::now() + chrono::Duration::days(30);
        self.create_schedule_on(date, seat_count, seat_price).await
    }

    pub async fn create_schedule_on(
        &self,
        date: chrono::DateTime<chrono::Utc>,
        seat_count: i64,
        seat_price: i64,
    ) -> (i64, Vec<i64>) {
        let reply = self
            .admin_post(
                "/api/admin/concerts",
                json!({
                    "name": "Test Live",
                    "schedules": [{ "date": date.to_rfc3339(), "seatCount": seat_count, "seatPrice": seat_price }]
                }),
            )
            .await;
        let body = reply.assert_status(201);
        let schedule = &body["schedules"][0];
        let seat_ids = schedule["seatIds"]
            .as_array()
            .expect("seatIds")
            .iter()
            .map(|v| v.as_i64().expect("seat id"))
            .collect();
        (
            schedule["scheduleId"].as_i64().expect("scheduleId"),
            seat_ids,
        )
    }

    pub async fn balance(&self, user_id: i64) -> Reply {
        self.get(&format!("/api/point/{user_id}")).await
    }

    /// One number from the database, for asserting exact final states.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql,
            ))
            .await
            .expect("query")
            .expect("a row");
        // Write sums as CAST(SUM(x) AS SIGNED): MySQL's SUM is a DECIMAL.
        row.try_get_by_index::<Option<i64>>(0)
            .expect("an integer")
            .unwrap_or_default()
    }
}

/// A Redis hot store under a fresh key namespace, for testing scripts directly.
pub async fn redis_store() -> boxoffice::store::redis::RedisStore {
    require_services().await;
    let prefix = format!("test:{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    let settings = Settings::from_vars(&[
        ("APP_REDIS__URL", REDIS_URL),
        ("APP_REDIS__KEY_PREFIX", &prefix),
    ])
    .expect("settings");
    boxoffice::store::redis::RedisStore::connect(&settings.redis)
        .await
        .expect("connect to Redis")
}

/// A plain Redis connection, for poking at keys and the script cache.
pub async fn redis_connection() -> deadpool_redis::redis::aio::MultiplexedConnection {
    let client = deadpool_redis::redis::Client::open(REDIS_URL).expect("redis url");
    client
        .get_multiplexed_async_connection()
        .await
        .expect("redis connection")
}

/// Polls the queue until the user is working (the scheduler admits them) or panics.
pub async fn wait_until_working(app: &TestApp, user_id: i64) -> String {
    for _ in 0..200 {
        let reply = app.get(&format!("/api/queue/{user_id}")).await;
        let body = reply.assert_status(200);
        if body["status"] == "working" {
            return body["token"].as_str().expect("token").to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("user {user_id} was not admitted within 10 s");
}

/// Test settings for a fast queue: short ticks and polls.
pub const FAST_QUEUE: &[(&str, &str)] = &[
    ("APP_QUEUE__TICK_MS", "50"),
    ("APP_QUEUE__MIN_POLL_MS", "50"),
    ("APP_QUEUE__MAX_POLL_MS", "500"),
];

/// A new user with a working queue token (the app should run with `FAST_QUEUE`).
pub async fn admitted_user(app: &TestApp) -> (i64, String) {
    let user_id = app.create_user("buyer").await;
    let token = wait_until_working(app, user_id).await;
    (user_id, token)
}

/// `count` new users admitted together (joins first, then waits), with their tokens.
pub async fn admitted_users(app: &TestApp, count: usize) -> Vec<(i64, String)> {
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        let user_id = app.create_user(&format!("buyer{i}")).await;
        app.get(&format!("/api/queue/{user_id}"))
            .await
            .assert_status(200);
        users.push(user_id);
    }
    let mut admitted = Vec::with_capacity(count);
    for user_id in users {
        admitted.push((user_id, wait_until_working(app, user_id).await));
    }
    admitted
}

impl TestApp {
    pub async fn get_with(&self, path: &str, token: &str) -> Reply {
        self.send(self.request(Method::GET, path).bearer_auth(token))
            .await
    }

    pub async fn hold(&self, token: &str, schedule_id: i64, seat_id: i64) -> Reply {
        let path = format!("/api/concert/schedule/{schedule_id}/seat/{seat_id}/reservation");
        self.send(self.request(Method::POST, &path).bearer_auth(token))
            .await
    }

    pub async fn release(&self, token: &str, schedule_id: i64, seat_id: i64) -> Reply {
        let path = format!("/api/concert/schedule/{schedule_id}/seat/{seat_id}/reservation");
        self.send(self.request(Method::DELETE, &path).bearer_auth(token))
            .await
    }

    pub async fn seat_map(&self, token: &str, schedule_id: i64) -> Reply {
        self.get_with(&format!("/api/concert/schedule/{schedule_id}"), token)
            .await
    }

    pub async fn schedules(&self, token: &str) -> Reply {
        self.get_with("/api/concerts/schedule", token).await
    }

    /// Deletes every hot-store key of this instance, as if Redis restarted empty.
    pub async fn flush_hot_store(&self) {
        let mut conn = redis_connection().await;
        let keys: Vec<String> = deadpool_redis::redis::cmd("KEYS")
            .arg(format!("{}:*", self.key_prefix))
            .query_async(&mut conn)
            .await
            .expect("list keys");
        if !keys.is_empty() {
            let () = deadpool_redis::redis::cmd("DEL")
                .arg(keys)
                .query_async(&mut conn)
                .await
                .expect("delete keys");
        }
    }
}

/// The status of each seat in a seat map, by seat id.
pub fn seat_statuses(map: &Value) -> std::collections::HashMap<i64, String> {
    map["seats"]
        .as_array()
        .expect("seats")
        .iter()
        .map(|s| {
            (
                s["seatId"].as_i64().unwrap(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Settings with a fast queue plus extra overrides.
pub fn fast_queue_with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars = FAST_QUEUE.to_vec();
    vars.extend_from_slice(extra);
    vars
}

impl TestApp {
    pub async fn charge(&self, user_id: i64, amount: i64) -> Reply {
        self.send(
            self.request(Method::PATCH, &format!("/api/point/{user_id}"))
                .json(&json!({ "amount": amount })),
        )
        .await
    }

    pub async fn pay(
        &self,
        token: &str,
        schedule_id: i64,
        seat_id: i64,
        key: Option<&str>,
    ) -> Reply {
        let mut request = self
            .request(
                Method::POST,
                &format!("/api/concert/schedule/{schedule_id}/seat/{seat_id}/pay"),
            )
            .bearer_auth(token);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        self.send(request).await
    }

    pub async fn refund(&self, reservation_id: i64) -> Reply {
        self.send(self.request(
            Method::POST,
            &format!("/api/reservations/{reservation_id}/refund"),
        ))
        .await
    }

    /// Waits (up to 5 s) for a number in the database to reach `expected`.
    pub async fn eventually_scalar(&self, sql: &str, expected: i64) {
        let mut last = self.scalar(sql).await;
        for _ in 0..100 {
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            last = self.scalar(sql).await;
        }
        assert_eq!(last, expected, "{sql}");
    }

    /// Rule 2 of ARCHITECTURE.md, read from the database: balances + payments − refunds
    /// = charges, every balance ≥ 0, one `use` entry per payment, and seats sold =
    /// payments = paid reservations.
    pub async fn assert_money_and_seats_add_up(&self) {
        let balances = self
            .scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM points")
            .await;
        let payments = self
            .scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM payments")
            .await;
        let kinds = |kind: &str| {
            format!(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM point_histories WHERE type = '{kind}'"
            )
        };
        let charges = self.scalar(&kinds("charge")).await;
        let uses = self.scalar(&kinds("use")).await;
        let refunds = self.scalar(&kinds("refund")).await;
        assert_eq!(
            balances + payments - refunds,
            charges,
            "balances {balances} payments {payments} refunds {refunds} charges {charges}"
        );
        assert_eq!(uses, payments, "every payment has its use entry");
        assert_eq!(
            self.scalar("SELECT COUNT(*) FROM points WHERE amount < 0")
                .await,
            0
        );
        let sold = self
            .scalar("SELECT COUNT(*) FROM seats WHERE status = 'sold'")
            .await;
        let paid = self
            .scalar("SELECT COUNT(*) FROM payments WHERE status = 'paid'")
            .await;
        let paid_reservations = self
            .scalar("SELECT COUNT(*) FROM reservations WHERE status = 'paid'")
            .await;
        assert_eq!((sold, paid), (paid_reservations, paid_reservations));
    }
}

/// The hot-store back ends under the conformance suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Redis,
    Memory,
}

/// A fresh, empty hot store of the given kind.
pub async fn hot_store(kind: StoreKind) -> boxoffice::store::HotStore {
    match kind {
        StoreKind::Redis => boxoffice::store::HotStore::Redis(redis_store().await),
        StoreKind::Memory => {
            boxoffice::store::HotStore::Memory(boxoffice::store::memory::MemoryStore::new())
        }
    }
}
