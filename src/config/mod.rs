//! Settings: built-in defaults, then the file in `APP_CONFIG_FILE`, then `APP_…`
//! environment variables. The only place that reads the process environment.

mod secret;

use std::collections::HashMap;
use std::net::SocketAddr;

use anyhow::Context;
use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

pub use secret::{Secret, redact_url};

const DEFAULTS: &str = include_str!("defaults.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub jwt: JwtSettings,
    pub admin: AdminSettings,
    pub auth: AuthSettings,
    pub queue: QueueSettings,
    pub hold: HoldSettings,
    pub points: PointsSettings,
    pub refund: RefundSettings,
    pub cache: CacheSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub shutdown_grace_secs: u64,
}

impl ServerSettings {
    /// # Errors
    /// When host and port do not form a socket address.
    pub fn address(&self) -> anyhow::Result<SocketAddr> {
        format!("{}:{}", self.host, self.port)
            .parse()
            .or_else(|_| {
                use std::net::ToSocketAddrs;
                (self.host.as_str(), self.port)
                    .to_socket_addrs()?
                    .next()
                    .ok_or_else(|| std::io::Error::other("no address"))
            })
            .with_context(|| format!("invalid listen address {}:{}", self.host, self.port))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    pub acquire_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RedisSettings {
    pub url: Secret,
    pub key_prefix: String,
    pub connect_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JwtSettings {
    pub secret: Secret,
    pub token_ttl_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AdminSettings {
    pub api_key: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityMode {
    Trust,
    Jwt,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    pub identity: IdentityMode,
    pub identity_secret: Secret,
}

#[derive(Debug, Clone, Deserialize)]
pub struct QueueSettings {
    pub capacity: u32,
    pub batch_size: u32,
    pub tick_ms: u64,
    pub active_ttl_secs: u64,
    pub idle_timeout_secs: u64,
    pub min_poll_ms: u64,
    pub max_poll_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HoldSettings {
    pub ttl_secs: u64,
    pub max_per_user: u32,
    pub sweep_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PointsSettings {
    pub max_charge: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefundSettings {
    pub cutoff_secs: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CacheSettings {
    pub schedules_ttl_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub filter: String,
    pub format: LogFormat,
}

impl Settings {
    /// Loads the settings of this process: defaults, `APP_CONFIG_FILE`, `APP_…` variables.
    ///
    /// # Errors
    /// When the file cannot be read or a value has the wrong type.
    pub fn load() -> anyhow::Result<Self> {
        let file = std::env::var("APP_CONFIG_FILE")
            .ok()
            .filter(|f| !f.is_empty());
        Self::build(file.as_deref(), None)
    }

    /// Defaults overridden by the given `APP_…` variables only; the process environment is
    /// not read. Used by tests and tools that configure an instance in code.
    ///
    /// # Errors
    /// When a value has the wrong type.
    pub fn from_vars(vars: &[(&str, &str)]) -> anyhow::Result<Self> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::build(None, Some(map))
    }

    fn build(file: Option<&str>, vars: Option<HashMap<String, String>>) -> anyhow::Result<Self> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(File::with_name(path).required(true));
        }
        let mut env = Environment::with_prefix("APP")
            .prefix_separator("_")
            .separator("__")
            .try_parsing(true);
        if let Some(vars) = vars {
            env = env.source(Some(vars.into_iter().collect()));
        }
        let settings: Settings = builder
            .add_source(env)
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("invalid configuration")?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let q = &self.queue;
        anyhow::ensure!(q.capacity > 0, "queue.capacity must be at least 1");
        anyhow::ensure!(q.batch_size > 0, "queue.batch_size must be at least 1");
        anyhow::ensure!(q.tick_ms >= 10, "queue.tick_ms must be at least 10");
        anyhow::ensure!(
            q.active_ttl_secs > 0,
            "queue.active_ttl_secs must be positive"
        );
        anyhow::ensure!(
            q.min_poll_ms <= q.max_poll_ms,
            "queue.min_poll_ms must not exceed queue.max_poll_ms"
        );
        anyhow::ensure!(
            q.idle_timeout_secs * 1000 > q.max_poll_ms,
            "queue.idle_timeout_secs must be longer than queue.max_poll_ms, or polling users are dropped"
        );
        anyhow::ensure!(self.hold.ttl_secs > 0, "hold.ttl_secs must be positive");
        anyhow::ensure!(
            self.hold.max_per_user > 0,
            "hold.max_per_user must be at least 1"
        );
        anyhow::ensure!(
            self.points.max_charge > 0,
            "points.max_charge must be positive"
        );
        if self.auth.identity == IdentityMode::Jwt {
            anyhow::ensure!(
                !self.auth.identity_secret.is_empty(),
                "auth.identity = \"jwt\" needs auth.identity_secret (APP_AUTH__IDENTITY_SECRET)"
            );
        }
        Ok(())
    }

    /// Whether the durable store is MySQL/MariaDB (as opposed to SQLite).
    pub fn uses_mysql(&self) -> bool {
        self.database.url.expose().starts_with("mysql:")
    }

    /// A short name of the durable store for `/readyz` and logs: `mysql` or `sqlite`.
    pub fn database_kind(&self) -> &'static str {
        if self.uses_mysql() { "mysql" } else { "sqlite" }
    }
}
