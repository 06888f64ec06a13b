//! Turns the element stream below the root into typed records, table by table, and finds the
//! first stage-4 failure in document order.
//!
//! Records are converted as soon as they close, so the raw text of a record is never kept
//! longer than the record itself; what depends on other tables (class resolution, result
//! resolution, gate types, time units) is left to the assembly step.

use super::error::{FieldBound, Table, XmlImportError};
use super::fields::{
    CategoryField, ClassField, CourseField, EventField, Fields, ParticipantField, ResultField,
    ScheduleField,
};
use super::gate_slots::parse_slots;
use super::model::{
    CategoryRecord, ClassRecord, CourseRecord, EventMeta, ImportedCounts, ParticipantRecord,
    RaceRecord, XmlResult,
};
use super::position::line_of;
use super::units::UnitDetector;
use super::values::{bool, date, int, status, text, trimmed};
use super::walker::{ElementSink, Segment};
use crate::bounds::{MAX_GATES, echo, event_year_in_range};
use crate::gates::normalise_course_config;
use crate::race::RaceType;

/// Levels below the root: records, their fields (and `Categories`), category fields.
const RECORD: usize = 1;
const FIELD: usize = 2;
const CATEGORY_FIELD: usize = 3;

/// The table a record element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordKind {
    Events,
    Classes,
    Participants,
    Schedule,
    CourseData,
    Results,
    /// `CompOfficials`, `GateStatistics`, later `Events` records and anything unknown.
    Ignored,
}

impl RecordKind {
    fn from_element(element: &str) -> Self {
        match element {
            "Events" => Self::Events,
            "Classes" => Self::Classes,
            "Participants" => Self::Participants,
            "Schedule" => Self::Schedule,
            "CourseData" => Self::CourseData,
            "Results" => Self::Results,
            _ => Self::Ignored,
        }
    }

    /// The slot, element name and text bound of a field element of this table, if the field is
    /// read at all.
    fn field(self, element: &str) -> Option<(usize, &'static str, usize)> {
        macro_rules! field {
            ($set:ident) => {
                $set::from_element(element).map(|f| (f.slot(), f.element(), f.max_chars()))
            };
        }
        match self {
            Self::Events => field!(EventField),
            Self::Classes => field!(ClassField),
            Self::Participants => field!(ParticipantField),
            Self::Schedule => field!(ScheduleField),
            Self::CourseData => field!(CourseField),
            Self::Results => field!(ResultField),
            Self::Ignored => None,
        }
    }

    /// The table named in messages (`None` for ignored records, whose fields are never read).
    const fn table(self) -> Option<Table> {
        match self {
            Self::Events => Some(Table::Events),
            Self::Classes => Some(Table::Classes),
            Self::Participants => Some(Table::Participants),
            Self::Schedule => Some(Table::Schedule),
            Self::CourseData => Some(Table::CourseData),
            Self::Results => Some(Table::Results),
            Self::Ignored => None,
        }
    }
}

/// The field element whose text is being collected.
#[derive(Debug, Clone, Copy)]
struct Capture {
    /// Level of the field element.
    level: usize,
    /// Slot in the record's (or category's) [`Fields`].
    slot: usize,
    /// Element name, for the message when the text is too long.
    element: &'static str,
    /// Characters the text may have (§1.8).
    max_chars: usize,
    /// Characters collected so far.
    chars: usize,
}

/// The record element currently open.
#[derive(Debug)]
struct OpenRecord {
    kind: RecordKind,
    /// Byte offset of the record's start tag.
    offset: usize,
    /// A record without child elements is ignored (`<Participants/>` = zero records).
    has_children: bool,
}

/// The `Categories` element currently open inside a class.
#[derive(Debug, Default)]
struct OpenCategory {
    has_children: bool,
}

/// Records per table so far, counting only records with child elements.
#[derive(Debug, Default)]
struct Counts {
    events: usize,
    classes: usize,
    participants: usize,
    races: usize,
    courses: usize,
    results: usize,
}

/// A `Results` record that names both a race and a participant, still in export units and
/// with untyped gate slots (both depend on the whole import).
#[derive(Debug)]
pub(crate) struct PendingResult {
    /// The result with `time`…`total_total` still in export units and `gates` unset.
    pub(crate) result: XmlResult,
    /// The §7 slots, `None` for a null `gates`.
    pub(crate) slots: Option<Vec<Option<i32>>>,
}

/// Everything collected from the document, in document order, duplicates included.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Whether an `Events` record with children exists (stage 3).
    pub(crate) has_event: bool,
    /// The first `Events` record.
    pub(crate) event: EventMeta,
    pub(crate) classes: Vec<ClassRecord>,
    pub(crate) participants: Vec<ParticipantRecord>,
    pub(crate) races: Vec<RaceRecord>,
    pub(crate) courses: Vec<CourseRecord>,
    pub(crate) results: Vec<PendingResult>,
    pub(crate) imported: ImportedCounts,
    pub(crate) units: UnitDetector,
    /// The first stage-4 failure in document order.
    pub(crate) failure: Option<XmlImportError>,
}

/// The [`ElementSink`] that builds [`Collected`].
#[derive(Debug)]
pub(crate) struct Collector<'a> {
    /// The walked text, for the line numbers of stage-4 messages.
    text: &'a str,
    record: Option<OpenRecord>,
    fields: Fields<'a>,
    category: Option<OpenCategory>,
    category_fields: Fields<'a>,
    /// Categories of the open class, and the first one lacking a required field.
    categories: Vec<CategoryRecord>,
    category_count: usize,
    category_failure: Option<(usize, &'static str)>,
    /// The field receiving text.
    capture: Option<Capture>,
    counts: Counts,
    out: Collected,
}

impl<'a> Collector<'a> {
    /// A collector for the document `text` (the same text the walker walks).
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            record: None,
            fields: Fields::default(),
            category: None,
            category_fields: Fields::default(),
            categories: Vec::new(),
            category_count: 0,
            category_failure: None,
            capture: None,
            counts: Counts::default(),
            out: Collected::default(),
        }
    }

    /// The collected records and counts.
    pub(crate) fn finish(mut self) -> Collected {
        let c = &self.counts;
        self.out.has_event = c.events > 0;
        self.out.imported = ImportedCounts {
            participants: c.participants,
            classes: c.classes,
            races: c.races,
            results: c.results,
            courses: c.courses,
        };
        self.out
    }

    /// Once a stage-4 failure is known the export is rejected: records are only counted.
    fn building(&self) -> bool {
        self.out.failure.is_none()
    }

    fn fail(&mut self, failure: XmlImportError) {
        if self.out.failure.is_none() {
            self.out.failure = Some(failure);
        }
    }

    fn missing(
        &self,
        table: Table,
        record: usize,
        offset: usize,
        element: &'static str,
    ) -> XmlImportError {
        XmlImportError::MissingField {
            table,
            record,
            line: line_of(self.text, offset),
            category: None,
            element,
        }
    }

    fn start_field(&mut self, local_name: &str) {
        let Some(record) = self.record.as_mut() else {
            return;
        };
        record.has_children = true;
        let kind = record.kind;
        if !self.building() {
            return;
        }
        if kind == RecordKind::Classes && local_name == "Categories" {
            self.category = Some(OpenCategory::default());
        } else if let Some((slot, element, max_chars)) = kind.field(local_name)
            && self.fields.begin(slot)
        {
            self.capture = Some(Capture {
                level: FIELD,
                slot,
                element,
                max_chars,
                chars: 0,
            });
        }
    }

    fn start_category_field(&mut self, local_name: &str) {
        let Some(category) = self.category.as_mut() else {
            return;
        };
        category.has_children = true;
        if let Some(field) = CategoryField::from_element(local_name)
            && self.category_fields.begin(field.slot())
        {
            self.capture = Some(Capture {
                level: CATEGORY_FIELD,
                slot: field.slot(),
                element: field.element(),
                max_chars: field.max_chars(),
                chars: 0,
            });
        }
    }

    /// The 1-based number the open record will have among the records of its table.
    fn open_record_number(&self, kind: RecordKind) -> usize {
        let c = &self.counts;
        1 + match kind {
            RecordKind::Events => c.events,
            RecordKind::Classes => c.classes,
            RecordKind::Participants => c.participants,
            RecordKind::Schedule => c.races,
            RecordKind::CourseData => c.courses,
            RecordKind::Results => c.results,
            RecordKind::Ignored => 0,
        }
    }

    /// A §1.8 failure of a field of the open record (or of its open category when `category`).
    fn bound_failure(
        &self,
        category: bool,
        element: &'static str,
        bound: FieldBound,
    ) -> Option<XmlImportError> {
        let record = self.record.as_ref()?;
        Some(XmlImportError::FieldBound {
            table: record.kind.table()?,
            record: self.open_record_number(record.kind),
            line: line_of(self.text, record.offset),
            category: category.then_some(self.category_count + 1),
            element,
            bound,
        })
    }

    /// Counts the characters of `segment` against the open capture's bound (looking at no more
    /// than the bound allows); over it, the record fails and nothing more is collected.
    fn within_bound(&mut self, segment: &Segment<'_>) -> bool {
        let Some(capture) = self.capture.as_mut() else {
            return false;
        };
        let left = capture.max_chars - capture.chars;
        let n = match segment {
            Segment::Text(text) => text.chars().take(left + 1).count(),
            Segment::Char(_) => 1,
        };
        if n <= left {
            capture.chars += n;
            return true;
        }
        let (category, element, max) = (
            capture.level == CATEGORY_FIELD,
            capture.element,
            capture.max_chars,
        );
        self.capture = None;
        if let Some(failure) = self.bound_failure(category, element, FieldBound::TooLong(max)) {
            self.fail(failure);
        }
        false
    }

    fn end_category(&mut self) {
        let Some(category) = self.category.take() else {
            return;
        };
        let fields = &self.category_fields;
        if category.has_children {
            self.category_count += 1;
            let get = |f: CategoryField| fields.get(f.slot());
            let cat_id = text(get(CategoryField::CatId));
            let name = text(get(CategoryField::Category));
            match (cat_id, name) {
                (Some(cat_id), Some(name)) => self.categories.push(CategoryRecord {
                    cat_id,
                    name,
                    first_year: int(get(CategoryField::FirstYear)),
                    last_year: int(get(CategoryField::LastYear)),
                }),
                (cat_id, _) => {
                    let element = if cat_id.is_none() {
                        "CatId"
                    } else {
                        "Category"
                    };
                    self.category_failure
                        .get_or_insert((self.category_count, element));
                }
            }
        }
        self.category_fields.clear();
    }

    fn end_record(&mut self) {
        let Some(record) = self.record.take() else {
            return;
        };
        if record.has_children {
            match record.kind {
                RecordKind::Events => self.end_event(record.offset),
                RecordKind::Classes => self.end_class(record.offset),
                RecordKind::Participants => self.end_participant(record.offset),
                RecordKind::Schedule => self.end_race(record.offset),
                RecordKind::CourseData => self.end_course(record.offset),
                RecordKind::Results => self.end_result(record.offset),
                RecordKind::Ignored => {}
            }
        }
        self.fields.clear();
        self.categories.clear();
        self.category_count = 0;
        self.category_failure = None;
    }

    fn end_event(&mut self, offset: usize) {
        self.counts.events += 1;
        if !self.building() {
            return;
        }
        let get = |f: EventField| self.fields.get(f.slot());
        let start_date = date(get(EventField::StartDate));
        let end_date = date(get(EventField::EndDate));
        // Event dates are bounded like the admin's (§1.8): a year outside 1900–2999 is refused.
        for (value, field) in [
            (&start_date, EventField::StartDate),
            (&end_date, EventField::EndDate),
        ] {
            if value.as_deref().is_some_and(|d| !event_year_in_range(d)) {
                let failure = XmlImportError::FieldBound {
                    table: Table::Events,
                    record: self.counts.events,
                    line: line_of(self.text, offset),
                    category: None,
                    element: field.element(),
                    bound: FieldBound::Year,
                };
                return self.fail(failure);
            }
        }
        self.out.event = EventMeta {
            sub_title: text(get(EventField::SubTitle)),
            location: text(get(EventField::Location)),
            facility: text(get(EventField::Facility)),
            start_date,
            end_date,
            discipline: text(get(EventField::CanoeDiscipline)),
        };
    }

    fn end_class(&mut self, offset: usize) {
        self.counts.classes += 1;
        if !self.building() {
            return;
        }
        let n = self.counts.classes;
        let get = |f: ClassField| self.fields.get(f.slot());
        let Some(class_id) = text(get(ClassField::ClassId)) else {
            return self.fail(self.missing(Table::Classes, n, offset, "ClassId"));
        };
        let Some(name) = text(get(ClassField::Class)) else {
            return self.fail(self.missing(Table::Classes, n, offset, "Class"));
        };
        if let Some((k, element)) = self.category_failure {
            return self.fail(XmlImportError::MissingField {
                table: Table::Classes,
                record: n,
                line: line_of(self.text, offset),
                category: Some(k),
                element,
            });
        }
        let long_title = text(get(ClassField::LongTitle));
        let categories = std::mem::take(&mut self.categories);
        self.out.classes.push(ClassRecord {
            class_id,
            name,
            long_title,
            categories,
        });
    }

    fn end_participant(&mut self, offset: usize) {
        self.counts.participants += 1;
        if !self.building() {
            return;
        }
        let n = self.counts.participants;
        let get = |f: ParticipantField| self.fields.get(f.slot());
        let Some(participant_id) = text(get(ParticipantField::Id)) else {
            return self.fail(self.missing(Table::Participants, n, offset, "Id"));
        };
        let Some(family_name) = text(get(ParticipantField::FamilyName)) else {
            return self.fail(self.missing(Table::Participants, n, offset, "FamilyName"));
        };
        let participant = ParticipantRecord {
            participant_id,
            class_id: text(get(ParticipantField::ClassId)),
            event_bib: int(get(ParticipantField::EventBib)),
            athlete_id: text(get(ParticipantField::IcfId)),
            family_name,
            given_name: text(get(ParticipantField::GivenName)),
            family_name2: text(get(ParticipantField::FamilyName2)),
            given_name2: text(get(ParticipantField::GivenName2)),
            noc: text(get(ParticipantField::Noc)),
            club: text(get(ParticipantField::Club)),
            cat_id: text(get(ParticipantField::CatId)),
            is_team: bool(get(ParticipantField::IsTeam)),
            member1: text(get(ParticipantField::Member1)),
            member2: text(get(ParticipantField::Member2)),
            member3: text(get(ParticipantField::Member3)),
        };
        self.out.participants.push(participant);
    }

    fn end_race(&mut self, offset: usize) {
        self.counts.races += 1;
        if !self.building() {
            return;
        }
        let n = self.counts.races;
        let get = |f: ScheduleField| self.fields.get(f.slot());
        let Some(race_id) = text(get(ScheduleField::RaceId)) else {
            return self.fail(self.missing(Table::Schedule, n, offset, "RaceId"));
        };
        let dis_id = text(get(ScheduleField::DisId));
        let race = RaceRecord {
            race_id,
            class_id: text(get(ScheduleField::ClassId)),
            race_type: RaceType::from_dis_id(dis_id.as_deref()),
            dis_id,
            race_order: int(get(ScheduleField::RaceOrder)),
            start_time: text(get(ScheduleField::StartTime)),
            start_interval: text(get(ScheduleField::StartInterval)),
            course_nr: int(get(ScheduleField::CourseNr)),
            race_status: int(get(ScheduleField::RaceStatus)).unwrap_or(1),
        };
        self.out.races.push(race);
    }

    fn end_course(&mut self, offset: usize) {
        self.counts.courses += 1;
        if !self.building() {
            return;
        }
        let n = self.counts.courses;
        let raw = self.fields.get(CourseField::CourseNr.slot());
        let Some(nr_text) = trimmed(raw) else {
            return self.fail(self.missing(Table::CourseData, n, offset, "CourseNr"));
        };
        let Some(course_nr) = int(raw) else {
            let failure = XmlImportError::BadCourseNr {
                record: n,
                line: line_of(self.text, offset),
                text: echo(nr_text).into_owned(),
            };
            return self.fail(failure);
        };
        let gate_config = trimmed(self.fields.get(CourseField::CourseConfig.slot()))
            .and_then(normalise_course_config);
        // Every row of a race on this course gets the course's gates: bounded like a row's (§1.8).
        if gate_config.as_ref().is_some_and(|c| c.len() > MAX_GATES) {
            let failure = XmlImportError::FieldBound {
                table: Table::CourseData,
                record: n,
                line: line_of(self.text, offset),
                category: None,
                element: CourseField::CourseConfig.element(),
                bound: FieldBound::TooManyGates(MAX_GATES),
            };
            return self.fail(failure);
        }
        let nr_gates = gate_config
            .as_deref()
            .and_then(|c| i32::try_from(c.len()).ok());
        self.out.courses.push(CourseRecord {
            course_nr,
            gate_config,
            nr_gates,
        });
    }

    fn end_result(&mut self, offset: usize) {
        self.counts.results += 1;
        if !self.building() {
            return;
        }
        let get = |f: ResultField| self.fields.get(f.slot());
        let time = int(get(ResultField::Time));
        let pen = int(get(ResultField::Pen));
        let total = int(get(ResultField::Total));
        // Every parsed record takes part in the unit decision, resolvable or not (§6).
        self.out.units.observe(time, pen, total);
        let (Some(race_id), Some(participant_id)) =
            (text(get(ResultField::RaceId)), text(get(ResultField::Id)))
        else {
            return;
        };
        let result = XmlResult {
            race_id,
            participant_id,
            start_order: int(get(ResultField::StartOrder)),
            bib: int(get(ResultField::Bib)),
            start_time: text(get(ResultField::StartTime)),
            status: status(get(ResultField::Status)),
            dt_start: text(get(ResultField::DtStart)),
            dt_finish: text(get(ResultField::DtFinish)),
            time,
            pen,
            total,
            gates: None,
            rnk: int(get(ResultField::Rnk)),
            rnk_order: int(get(ResultField::RnkOrder)),
            cat_rnk: int(get(ResultField::CatRnk)),
            cat_rnk_order: int(get(ResultField::CatRnkOrder)),
            total_behind: text(get(ResultField::TotalBehind)),
            cat_total_behind: text(get(ResultField::CatTotalBehind)),
            prev_time: int(get(ResultField::PrevTime)),
            prev_pen: int(get(ResultField::PrevPen)),
            prev_total: int(get(ResultField::PrevTotal)),
            prev_rnk: int(get(ResultField::PrevRnk)),
            total_total: int(get(ResultField::TotalTotal)),
            better_run_nr: int(get(ResultField::BetterRunNr)),
            heat_nr: int(get(ResultField::HeatNr)),
            round_nr: int(get(ResultField::RoundNr)),
            qualified: text(get(ResultField::Qualified)),
        };
        // Gates are read untrimmed: leading blanks are empty slots.
        let slots = parse_slots(get(ResultField::Gates));
        if slots.as_ref().is_some_and(|s| s.len() > MAX_GATES) {
            let failure = XmlImportError::FieldBound {
                table: Table::Results,
                record: self.counts.results,
                line: line_of(self.text, offset),
                category: None,
                element: ResultField::Gates.element(),
                bound: FieldBound::TooManyGates(MAX_GATES),
            };
            return self.fail(failure);
        }
        self.out.results.push(PendingResult { result, slots });
    }
}

impl<'a> ElementSink<'a> for Collector<'a> {
    fn start(&mut self, level: usize, local_name: &str, offset: usize) {
        match level {
            RECORD => {
                let mut kind = RecordKind::from_element(local_name);
                if kind == RecordKind::Events && self.counts.events > 0 {
                    // Only the first `Events` record counts; later ones are not even read.
                    kind = RecordKind::Ignored;
                }
                self.record = Some(OpenRecord {
                    kind,
                    offset,
                    has_children: false,
                });
            }
            FIELD => self.start_field(local_name),
            CATEGORY_FIELD => self.start_category_field(local_name),
            _ => {}
        }
    }

    fn end(&mut self, level: usize) {
        if self.capture.is_some_and(|c| c.level == level) {
            self.capture = None;
        }
        match level {
            RECORD => self.end_record(),
            FIELD if self.category.is_some() => self.end_category(),
            _ => {}
        }
    }

    fn wants_text(&self, level: usize) -> bool {
        self.capture.is_some_and(|c| c.level == level)
    }

    fn text(&mut self, segment: Segment<'a>) {
        if !self.within_bound(&segment) {
            return;
        }
        match self.capture {
            Some(Capture {
                level: CATEGORY_FIELD,
                slot,
                ..
            }) => self.category_fields.push(slot, segment),
            Some(Capture { slot, .. }) => self.fields.push(slot, segment),
            None => {}
        }
    }
}
