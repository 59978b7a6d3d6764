//! Users and their balances.

use entity::{point, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};

use crate::store::StoreResult;

/// Creates a user and their zero balance in one transaction.
///
/// # Errors
/// On any database failure.
pub async fn create_user(db: &DatabaseConnection, name: &str) -> StoreResult<user::Model> {
    let now = crate::time::now();
    let txn = db.begin().await?;
    let created = user::ActiveModel {
        name: Set(name.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    point::ActiveModel {
        user_id: Set(created.id),
        amount: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Whether a user with this id exists.
///
/// # Errors
/// On any database failure.
pub async fn user_exists(db: &impl ConnectionTrait, user_id: i64) -> StoreResult<bool> {
    let found = user::Entity::find_by_id(user_id)
        .select_only()
        .column(user::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// The user's balance, or `None` for an unknown user.
///
/// # Errors
/// On any database failure.
pub async fn balance(db: &impl ConnectionTrait, user_id: i64) -> StoreResult<Option<i64>> {
    Ok(point::Entity::find()
        .filter(point::Column::UserId.eq(user_id))
        .select_only()
        .column(point::Column::Amount)
        .into_tuple::<i64>()
        .one(db)
        .await?)
}
