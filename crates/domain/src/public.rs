//! Public read models: the bodies of the spectator routes (contract §4.12–§4.16, §4.18) and the
//! `data` of the WebSocket `full` frame (§6.3), with exactly the documented keys.
//!
//! The event detail (§4.13) and the `full` data share their parts, built once by
//! [`EventDetail::new`], so the two bodies cannot drift apart. A race without class (Canoe123's
//! `<unassigned>` schedule row) is in neither (DV40); it stays stored and reachable through its
//! results and start list, whose `race` object says `"classId":null` (§9).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::race::RaceType;
use crate::results::{BestRunItem, ResultItem, StartlistItem};
use crate::status::EventStatus;

/// The public URL of an event's image (`/api/v1/events/<eventId>/image`).
///
/// Event ids match `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`, so they need no escaping in a path.
pub fn image_url(event_id: &str) -> String {
    format!("/api/v1/events/{event_id}/image")
}

/// An item of the public event list (contract §4.12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicEventItem {
    /// Public id.
    pub event_id: String,
    /// Admin title.
    pub main_title: String,
    /// Subtitle.
    pub sub_title: Option<String>,
    /// Venue.
    pub location: Option<String>,
    /// Display start date (admin text or `YYYY-MM-DD` from XML).
    pub start_date: Option<String>,
    /// Display end date.
    pub end_date: Option<String>,
    /// Discipline.
    pub discipline: Option<String>,
    /// Lifecycle state (never `draft` in this list).
    pub status: EventStatus,
    /// [`image_url`] when an image is stored.
    pub image_url: Option<String>,
}

/// The body of `GET /api/v1/events`: `{"events":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicEventList {
    /// Non-draft events, newest start date first.
    pub events: Vec<PublicEventItem>,
}

/// The `event` object of the detail (§4.13) and of the `full` data (§6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicEvent {
    /// Public id.
    pub event_id: String,
    /// Admin title.
    pub main_title: String,
    /// Subtitle.
    pub sub_title: Option<String>,
    /// Venue.
    pub location: Option<String>,
    /// Facility (course name).
    pub facility: Option<String>,
    /// Display start date.
    pub start_date: Option<String>,
    /// Display end date.
    pub end_date: Option<String>,
    /// Discipline.
    pub discipline: Option<String>,
    /// Lifecycle state; the server hides drafts.
    pub status: EventStatus,
    /// [`image_url`] when an image is stored.
    pub image_url: Option<String>,
}

/// A class with its categories (§4.13 `classes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassItem {
    /// Canoe123 `ClassId`.
    pub class_id: String,
    /// Short name.
    pub name: String,
    /// Long title.
    pub long_title: Option<String>,
    /// Categories in XML order.
    pub categories: Vec<CategoryItem>,
}

/// A category of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryItem {
    /// Canoe123 `CatId`.
    pub cat_id: String,
    /// Name.
    pub name: String,
    /// First year (passed through from the XML).
    pub first_year: Option<i32>,
    /// Last year.
    pub last_year: Option<i32>,
}

/// A race of the schedule (§4.13 `races`, §6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RaceItem {
    /// Canoe123 `RaceId`.
    pub race_id: String,
    /// Public class id. `None` for a race without class, which [`EventDetail::new`] does not
    /// list (DV40), so every listed race has one.
    pub class_id: Option<String>,
    /// Race type derived from `DisId`.
    pub race_type: RaceType,
    /// Schedule position.
    pub race_order: Option<i32>,
    /// Scheduled start, verbatim.
    pub start_time: Option<String>,
    /// Canoe123's opaque race status.
    pub race_status: i32,
}

/// An aggregated category (§4.18 item, §6.3 `categories`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategorySummary {
    /// Category id.
    pub cat_id: String,
    /// Name of its first occurrence.
    pub name: String,
    /// First year of its first occurrence.
    pub first_year: Option<i32>,
    /// Last year of its first occurrence.
    pub last_year: Option<i32>,
    /// The classes containing it, by class id.
    pub class_ids: Vec<String>,
}

/// The body of `GET /api/v1/events/:eventId/categories`: `{"categories":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryList {
    /// Aggregated categories by `catId`.
    pub categories: Vec<CategorySummary>,
}

/// The `data` of the WebSocket `full` frame (§6.3): no results, start lists or on-course data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FullData {
    /// The event.
    pub event: PublicEvent,
    /// Classes by class id.
    pub classes: Vec<ClassItem>,
    /// Races with a class by race order (nulls last), then race id (DV40).
    pub races: Vec<RaceItem>,
    /// Aggregated categories, as §4.18.
    pub categories: Vec<CategorySummary>,
}

/// The body of `GET /api/v1/events/:eventId` (§4.13): `{"event","classes","races"}`.
///
/// Holds the aggregated categories as well (not serialised), so one read yields both this body
/// and the `full` data ([`EventDetail::into_full_data`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventDetail {
    /// The event; the server answers 404 for a `draft`.
    pub event: PublicEvent,
    /// Classes by class id.
    pub classes: Vec<ClassItem>,
    /// Races with a class in schedule order; races without class are not listed (DV40).
    pub races: Vec<RaceItem>,
    /// Aggregated categories (for the `full` data; not part of this body).
    #[serde(skip)]
    pub categories: Vec<CategorySummary>,
}

impl EventDetail {
    /// Builds the detail from the stored parts. `classes` must be in the order the export lists
    /// them and each class's categories in XML order: the categories are aggregated in that
    /// order (first occurrence wins, contract §4.18), then the classes are sorted by class id.
    /// Races without class are dropped (DV40), the rest sorted by race order (nulls last) then
    /// race id (computations.md §5).
    pub fn new(event: PublicEvent, mut classes: Vec<ClassItem>, mut races: Vec<RaceItem>) -> Self {
        let categories = aggregate_categories(&classes);
        classes.sort_by(|a, b| a.class_id.cmp(&b.class_id));
        races.retain(|r| r.class_id.is_some());
        races.sort_by(|a, b| {
            (a.race_order.is_none(), a.race_order, &a.race_id).cmp(&(
                b.race_order.is_none(),
                b.race_order,
                &b.race_id,
            ))
        });
        Self {
            event,
            classes,
            races,
            categories,
        }
    }

    /// The `full` data of the same state (classless races keep `null`).
    pub fn into_full_data(self) -> FullData {
        FullData {
            event: self.event,
            classes: self.classes,
            races: self.races,
            categories: self.categories,
        }
    }
}

/// Every category of every class grouped by `catId` ascending (§4.18). `classes_in_xml_order`
/// must list the classes in the order the export lists them, each with its categories in XML
/// order: the first occurrence in that order supplies name and years (as c123-live-mini takes
/// them; the real export names `DM` "Dorost mladší" in its first class and "Dorostenci mladší"
/// in a later one), and `classIds` lists each containing class once, by class id.
pub fn aggregate_categories(classes_in_xml_order: &[ClassItem]) -> Vec<CategorySummary> {
    let mut groups: BTreeMap<&str, CategorySummary> = BTreeMap::new();
    for class in classes_in_xml_order {
        for category in &class.categories {
            groups
                .entry(category.cat_id.as_str())
                .or_insert_with(|| CategorySummary {
                    cat_id: category.cat_id.clone(),
                    name: category.name.clone(),
                    first_year: category.first_year,
                    last_year: category.last_year,
                    class_ids: Vec::new(),
                })
                .class_ids
                .push(class.class_id.clone());
        }
    }
    groups
        .into_values()
        .map(|mut group| {
            group.class_ids.sort();
            group.class_ids.dedup();
            group
        })
        .collect()
}

/// The `race` object of a results body (§4.15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultsRace {
    /// Requested race id.
    pub race_id: String,
    /// Public class id, `null` without class.
    pub class_id: Option<String>,
    /// Race type.
    pub race_type: RaceType,
    /// Canoe123's opaque race status.
    pub race_status: i32,
}

/// The items of a results body: single-run items, or the combined items of a best-run pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum RaceResultList {
    /// A race that is not best-run (computations.md §5).
    SingleRun(Vec<ResultItem>),
    /// A `best-run-1`/`best-run-2` race: the pair's combined list (computations.md §6).
    BestRun(Vec<BestRunItem>),
}

impl RaceResultList {
    /// Number of items.
    pub fn len(&self) -> usize {
        match self {
            Self::SingleRun(items) => items.len(),
            Self::BestRun(items) => items.len(),
        }
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The body of `GET /api/v1/events/:eventId/results/:raceId` (§4.15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaceResults {
    /// The requested race.
    pub race: ResultsRace,
    /// Its items in list order.
    pub results: RaceResultList,
}

/// The `race` object of a start-list body (§4.16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartlistRace {
    /// Requested race id.
    pub race_id: String,
    /// Public class id, `null` without class.
    pub class_id: Option<String>,
    /// Scheduled start, verbatim.
    pub start_time: Option<String>,
}

/// The body of `GET /api/v1/events/:eventId/startlist/:raceId` (§4.16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Startlist {
    /// The requested race.
    pub race: StartlistRace,
    /// One item per result row, by start order then bib.
    pub startlist: Vec<StartlistItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> PublicEvent {
        PublicEvent {
            event_id: "lodm-2024".to_owned(),
            main_title: "LODM 2024".to_owned(),
            sub_title: Some("Vodní slalom a sjezd".to_owned()),
            location: Some("České Budějovice".to_owned()),
            facility: Some("Areál Lídy Polesné".to_owned()),
            start_date: None,
            end_date: None,
            discipline: Some("Slalom".to_owned()),
            status: EventStatus::Running,
            image_url: None,
        }
    }

    fn class(id: &str, cats: &[(&str, &str)]) -> ClassItem {
        ClassItem {
            class_id: id.to_owned(),
            name: id.replace('-', " "),
            long_title: None,
            categories: cats
                .iter()
                .map(|(cat, name)| CategoryItem {
                    cat_id: (*cat).to_owned(),
                    name: (*name).to_owned(),
                    first_year: Some(2010),
                    last_year: Some(2013),
                })
                .collect(),
        }
    }

    fn race(id: &str, class_id: Option<&str>, order: Option<i32>) -> RaceItem {
        RaceItem {
            race_id: id.to_owned(),
            class_id: class_id.map(str::to_owned),
            race_type: RaceType::Seeding,
            race_order: order,
            start_time: None,
            race_status: 1,
        }
    }

    #[test]
    fn classless_races_are_listed_neither_in_rest_nor_in_full() {
        let detail = EventDetail::new(
            event(),
            vec![class("K1M-ZS", &[("ZS", "Základní školy")])],
            vec![
                race("<unassigned>", None, None),
                race("K1M-ZS_BR1_25", Some("K1M-ZS"), Some(1)),
                race("orphan", None, Some(0)),
            ],
        );
        let rest = serde_json::to_value(&detail).unwrap();
        assert_eq!(
            rest["races"],
            serde_json::json!([{"raceId":"K1M-ZS_BR1_25","classId":"K1M-ZS","raceType":"seeding","raceOrder":1,"startTime":null,"raceStatus":1}])
        );
        assert!(rest.get("categories").is_none());
        let full = serde_json::to_value(detail.into_full_data()).unwrap();
        assert_eq!(full["races"], rest["races"]);
    }

    #[test]
    fn orders_classes_races_and_categories() {
        // Classes as the export lists them: K1W-ZS first, so its "ZS" name is the one kept.
        let detail = EventDetail::new(
            event(),
            vec![
                class("K1W-ZS", &[("ZS", "Základní školy"), ("A", "Další")]),
                class("K1M-ZS", &[("ZS", "ZŠ later")]),
            ],
            vec![
                race("B", Some("K1W-ZS"), None),
                race("Z", Some("K1W-ZS"), Some(2)),
                race("A", Some("K1M-ZS"), None),
                race("Y", Some("K1M-ZS"), Some(1)),
            ],
        );
        let classes: Vec<&str> = detail.classes.iter().map(|c| c.class_id.as_str()).collect();
        assert_eq!(classes, ["K1M-ZS", "K1W-ZS"]);
        let races: Vec<&str> = detail.races.iter().map(|r| r.race_id.as_str()).collect();
        assert_eq!(races, ["Y", "Z", "A", "B"]);
        let cats = serde_json::to_string(&detail.categories).unwrap();
        assert_eq!(
            cats,
            r#"[{"catId":"A","name":"Další","firstYear":2010,"lastYear":2013,"classIds":["K1W-ZS"]},{"catId":"ZS","name":"Základní školy","firstYear":2010,"lastYear":2013,"classIds":["K1M-ZS","K1W-ZS"]}]"#
        );
    }

    #[test]
    fn the_first_occurrence_in_xml_order_names_a_category() {
        // The real export's `DM`: "Dorost mladší" in K1M_ST (first), "Dorostenci mladší" in
        // C1M_ST (later, but first by class id).
        let in_xml_order = [
            class("K1M_ST", &[("DM", "Dorost mladší")]),
            class("K1W_ST", &[("DM", "Dorostenky mladší")]),
            class(
                "C1M_ST",
                &[("DM", "Dorostenci mladší"), ("DM", "twice in a class")],
            ),
        ];
        let groups = aggregate_categories(&in_xml_order);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].name, "Dorost mladší");
        assert_eq!(groups[0].class_ids, ["C1M_ST", "K1M_ST", "K1W_ST"]);
    }

    #[test]
    fn event_detail_json_matches_contract_example() {
        let detail = EventDetail::new(
            event(),
            vec![ClassItem {
                class_id: "K1M-ZS".to_owned(),
                name: "K1M ZS".to_owned(),
                long_title: Some("K1 Muži - Základní školy".to_owned()),
                categories: vec![CategoryItem {
                    cat_id: "ZS".to_owned(),
                    name: "Základní školy".to_owned(),
                    first_year: Some(2010),
                    last_year: Some(2013),
                }],
            }],
            vec![RaceItem {
                race_id: "K1M-ZS_BR1_25".to_owned(),
                class_id: Some("K1M-ZS".to_owned()),
                race_type: RaceType::BestRun1,
                race_order: Some(10),
                start_time: Some("2024-06-25T13:30:00+02:00".to_owned()),
                race_status: 5,
            }],
        );
        assert_eq!(
            serde_json::to_string(&detail).unwrap(),
            r#"{"event":{"eventId":"lodm-2024","mainTitle":"LODM 2024","subTitle":"Vodní slalom a sjezd","location":"České Budějovice","facility":"Areál Lídy Polesné","startDate":null,"endDate":null,"discipline":"Slalom","status":"running","imageUrl":null},"classes":[{"classId":"K1M-ZS","name":"K1M ZS","longTitle":"K1 Muži - Základní školy","categories":[{"catId":"ZS","name":"Základní školy","firstYear":2010,"lastYear":2013}]}],"races":[{"raceId":"K1M-ZS_BR1_25","classId":"K1M-ZS","raceType":"best-run-1","raceOrder":10,"startTime":"2024-06-25T13:30:00+02:00","raceStatus":5}]}"#
        );
    }

    #[test]
    fn image_url_and_list_wrappers() {
        assert_eq!(image_url("lodm-2024"), "/api/v1/events/lodm-2024/image");
        let list = PublicEventList {
            events: vec![PublicEventItem {
                event_id: "lodm-2024".to_owned(),
                main_title: "LODM 2024".to_owned(),
                sub_title: None,
                location: None,
                start_date: None,
                end_date: None,
                discipline: None,
                status: EventStatus::Startlist,
                image_url: Some(image_url("lodm-2024")),
            }],
        };
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"{"events":[{"eventId":"lodm-2024","mainTitle":"LODM 2024","subTitle":null,"location":null,"startDate":null,"endDate":null,"discipline":null,"status":"startlist","imageUrl":"/api/v1/events/lodm-2024/image"}]}"#
        );
        assert_eq!(
            serde_json::to_string(&CategoryList { categories: vec![] }).unwrap(),
            r#"{"categories":[]}"#
        );
    }
}
