//! The fields each table reads (c123-xml.md §4) and the buffer their raw text is collected in.
//!
//! Field lookup is a `match` on the element's local name (compiled to a length switch), because
//! it runs for every element of the export; unknown fields are never captured.

use std::borrow::Cow;

use super::walker::Segment;
use crate::bounds::{XML_FIELD_MAX_CHARS, XML_GATES_FIELD_MAX_CHARS};

/// Declares the fields of one table: an enum and its lookup by element name.
macro_rules! field_set {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $element:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name {
            $($variant),+
        }

        impl $name {
            /// The field an element of this table's records stands for.
            pub(crate) fn from_element(element: &str) -> Option<Self> {
                match element {
                    $($element => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The slot of this field in a [`Fields`] buffer.
            pub(crate) const fn slot(self) -> usize {
                self as usize
            }

            /// The field's element name.
            pub(crate) const fn element(self) -> &'static str {
                match self {
                    $(Self::$variant => $element,)+
                }
            }

            /// The most characters this field's text may have (contract §1.8).
            pub(crate) const fn max_chars(self) -> usize {
                max_chars_of(self.element())
            }
        }
    };
}

field_set! {
    /// `Events` display fields.
    EventField {
        SubTitle = "SubTitle",
        Location = "Location",
        Facility = "Facility",
        StartDate = "StartDate",
        EndDate = "EndDate",
        CanoeDiscipline = "CanoeDiscipline",
    }
}

field_set! {
    /// `Classes` fields (categories are nested records, handled apart).
    ClassField {
        ClassId = "ClassId",
        Class = "Class",
        LongTitle = "LongTitle",
    }
}

field_set! {
    /// `Classes/Categories` fields.
    CategoryField {
        CatId = "CatId",
        Category = "Category",
        FirstYear = "FirstYear",
        LastYear = "LastYear",
    }
}

field_set! {
    /// `Participants` fields, in §4 order (the order required fields are reported in).
    ParticipantField {
        Id = "Id",
        ClassId = "ClassId",
        EventBib = "EventBib",
        IcfId = "ICFId",
        FamilyName = "FamilyName",
        GivenName = "GivenName",
        FamilyName2 = "FamilyName2",
        GivenName2 = "GivenName2",
        Noc = "NOC",
        Club = "Club",
        CatId = "CatId",
        IsTeam = "IsTeam",
        Member1 = "Member1",
        Member2 = "Member2",
        Member3 = "Member3",
    }
}

field_set! {
    /// `Schedule` fields.
    ScheduleField {
        RaceId = "RaceId",
        ClassId = "ClassId",
        DisId = "DisId",
        RaceOrder = "RaceOrder",
        StartTime = "StartTime",
        StartInterval = "StartInterval",
        CourseNr = "CourseNr",
        RaceStatus = "RaceStatus",
    }
}

field_set! {
    /// `CourseData` fields.
    CourseField {
        CourseNr = "CourseNr",
        CourseConfig = "CourseConfig",
    }
}

field_set! {
    /// `Results` fields.
    ResultField {
        RaceId = "RaceId",
        Id = "Id",
        StartOrder = "StartOrder",
        Bib = "Bib",
        StartTime = "StartTime",
        Status = "Status",
        DtStart = "dtStart",
        DtFinish = "dtFinish",
        Time = "Time",
        Pen = "Pen",
        Total = "Total",
        Gates = "Gates",
        Rnk = "Rnk",
        RnkOrder = "RnkOrder",
        CatRnk = "CatRnk",
        CatRnkOrder = "CatRnkOrder",
        TotalBehind = "TotalBehind",
        CatTotalBehind = "catTotalBehind",
        PrevTime = "PrevTime",
        PrevPen = "PrevPen",
        PrevTotal = "PrevTotal",
        PrevRnk = "PrevRnk",
        TotalTotal = "TotalTotal",
        BetterRunNr = "BetterRunNr",
        HeatNr = "HeatNr",
        RoundNr = "RoundNr",
        Qualified = "Qualified",
    }
}

/// The text bound of a read field (§1.8): gate fields 16 384 characters, every other 4 096.
const fn max_chars_of(element: &str) -> usize {
    match element.as_bytes() {
        b"Gates" | b"GateTimes" | b"GateConfig" => XML_GATES_FIELD_MAX_CHARS,
        _ => XML_FIELD_MAX_CHARS,
    }
}

/// Slots a record can have (the largest table, `Results`, has 27 fields).
const SLOTS: usize = 32;

/// The raw, untrimmed text of one record's fields, borrowed from the input when the text is a
/// single unescaped run (the common case), so collecting a field does not allocate.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    values: [Option<Cow<'a, str>>; SLOTS],
    /// Bit `i` set once slot `i` has been opened: a repeated field keeps its first occurrence.
    seen: u32,
}

impl Default for Fields<'_> {
    fn default() -> Self {
        Self {
            values: std::array::from_fn(|_| None),
            seen: 0,
        }
    }
}

impl<'a> Fields<'a> {
    /// Opens `slot` for text; `false` when the field was already seen in this record.
    pub(crate) fn begin(&mut self, slot: usize) -> bool {
        let Some(bit) = u32::try_from(slot).ok().and_then(|s| 1_u32.checked_shl(s)) else {
            return false;
        };
        let first = self.seen & bit == 0;
        self.seen |= bit;
        first
    }

    /// Appends character data to `slot`.
    pub(crate) fn push(&mut self, slot: usize, segment: Segment<'a>) {
        let Some(value) = self.values.get_mut(slot) else {
            return;
        };
        match (value.as_mut(), segment) {
            (None, Segment::Text(text)) => *value = Some(text),
            (None, Segment::Char(c)) => *value = Some(Cow::Owned(c.to_string())),
            (Some(existing), Segment::Text(text)) => existing.to_mut().push_str(&text),
            (Some(existing), Segment::Char(c)) => existing.to_mut().push(c),
        }
    }

    /// The raw text of `slot`; `None` when the field is absent or had no character data.
    pub(crate) fn get(&self, slot: usize) -> Option<&str> {
        self.values.get(slot)?.as_deref()
    }

    /// Empties the buffer for the next record.
    pub(crate) fn clear(&mut self) {
        if self.seen != 0 {
            self.values.iter_mut().for_each(|v| *v = None);
            self.seen = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_names_map_both_ways() {
        assert_eq!(
            ResultField::from_element("catTotalBehind"),
            Some(ResultField::CatTotalBehind)
        );
        assert_eq!(ResultField::from_element("CatTotalBehind"), None);
        assert_eq!(
            ParticipantField::from_element("ICFId"),
            Some(ParticipantField::IcfId)
        );
        assert_eq!(ResultField::Qualified.slot(), 26);
        assert_eq!(CourseField::from_element("GateTimes"), None);
        assert_eq!(ResultField::CatTotalBehind.element(), "catTotalBehind");
        assert_eq!(ResultField::Gates.max_chars(), 16_384);
        assert_eq!(ResultField::Status.max_chars(), 4096);
        assert_eq!(CourseField::CourseConfig.max_chars(), 4096);
    }

    #[test]
    fn first_occurrence_wins_and_segments_concatenate() {
        let mut fields = Fields::default();
        assert!(fields.begin(3));
        fields.push(3, Segment::Text(Cow::Borrowed("a")));
        fields.push(3, Segment::Char('&'));
        fields.push(3, Segment::Text(Cow::Borrowed("b")));
        assert!(!fields.begin(3));
        assert_eq!(fields.get(3), Some("a&b"));
        assert_eq!(fields.get(4), None);
        assert!(!fields.begin(SLOTS));
        fields.clear();
        assert_eq!(fields.get(3), None);
        assert!(fields.begin(3));
    }
}
