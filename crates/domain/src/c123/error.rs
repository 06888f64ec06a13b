//! Why an export is rejected, with the exact messages of c123-xml.md §9.
//!
//! The `Display` text is the `message` of the 400 answer, so it is part of the wire contract.

use std::fmt;

use crate::bounds::{MAX_EVENT_YEAR, MIN_EVENT_YEAR};

/// A table of the export named in validation messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// `Events`.
    Events,
    /// `Classes`.
    Classes,
    /// `Participants`.
    Participants,
    /// `Schedule`.
    Schedule,
    /// `CourseData`.
    CourseData,
    /// `Results`.
    Results,
}

impl Table {
    /// The element name of the table's records.
    pub const fn element(self) -> &'static str {
        match self {
            Self::Events => "Events",
            Self::Classes => "Classes",
            Self::Participants => "Participants",
            Self::Schedule => "Schedule",
            Self::CourseData => "CourseData",
            Self::Results => "Results",
        }
    }
}

/// A table the export must contain at least one record of (stage 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingTable {
    /// No `Events` record.
    Event,
    /// No `Classes` record.
    Classes,
    /// No `Participants` record.
    Participants,
    /// No `Schedule` record.
    Races,
}

impl MissingTable {
    /// The message part of this failure.
    pub const fn message(self) -> &'static str {
        match self {
            Self::Event => "Missing event data",
            Self::Classes => "No classes found",
            Self::Participants => "No participants found",
            Self::Races => "No races found in schedule",
        }
    }
}

/// Which bound of contract §1.8 (DV41) a record's field breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldBound {
    /// The field's text is longer than this many characters.
    TooLong(usize),
    /// More gates than this (`Gates` slots up to the last filled one, or course gates).
    TooManyGates(usize),
    /// An event date whose year lies outside 1900–2999.
    Year,
}

/// A rejected export; `Display` is the exact §9 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlImportError {
    /// Stage 1: not well-formed XML (including a DOCTYPE).
    Syntax {
        /// The parser's reason.
        reason: String,
        /// 1-based line where the error was detected.
        line: usize,
        /// 1-based column, counted in characters.
        column: usize,
    },
    /// Stage 2: the root is not `Canoe123Data` (in its namespace or none) or has no child.
    NotC123,
    /// Stage 3: required tables without records, in message order (never empty).
    MissingTables(Vec<MissingTable>),
    /// Stage 4: the first record, in document order, lacking a required field.
    MissingField {
        /// The record's table.
        table: Table,
        /// 1-based position among the records of that table.
        record: usize,
        /// Line of the record's start tag.
        line: usize,
        /// 1-based position of the category within its class, when a category lacks the field.
        category: Option<usize>,
        /// The missing element.
        element: &'static str,
    },
    /// Stage 4: a `CourseData` record whose `CourseNr` is not an int.
    BadCourseNr {
        /// 1-based position among the `CourseData` records.
        record: usize,
        /// Line of the record's start tag.
        line: usize,
        /// The trimmed `CourseNr` text, cut to 64 characters (§1.8).
        text: String,
    },
    /// More than 16 attributes on one element (§1.8), found while walking.
    TooManyAttributes {
        /// The element's name as written (at most 64 bytes: longer names fail first).
        name: String,
        /// Line of the element's start tag.
        line: usize,
    },
    /// An element or attribute name longer than 64 bytes (§1.8), found while walking.
    NameTooLong {
        /// Line of the tag.
        line: usize,
    },
    /// Stage 4: a field of a record breaks a bound of §1.8 (its length, its gates, its year).
    FieldBound {
        /// The record's table.
        table: Table,
        /// 1-based position among the records of that table.
        record: usize,
        /// Line of the record's start tag.
        line: usize,
        /// 1-based position of the category within its class, for a category's field.
        category: Option<usize>,
        /// The field's element.
        element: &'static str,
        /// Which bound.
        bound: FieldBound,
    },
}

impl fmt::Display for XmlImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax {
                reason,
                line,
                column,
            } => {
                write!(f, "Invalid XML: {reason} at line {line}, column {column}")
            }
            Self::NotC123 => f.write_str("Invalid C123 XML: missing Canoe123Data root element"),
            Self::MissingTables(missing) => {
                f.write_str("Invalid XML data: ")?;
                for (i, table) in missing.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(table.message())?;
                }
                Ok(())
            }
            Self::MissingField {
                table,
                record,
                line,
                category,
                element,
            } => {
                write!(
                    f,
                    "Invalid XML data: {} record {record} (line {line}) ",
                    table.element()
                )?;
                if let Some(k) = category {
                    write!(f, "category {k} ")?;
                }
                write!(f, "is missing {element}")
            }
            Self::BadCourseNr { record, line, text } => write!(
                f,
                "Invalid XML data: CourseData record {record} (line {line}) has a non-integer CourseNr '{text}'"
            ),
            Self::TooManyAttributes { name, line } => write!(
                f,
                "Invalid XML data: too many attributes on <{name}> (line {line})"
            ),
            Self::NameTooLong { line } => {
                write!(f, "Invalid XML data: name too long (line {line})")
            }
            Self::FieldBound {
                table,
                record,
                line,
                category,
                element,
                bound,
            } => {
                write!(
                    f,
                    "Invalid XML data: {} record {record} (line {line}) ",
                    table.element()
                )?;
                if let Some(k) = category {
                    write!(f, "category {k} ")?;
                }
                match bound {
                    FieldBound::TooLong(max) => {
                        write!(f, "{element} must NOT have more than {max} characters")
                    }
                    FieldBound::TooManyGates(max) => {
                        write!(f, "{element} must NOT have more than {max} gates")
                    }
                    FieldBound::Year => write!(
                        f,
                        "{element}: year must be between {MIN_EVENT_YEAR} and {MAX_EVENT_YEAR}"
                    ),
                }
            }
        }
    }
}

impl std::error::Error for XmlImportError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_exactly_the_spec_wording() {
        let syntax = XmlImportError::Syntax {
            reason: "boom".to_owned(),
            line: 3,
            column: 14,
        };
        assert_eq!(syntax.to_string(), "Invalid XML: boom at line 3, column 14");
        assert_eq!(
            XmlImportError::NotC123.to_string(),
            "Invalid C123 XML: missing Canoe123Data root element"
        );
        assert_eq!(
            XmlImportError::MissingTables(vec![
                MissingTable::Event,
                MissingTable::Classes,
                MissingTable::Participants,
                MissingTable::Races
            ])
            .to_string(),
            "Invalid XML data: Missing event data, No classes found, No participants found, No races found in schedule"
        );
        let missing = XmlImportError::MissingField {
            table: Table::Participants,
            record: 2,
            line: 7,
            category: None,
            element: "FamilyName",
        };
        assert_eq!(
            missing.to_string(),
            "Invalid XML data: Participants record 2 (line 7) is missing FamilyName"
        );
        let category = XmlImportError::MissingField {
            table: Table::Classes,
            record: 1,
            line: 4,
            category: Some(3),
            element: "CatId",
        };
        assert_eq!(
            category.to_string(),
            "Invalid XML data: Classes record 1 (line 4) category 3 is missing CatId"
        );
        let course = XmlImportError::BadCourseNr {
            record: 2,
            line: 9,
            text: "one".to_owned(),
        };
        assert_eq!(
            course.to_string(),
            "Invalid XML data: CourseData record 2 (line 9) has a non-integer CourseNr 'one'"
        );
        assert_eq!(
            XmlImportError::TooManyAttributes {
                name: "Canoe123Data".to_owned(),
                line: 2
            }
            .to_string(),
            "Invalid XML data: too many attributes on <Canoe123Data> (line 2)"
        );
        assert_eq!(
            XmlImportError::NameTooLong { line: 5 }.to_string(),
            "Invalid XML data: name too long (line 5)"
        );
        let bound = |table, category, element, bound| XmlImportError::FieldBound {
            table,
            record: 3,
            line: 40,
            category,
            element,
            bound,
        };
        assert_eq!(
            bound(Table::Results, None, "Gates", FieldBound::TooLong(16_384)).to_string(),
            "Invalid XML data: Results record 3 (line 40) Gates must NOT have more than 16384 characters"
        );
        assert_eq!(
            bound(Table::Classes, Some(2), "CatId", FieldBound::TooLong(4096)).to_string(),
            "Invalid XML data: Classes record 3 (line 40) category 2 CatId must NOT have more than 4096 characters"
        );
        assert_eq!(
            bound(Table::Results, None, "Gates", FieldBound::TooManyGates(64)).to_string(),
            "Invalid XML data: Results record 3 (line 40) Gates must NOT have more than 64 gates"
        );
        assert_eq!(
            bound(Table::Events, None, "EndDate", FieldBound::Year).to_string(),
            "Invalid XML data: Events record 3 (line 40) EndDate: year must be between 1900 and 2999"
        );
    }
}
