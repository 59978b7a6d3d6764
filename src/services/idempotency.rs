//! `Idempotency-Key` handling and the transaction runner shared by charges, payments and
//! refunds: the effect and the stored response commit together, and deadlocks retry.

use std::future::Future;
use std::pin::Pin;

use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use sha2::{Digest, Sha256};

use crate::services::{ServiceError, ServiceResult};
use crate::store::db::{self, idempotency as records};
use crate::store::{StoreError, StoreResult};

/// Attempts of one transaction before a deadlock or busy error is given up on.
const ATTEMPTS: usize = 5;

/// The future of a unit of work inside a transaction.
pub type TxFuture<'t, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 't>>;

/// A keyed request: its key and a fingerprint of what it asked for.
#[derive(Debug, Clone)]
pub struct KeyedRequest {
    pub key: String,
    pub fingerprint: String,
}

impl KeyedRequest {
    /// Validates the key (1 to 128 printable ASCII characters) and fingerprints the
    /// request by its method, route and body.
    ///
    /// # Errors
    /// `Invalid` for a malformed key.
    pub fn new(key: &str, method: &str, route: &str, body: &[u8]) -> ServiceResult<Self> {
        if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(ServiceError::Invalid(
                "Idempotency-Key must be 1 to 128 printable ASCII characters".into(),
            ));
        }
        let mut hash = Sha256::new();
        for part in [method.as_bytes(), b"\n", route.as_bytes(), b"\n", body] {
            hash.update(part);
        }
        Ok(Self {
            key: key.to_owned(),
            fingerprint: hex::encode(hash.finalize()),
        })
    }
}

/// The first response to a keyed request, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// A fresh result, or the stored response of an earlier request with the same key.
#[derive(Debug)]
pub enum Outcome<T> {
    Fresh(T),
    Replayed(StoredResponse),
}

/// The stored response of the user's key, if the key was used before.
///
/// # Errors
/// `IdempotencyKeyReused` when the key was used with a different request; `Store`.
pub async fn replay(
    db: &DatabaseConnection,
    user_id: i64,
    keyed: &KeyedRequest,
) -> ServiceResult<Option<StoredResponse>> {
    let Some(record) = records::find(db, user_id, &keyed.key).await? else {
        return Ok(None);
    };
    if record.fingerprint != keyed.fingerprint {
        return Err(ServiceError::IdempotencyKeyReused);
    }
    if record.response_status == 0 {
        return Err(ServiceError::IdempotencyKeyInUse);
    }
    Ok(Some(StoredResponse {
        status: u16::try_from(record.response_status).unwrap_or(500),
        body: record.response_body,
    }))
}

/// Runs `work` in one transaction, retried on deadlocks. With a key, the key is claimed
/// first in the same transaction and `render`'s response is stored with the effect, so a
/// retry sees either nothing or both. A concurrent request with the same key waits for
/// this one (MySQL row lock on the key) and then replays its response. Business errors
/// roll back the effect (a savepoint) but their response is stored too.
///
/// # Errors
/// The business error of `work`; `IdempotencyKeyReused`; `Store`.
pub async fn run_in_transaction<T, F, R>(
    db: &DatabaseConnection,
    user_id: i64,
    keyed: Option<&KeyedRequest>,
    render: R,
    work: F,
) -> ServiceResult<Outcome<T>>
where
    F: for<'t> Fn(&'t DatabaseTransaction) -> TxFuture<'t, T>,
    R: Fn(&ServiceResult<T>) -> StoredResponse,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match attempt_once(db, user_id, keyed, &render, &work).await {
            Err(Attempt::Retry(err)) if attempt < ATTEMPTS => {
                tracing::debug!(attempt, error = %err, "retrying a transaction");
                tokio::time::sleep(std::time::Duration::from_millis(2 << attempt)).await;
            }
            Err(Attempt::Retry(err)) => return Err(StoreError::Db(err).into()),
            Err(Attempt::KeyTaken) => {
                let keyed = keyed.expect("only keyed requests claim keys");
                return match replay(db, user_id, keyed).await? {
                    Some(stored) => Ok(Outcome::Replayed(stored)),
                    None => Err(ServiceError::IdempotencyKeyInUse),
                };
            }
            Err(Attempt::Failed(err)) => return Err(err),
            Ok(outcome) => return outcome.map(Outcome::Fresh),
        }
    }
}

/// `run_in_transaction` for requests that carry no key.
///
/// # Errors
/// The business error of `work`; `Store`.
pub async fn run_unkeyed<T, F>(db: &DatabaseConnection, work: F) -> ServiceResult<T>
where
    F: for<'t> Fn(&'t DatabaseTransaction) -> TxFuture<'t, T>,
{
    let never_rendered = |_: &ServiceResult<T>| StoredResponse {
        status: 500,
        body: String::new(),
    };
    match run_in_transaction(db, 0, None, never_rendered, work).await? {
        Outcome::Fresh(value) => Ok(value),
        Outcome::Replayed(_) => unreachable!("requests without a key are never replayed"),
    }
}

enum Attempt {
    Retry(sea_orm::DbErr),
    KeyTaken,
    Failed(ServiceError),
}

impl From<sea_orm::DbErr> for Attempt {
    fn from(err: sea_orm::DbErr) -> Self {
        if db::is_retryable(&err) {
            Self::Retry(err)
        } else {
            Self::Failed(err.into())
        }
    }
}

impl From<StoreError> for Attempt {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Db(err) => err.into(),
            other => Self::Failed(other.into()),
        }
    }
}

async fn attempt_once<T, F, R>(
    db: &DatabaseConnection,
    user_id: i64,
    keyed: Option<&KeyedRequest>,
    render: &R,
    work: &F,
) -> Result<ServiceResult<T>, Attempt>
where
    F: for<'t> Fn(&'t DatabaseTransaction) -> TxFuture<'t, T>,
    R: Fn(&ServiceResult<T>) -> StoredResponse,
{
    let txn = db.begin().await?;
    let record_id = match keyed {
        Some(keyed) => match records::claim(&txn, user_id, &keyed.key, &keyed.fingerprint).await {
            Ok(id) => Some(id),
            Err(err) if db::is_unique_violation(&err) => return Err(Attempt::KeyTaken),
            Err(err) => return Err(err.into()),
        },
        None => None,
    };
    let savepoint = txn.begin().await?;
    let result = work(&savepoint).await;
    match &result {
        Ok(_) => savepoint.commit().await?,
        Err(ServiceError::Store(StoreError::Db(err))) if db::is_retryable(err) => {
            return Err(Attempt::Retry(err.clone()));
        }
        Err(ServiceError::Store(_)) => {
            return Err(Attempt::Failed(result.err().expect("an error")));
        }
        Err(_) => savepoint.rollback().await?,
    }
    // Server errors returned above, before anything was stored: a retry runs afresh.
    if let Some(record_id) = record_id {
        complete(&txn, record_id, &render(&result)).await?;
    }
    txn.commit().await?;
    Ok(result)
}

async fn complete(
    txn: &DatabaseTransaction,
    record_id: i64,
    response: &StoredResponse,
) -> StoreResult<()> {
    records::complete(txn, record_id, response.status, &response.body).await
}
