//! Prepaid points: balances, charges and their history.

use sea_orm::DatabaseConnection;

use crate::services::{ServiceError, ServiceResult};
use crate::store::db::users as user_store;

/// The user's balance in won.
///
/// # Errors
/// `UserNotFound`, or `Store` on database failure.
pub async fn balance(db: &DatabaseConnection, user_id: i64) -> ServiceResult<i64> {
    user_store::balance(db, user_id)
        .await?
        .ok_or(ServiceError::UserNotFound)
}
