//! The user directory: creating users and knowing, cheaply, whether one exists.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use sea_orm::DatabaseConnection;

use crate::services::{ServiceError, ServiceResult};
use crate::store::db::users as user_store;

/// Longest accepted user name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Users are never deleted, so an id seen once stays valid: the directory remembers the
/// ids it has confirmed and asks the database only about new ones. This keeps the queue
/// poll (every few seconds per user) free of database queries.
#[derive(Clone)]
pub struct UserDirectory {
    db: DatabaseConnection,
    known: Arc<RwLock<HashSet<i64>>>,
}

impl UserDirectory {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            known: Arc::default(),
        }
    }

    /// Creates a user with a zero balance.
    ///
    /// # Errors
    /// `Invalid` for an empty or overlong name; `Store` on database failure.
    pub async fn create(&self, name: &str) -> ServiceResult<(i64, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ServiceError::Invalid(format!(
                "name must be 1 to {MAX_NAME_CHARS} characters"
            )));
        }
        let user = user_store::create_user(&self.db, name).await?;
        self.remember(user.id);
        Ok((user.id, user.name))
    }

    /// Succeeds when the user exists.
    ///
    /// # Errors
    /// `UserNotFound`, or `Store` on database failure.
    pub async fn ensure_exists(&self, user_id: i64) -> ServiceResult<()> {
        if self
            .known
            .read()
            .expect("user directory lock")
            .contains(&user_id)
        {
            return Ok(());
        }
        if user_store::user_exists(&self.db, user_id).await? {
            self.remember(user_id);
            Ok(())
        } else {
            Err(ServiceError::UserNotFound)
        }
    }

    fn remember(&self, user_id: i64) {
        self.known
            .write()
            .expect("user directory lock")
            .insert(user_id);
    }
}
