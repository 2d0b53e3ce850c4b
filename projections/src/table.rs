//! The read-model tables' shapes, declared once: the runner builds its inserts from them and the
//! digest reads every column of every table through them.

/// How a column's values are bound and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

/// A read-model table (its DDL is in the ledger's migrations, `0005_read_models.sql`).
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// Every column, in insert order.
    pub columns: &'static [Column],
    /// The primary key, which orders rows for the digest.
    pub key: &'static [&'static str],
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns.iter().map(|column| column.name).collect::<Vec<_>>().join(", ")
    }
}

/// Declares a column list tersely: `columns![text "a", int "b"]`.
#[macro_export]
macro_rules! columns {
    ($($kind:ident $name:literal),* $(,)?) => {
        &[$($crate::Column { name: $name, kind: $crate::columns!(@kind $kind) }),*]
    };
    (@kind text) => { $crate::Kind::Text };
    (@kind int) => { $crate::Kind::Int };
}
