//! Prepaid points: balances, charges and their history.

use entity::point_history::{self, Kind};
use sea_orm::DatabaseConnection;

use crate::services::catalog::MAX_SAFE_INTEGER;
use crate::services::idempotency::{self, KeyedRequest, Outcome, StoredResponse};
use crate::services::{ServiceError, ServiceResult};
use crate::store::db::{points as point_store, users as user_store};

/// Most history entries per page.
pub const MAX_HISTORY_PAGE: u64 = 100;
pub const DEFAULT_HISTORY_PAGE: u64 = 20;

/// The result of a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChargeReceipt {
    pub user_id: i64,
    /// The new balance.
    pub balance: i64,
    pub charged: i64,
}

/// A page of history, newest first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub items: Vec<point_history::Model>,
    /// Pass back as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<i64>,
}

/// The user's balance in won.
///
/// # Errors
/// `UserNotFound`, or `Store` on database failure.
pub async fn balance(db: &DatabaseConnection, user_id: i64) -> ServiceResult<i64> {
    user_store::balance(db, user_id)
        .await?
        .ok_or(ServiceError::UserNotFound)
}

/// Adds points to a balance and records the charge, in one transaction. Concurrent
/// charges all count: the balance moves by a conditional `UPDATE`, never by a value read
/// in the application.
///
/// # Errors
/// `InvalidAmount` outside 1 ..= `max_charge` or past 2^53 − 1; `UserNotFound`;
/// `IdempotencyKeyReused`; `Store`.
pub async fn charge<R>(
    db: &DatabaseConnection,
    user_id: i64,
    amount: i64,
    max_charge: i64,
    keyed: Option<&KeyedRequest>,
    render: R,
) -> ServiceResult<Outcome<ChargeReceipt>>
where
    R: Fn(&ServiceResult<ChargeReceipt>) -> StoredResponse,
{
    if !(1..=max_charge).contains(&amount) {
        return Err(ServiceError::InvalidAmount(format!(
            "amount must be 1 to {max_charge}"
        )));
    }
    if user_store::balance(db, user_id).await?.is_none() {
        return Err(ServiceError::UserNotFound);
    }
    idempotency::run_in_transaction(db, user_id, keyed, render, |txn| {
        Box::pin(async move {
            let now = crate::time::now();
            let balance = point_store::add(txn, user_id, amount, MAX_SAFE_INTEGER, now)
                .await?
                .ok_or_else(|| {
                    ServiceError::InvalidAmount(format!(
                        "the balance may not pass {MAX_SAFE_INTEGER}"
                    ))
                })?;
            point_store::record(txn, user_id, Kind::Charge, amount, balance, None, now).await?;
            Ok(ChargeReceipt {
                user_id,
                balance,
                charged: amount,
            })
        })
    })
    .await
}

/// A page of the user's history, newest first.
///
/// # Errors
/// `Invalid` for a bad limit; `UserNotFound`; `Store`.
pub async fn history(
    db: &DatabaseConnection,
    user_id: i64,
    cursor: Option<i64>,
    limit: Option<u64>,
) -> ServiceResult<HistoryPage> {
    let limit = limit.unwrap_or(DEFAULT_HISTORY_PAGE);
    if !(1..=MAX_HISTORY_PAGE).contains(&limit) {
        return Err(ServiceError::Invalid(format!(
            "limit must be 1 to {MAX_HISTORY_PAGE}"
        )));
    }
    if user_store::balance(db, user_id).await?.is_none() {
        return Err(ServiceError::UserNotFound);
    }
    let mut items = point_store::history_page(db, user_id, cursor, limit + 1).await?;
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(|item| item.id)
    } else {
        None
    };
    Ok(HistoryPage { items, next_cursor })
}
