//! Event-level reads: the public event list, the event detail and `full` data, the aggregated
//! categories and the image.

use std::collections::HashMap;

use diesel::prelude::*;
use live_domain::EventStatus;
use live_domain::RaceType;
use live_domain::public::{
    CategoryItem, CategorySummary, ClassItem, EventDetail, FullData, PublicEvent, PublicEventItem,
    RaceItem, aggregate_categories, image_url,
};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::rows::{CategoryRow, ClassRow, PublicEventRow, RaceRow};
use crate::schema::{categories, classes, events, races};
use crate::store::Store;

/// The status text of a row as the domain type.
pub(crate) fn parse_status(s: &str) -> Result<EventStatus, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("events.status = '{s}'")))
}

fn public_event(row: PublicEventRow) -> Result<PublicEvent, StoreError> {
    Ok(PublicEvent {
        status: parse_status(&row.status)?,
        image_url: row.has_image.then(|| image_url(&row.event_id)),
        event_id: row.event_id,
        main_title: row.main_title,
        sub_title: row.sub_title,
        location: row.location,
        facility: row.facility,
        start_date: row.start_date,
        end_date: row.end_date,
        discipline: row.discipline,
    })
}

/// The classes of the event with their categories, in one query, in the order the last export
/// listed them: the import stores every category of the event in XML order (the category ids
/// follow it, c123-xml.md §4), so classes come by their first category's id (classes without a
/// category first, by id) and each class's categories by position.
fn load_classes(conn: &mut DbConnection, event_pk: i32) -> Result<Vec<ClassItem>, StoreError> {
    let rows: Vec<(ClassRow, Option<CategoryRow>)> = classes::table
        .left_join(categories::table)
        .filter(classes::event_id.eq(event_pk))
        // Classes without a category first (SQLite sorts NULL first, PostgreSQL last: spelled out).
        .order((
            categories::id.is_not_null().asc(),
            categories::id.asc(),
            classes::id.asc(),
        ))
        .select((ClassRow::as_select(), Option::<CategoryRow>::as_select()))
        .load(conn)?;
    let mut out: Vec<(ClassItem, Vec<(i32, CategoryItem)>)> = Vec::new();
    let mut index: HashMap<i32, usize> = HashMap::new();
    for (class, category) in rows {
        let at = *index.entry(class.id).or_insert_with(|| {
            out.push((
                ClassItem {
                    class_id: class.class_id,
                    name: class.name,
                    long_title: class.long_title,
                    categories: Vec::new(),
                },
                Vec::new(),
            ));
            out.len() - 1
        });
        if let (Some(category), Some((_, categories))) = (category, out.get_mut(at)) {
            categories.push((
                category.position,
                CategoryItem {
                    cat_id: category.cat_id,
                    name: category.name,
                    first_year: category.first_year,
                    last_year: category.last_year,
                },
            ));
        }
    }
    Ok(out
        .into_iter()
        .map(|(mut class, mut categories)| {
            // Stable: ids already give XML order; positions only guard rows of older imports.
            categories.sort_by_key(|(position, _)| *position);
            class.categories = categories.into_iter().map(|(_, c)| c).collect();
            class
        })
        .collect())
}

/// The races of the event with their public class id, in one query.
fn load_races(conn: &mut DbConnection, event_pk: i32) -> Result<Vec<RaceItem>, StoreError> {
    let rows: Vec<(RaceRow, Option<String>)> = races::table
        .left_join(classes::table)
        .filter(races::event_id.eq(event_pk))
        .select((RaceRow::as_select(), classes::class_id.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(race, class_id)| RaceItem {
            race_type: RaceType::from_stored(&race.race_type),
            race_id: race.race_id,
            class_id,
            race_order: race.race_order,
            start_time: race.start_time,
            race_status: race.race_status,
        })
        .collect())
}

/// The detail of the event with row `row`: three queries (event, classes, races); classes in
/// export order, as [`EventDetail::new`] aggregates the categories.
fn load_detail(conn: &mut DbConnection, row: PublicEventRow) -> Result<EventDetail, StoreError> {
    let pk = row.id;
    let event = public_event(row)?;
    let classes = load_classes(conn, pk)?;
    let races = load_races(conn, pk)?;
    Ok(EventDetail::new(event, classes, races))
}

/// The `full` data of event `event_pk`, `None` when it does not exist.
pub(crate) fn load_full(
    conn: &mut DbConnection,
    event_pk: i32,
) -> Result<Option<FullData>, StoreError> {
    let Some(row) = events::table
        .find(event_pk)
        .select(PublicEventRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(load_detail(conn, row)?.into_full_data()))
}

impl Store {
    /// Every event that is not `draft` (contract §4.12), by stored `start_date` text descending
    /// (byte-wise, nulls last), then creation.
    pub async fn public_events(&self) -> Result<Vec<PublicEventItem>, StoreError> {
        self.read(|conn| {
            let rows: Vec<PublicEventRow> = events::table
                .filter(events::status.ne(EventStatus::Draft.as_str()))
                .order(events::id.asc())
                .select(PublicEventRow::as_select())
                .load(conn)?;
            // A row that cannot be read back is left out rather than failing the list of every
            // other event (§1.8).
            let mut items: Vec<PublicEventItem> = rows
                .into_iter()
                .filter_map(|row| {
                    let e = public_event(row)
                        .inspect_err(|e| tracing::warn!(error = %e, "event left out of the list"))
                        .ok()?;
                    Some(PublicEventItem {
                        event_id: e.event_id,
                        main_title: e.main_title,
                        sub_title: e.sub_title,
                        location: e.location,
                        start_date: e.start_date,
                        end_date: e.end_date,
                        discipline: e.discipline,
                        status: e.status,
                        image_url: e.image_url,
                    })
                })
                .collect();
            // Stable sort: equal dates keep creation order.
            items.sort_by(|a, b| match (&a.start_date, &b.start_date) {
                (Some(x), Some(y)) => y.as_bytes().cmp(x.as_bytes()),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
            Ok(items)
        })
        .await
    }

    /// The detail of event `event_id` (contract §4.13) with its aggregated categories, so
    /// [`EventDetail::into_full_data`] gives the `full` data of the same state. `None` when the
    /// event does not exist; a `draft` is returned too (hiding it is the server's rule).
    pub async fn event_detail(
        &self,
        event_id: impl Into<String>,
    ) -> Result<Option<EventDetail>, StoreError> {
        let event_id = event_id.into();
        self.read(move |conn| {
            let Some(row) = events::table
                .filter(events::event_id.eq(&event_id))
                .select(PublicEventRow::as_select())
                .first(conn)
                .optional()?
            else {
                return Ok(None);
            };
            load_detail(conn, row).map(Some)
        })
        .await
    }

    /// The `full` data of event `event_pk` (contract §6.3), for rebuilding the cache after a status
    /// change; `None` when the event does not exist.
    pub async fn full_data(&self, event_pk: i32) -> Result<Option<FullData>, StoreError> {
        self.read(move |conn| load_full(conn, event_pk)).await
    }

    /// Every category of every class of event `event_pk`, aggregated by `catId` (contract §4.18);
    /// name and years of the first occurrence in export order.
    pub async fn categories(&self, event_pk: i32) -> Result<Vec<CategorySummary>, StoreError> {
        self.read(move |conn| Ok(aggregate_categories(&load_classes(conn, event_pk)?)))
            .await
    }

    /// The image of event `event_id` as `(content type, bytes, event status)`; `None` when the
    /// event does not exist or has no image. The status is returned because a `draft`'s image is
    /// 404 (DV30), which the server decides.
    pub async fn image(
        &self,
        event_id: impl Into<String>,
    ) -> Result<Option<(String, Vec<u8>, EventStatus)>, StoreError> {
        let event_id = event_id.into();
        self.read(move |conn| {
            let row: Option<(Option<Vec<u8>>, Option<String>, String)> = events::table
                .filter(events::event_id.eq(&event_id))
                .select((events::image, events::image_content_type, events::status))
                .first(conn)
                .optional()?;
            let Some((Some(bytes), content_type, status)) = row else {
                return Ok(None);
            };
            // Creation stores both or neither; bare base64 means PNG (contract §4.2).
            let content_type = content_type.unwrap_or_else(|| "image/png".to_owned());
            Ok(Some((content_type, bytes, parse_status(&status)?)))
        })
        .await
    }
}
