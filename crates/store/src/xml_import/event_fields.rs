//! The event row: display fields (c123-xml.md §4 Events) and `has_xml_data`.

use diesel::prelude::*;
use live_domain::c123::EventMeta;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::events;

/// Overwrites the six display fields (absent = null: the XML is authoritative for them);
/// `main_title`, the key and its window are never touched (DV9).
pub(super) fn write(
    conn: &mut DbConnection,
    event_pk: i32,
    meta: &EventMeta,
) -> Result<(), StoreError> {
    let updated = diesel::update(events::table.find(event_pk))
        .set((
            events::sub_title.eq(meta.sub_title.as_deref()),
            events::location.eq(meta.location.as_deref()),
            events::facility.eq(meta.facility.as_deref()),
            events::start_date.eq(meta.start_date.as_deref()),
            events::end_date.eq(meta.end_date.as_deref()),
            events::discipline.eq(meta.discipline.as_deref()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::EventNotFound);
    }
    Ok(())
}

/// Records that the event has received an export (never reset).
pub(super) fn mark_has_xml_data(conn: &mut DbConnection, event_pk: i32) -> Result<(), StoreError> {
    diesel::update(events::table.find(event_pk))
        .set(events::has_xml_data.eq(true))
        .execute(conn)?;
    Ok(())
}
