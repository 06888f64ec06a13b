//! What an export parses into: one record type per table, keyed and resolved as c123-xml.md §4
//! describes, ready to be written in one transaction (§10).

use serde::Serialize;

use crate::gates::Gate;
use crate::race::RaceType;

pub use super::units::TimeUnit;

/// A parsed and validated Canoe123 export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C123Export {
    /// The display fields of the first `Events` record.
    pub event: EventMeta,
    /// `Classes`, deduplicated by `class_id` (last record wins, first position kept).
    pub classes: Vec<ClassRecord>,
    /// `Participants`, deduplicated by `participant_id`.
    pub participants: Vec<ParticipantRecord>,
    /// `Schedule` rows, deduplicated by `race_id`.
    pub races: Vec<RaceRecord>,
    /// `CourseData`, deduplicated by `course_nr`.
    pub courses: Vec<CourseRecord>,
    /// `Results` that resolve to a race and a participant of this import, deduplicated by
    /// (`race_id`, `participant_id`); times already in centiseconds.
    pub results: Vec<XmlResult>,
    /// Parsed records per table, duplicates and unresolved results included (the API answer).
    pub imported: ImportedCounts,
    /// The §6 decision the result times were converted with.
    pub time_unit: TimeUnit,
}

/// The event's display fields (§4 Events); absent elements are null because the XML is
/// authoritative for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventMeta {
    /// `SubTitle`.
    pub sub_title: Option<String>,
    /// `Location`.
    pub location: Option<String>,
    /// `Facility`.
    pub facility: Option<String>,
    /// Leading `YYYY-MM-DD` of `StartDate`.
    pub start_date: Option<String>,
    /// Leading `YYYY-MM-DD` of `EndDate`.
    pub end_date: Option<String>,
    /// `CanoeDiscipline`.
    pub discipline: Option<String>,
}

/// One class with its categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRecord {
    /// `ClassId` (required).
    pub class_id: String,
    /// `Class` (required).
    pub name: String,
    /// `LongTitle`.
    pub long_title: Option<String>,
    /// The nested `Categories`, in XML order; they replace the stored ones wholesale.
    pub categories: Vec<CategoryRecord>,
}

/// One age category of a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRecord {
    /// `CatId` (required).
    pub cat_id: String,
    /// `Category` (required).
    pub name: String,
    /// `FirstYear`, passed through (ages in the real export, birth years elsewhere).
    pub first_year: Option<i32>,
    /// `LastYear`, passed through.
    pub last_year: Option<i32>,
}

/// One participant (an athlete or crew entered in one class).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRecord {
    /// `Id` (required): opaque, the id every JSON push uses.
    pub participant_id: String,
    /// `ClassId` when it names a class of this import, else null.
    pub class_id: Option<String>,
    /// `EventBib`.
    pub event_bib: Option<i32>,
    /// `ICFId`.
    pub athlete_id: Option<String>,
    /// `FamilyName` (required).
    pub family_name: String,
    /// `GivenName`.
    pub given_name: Option<String>,
    /// `FamilyName2`: second paddler of a C2 crew.
    pub family_name2: Option<String>,
    /// `GivenName2`.
    pub given_name2: Option<String>,
    /// `NOC`.
    pub noc: Option<String>,
    /// `Club`.
    pub club: Option<String>,
    /// `CatId`.
    pub cat_id: Option<String>,
    /// `IsTeam`.
    pub is_team: bool,
    /// `Member1`.
    pub member1: Option<String>,
    /// `Member2`.
    pub member2: Option<String>,
    /// `Member3`.
    pub member3: Option<String>,
}

/// One race (a `Schedule` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaceRecord {
    /// `RaceId` (required), verbatim (`<unassigned>` is a normal race).
    pub race_id: String,
    /// `ClassId` when it names a class of this import, else null.
    pub class_id: Option<String>,
    /// `DisId`.
    pub dis_id: Option<String>,
    /// Derived from `DisId` (§5).
    pub race_type: RaceType,
    /// `RaceOrder`.
    pub race_order: Option<i32>,
    /// `StartTime`, verbatim.
    pub start_time: Option<String>,
    /// `StartInterval`.
    pub start_interval: Option<String>,
    /// `CourseNr`.
    pub course_nr: Option<i32>,
    /// `RaceStatus`, opaque; 1 when absent.
    pub race_status: i32,
}

/// One course (`CourseData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRecord {
    /// `CourseNr` (required, must be an int).
    pub course_nr: i32,
    /// `CourseConfig` with only `N`/`R` kept; null when nothing is left.
    pub gate_config: Option<String>,
    /// Length of `gate_config`; null when it is null.
    pub nr_gates: Option<i32>,
}

/// One result row (a `Results` record that resolved), times in centiseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlResult {
    /// `RaceId` of a race in this import.
    pub race_id: String,
    /// `Id` of a participant in this import.
    pub participant_id: String,
    /// `StartOrder`.
    pub start_order: Option<i32>,
    /// `Bib`.
    pub bib: Option<i32>,
    /// `StartTime` (time of day, `8:30:00`).
    pub start_time: Option<String>,
    /// `Status` per §8: `DNS`, `DNF`, `DSQ`, `CAP` or null.
    pub status: Option<&'static str>,
    /// `dtStart`, verbatim.
    pub dt_start: Option<String>,
    /// `dtFinish`, verbatim.
    pub dt_finish: Option<String>,
    /// `Time`, centiseconds.
    pub time: Option<i32>,
    /// `Pen`, centiseconds.
    pub pen: Option<i32>,
    /// `Total`, centiseconds.
    pub total: Option<i32>,
    /// `Gates` per §7, typed with the race's course in this import; null when empty.
    pub gates: Option<Vec<Gate>>,
    /// `Rnk`, as delivered.
    pub rnk: Option<i32>,
    /// `RnkOrder`.
    pub rnk_order: Option<i32>,
    /// `CatRnk`.
    pub cat_rnk: Option<i32>,
    /// `CatRnkOrder`.
    pub cat_rnk_order: Option<i32>,
    /// `TotalBehind`, as delivered.
    pub total_behind: Option<String>,
    /// `catTotalBehind`, as delivered.
    pub cat_total_behind: Option<String>,
    /// `PrevTime`, centiseconds.
    pub prev_time: Option<i32>,
    /// `PrevPen`, centiseconds.
    pub prev_pen: Option<i32>,
    /// `PrevTotal`, centiseconds.
    pub prev_total: Option<i32>,
    /// `PrevRnk`.
    pub prev_rnk: Option<i32>,
    /// `TotalTotal`, centiseconds.
    pub total_total: Option<i32>,
    /// `BetterRunNr`.
    pub better_run_nr: Option<i32>,
    /// `HeatNr`.
    pub heat_nr: Option<i32>,
    /// `RoundNr`.
    pub round_nr: Option<i32>,
    /// `Qualified`.
    pub qualified: Option<String>,
}

/// Parsed records per table, as the import answers them:
/// `{"participants":366,"classes":15,"races":45,"results":1422,"courses":4}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportedCounts {
    /// `Participants` records.
    pub participants: usize,
    /// `Classes` records (categories not counted).
    pub classes: usize,
    /// `Schedule` records.
    pub races: usize,
    /// `Results` records, skipped ones included.
    pub results: usize,
    /// `CourseData` records.
    pub courses: usize,
}

impl ImportedCounts {
    /// Sum of all counts: the `items` of the ingest log.
    pub fn total(&self) -> usize {
        self.participants + self.classes + self.races + self.results + self.courses
    }
}
