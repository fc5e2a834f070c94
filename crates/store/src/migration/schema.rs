//! Small helpers that keep the table definitions short and identical on both backends.

use sea_orm_migration::prelude::*;

/// An identifier from a string.
pub fn id(name: &str) -> Alias {
    Alias::new(name)
}

/// `id BIGINT PRIMARY KEY` with auto-increment (BIGSERIAL on PostgreSQL, INTEGER PRIMARY KEY on SQLite).
pub fn pk() -> ColumnDef {
    ColumnDef::new(id("id")).big_integer().not_null().auto_increment().primary_key().to_owned()
}

/// A non-null BIGINT column.
pub fn big(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().not_null().to_owned()
}

/// A nullable BIGINT column.
pub fn big_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().null().to_owned()
}

/// A non-null TEXT column.
pub fn text(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).text().not_null().to_owned()
}

/// A nullable TEXT column.
pub fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).text().null().to_owned()
}

/// A non-null BOOLEAN column with a default.
pub fn boolean(name: &str, default: bool) -> ColumnDef {
    ColumnDef::new(id(name)).boolean().not_null().default(default).to_owned()
}

/// A non-null INTEGER column with a default.
pub fn int(name: &str, default: i32) -> ColumnDef {
    ColumnDef::new(id(name)).integer().not_null().default(default).to_owned()
}

/// A foreign key from `table.column` to `parent.id`, cascading deletes when `cascade`.
pub fn fk(table: &str, column: &str, parent: &str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut f = ForeignKey::create();
    f.name(format!("fk_{table}_{column}")).from(id(table), id(column)).to(id(parent), id("id")).on_delete(if cascade {
        ForeignKeyAction::Cascade
    } else {
        ForeignKeyAction::Restrict
    });
    f.to_owned()
}

/// An index (unique when asked) on `columns` of `table`.
pub fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", columns.join("_"))).table(id(table));
    for c in columns {
        i.col(id(c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}
