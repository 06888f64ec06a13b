//! The Canoe123 XML export parser (c123-xml.md §1–§9).
//!
//! One streaming pass ([`walker`]) proves the document well-formed while a sink ([`collect`])
//! turns each record into a typed row as soon as it closes; a cheap second step ([`assemble`])
//! applies what needs the whole import (duplicate keys, resolution, gate types, time units).
//! Validation stages run in the spec's order: syntax, root, tables, required fields.

mod assemble;
mod chars;
mod collect;
mod error;
mod fields;
mod gate_slots;
mod model;
mod position;
mod units;
mod values;
mod walker;

pub use error::{FieldBound, MissingTable, Table, XmlImportError};
pub use model::{
    C123Export, CategoryRecord, ClassRecord, CourseRecord, EventMeta, ImportedCounts,
    ParticipantRecord, RaceRecord, TimeUnit, XmlResult,
};

use collect::Collector;
use error::MissingTable as Missing;
use position::{line_column, line_of};
use walker::FailureKind;

use crate::bounds::{echo, shorten};

/// Characters of a stage-1 reason: every value quick-xml quotes is already cut to 64
/// characters; this is the safety net for any wording that quotes the input otherwise.
const REASON_MAX_CHARS: usize = 256;

/// Parses and validates a complete Canoe123 XML export.
///
/// The text is already Unicode: a leading BOM and the declaration's `encoding` are ignored.
/// Errors are the first failing stage of §9, their `Display` is the exact API message.
pub fn parse_export(xml: &str) -> Result<C123Export, XmlImportError> {
    let text = xml.strip_prefix('\u{FEFF}').unwrap_or(xml);

    // Stage 1: the whole document must be well-formed before anything else is judged.
    let mut collector = Collector::new(text);
    let root = walker::walk(text, &mut collector).map_err(|failure| match failure.kind {
        FailureKind::Syntax(reason) => {
            let at = line_column(text, failure.offset);
            XmlImportError::Syntax {
                reason: single_line(&reason),
                line: at.line,
                column: at.column,
            }
        }
        FailureKind::TooManyAttributes(name) => XmlImportError::TooManyAttributes {
            name: echo(&name).into_owned(),
            line: line_of(text, failure.offset),
        },
        FailureKind::NameTooLong => XmlImportError::NameTooLong {
            line: line_of(text, failure.offset),
        },
    })?;

    // Stage 2: the root.
    if !root.is_c123 || !root.has_child {
        return Err(XmlImportError::NotC123);
    }

    // Stage 3: the tables every import needs.
    let mut collected = collector.finish();
    let counts = &collected.imported;
    let missing: Vec<Missing> = [
        (!collected.has_event, Missing::Event),
        (counts.classes == 0, Missing::Classes),
        (counts.participants == 0, Missing::Participants),
        (counts.races == 0, Missing::Races),
    ]
    .into_iter()
    .filter_map(|(fails, table)| fails.then_some(table))
    .collect();
    if !missing.is_empty() {
        return Err(XmlImportError::MissingTables(missing));
    }

    // Stage 4: the first record lacking a required field, in document order.
    if let Some(failure) = collected.failure.take() {
        return Err(failure);
    }

    Ok(assemble::assemble(collected))
}

/// The parser's reason on one line, so the message keeps its `… at line l, column c` shape even
/// when the reason quotes a name or text containing control characters.
fn single_line(reason: &str) -> String {
    shorten(reason, REASON_MAX_CHARS)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
