//! The invariants checked in the database after a run, read only. The SQL is written to
//! mean the same on MySQL/MariaDB and SQLite; the checks span the whole database, so they
//! hold only if nothing else wrote to it in a way that breaks them.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    DbBackend, IsolationLevel, Statement, TransactionTrait,
};

/// One named yes/no verdict with what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

impl Check {
    pub(crate) fn new(name: &'static str, ok: bool, detail: String) -> Self {
        Self { name, ok, detail }
    }
}

/// How long past its `expired_at` a hold may still read `held`: the server releases
/// expired holds on its own schedule, and its clock and ours may differ a little.
const STALE_HOLD_GRACE: TimeDelta = TimeDelta::seconds(5);

/// # Errors
/// When the database cannot be reached or a query fails; a broken invariant is not an
/// error but a failed `Check`.
pub(crate) async fn check_database(url: &str) -> anyhow::Result<Vec<Check>> {
    let db = connect_read_only(url).await?;
    let checks = check_all(&db, Utc::now()).await;
    db.close()
        .await
        .context("closing the database connection")?;
    checks
}

async fn connect_read_only(url: &str) -> anyhow::Result<DatabaseConnection> {
    let url = read_only_url(url);
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to {}", without_password(&url)))
}

/// SQLite is opened read only unless the URL already picks a mode. MySQL has no such URL
/// switch; there every check runs in a read-only transaction instead.
fn read_only_url(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains("mode=") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}mode=ro")
    } else {
        url.to_owned()
    }
}

fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot have a password, and this one has one.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Runs every check in one transaction, so all of them read the same moment even if the
/// server is still expiring holds.
async fn check_all(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<Vec<Check>> {
    let txn = match db.get_database_backend() {
        DbBackend::MySql => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
        _ => db.begin().await,
    }
    .context("starting a read-only transaction")?;
    let checks = vec![
        no_seat_sold_twice(&txn).await?,
        sold_seats_match_payments(&txn).await?,
        points_conserved(&txn).await?,
        balances_non_negative(&txn).await?,
        no_stale_holds(&txn, now).await?,
    ];
    txn.rollback().await.context("ending the transaction")?;
    Ok(checks)
}

async fn no_seat_sold_twice(txn: &DatabaseTransaction) -> anyhow::Result<Check> {
    let [seats] = integers(
        txn,
        "SELECT COUNT(*) FROM (SELECT seat_id FROM reservations WHERE status = 'paid' \
         GROUP BY seat_id HAVING COUNT(*) > 1) AS twice",
    )
    .await?;
    let detail = if seats == 0 {
        "no seat has two paid reservations".to_owned()
    } else {
        format!("seats with more than one paid reservation: {seats}")
    };
    Ok(Check::new("no_seat_sold_twice", seats == 0, detail))
}

async fn sold_seats_match_payments(txn: &DatabaseTransaction) -> anyhow::Result<Check> {
    let [seats, payments, reservations] = integers(
        txn,
        "SELECT (SELECT COUNT(*) FROM seats WHERE status = 'sold'), \
         (SELECT COUNT(*) FROM payments WHERE status = 'paid'), \
         (SELECT COUNT(*) FROM reservations WHERE status = 'paid')",
    )
    .await?;
    Ok(Check::new(
        "sold_seats_match_payments",
        seats == payments && payments == reservations,
        format!("{seats} seats sold, {payments} payments paid, {reservations} reservations paid"),
    ))
}

/// Every point charged is in a balance or in a payment; a refund moves a payment's points
/// back into a balance while the payment keeps its amount, hence the subtraction.
async fn points_conserved(txn: &DatabaseTransaction) -> anyhow::Result<Check> {
    // MySQL's SUM is DECIMAL and NULL over no rows: cast and default it.
    let [balances, payments, refunds, charges] = integers(
        txn,
        "SELECT (SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM points), \
         (SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM payments \
           WHERE status IN ('paid', 'refunded')), \
         (SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM point_histories \
           WHERE type = 'refund'), \
         (SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM point_histories \
           WHERE type = 'charge')",
    )
    .await?;
    let held = i128::from(balances) + i128::from(payments) - i128::from(refunds);
    Ok(Check::new(
        "points_conserved",
        held == i128::from(charges),
        format!(
            "balances {balances} + payments {payments} - refunds {refunds} = {held}, \
             charged {charges}"
        ),
    ))
}

async fn balances_non_negative(txn: &DatabaseTransaction) -> anyhow::Result<Check> {
    let [negative] = integers(txn, "SELECT COUNT(*) FROM points WHERE amount < 0").await?;
    Ok(Check::new(
        "balances_non_negative",
        negative == 0,
        format!("negative balances: {negative}"),
    ))
}

/// The oldest live hold is compared in Rust rather than in SQL: MySQL keeps a DATETIME,
/// while SQLite keeps whatever text the driver wrote, and only Rust can read both alike.
/// On SQLite `MIN` compares that text, which orders correctly for one writer's format.
async fn no_stale_holds(txn: &DatabaseTransaction, now: DateTime<Utc>) -> anyhow::Result<Check> {
    const NAME: &str = "no_stale_holds";
    let [held] = integers(
        txn,
        "SELECT COUNT(*) FROM reservations WHERE status = 'held'",
    )
    .await?;
    let oldest = text(
        txn,
        "SELECT CAST(MIN(expired_at) AS CHAR) FROM reservations WHERE status = 'held'",
    )
    .await?;
    let Some(oldest) = oldest else {
        return Ok(Check::new(NAME, true, "no held reservations".into()));
    };
    let Some(expired_at) = parse_instant(&oldest) else {
        return Ok(Check::new(
            NAME,
            false,
            format!("cannot read expired_at {oldest:?} as a UTC time"),
        ));
    };
    let overdue = now - expired_at;
    let ok = overdue <= STALE_HOLD_GRACE;
    let detail = if overdue > TimeDelta::zero() {
        format!(
            "{held} held; the oldest expired {:.1} s ago",
            overdue.as_seconds_f64()
        )
    } else {
        format!("{held} held, none expired")
    };
    Ok(Check::new(NAME, ok, detail))
}

/// Reads a time as MySQL (`2026-12-24 19:00:00.123`) or sqlx on SQLite
/// (`2026-12-24T19:00:00.123+00:00`) writes it; times without a zone are UTC.
fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.to_utc());
    }
    if let Ok(instant) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(instant.to_utc());
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
}

/// The first row of `sql` as `N` integers.
async fn integers<const N: usize>(
    txn: &DatabaseTransaction,
    sql: &str,
) -> anyhow::Result<[i64; N]> {
    let row = txn
        .query_one_raw(Statement::from_string(txn.get_database_backend(), sql))
        .await
        .with_context(|| format!("running {sql}"))?
        .with_context(|| format!("no row from {sql}"))?;
    let mut values = [0; N];
    for (i, value) in values.iter_mut().enumerate() {
        *value = row
            .try_get_by_index(i)
            .with_context(|| format!("reading column {i} of {sql}"))?;
    }
    Ok(values)
}

/// The first column of the first row of `sql`, NULL as `None`.
async fn text(txn: &DatabaseTransaction, sql: &str) -> anyhow::Result<Option<String>> {
    let row = txn
        .query_one_raw(Statement::from_string(txn.get_database_backend(), sql))
        .await
        .with_context(|| format!("running {sql}"))?
        .with_context(|| format!("no row from {sql}"))?;
    row.try_get_by_index(0)
        .with_context(|| format!("reading {sql}"))
}

#[cfg(test)]
mod tests;
