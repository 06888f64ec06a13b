//! The wire shapes of the contract as `OpenAPI` schemas.
//!
//! Answers list every key as required, nullable ones included: "every key listed for a response
//! shape is always present" (contract §0). Optional request keys are `required = false`.
//!
//! These types exist only to be described (they derive `ToSchema`, nothing builds them): the
//! request bodies are validated by hand in `live_domain::requests` (strict types, exact messages)
//! and the answers are serialised from `live_domain` types that must stay free of schema crates.
//! What keeps them honest is `tests/api/openapi.rs` (every example body and every fixture body
//! validates; every route is described) and `.ci/api-test.sh` (schemathesis checks every answer
//! of the running server against them).

use utoipa::ToSchema;

/// Every error answer (contract §1.3): `{"error","message"}`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"error":"Not found","message":"Resource not found"}))]
pub struct ErrorBody {
    /// The error code: `Invalid request`, `Unauthorized`, `Forbidden`, `NotFound`, `Not found`,
    /// `EventNotFound`, `Conflict`, `EventOfficial`, `Internal error`, `Request Timeout`,
    /// `InvalidTransition`, `ConnectionLimitReached`.
    pub error: String,
    /// Human-readable text; byte-exact per case (§1.3, §1.4).
    pub message: String,
}

/// A 400 of the status route (§4.5): the error body; a refused transition (`InvalidTransition`)
/// adds the lifecycle's view.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"error":"InvalidTransition","message":"Cannot transition from 'running' to 'startlist'. Valid transitions: finished, official","currentStatus":"running","requestedStatus":"startlist","validTransitions":["finished","official"]}))]
pub struct InvalidTransitionBody {
    /// `InvalidTransition`, or `Invalid request` for transport and validation errors.
    pub error: String,
    /// `Cannot transition from '<from>' to '<to>'. Valid transitions: <list or none>`.
    pub message: String,
    /// The stored status (only with `InvalidTransition`).
    #[schema(required = false)]
    pub current_status: Option<EventStatus>,
    /// The status asked for (only with `InvalidTransition`).
    #[schema(required = false)]
    pub requested_status: Option<EventStatus>,
    /// Statuses reachable from the current one (only with `InvalidTransition`).
    #[schema(required = false)]
    pub valid_transitions: Option<Vec<EventStatus>>,
}

/// A 503 of the WebSocket route: `ConnectionLimitReached` (§6.1) adds the cap; a busy database
/// is the plain error body.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"error":"ConnectionLimitReached","message":"Maximum number of concurrent connections reached for this event","maxConnections":10000}))]
pub struct ConnectionLimitBody {
    /// `ConnectionLimitReached`, or `Internal error` when the database is busy.
    pub error: String,
    /// Names the per-event or the global cap.
    pub message: String,
    /// The cap that was reached (only with `ConnectionLimitReached`).
    #[schema(required = false)]
    pub max_connections: Option<u64>,
}

/// An event's lifecycle state (§5).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum EventStatus {
    /// Created, not public.
    Draft,
    /// Start list published.
    Startlist,
    /// Race running: every feed accepted.
    Running,
    /// Race over: results still accepted.
    Finished,
    /// Terminal: results are official.
    Official,
}

/// The bytes of an image (§4.14).
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImageBytes(pub Vec<u8>);

/// `GET /health`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"status":"ok"}))]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// `POST /api/v1/admin/events` body (§4.2).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"mainTitle":"Jarní slalomy 2024","eventId":"jarni-replay","location":null,"discipline":"Slalom"}))]
pub struct CreateEventBody {
    /// Public id, unique; `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$` (an empty one is 400 `Missing required field: eventId`).
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    pub event_id: String,
    /// Display title; non-empty.
    pub main_title: String,
    /// Stored as given; later overwritten by XML.
    #[schema(required = false)]
    pub sub_title: Option<String>,
    /// Stored as given; later overwritten by XML.
    #[schema(required = false)]
    pub location: Option<String>,
    /// Stored as given; later overwritten by XML.
    #[schema(required = false)]
    pub facility: Option<String>,
    /// Stored as given; later overwritten by XML.
    #[schema(required = false)]
    pub discipline: Option<String>,
    /// `YYYY-MM-DD` or an RFC 3339 date-time, year 1900–2999; `""` = absent.
    #[schema(required = false)]
    pub start_date: Option<String>,
    /// Like `startDate`, not before it.
    #[schema(required = false)]
    pub end_date: Option<String>,
    /// `data:image/<subtype>;base64,<data>` or bare base64 (`image/png`); at most 1 048 576 characters.
    #[schema(required = false, max_length = 1_048_576)]
    pub image_data: Option<String>,
}

/// The key's validity window (§2.2): RFC 3339 UTC with milliseconds, or null (open).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct KeyValidity {
    /// `startDate` − 10 days.
    #[schema(required = true)]
    pub valid_from: Option<String>,
    /// `endDate` + 5 days.
    #[schema(required = true)]
    pub valid_until: Option<String>,
}

/// `201` of `POST /api/v1/admin/events`.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"id":1,"eventId":"lodm-2024","apiKey":"20617c805e30efa7cd20ccdacabdae0f7cfd48ebfc75b5b842cf6decb6fcb3ec","validity":{"validFrom":null,"validUntil":null}}))]
pub struct CreatedEvent {
    /// Internal row id (the only one ever exposed).
    pub id: i64,
    /// The event's public id.
    pub event_id: String,
    /// The event's API key: 64 lowercase hex characters.
    pub api_key: String,
    /// When the key is accepted.
    pub validity: KeyValidity,
}

/// One event of `GET /api/v1/admin/events`.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct AdminEventItem {
    /// Public id.
    pub event_id: String,
    /// Title.
    pub main_title: String,
    /// Subtitle.
    #[schema(required = true)]
    pub sub_title: Option<String>,
    /// Location.
    #[schema(required = true)]
    pub location: Option<String>,
    /// Stored start date text.
    #[schema(required = true)]
    pub start_date: Option<String>,
    /// Stored end date text.
    #[schema(required = true)]
    pub end_date: Option<String>,
    /// Discipline.
    #[schema(required = true)]
    pub discipline: Option<String>,
    /// Lifecycle state.
    pub status: EventStatus,
    /// The event's API key (key recovery).
    pub api_key: String,
    /// An XML export was imported.
    pub has_xml_data: bool,
    /// An image is stored.
    pub has_image: bool,
    /// `YYYY-MM-DD HH:MM:SS` (UTC).
    pub created_at: String,
}

/// `GET /api/v1/admin/events`: every event, drafts included, in creation order.
#[derive(Debug, ToSchema)]
pub struct AdminEventList {
    /// The events.
    pub events: Vec<AdminEventItem>,
}

/// `200` of `DELETE /api/v1/admin/events/{eventId}`.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"deleted":true,"eventId":"lodm-2024"}))]
pub struct Deleted {
    /// Always true.
    pub deleted: bool,
    /// The deleted event.
    pub event_id: String,
}

/// `PATCH …/status` body.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"status":"running"}))]
pub struct StatusBody {
    /// The requested state.
    pub status: EventStatus,
}

/// `200` of `PATCH …/status`.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"eventId":"lodm-2024","previousStatus":"startlist","status":"running","statusChangedAt":"2026-11-26T14:20:17.764Z"}))]
pub struct StatusChanged {
    /// The event.
    pub event_id: String,
    /// State before.
    pub previous_status: EventStatus,
    /// State now.
    pub status: EventStatus,
    /// RFC 3339 UTC with milliseconds.
    pub status_changed_at: String,
}

/// `displayMode`.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DisplayMode {
    /// Simple view.
    Simple,
    /// Detailed view.
    Detailed,
}

/// `mergeStrategy` (c123-xml.md §10.3).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum MergeStrategy {
    /// Live results win over XML (the default).
    Live,
    /// XML wins.
    Xml,
}

/// The stored config object (§4.6): only keys that were set; `{}` when none.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"activeRaceId":"K1M-ZS_BR1_25","showOnCourse":true}))]
pub struct EventConfig {
    /// Stored only.
    #[schema(required = false)]
    pub active_race_id: Option<String>,
    /// Stored only.
    #[schema(required = false)]
    pub display_mode: Option<DisplayMode>,
    /// Stored only.
    #[schema(required = false)]
    pub show_on_course: Option<bool>,
    /// Used by the XML import.
    #[schema(required = false)]
    pub merge_strategy: Option<MergeStrategy>,
}

/// `PATCH …/config` body (§4.7): all optional, `null` removes the key, any other key is 400.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
#[schema(example = json!({"mergeStrategy":"xml","showOnCourse":null}))]
pub struct ConfigPatch {
    /// Stored only.
    #[schema(required = false)]
    pub active_race_id: Option<String>,
    /// Stored only.
    #[schema(required = false)]
    pub display_mode: Option<DisplayMode>,
    /// Stored only.
    #[schema(required = false)]
    pub show_on_course: Option<bool>,
    /// Used by the XML import; absent = `live`.
    #[schema(required = false)]
    pub merge_strategy: Option<MergeStrategy>,
}

/// What an ingest-log row records.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum LogKind {
    /// `POST /api/v1/ingest/xml`.
    Xml,
    /// `POST /api/v1/ingest/oncourse`.
    JsonOncourse,
    /// `POST /api/v1/ingest/results`.
    JsonResults,
    /// `PATCH …/config`.
    Config,
    /// `PATCH …/status`.
    Status,
}

/// How a logged request ended.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum LogOutcome {
    /// 2xx.
    Success,
    /// A JSON feed before any XML.
    Ignored,
    /// Any non-2xx.
    Error,
}

/// One ingest-log row (§4.8).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct LogEntry {
    /// Row id.
    pub id: i64,
    /// What was called.
    #[schema(rename = "type")]
    pub kind: LogKind,
    /// How it ended.
    pub outcome: LogOutcome,
    /// Response status.
    pub http_status: i32,
    /// Request size.
    pub bytes: i64,
    /// Elements received.
    pub items: i64,
    /// Request start to response.
    pub duration_ms: i64,
    /// The response's message when `outcome` is `error`.
    #[schema(required = true)]
    pub error: Option<String>,
    /// RFC 3339 UTC with milliseconds.
    pub created_at: String,
}

/// `GET …/ingest-log`: newest first.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct IngestLog {
    /// The event.
    pub event_id: String,
    /// The rows.
    pub entries: Vec<LogEntry>,
}

/// `POST /api/v1/ingest/xml` body (§4.9).
#[derive(Debug, ToSchema)]
#[schema(example = json!({"xml":"<?xml version=\"1.0\"?><Canoe123Data>…</Canoe123Data>"}))]
pub struct XmlBody {
    /// The whole Canoe123 export (`""` is 400 `Missing required field: xml`).
    pub xml: String,
}

/// Parsed records per table.
#[derive(Debug, ToSchema)]
pub struct ImportedCounts {
    /// `Participants` records.
    pub participants: u64,
    /// `Classes` records.
    pub classes: u64,
    /// `Schedule` records.
    pub races: u64,
    /// `Results` records.
    pub results: u64,
    /// `CourseData` records.
    pub courses: u64,
}

/// `200` of `POST /api/v1/ingest/xml`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"imported":{"participants":366,"classes":15,"races":45,"results":1422,"courses":4}}))]
pub struct XmlImported {
    /// What the export held.
    pub imported: ImportedCounts,
}

/// One gate object of a results row.
#[derive(Debug, ToSchema)]
pub struct GateIngest {
    /// 1-based gate number.
    #[schema(minimum = 1, maximum = 2_147_483_647)]
    pub gate: i32,
    /// Split time; accepted and ignored.
    #[schema(required = false)]
    pub time: Option<i32>,
    /// Penalty in seconds.
    #[schema(required = false)]
    pub pen: Option<i32>,
}

/// One row of the results feed (§4.11); other keys are ignored.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ResultRowIngest {
    /// Race id; looked up, never created.
    #[schema(max_length = 256)]
    pub race_id: String,
    /// Participant id; looked up, never created.
    #[schema(max_length = 256)]
    pub participant_id: String,
    /// Start number.
    pub bib: i32,
    /// Run time, centiseconds.
    #[schema(required = false)]
    pub time: Option<i32>,
    /// Penalty, centiseconds.
    #[schema(required = false)]
    pub pen: Option<i32>,
    /// Time plus penalty, centiseconds.
    #[schema(required = false)]
    pub total: Option<i32>,
    /// Canoe123's rank.
    #[schema(required = false)]
    pub rnk: Option<i32>,
    /// `DNS`, `DNF`, `DSQ`, …
    #[schema(required = false, max_length = 256)]
    pub status: Option<String>,
    /// Gate penalties; `[]` keeps the stored gates.
    #[schema(required = false, max_items = 64)]
    pub gates: Option<Vec<GateIngest>>,
}

/// `POST /api/v1/ingest/results` body.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"results":[{"raceId":"K1M-ZS_BR2_25","participantId":"23128.K1M-ZS","bib":13,"time":7740,"pen":400,"total":8140,"rnk":1,"status":null,"gates":[{"gate":1,"time":null,"pen":0}]}]}))]
pub struct ResultsBody {
    /// The producer's whole table of the race; may be empty.
    pub results: Vec<ResultRowIngest>,
}

/// `200` of `POST /api/v1/ingest/results`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"updated":100}))]
pub struct ResultsUpdated {
    /// Rows whose race and participant were found.
    pub updated: u64,
    /// Present (true) when the event has no XML yet and nothing was stored.
    #[schema(required = false)]
    pub ignored: Option<bool>,
}

/// One on-course entry as the booth sends it (§4.10).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OncourseEntryIngest {
    /// Participant id.
    #[schema(max_length = 256)]
    pub participant_id: String,
    /// Race id.
    #[schema(max_length = 256)]
    pub race_id: String,
    /// Start number.
    pub bib: i32,
    /// Athlete name.
    #[schema(required = false, max_length = 256)]
    pub name: Option<String>,
    /// Club.
    #[schema(required = false, max_length = 256)]
    pub club: Option<String>,
    /// Position on course.
    #[schema(required = false)]
    pub position: Option<i32>,
    /// Gate penalties in seconds, one per gate.
    #[schema(required = false, max_items = 64)]
    pub gates: Option<Vec<Option<i32>>>,
    /// Start time as sent.
    #[schema(required = false, max_length = 256)]
    pub dt_start: Option<String>,
    /// Finish time as sent.
    #[schema(required = false, max_length = 256)]
    pub dt_finish: Option<String>,
    /// Run time, centiseconds.
    #[schema(required = false)]
    pub time: Option<i32>,
    /// Penalty, centiseconds.
    #[schema(required = false)]
    pub pen: Option<i32>,
    /// Total, centiseconds.
    #[schema(required = false)]
    pub total: Option<i32>,
    /// Rank.
    #[schema(required = false)]
    pub rank: Option<i32>,
    /// Behind the leader, as sent.
    #[schema(required = false, max_length = 256)]
    pub ttb_diff: Option<String>,
    /// The leader's name.
    #[schema(required = false, max_length = 256)]
    pub ttb_name: Option<String>,
}

/// `POST /api/v1/ingest/oncourse` body.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"oncourse":[{"participantId":"9069.K1M-ZS","raceId":"K1M-ZS_BR2_25","bib":8,"name":"KOLÁŘ Lukáš","club":"USK Pha","position":1,"gates":[0,0,2],"dtStart":"2024-06-25T16:00:01.100Z","dtFinish":null,"time":4520,"pen":200,"total":4720,"rank":1,"ttbDiff":"-1.20","ttbName":"REZEK Adam"}]}))]
pub struct OncourseBody {
    /// Riders on course; may be empty.
    pub oncourse: Vec<OncourseEntryIngest>,
}

/// `200` of `POST /api/v1/ingest/oncourse`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"active":2}))]
pub struct OncourseAccepted {
    /// Entries held for the event after this request.
    pub active: u64,
    /// Present (true) when the event has no XML yet and nothing was stored.
    #[schema(required = false)]
    pub ignored: Option<bool>,
}

/// A public event (§4.12 item).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PublicEventItem {
    /// Public id.
    pub event_id: String,
    /// Title.
    pub main_title: String,
    /// Subtitle.
    #[schema(required = true)]
    pub sub_title: Option<String>,
    /// Location.
    #[schema(required = true)]
    pub location: Option<String>,
    /// Stored start date text.
    #[schema(required = true)]
    pub start_date: Option<String>,
    /// Stored end date text.
    #[schema(required = true)]
    pub end_date: Option<String>,
    /// Discipline.
    #[schema(required = true)]
    pub discipline: Option<String>,
    /// Lifecycle state (never `draft`).
    pub status: EventStatus,
    /// `/api/v1/events/<eventId>/image` when an image is stored.
    #[schema(required = true)]
    pub image_url: Option<String>,
}

/// `GET /api/v1/events`.
#[derive(Debug, ToSchema)]
pub struct PublicEventList {
    /// Events that are not drafts.
    pub events: Vec<PublicEventItem>,
}

/// The event part of §4.13.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PublicEvent {
    /// Public id.
    pub event_id: String,
    /// Title.
    pub main_title: String,
    /// Subtitle.
    #[schema(required = true)]
    pub sub_title: Option<String>,
    /// Location.
    #[schema(required = true)]
    pub location: Option<String>,
    /// Facility.
    #[schema(required = true)]
    pub facility: Option<String>,
    /// Stored start date text.
    #[schema(required = true)]
    pub start_date: Option<String>,
    /// Stored end date text.
    #[schema(required = true)]
    pub end_date: Option<String>,
    /// Discipline.
    #[schema(required = true)]
    pub discipline: Option<String>,
    /// Lifecycle state.
    pub status: EventStatus,
    /// Image URL or null.
    #[schema(required = true)]
    pub image_url: Option<String>,
}

/// A category within a class.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct CategoryItem {
    /// Category id.
    pub cat_id: String,
    /// Name.
    pub name: String,
    /// First birth year.
    #[schema(required = true)]
    pub first_year: Option<i32>,
    /// Last birth year.
    #[schema(required = true)]
    pub last_year: Option<i32>,
}

/// A class (§4.13).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ClassItem {
    /// Class id.
    pub class_id: String,
    /// Name.
    pub name: String,
    /// Long title.
    #[schema(required = true)]
    pub long_title: Option<String>,
    /// Categories in XML order.
    pub categories: Vec<CategoryItem>,
}

/// A race (§4.13).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct RaceItem {
    /// Race id.
    pub race_id: String,
    /// Class id.
    #[schema(required = true)]
    pub class_id: Option<String>,
    /// `qualification`, `semifinal`, `final`, `best-run-1`, `best-run-2`, …
    pub race_type: String,
    /// Schedule order.
    #[schema(required = true)]
    pub race_order: Option<i32>,
    /// Schedule start.
    #[schema(required = true)]
    pub start_time: Option<String>,
    /// Opaque status number.
    pub race_status: i32,
}

/// `GET /api/v1/events/{eventId}`.
#[derive(Debug, ToSchema)]
pub struct EventDetail {
    /// The event.
    pub event: PublicEvent,
    /// Classes by `classId`.
    pub classes: Vec<ClassItem>,
    /// Races by `raceOrder`, then `raceId`.
    pub races: Vec<RaceItem>,
}

/// The race part of §4.15.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ResultsRace {
    /// Race id.
    pub race_id: String,
    /// Class id.
    #[schema(required = true)]
    pub class_id: Option<String>,
    /// Race type.
    pub race_type: String,
    /// Opaque status number.
    pub race_status: i32,
}

/// A gate of a public answer.
#[derive(Debug, ToSchema)]
pub struct PublicGate {
    /// 1-based number.
    pub number: i32,
    /// `normal`, `reverse`, …, from the course.
    #[schema(rename = "type")]
    #[schema(required = true)]
    pub kind: Option<String>,
    /// Seconds (`0`, `2`, `50`) or null.
    #[schema(required = true)]
    pub penalty: Option<i32>,
}

/// One result row (§4.15; computations.md §4–§6). `name` is always a string; the 14 keys up to
/// `status` are always present, best-run races add the `prev*` keys (always present there) and
/// `detailed=true` adds the detail keys.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ResultItem {
    /// Rank.
    #[schema(required = true)]
    pub rnk: Option<i32>,
    /// Start number.
    #[schema(required = true)]
    pub bib: Option<i32>,
    /// Athlete id.
    #[schema(required = true)]
    pub athlete_id: Option<String>,
    /// Athlete name.
    pub name: String,
    /// Club.
    #[schema(required = true)]
    pub club: Option<String>,
    /// Region.
    #[schema(required = true)]
    pub noc: Option<String>,
    /// Category.
    #[schema(required = true)]
    pub cat_id: Option<String>,
    /// Rank within the category.
    #[schema(required = true)]
    pub cat_rnk: Option<i32>,
    /// Centiseconds.
    #[schema(required = true)]
    pub time: Option<i32>,
    /// Centiseconds.
    #[schema(required = true)]
    pub pen: Option<i32>,
    /// Centiseconds.
    #[schema(required = true)]
    pub total: Option<i32>,
    /// Seconds behind, two decimals.
    #[schema(required = true)]
    pub total_behind: Option<String>,
    /// Seconds behind within the category.
    #[schema(required = true)]
    pub cat_total_behind: Option<String>,
    /// `DNS`, `DNF`, `DSQ`, …
    #[schema(required = true)]
    pub status: Option<String>,
    /// Best-run: the first run's status.
    #[schema(required = false)]
    pub prev_status: Option<String>,
    /// Best-run: the second run's status.
    #[schema(required = false)]
    pub curr_status: Option<String>,
    /// Best-run: which run counts (1 or 2).
    #[schema(required = false)]
    pub better_run_nr: Option<i32>,
    /// Best-run: the better total, centiseconds.
    #[schema(required = false)]
    pub total_total: Option<i32>,
    /// Best-run: the first run's time, centiseconds.
    #[schema(required = false)]
    pub prev_time: Option<i32>,
    /// Best-run: the first run's penalty, centiseconds.
    #[schema(required = false)]
    pub prev_pen: Option<i32>,
    /// Best-run: the first run's total, centiseconds.
    #[schema(required = false)]
    pub prev_total: Option<i32>,
    /// Best-run: the first run's rank.
    #[schema(required = false)]
    pub prev_rnk: Option<i32>,
    /// Detailed: start time of day.
    #[schema(required = false)]
    pub dt_start: Option<String>,
    /// Detailed: finish time of day.
    #[schema(required = false)]
    pub dt_finish: Option<String>,
    /// Detailed: the gates, or null.
    #[schema(required = false)]
    pub gates: Option<Vec<PublicGate>>,
    /// Detailed: gates of the race's course.
    #[schema(required = false)]
    pub course_gate_count: Option<i32>,
    /// Detailed best-run: the first run's start.
    #[schema(required = false)]
    pub prev_dt_start: Option<String>,
    /// Detailed best-run: the first run's finish.
    #[schema(required = false)]
    pub prev_dt_finish: Option<String>,
    /// Detailed best-run: the first run's gates, or null.
    #[schema(required = false)]
    pub prev_gates: Option<Vec<PublicGate>>,
}

/// `GET /api/v1/events/{eventId}/results/{raceId}`.
#[derive(Debug, ToSchema)]
pub struct RaceResults {
    /// The race.
    pub race: ResultsRace,
    /// The rows.
    pub results: Vec<ResultItem>,
}

/// The race part of §4.16.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct StartlistRace {
    /// Race id.
    pub race_id: String,
    /// Class id.
    #[schema(required = true)]
    pub class_id: Option<String>,
    /// Schedule start.
    #[schema(required = true)]
    pub start_time: Option<String>,
}

/// One start-list row.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct StartlistItem {
    /// Start order.
    #[schema(required = true)]
    pub start_order: Option<i32>,
    /// Start number.
    #[schema(required = true)]
    pub bib: Option<i32>,
    /// Athlete id.
    #[schema(required = true)]
    pub athlete_id: Option<String>,
    /// Athlete name.
    pub name: String,
    /// Club.
    #[schema(required = true)]
    pub club: Option<String>,
    /// Region.
    #[schema(required = true)]
    pub noc: Option<String>,
    /// Category.
    #[schema(required = true)]
    pub cat_id: Option<String>,
    /// Per-athlete start (time of day).
    #[schema(required = true)]
    pub start_time: Option<String>,
}

/// `GET /api/v1/events/{eventId}/startlist/{raceId}`.
#[derive(Debug, ToSchema)]
pub struct Startlist {
    /// The race.
    pub race: StartlistRace,
    /// The rows.
    pub startlist: Vec<StartlistItem>,
}

/// One rider on course (§4.17; identical to the WebSocket item).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OncourseItem {
    /// Race id.
    pub race_id: String,
    /// Start number.
    pub bib: i32,
    /// Athlete name.
    #[schema(required = true)]
    pub name: Option<String>,
    /// Club.
    #[schema(required = true)]
    pub club: Option<String>,
    /// Position on course.
    #[schema(required = true)]
    pub position: Option<i32>,
    /// Gates passed so far.
    pub gates: Vec<PublicGate>,
    /// Finished the run.
    pub completed: bool,
    /// Start time.
    #[schema(required = true)]
    pub dt_start: Option<String>,
    /// Finish time.
    #[schema(required = true)]
    pub dt_finish: Option<String>,
    /// Centiseconds.
    #[schema(required = true)]
    pub time: Option<i32>,
    /// Centiseconds.
    #[schema(required = true)]
    pub pen: Option<i32>,
    /// Centiseconds.
    #[schema(required = true)]
    pub total: Option<i32>,
    /// Rank.
    #[schema(required = true)]
    pub rank: Option<i32>,
    /// Behind the leader.
    #[schema(required = true)]
    pub ttb_diff: Option<String>,
    /// The leader's name.
    #[schema(required = true)]
    pub ttb_name: Option<String>,
}

/// `GET /api/v1/events/{eventId}/oncourse`.
#[derive(Debug, ToSchema)]
pub struct OncourseList {
    /// Riders seen within `ONCOURSE_TTL_MS`.
    pub oncourse: Vec<OncourseItem>,
}

/// One category of §4.18.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct CategorySummary {
    /// Category id.
    pub cat_id: String,
    /// Name (first occurrence).
    pub name: String,
    /// First birth year.
    #[schema(required = true)]
    pub first_year: Option<i32>,
    /// Last birth year.
    #[schema(required = true)]
    pub last_year: Option<i32>,
    /// Containing classes.
    pub class_ids: Vec<String>,
}

/// `GET /api/v1/events/{eventId}/categories`.
#[derive(Debug, ToSchema)]
pub struct CategoryList {
    /// By `catId`.
    pub categories: Vec<CategorySummary>,
}
