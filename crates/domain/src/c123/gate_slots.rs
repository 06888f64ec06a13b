//! Fixed-width `Gates` text (c123-xml.md §7, DV11).
//!
//! Canoe123 right-aligns one 3-character field per gate, so an empty slot in the middle is a
//! gate not yet passed. Splitting on whitespace would shift every later gate to a lower number;
//! the slots are therefore cut by character position from the raw, untrimmed text.

use crate::gates::{Gate, gate_type};

/// The penalties read from a `Gates` text, up to the last non-empty slot.
///
/// `None` when the text is absent, empty or whitespace only (the result's `gates` is null).
pub(crate) fn parse_slots(raw: Option<&str>) -> Option<Vec<Option<i32>>> {
    let raw = raw?;
    let mut slots = Vec::with_capacity(raw.len() / 3 + 1);
    let mut last_filled = 0;
    let mut chars = raw.char_indices().peekable();
    while let Some(&(start, _)) = chars.peek() {
        // Advance three characters (or to the end: a final shorter slot is taken as is).
        let end = chars.nth(2).map_or(raw.len(), |(i, c)| i + c.len_utf8());
        let slot = raw.get(start..end).unwrap_or("").trim();
        if slot.is_empty() {
            slots.push(None);
        } else {
            // Digits only (no sign); three characters always fit in an i32.
            let penalty = slot
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| slot.parse().ok())
                .flatten();
            slots.push(penalty);
            last_filled = slots.len();
        }
    }
    slots.truncate(last_filled);
    (last_filled > 0).then_some(slots)
}

/// The gates of a result: numbers `1 … max(N, L)` typed against the race's course, where `N` is
/// the course's gate count (0 without a course) and `L` the last non-empty slot.
pub(crate) fn type_gates(slots: &[Option<i32>], course_config: Option<&str>) -> Vec<Gate> {
    let course_gates = course_config.map_or(0, str::len);
    let count = course_gates.max(slots.len());
    (1..=count)
        .map_while(|n| {
            let number = i32::try_from(n).ok()?;
            Some(Gate {
                number,
                gate_type: gate_type(course_config, number),
                penalty: slots.get(n - 1).copied().flatten(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::GateType;

    #[test]
    fn slots_are_three_characters_wide() {
        assert_eq!(
            parse_slots(Some("  0  0  2 50")),
            Some(vec![Some(0), Some(0), Some(2), Some(50)])
        );
        assert_eq!(
            parse_slots(Some("  2      50")),
            Some(vec![Some(2), None, None, Some(50)])
        );
        assert_eq!(parse_slots(Some("300")), Some(vec![Some(300)]));
    }

    #[test]
    fn trailing_empty_slots_are_dropped_and_blank_text_is_null() {
        assert_eq!(
            parse_slots(Some("  0  2      ")),
            Some(vec![Some(0), Some(2)])
        );
        assert_eq!(parse_slots(Some(&" ".repeat(90))), None);
        assert_eq!(parse_slots(Some("")), None);
        assert_eq!(parse_slots(None), None);
    }

    #[test]
    fn a_final_short_slot_is_taken_as_is() {
        assert_eq!(parse_slots(Some("  0 2")), Some(vec![Some(0), Some(2)]));
        assert_eq!(parse_slots(Some("  05")), Some(vec![Some(0), Some(5)]));
    }

    #[test]
    fn anything_but_digits_is_a_null_penalty_that_still_counts_as_filled() {
        assert_eq!(parse_slots(Some(" -2")), Some(vec![None]));
        assert_eq!(parse_slots(Some("  x   ")), Some(vec![None]));
        // Characters, not bytes: `Ž` is one character of the first slot.
        assert_eq!(parse_slots(Some(" Ž  2")), Some(vec![None, Some(2)]));
    }

    #[test]
    fn gates_cover_the_course_and_every_filled_slot() {
        let gates = type_gates(&[Some(2), None, Some(50)], Some("NRNN"));
        assert_eq!(
            gates,
            [
                Gate {
                    number: 1,
                    gate_type: GateType::Normal,
                    penalty: Some(2)
                },
                Gate {
                    number: 2,
                    gate_type: GateType::Reverse,
                    penalty: None
                },
                Gate {
                    number: 3,
                    gate_type: GateType::Normal,
                    penalty: Some(50)
                },
                Gate {
                    number: 4,
                    gate_type: GateType::Normal,
                    penalty: None
                },
            ]
        );
        let beyond = type_gates(&[None, Some(0)], Some("R"));
        assert_eq!(beyond.len(), 2);
        assert_eq!(
            beyond[1],
            Gate {
                number: 2,
                gate_type: GateType::Unknown,
                penalty: Some(0)
            }
        );
        let no_course = type_gates(&[Some(0)], None);
        assert_eq!(
            no_course,
            [Gate {
                number: 1,
                gate_type: GateType::Unknown,
                penalty: Some(0)
            }]
        );
    }
}
