//! Idempotency records: the first response to a keyed request.

use entity::idempotency_record;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::store::StoreResult;

/// Claims a key for the user. Fails with a unique violation when the key exists; on
/// MySQL a concurrent claim of the same key waits here until the first transaction ends.
///
/// # Errors
/// On any database failure, including the unique violation.
pub async fn claim(
    txn: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
    fingerprint: &str,
) -> Result<i64, sea_orm::DbErr> {
    let now = crate::time::now();
    let record = idempotency_record::ActiveModel {
        user_id: Set(user_id),
        idem_key: Set(key.to_owned()),
        fingerprint: Set(fingerprint.to_owned()),
        response_status: Set(0),
        response_body: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(record.id)
}

/// Stores the response of a claimed key.
///
/// # Errors
/// On any database failure.
pub async fn complete(
    txn: &impl ConnectionTrait,
    record_id: i64,
    status: u16,
    body: &str,
) -> StoreResult<()> {
    idempotency_record::Entity::update_many()
        .col_expr(
            idempotency_record::Column::ResponseStatus,
            Expr::value(i32::from(status)),
        )
        .col_expr(idempotency_record::Column::ResponseBody, Expr::value(body))
        .col_expr(
            idempotency_record::Column::UpdatedAt,
            Expr::value(crate::time::now()),
        )
        .filter(idempotency_record::Column::Id.eq(record_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The record of a user's key, if any.
///
/// # Errors
/// On any database failure.
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
) -> StoreResult<Option<idempotency_record::Model>> {
    Ok(idempotency_record::Entity::find()
        .filter(idempotency_record::Column::UserId.eq(user_id))
        .filter(idempotency_record::Column::IdemKey.eq(key))
        .one(db)
        .await?)
}
