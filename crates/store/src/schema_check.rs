//! A runtime check that `schema.rs` and the row structs match the migrated database.
//!
//! `check_for_backend` proves at compile time that the row structs match `schema.rs`; only a query
//! against the real file proves that `schema.rs` matches the SQL of `migrations/` (of the backend in use). Selecting one
//! row through every row struct makes SQLite prepare the column lists (a renamed or missing column
//! fails) and decode a row where one exists (a changed type fails).

use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::live::LockedEvent;
use crate::rows::{
    AdminEventRow, CategoryRow, ClassRow, CourseRow, EventRefRow, LogRow, ParticipantNameRow,
    ParticipantRow, PublicEventRow, RaceRow, ResultListRow, ResultRow,
};
use crate::schema::{
    categories, classes, courses, events, ingest_log, participants, races, results,
};
use crate::store::Store;

fn one<T>(
    conn: &mut DbConnection,
    query: impl diesel::query_dsl::LoadQuery<'static, DbConnection, T>,
) -> Result<(), StoreError> {
    query.load::<T>(conn)?;
    Ok(())
}

impl Store {
    /// Selects one row through every row struct of the crate; an error names the first mismatch
    /// between the code and the database. Cheap enough to run at start-up.
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        self.read(|conn| {
            one::<EventRefRow>(
                conn,
                events::table.select(EventRefRow::as_select()).limit(1),
            )?;
            one::<AdminEventRow>(
                conn,
                events::table.select(AdminEventRow::as_select()).limit(1),
            )?;
            one::<PublicEventRow>(
                conn,
                events::table.select(PublicEventRow::as_select()).limit(1),
            )?;
            one::<LogRow>(conn, ingest_log::table.select(LogRow::as_select()).limit(1))?;
            one::<ClassRow>(conn, classes::table.select(ClassRow::as_select()).limit(1))?;
            one::<CategoryRow>(
                conn,
                categories::table.select(CategoryRow::as_select()).limit(1),
            )?;
            one::<ParticipantRow>(
                conn,
                participants::table
                    .select(ParticipantRow::as_select())
                    .limit(1),
            )?;
            one::<ParticipantNameRow>(
                conn,
                participants::table
                    .select(ParticipantNameRow::as_select())
                    .limit(1),
            )?;
            one::<ResultListRow>(
                conn,
                results::table.select(ResultListRow::as_select()).limit(1),
            )?;
            one::<RaceRow>(conn, races::table.select(RaceRow::as_select()).limit(1))?;
            one::<CourseRow>(conn, courses::table.select(CourseRow::as_select()).limit(1))?;
            one::<ResultRow>(conn, results::table.select(ResultRow::as_select()).limit(1))?;
            one::<LockedEvent>(
                conn,
                events::table.select(LockedEvent::as_select()).limit(1),
            )?;
            Ok(())
        })
        .await
    }
}
