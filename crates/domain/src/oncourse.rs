//! The on-course board of one event: the riders currently on course, as the booth last reported
//! them (c123-xml.md §12.2, DV4).
//!
//! Memory only. Each accepted POST replaces the entries it names (key `raceId` + `bib`) and stamps
//! them; entries the booth stops sending linger until `ttl` after their last report, so a rider
//! who just finished stays visible for a moment. Time is passed in, so the board is pure and
//! testable without a clock.
//!
//! In cluster mode the board lives in the database between requests (any instance may receive
//! the next POST), so it also has a stored form: the entries with wall-clock report times, since
//! an `Instant` means nothing to another process ([`OncourseBoard::to_stored`]).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::gates::{Gate, gate_type};
use crate::requests::OncourseEntryIngest;

/// One rider on course as REST and WebSocket show it (contract §4.17); `participantId` is never
/// exposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OncourseItem {
    /// Race id.
    pub race_id: String,
    /// Start number.
    pub bib: i32,
    /// Display name.
    pub name: Option<String>,
    /// Club.
    pub club: Option<String>,
    /// Order on course.
    pub position: Option<i32>,
    /// Gates typed with the race's course; `[]` when none were sent.
    pub gates: Vec<Gate>,
    /// Whether the run has a finish time.
    pub completed: bool,
    /// Start time as sent.
    pub dt_start: Option<String>,
    /// Finish time as sent.
    pub dt_finish: Option<String>,
    /// Running time, centiseconds.
    pub time: Option<i32>,
    /// Penalty, centiseconds.
    pub pen: Option<i32>,
    /// Total, centiseconds.
    pub total: Option<i32>,
    /// Current rank.
    pub rank: Option<i32>,
    /// Difference to the leader as sent.
    pub ttb_diff: Option<String>,
    /// Leader's name as sent.
    pub ttb_name: Option<String>,
}

#[derive(Debug, Clone)]
struct Held {
    entry: OncourseEntryIngest,
    last_seen: Instant,
}

/// The riders on course of one event.
#[derive(Debug, Clone, Default)]
pub struct OncourseBoard {
    entries: BTreeMap<(String, i32), Held>,
}

/// One stored entry: the entry and when it was last reported, in Unix milliseconds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredHeld {
    entry: OncourseEntryIngest,
    seen_ms: i64,
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

impl OncourseBoard {
    /// Stores the entries of one accepted POST at `now`, skipping those with an empty `raceId`
    /// or `participantId`, then drops what has expired. Returns the number of entries held.
    pub fn apply(
        &mut self,
        entries: Vec<OncourseEntryIngest>,
        now: Instant,
        ttl: Duration,
    ) -> usize {
        for mut entry in entries {
            if entry.race_id.is_empty() || entry.participant_id.is_empty() {
                continue;
            }
            entry.dt_start = blank_to_none(entry.dt_start.take());
            entry.dt_finish = blank_to_none(entry.dt_finish.take());
            let key = (entry.race_id.clone(), entry.bib);
            self.entries.insert(
                key,
                Held {
                    entry,
                    last_seen: now,
                },
            );
        }
        self.expire(now, ttl);
        self.entries.len()
    }

    /// Drops every entry with `now − last_seen ≥ ttl`; true when something was dropped.
    pub fn expire(&mut self, now: Instant, ttl: Duration) -> bool {
        let before = self.entries.len();
        self.entries
            .retain(|_, h| now.saturating_duration_since(h.last_seen) < ttl);
        self.entries.len() != before
    }

    /// When the earliest entry expires, if any (the event's expiry timer is armed for it).
    pub fn next_expiry(&self, ttl: Duration) -> Option<Instant> {
        self.entries.values().map(|h| h.last_seen + ttl).min()
    }

    /// The stored form (cluster mode): JSON with each entry's last report as Unix milliseconds,
    /// converted from `Instant` with the pair (`now`, `now_ms`) read together.
    pub fn to_stored(&self, now: Instant, now_ms: i64) -> Result<String, serde_json::Error> {
        let held: Vec<StoredHeld> = self
            .entries
            .values()
            .map(|h| StoredHeld {
                entry: h.entry.clone(),
                seen_ms: now_ms.saturating_sub(
                    i64::try_from(now.saturating_duration_since(h.last_seen).as_millis())
                        .unwrap_or(i64::MAX),
                ),
            })
            .collect();
        serde_json::to_string(&held)
    }

    /// The board from its stored form. A report time in this process's future (another
    /// machine's clock ahead of ours) counts as `now`; one older than this process's clock can
    /// express is long expired and left out.
    pub fn from_stored(json: &str, now: Instant, now_ms: i64) -> Result<Self, serde_json::Error> {
        let held: Vec<StoredHeld> = serde_json::from_str(json)?;
        let mut board = Self::default();
        for h in held {
            let age = Duration::from_millis(u64::try_from(now_ms - h.seen_ms).unwrap_or(0));
            let Some(last_seen) = now.checked_sub(age) else {
                continue;
            };
            board.entries.insert(
                (h.entry.race_id.clone(), h.entry.bib),
                Held {
                    entry: h.entry,
                    last_seen,
                },
            );
        }
        Ok(board)
    }

    /// When the earliest entry expires, in Unix milliseconds (see [`OncourseBoard::next_expiry`]).
    pub fn next_expiry_ms(&self, ttl: Duration, now: Instant, now_ms: i64) -> Option<i64> {
        self.next_expiry(ttl).map(|due| {
            let ahead =
                i64::try_from(due.saturating_duration_since(now).as_millis()).unwrap_or(i64::MAX);
            now_ms.saturating_add(ahead)
        })
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of entries held (expired ones included until the next `expire`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries still alive at `now`, ordered by `position` (nulls last), `raceId`, `bib`,
    /// with gate types from `courses` (race id → normalised course configuration).
    pub fn snapshot(
        &self,
        now: Instant,
        ttl: Duration,
        courses: &HashMap<String, Option<String>>,
    ) -> Vec<OncourseItem> {
        let mut items: Vec<OncourseItem> = self
            .entries
            .values()
            .filter(|h| now.saturating_duration_since(h.last_seen) < ttl)
            .map(|h| {
                item(
                    &h.entry,
                    courses.get(&h.entry.race_id).and_then(Option::as_deref),
                )
            })
            .collect();
        items.sort_by(|a, b| {
            (a.position.is_none(), a.position, &a.race_id, a.bib).cmp(&(
                b.position.is_none(),
                b.position,
                &b.race_id,
                b.bib,
            ))
        });
        items
    }
}

fn item(e: &OncourseEntryIngest, course: Option<&str>) -> OncourseItem {
    let gates = e
        .gates
        .iter()
        .flatten()
        .zip(1..)
        .map(|(penalty, number)| Gate {
            number,
            gate_type: gate_type(course, number),
            penalty: *penalty,
        })
        .collect();
    OncourseItem {
        race_id: e.race_id.clone(),
        bib: e.bib,
        name: e.name.clone(),
        club: e.club.clone(),
        position: e.position,
        gates,
        completed: e.dt_finish.is_some(),
        dt_start: e.dt_start.clone(),
        dt_finish: e.dt_finish.clone(),
        time: e.time,
        pen: e.pen,
        total: e.total,
        rank: e.rank,
        ttb_diff: e.ttb_diff.clone(),
        ttb_name: e.ttb_name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::OncourseIngest;

    fn fixture(name: &str) -> OncourseIngest {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/sample-ingest-oncourse.json"
        ))
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        OncourseIngest::parse(&v[name]).unwrap()
    }

    #[test]
    fn stored_form_keeps_entries_and_their_age() {
        let t0 = Instant::now();
        let ttl = Duration::from_secs(10);
        let mut board = OncourseBoard::default();
        board.apply(vec![entry("R1", 1, Some(1))], t0, ttl);
        board.apply(
            vec![entry("R1", 2, Some(2))],
            t0 + Duration::from_secs(4),
            ttl,
        );
        let now = t0 + Duration::from_secs(5);
        let stored = board.to_stored(now, 1_000_000).unwrap();
        // Another process reads it 1 s later by the wall clock.
        let later = Instant::now() + Duration::from_secs(6);
        let back = OncourseBoard::from_stored(&stored, later, 1_001_000).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(
            back.snapshot(later, ttl, &HashMap::new()),
            board.snapshot(now + Duration::from_secs(1), ttl, &HashMap::new())
        );
        // The first entry was reported 6 s before `later`: it expires 4 s after it.
        assert_eq!(back.next_expiry_ms(ttl, later, 1_001_000), Some(1_005_000));
        let future = OncourseBoard::from_stored(&stored, later, 990_000).unwrap();
        assert_eq!(future.len(), 2, "a clock behind ours keeps the entries");
    }

    fn entry(race: &str, bib: i32, position: Option<i32>) -> OncourseEntryIngest {
        OncourseEntryIngest {
            participant_id: format!("p{bib}"),
            race_id: race.to_owned(),
            bib,
            name: None,
            club: None,
            position,
            gates: None,
            dt_start: Some(String::new()),
            dt_finish: None,
            time: None,
            pen: None,
            total: None,
            rank: None,
            ttb_diff: None,
            ttb_name: None,
        }
    }

    const TTL: Duration = Duration::from_secs(10);

    #[test]
    fn c123_server_shape_gives_two_riders_with_course_gate_types() {
        let t0 = Instant::now();
        let mut board = OncourseBoard::default();
        assert_eq!(
            board.apply(fixture("c123_server_shape").oncourse, t0, TTL),
            2
        );
        let courses = HashMap::from([(
            "K1M-ZS_BR2_25".to_owned(),
            Some("NNRNNRNRNNNRNNRNRNNRNNRN".to_owned()),
        )]);
        let snap = board.snapshot(t0, TTL, &courses);
        assert_eq!(snap.len(), 2);
        assert_eq!(snap[0].bib, 8);
        assert!(snap[0].completed);
        assert!(!snap[1].completed);
        assert_eq!(
            snap[0].gates[2],
            Gate {
                number: 3,
                gate_type: crate::GateType::Reverse,
                penalty: Some(2)
            }
        );
        let json = serde_json::to_value(&snap[1]).unwrap();
        assert_eq!(json["dtFinish"], serde_json::Value::Null);
        assert!(json.get("participantId").is_none());
        // Unknown race: gates typed unknown.
        let snap = board.snapshot(t0, TTL, &HashMap::new());
        assert!(
            snap[0]
                .gates
                .iter()
                .all(|g| g.gate_type == crate::GateType::Unknown)
        );
    }

    #[test]
    fn entries_linger_until_ttl_then_expire() {
        let t0 = Instant::now();
        let mut board = OncourseBoard::default();
        board.apply(
            vec![entry("R", 1, Some(1)), entry("R", 2, Some(2))],
            t0,
            TTL,
        );
        let t1 = t0 + Duration::from_secs(4);
        assert_eq!(board.apply(vec![entry("R", 2, Some(1))], t1, TTL), 2);
        assert_eq!(board.next_expiry(TTL), Some(t0 + TTL));
        let courses = HashMap::new();
        // Reads never return expired entries, even before `expire` ran.
        let late = t0 + TTL;
        assert_eq!(board.snapshot(late, TTL, &courses).len(), 1);
        assert!(board.expire(late, TTL));
        assert!(!board.expire(late, TTL));
        assert_eq!(board.len(), 1);
        assert_eq!(board.next_expiry(TTL), Some(t1 + TTL));
        assert!(board.expire(t1 + TTL, TTL));
        assert!(board.is_empty());
        assert_eq!(board.next_expiry(TTL), None);
    }

    #[test]
    fn order_is_position_nulls_last_then_race_then_bib_and_blanks_are_skipped() {
        let t0 = Instant::now();
        let mut board = OncourseBoard::default();
        let mut no_pid = entry("R", 9, Some(1));
        no_pid.participant_id = String::new();
        let n = board.apply(
            vec![
                entry("B", 3, None),
                entry("A", 5, None),
                entry("B", 1, Some(2)),
                entry("", 4, Some(1)),
                no_pid,
            ],
            t0,
            TTL,
        );
        assert_eq!(n, 3);
        let order: Vec<(String, i32)> = board
            .snapshot(t0, TTL, &HashMap::new())
            .into_iter()
            .map(|i| (i.race_id, i.bib))
            .collect();
        assert_eq!(
            order,
            [
                ("B".to_owned(), 1),
                ("A".to_owned(), 5),
                ("B".to_owned(), 3)
            ]
        );
        // "" dtStart became null.
        assert_eq!(board.snapshot(t0, TTL, &HashMap::new())[0].dt_start, None);
    }
}
