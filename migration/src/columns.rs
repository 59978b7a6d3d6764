//! Column shapes shared by every table.

use sea_orm_migration::prelude::*;

/// A UTC instant with millisecond precision: MySQL's plain `datetime` would drop the
/// milliseconds that hold expiries are measured in. SQLite accepts the same type name.
pub fn instant<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).custom("datetime(3)").not_null().take()
}

pub fn instant_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).custom("datetime(3)").null().take()
}

/// Auto-increment 64-bit primary key.
pub fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

pub fn id_ref<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().take()
}

pub fn short_string<T: IntoIden>(col: T, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().take()
}

/// `created_at` and `updated_at`, set by the service (no database defaults, so both back
/// ends store the same values).
pub fn timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(instant(Alias::new("created_at")))
        .col(instant(Alias::new("updated_at")))
}
