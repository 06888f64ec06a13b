//! The spectator page's read side: the same read services as the REST API (`public.rs`), put
//! together per view. No HTML here; `page/views.rs` renders what these return.

use live_domain::oncourse::OncourseItem;
use live_domain::public::{EventDetail, PublicEventItem, RaceItem, RaceResults, Startlist};
use live_domain::race::RaceType;

use crate::app::AppState;
use crate::error::ApiError;
use crate::services::public;

/// Which list of a race the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageView {
    /// The results (default).
    Results,
    /// The start list.
    Startlist,
    /// The event's schedule.
    Schedule,
}

impl PageView {
    /// From `?view=`; anything unknown is the results.
    pub(crate) fn parse(v: Option<&str>) -> Self {
        match v {
            Some("startlist") => Self::Startlist,
            Some("schedule") => Self::Schedule,
            _ => Self::Results,
        }
    }

    /// The `?view=` value (`None` for the default).
    pub(crate) fn param(self) -> Option<&'static str> {
        match self {
            Self::Results => None,
            Self::Startlist => Some("startlist"),
            Self::Schedule => Some("schedule"),
        }
    }
}

/// What a race page asks for.
#[derive(Debug, Clone)]
pub(crate) struct RaceQuery {
    /// The race, `None` on the event page (the page picks one).
    pub(crate) race_id: Option<String>,
    /// Which list.
    pub(crate) view: PageView,
    /// Category filter.
    pub(crate) cat: Option<String>,
    /// Name or bib search.
    pub(crate) q: Option<String>,
    /// Every row expanded (`?detail=1`).
    pub(crate) detail: bool,
}

/// Everything a race page shows.
#[derive(Debug)]
pub(crate) struct RacePage {
    /// The event with classes, races and categories.
    pub(crate) detail: EventDetail,
    /// The race shown (`None` when the event has no race yet).
    pub(crate) race: Option<RaceItem>,
    /// The query.
    pub(crate) query: RaceQuery,
    /// Detailed results (results view).
    pub(crate) results: Option<RaceResults>,
    /// The start list (start-list view).
    pub(crate) startlist: Option<Startlist>,
    /// Riders on course in the whole event.
    pub(crate) oncourse: Vec<OncourseItem>,
    /// `<epoch>:<seq>` the page's data is at least as new as (read before the data).
    pub(crate) since: Option<String>,
}

/// The public events (§4.12) for the events list.
pub(crate) async fn events(st: &AppState) -> Result<Vec<PublicEventItem>, ApiError> {
    public::events(st).await
}

/// A race page's data. `since` must have been read before this call.
pub(crate) async fn race_page(
    st: &AppState,
    event_id: &str,
    query: RaceQuery,
    since: Option<String>,
) -> Result<RacePage, ApiError> {
    let detail = public::detail(st, event_id).await?;
    let (_, oncourse) = public::oncourse(st, event_id).await?;
    let race = match &query.race_id {
        Some(id) => Some(
            detail
                .races
                .iter()
                .find(|r| &r.race_id == id && r.class_id.is_some())
                .cloned()
                .ok_or_else(|| ApiError::not_found("Race not found"))?,
        ),
        None => default_race(&detail, &oncourse).cloned(),
    };
    let (mut results, mut startlist) = (None, None);
    if let Some(race) = &race {
        match query.view {
            PageView::Results => {
                let (_, r) =
                    public::results(st, event_id, race.race_id.clone(), query.cat.clone(), true)
                        .await?;
                results = Some(r);
            }
            PageView::Startlist => {
                startlist = Some(
                    public::startlist(st, event_id, race.race_id.clone())
                        .await?
                        .1,
                );
            }
            PageView::Schedule => {}
        }
    }
    Ok(RacePage {
        detail,
        race,
        query,
        results,
        startlist,
        oncourse,
        since,
    })
}

/// The race an event page opens on: the race of the first rider on course, else the first race
/// of the schedule; for the first run of a best-run pair its second run when listed (the class
/// selector links it: both show the same combined list).
fn default_race<'a>(detail: &'a EventDetail, oncourse: &[OncourseItem]) -> Option<&'a RaceItem> {
    let listed = |id: &str| {
        detail
            .races
            .iter()
            .find(|r| r.race_id == id && r.class_id.is_some())
    };
    let race = oncourse
        .iter()
        .find_map(|o| listed(&o.race_id))
        .or_else(|| detail.races.iter().find(|r| r.class_id.is_some()))?;
    if race.race_type == RaceType::BestRun1
        && let Some(second) = listed(&race.race_id.replacen("_BR1_", "_BR2_", 1))
    {
        return Some(second);
    }
    Some(race)
}
