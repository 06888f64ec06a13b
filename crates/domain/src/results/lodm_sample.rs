//! Test support: the stored rows of `fixtures/sample-c123-synthetic-lodm-qua.xml` (and of
//! `sample-c123-synthetic-lodm.xml`, which differs only in the K1W race id), transcribed by hand
//! as the XML import stores them (c123-xml.md §4, §6 milliseconds mode, §7 gates), so the list
//! computations can be checked against the complete expectations without the XML parser.

use crate::gates::{Gate, gate_type, normalise_course_config};

use super::record::ResultRecord;

/// Reads a file of the shared fixtures.
pub(super) fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The BR1 race id of the sample.
pub(super) const K1M_BR1: &str = "K1M-ZS_BR1_25";
/// The BR2 race id of the sample.
pub(super) const K1M_BR2: &str = "K1M-ZS_BR2_25";

/// `(participant id, ICF id, family, given, NOC, club)` of the sample's participants.
const PARTICIPANTS: [(&str, &str, &str, &str, &str, &str); 8] = [
    ("23128.K1M.ZS", "23128", "REZEK", "Adam", "JCK", "SKVSČB"),
    ("119238.K1M.ZS", "119238", "MALÝ", "Tomáš", "OLK", "Olomouc"),
    ("9069.K1M.ZS", "9069", "KOLÁŘ", "Lukáš", "PHA", "USK Pha"),
    (
        "48024.K1M.ZS",
        "48024",
        "KOVÁČ",
        "Tobiáš",
        "USK",
        "Klášter.",
    ),
    ("60090.K1M.ZS", "60090", "KUDĚJ", "Jan", "KHK", "Trutnov"),
    (
        "108047.K1W.ZS",
        "108047",
        "FUCHSOVÁ",
        "Terezie",
        "JMK",
        "VSDK",
    ),
    (
        "23176.K1W.ZS",
        "23176",
        "HYBRANTOVÁ",
        "Anna",
        "JCK",
        "SKVSČB",
    ),
    (
        "61003.K1W.ZS",
        "61003",
        "SAMKOVÁ",
        "Valerie",
        "KHK",
        "Třebech.",
    ),
];

/// The course of the sample, normalised (24 gates).
pub(super) fn course() -> String {
    normalise_course_config("NNRNSNRNSRNNSNRNSNRNSRNSNRNSNRNS").unwrap()
}

/// 24 gates, all clean except the listed `(number, penalty)`.
fn gates(penalties: &[(i32, i32)]) -> Vec<Gate> {
    let course = course();
    (1..=24)
        .map(|number| Gate {
            number,
            gate_type: gate_type(Some(&course), number),
            penalty: Some(
                penalties
                    .iter()
                    .find(|(n, _)| *n == number)
                    .map_or(0, |(_, p)| *p),
            ),
        })
        .collect()
}

fn row(row_id: i64, race_id: &str, participant: &str, start_order: i32, bib: i32) -> ResultRecord {
    let (id, icf, family, given, noc, club) = PARTICIPANTS
        .into_iter()
        .find(|p| p.0 == participant)
        .unwrap();
    ResultRecord {
        row_id,
        race_id: race_id.to_owned(),
        participant_id: id.to_owned(),
        bib: Some(bib),
        start_order: Some(start_order),
        athlete_id: Some(icf.to_owned()),
        family_name: family.to_owned(),
        given_name: Some(given.to_owned()),
        club: Some(club.to_owned()),
        noc: Some(noc.to_owned()),
        cat_id: Some("ZS".to_owned()),
        ..ResultRecord::default()
    }
}

/// A finished run: start time, timestamps, time/pen/total (cs) and gates.
fn run(
    base: ResultRecord,
    times: (&str, &str, &str),
    (time, pen, total): (i32, i32, i32),
    gates: Vec<Gate>,
) -> ResultRecord {
    ResultRecord {
        start_time: Some(times.0.into()),
        dt_start: Some(times.1.into()),
        dt_finish: Some(times.2.into()),
        time: Some(time),
        pen: Some(pen),
        total: Some(total),
        gates: Some(gates),
        ..base
    }
}

/// The 13 stored rows in document order (row ids 1…13); `k1w_race_id` is `K1W-ZS_QUA_25` for the
/// `-qua` sample and `K1W-ZS_BR1_25` for the other one.
pub(super) fn lodm_records(k1w_race_id: &str) -> Vec<ResultRecord> {
    let k1w = k1w_race_id;
    vec![
        ResultRecord {
            rnk: Some(1),
            cat_rnk: Some(1),
            total_behind: Some("0.00".into()),
            ..run(
                row(1, K1M_BR1, "23128.K1M.ZS", 13, 13),
                ("13:42:00", "13:42:02.710", "13:43:17.340"),
                (7463, 0, 7463),
                gates(&[]),
            )
        },
        ResultRecord {
            rnk: Some(2),
            cat_rnk: Some(2),
            total_behind: Some("+0.85".into()),
            ..run(
                row(2, K1M_BR1, "119238.K1M.ZS", 17, 17),
                ("13:46:00", "13:46:04.350", "13:47:17.830"),
                (7348, 200, 7548),
                gates(&[(18, 2)]),
            )
        },
        ResultRecord {
            rnk: Some(3),
            cat_rnk: Some(3),
            total_behind: Some("+3.97".into()),
            ..run(
                row(3, K1M_BR1, "9069.K1M.ZS", 8, 8),
                ("13:37:00", "13:36:59.460", "13:38:18.060"),
                (7860, 0, 7860),
                gates(&[]),
            )
        },
        ResultRecord {
            status: Some("DSQ".into()),
            ..run(
                row(4, K1M_BR1, "48024.K1M.ZS", 11, 11),
                ("13:40:00", "13:40:01.380", "13:41:33.800"),
                (9242, 5200, 14442),
                gates(&[(9, 2), (15, 50)]),
            )
        },
        ResultRecord {
            start_time: Some("13:41:00".into()),
            status: Some("DNS".into()),
            ..row(5, K1M_BR1, "60090.K1M.ZS", 12, 12)
        },
        ResultRecord {
            rnk: Some(1),
            cat_rnk: Some(1),
            total_behind: Some("0.00".into()),
            ..run(
                row(6, k1w, "108047.K1W.ZS", 3, 3),
                ("14:25:00", "14:25:00.120", "14:26:16.170"),
                (7605, 0, 7605),
                gates(&[]),
            )
        },
        ResultRecord {
            rnk: Some(2),
            cat_rnk: Some(2),
            total_behind: Some("+5.77".into()),
            ..run(
                row(7, k1w, "23176.K1W.ZS", 2, 2),
                ("14:24:00", "14:24:00.710", "14:25:22.530"),
                (8182, 0, 8182),
                gates(&[]),
            )
        },
        ResultRecord {
            start_time: Some("14:34:00".into()),
            status: Some("DNF".into()),
            dt_start: Some("14:34:00.450".into()),
            ..row(8, k1w, "61003.K1W.ZS", 12, 12)
        },
        ResultRecord {
            rnk: Some(1),
            prev_time: Some(7860),
            prev_pen: Some(0),
            prev_total: Some(7860),
            prev_rnk: Some(3),
            total_total: Some(7520),
            better_run_nr: Some(2),
            ..run(
                row(9, K1M_BR2, "9069.K1M.ZS", 1, 8),
                ("16:00:00", "16:00:01.100", "16:01:14.300"),
                (7320, 200, 7520),
                gates(&[(3, 2)]),
            )
        },
        ResultRecord {
            rnk: Some(3),
            prev_time: Some(7463),
            prev_pen: Some(0),
            prev_total: Some(7463),
            prev_rnk: Some(1),
            total_total: Some(7463),
            better_run_nr: Some(1),
            ..run(
                row(10, K1M_BR2, "23128.K1M.ZS", 2, 13),
                ("16:01:00", "16:01:00.500", "16:02:17.900"),
                (7740, 400, 8140),
                gates(&[(5, 2), (6, 2)]),
            )
        },
        ResultRecord {
            rnk: Some(2),
            prev_time: Some(7348),
            prev_pen: Some(200),
            prev_total: Some(7548),
            prev_rnk: Some(2),
            total_total: Some(7520),
            better_run_nr: Some(2),
            ..run(
                row(11, K1M_BR2, "119238.K1M.ZS", 3, 17),
                ("16:02:00", "16:02:00.900", "16:03:16.100"),
                (7520, 0, 7520),
                gates(&[]),
            )
        },
        ResultRecord {
            rnk: Some(4),
            total_total: Some(8900),
            better_run_nr: Some(2),
            ..run(
                row(12, K1M_BR2, "60090.K1M.ZS", 4, 12),
                ("16:03:00", "16:03:01.000", "16:04:30.000"),
                (8900, 0, 8900),
                gates(&[]),
            )
        },
        ResultRecord {
            start_time: Some("16:04:00".into()),
            ..row(13, K1M_BR2, "48024.K1M.ZS", 5, 11)
        },
    ]
}

/// The rows of one race.
pub(super) fn race_rows(records: &[ResultRecord], race_id: &str) -> Vec<ResultRecord> {
    records
        .iter()
        .filter(|r| r.race_id == race_id)
        .cloned()
        .collect()
}
