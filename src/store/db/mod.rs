//! The durable store: connection set-up, migrations and one module of queries per table
//! group. MySQL/MariaDB in production, SQLite for the zero-setup run.

pub mod catalog;
pub mod idempotency;
pub mod points;
pub mod reservations;
pub mod sales;
pub mod users;

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr,
    Statement,
};

use crate::config::{DatabaseSettings, redact_url};

/// Connects to the database named in the settings, creating a missing MySQL database and
/// a missing SQLite file, and applies pending migrations.
///
/// # Errors
/// One line naming the URL (without its password) when the database is unreachable.
pub async fn connect_and_migrate(
    settings: &DatabaseSettings,
) -> anyhow::Result<DatabaseConnection> {
    let url = settings.url.expose();
    let shown = redact_url(url);
    let db = connect(settings)
        .await
        .with_context(|| format!("cannot connect to the database at {shown}"))?;
    Migrator::up(&db, None)
        .await
        .with_context(|| format!("cannot migrate the database at {shown}"))?;
    Ok(db)
}

async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let url = settings.url.expose();
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
        // Also bounds how long start-up waits for an unreachable server.
        .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One connection: SQLite allows one writer, and a single connection turns lock
        // contention into queueing instead of SQLITE_BUSY errors.
        options
            .max_connections(1)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.foreign_keys(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
            });
    } else {
        options.max_connections(settings.max_connections);
    }
    match Database::connect(options.clone()).await {
        Err(err) if is_unknown_mysql_database(&err) => {
            create_mysql_database(url).await?;
            Database::connect(options).await
        }
        other => other,
    }
}

/// MariaDB/MySQL error 1049: the URL names a database that does not exist yet.
fn is_unknown_mysql_database(err: &DbErr) -> bool {
    use sea_orm::sqlx::mysql::MySqlDatabaseError;
    let (DbErr::Conn(RuntimeErr::SqlxError(inner))
    | DbErr::Exec(RuntimeErr::SqlxError(inner))
    | DbErr::Query(RuntimeErr::SqlxError(inner))) = err
    else {
        return false;
    };
    match inner.as_ref() {
        sea_orm::sqlx::Error::Database(db_err) => db_err
            .try_downcast_ref::<MySqlDatabaseError>()
            .is_some_and(|e| e.number() == 1049),
        _ => false,
    }
}

async fn create_mysql_database(url: &str) -> Result<(), DbErr> {
    let mut server_url = url::Url::parse(url).map_err(|e| DbErr::Custom(e.to_string()))?;
    let name = server_url.path().trim_start_matches('/').to_owned();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbErr::Custom(format!("unusable database name {name:?}")));
    }
    server_url.set_path("/");
    let server = Database::connect(server_url.as_str()).await?;
    server
        .execute_raw(Statement::from_string(
            DbBackend::MySql,
            format!("CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4"),
        ))
        .await?;
    server.close().await
}

/// Answers when the database does and holds the migrated schema: a bare connection
/// check would pass against an empty or dropped database.
///
/// # Errors
/// When it does not.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    use migration::sea_orm::sea_query::{Alias, Expr, Query};
    let probe = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new("seaql_migrations"))
        .limit(1)
        .to_owned();
    db.query_one(&probe).await.map(|_| ())
}

/// Whether a failed statement is worth retrying in a new transaction: a deadlock or lock
/// wait timeout on MySQL/MariaDB (1213, 1205), or a busy database on SQLite.
pub fn is_retryable(err: &DbErr) -> bool {
    use sea_orm::sqlx::mysql::MySqlDatabaseError;
    let (DbErr::Exec(RuntimeErr::SqlxError(inner))
    | DbErr::Query(RuntimeErr::SqlxError(inner))
    | DbErr::Conn(RuntimeErr::SqlxError(inner))) = err
    else {
        return false;
    };
    match inner.as_ref() {
        sea_orm::sqlx::Error::Database(db_err) => {
            if let Some(mysql) = db_err.try_downcast_ref::<MySqlDatabaseError>() {
                matches!(mysql.number(), 1213 | 1205)
            } else {
                // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with extended codes.
                db_err
                    .code()
                    .and_then(|code| code.parse::<i32>().ok())
                    .is_some_and(|code| matches!(code & 0xff, 5 | 6))
            }
        }
        sea_orm::sqlx::Error::PoolTimedOut => true,
        _ => false,
    }
}

/// Whether a failed statement broke a unique key.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
