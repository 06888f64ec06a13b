//! Post-processing of the collected records: duplicate keys, resolution against this import,
//! gate types and time units (c123-xml.md §2, §4, §6, §7).
//!
//! Everything here needs the whole document (a result may precede its race, a race its
//! course), so it runs once after the streaming pass, over the small typed records only.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use super::collect::{Collected, PendingResult};
use super::gate_slots::type_gates;
use super::model::{C123Export, XmlResult};
use super::units::TimeUnit;

/// Keeps one record per key: the last one, at the position of the first one (§2).
pub(crate) fn dedup_last_wins<T, K, F>(items: Vec<T>, key: F) -> Vec<T>
where
    K: Hash + Eq,
    F: Fn(&T) -> K,
{
    let mut position: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match position.entry(key(&item)) {
            Entry::Occupied(first) => {
                if let Some(slot) = out.get_mut(*first.get()) {
                    *slot = item;
                }
            }
            Entry::Vacant(new) => {
                new.insert(out.len());
                out.push(item);
            }
        }
    }
    out
}

/// Builds the export from a collection that passed stages 3 and 4.
pub(crate) fn assemble(collected: Collected) -> C123Export {
    let Collected {
        event,
        classes,
        participants,
        races,
        courses,
        results,
        imported,
        units,
        ..
    } = collected;

    let classes = dedup_last_wins(classes, |c| c.class_id.clone());
    let class_ids: HashSet<&str> = classes.iter().map(|c| c.class_id.as_str()).collect();
    let mut participants = dedup_last_wins(participants, |p| p.participant_id.clone());
    for p in &mut participants {
        p.class_id = p
            .class_id
            .take()
            .filter(|id| class_ids.contains(id.as_str()));
    }
    let mut races = dedup_last_wins(races, |r| r.race_id.clone());
    for r in &mut races {
        r.class_id = r
            .class_id
            .take()
            .filter(|id| class_ids.contains(id.as_str()));
    }
    let courses = dedup_last_wins(courses, |c| c.course_nr);

    let time_unit = units.unit();
    let results = {
        let course_config: HashMap<i32, Option<&str>> = courses
            .iter()
            .map(|c| (c.course_nr, c.gate_config.as_deref()))
            .collect();
        // Race index → its course's configuration (`None`: no course in this import).
        let race_index: HashMap<&str, (usize, Option<&str>)> = races
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let config = r
                    .course_nr
                    .and_then(|nr| course_config.get(&nr).copied().flatten());
                (r.race_id.as_str(), (i, config))
            })
            .collect();
        let participant_index: HashMap<&str, usize> = participants
            .iter()
            .enumerate()
            .map(|(i, p)| (p.participant_id.as_str(), i))
            .collect();

        let resolved: Vec<((usize, usize), XmlResult)> = results
            .into_iter()
            .filter_map(|pending| {
                let (race, config) = *race_index.get(pending.result.race_id.as_str())?;
                let participant = *participant_index.get(pending.result.participant_id.as_str())?;
                Some((
                    (race, participant),
                    finish_result(pending, config, time_unit),
                ))
            })
            .collect();
        dedup_last_wins(resolved, |(key, _)| *key)
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    };

    C123Export {
        event,
        classes,
        participants,
        races,
        courses,
        results,
        imported,
        time_unit,
    }
}

/// Converts a resolved result to centiseconds and types its gates with the race's course.
fn finish_result(pending: PendingResult, course_config: Option<&str>, unit: TimeUnit) -> XmlResult {
    let PendingResult { mut result, slots } = pending;
    result.time = unit.time_to_centiseconds(result.time);
    result.total = unit.time_to_centiseconds(result.total);
    result.prev_time = unit.time_to_centiseconds(result.prev_time);
    result.prev_total = unit.time_to_centiseconds(result.prev_total);
    result.total_total = unit.time_to_centiseconds(result.total_total);
    result.pen = unit.pen_to_centiseconds(result.pen);
    result.prev_pen = unit.pen_to_centiseconds(result.prev_pen);
    result.gates = slots.map(|slots| type_gates(&slots, course_config));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_record_wins_at_the_first_position() {
        let items = vec![("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)];
        assert_eq!(
            dedup_last_wins(items, |(k, _)| *k),
            [("a", 3), ("b", 5), ("c", 4)]
        );
        assert_eq!(dedup_last_wins(Vec::<(u8, u8)>::new(), |(k, _)| *k), []);
    }
}
