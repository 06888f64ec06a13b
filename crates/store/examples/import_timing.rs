//! Times the store's write paths on the real export: a first XML import, a re-import of the same
//! file, and a 100-row results body. Run in release:
//! `cargo run --release -p live-store --example import_timing`.
//!
//! Not a test: timings depend on the machine, so nothing here asserts a threshold.

use std::error::Error;
use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::Utc;
use live_domain::c123::{C123Export, parse_export};
use live_domain::requests::{MergeStrategy, NewEvent, ResultsIngest};
use live_store::{Store, StoreConfig};

const RUNS: usize = 20;
/// More pushes of the unchanged table, to give a profiler something to see.
const UNCHANGED_RUNS: usize = 20;

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn report(label: &str, samples: &[Duration]) {
    let max = samples.iter().max().copied().unwrap_or_default();
    let _ = writeln!(
        std::io::stdout().lock(),
        "{label:<28} median {:>8.2?}  max {:>8.2?}  ({} runs)",
        median(samples),
        max,
        samples.len()
    );
}

fn new_event(event_id: &str) -> NewEvent {
    NewEvent {
        event_id: event_id.to_owned(),
        main_title: "timing".to_owned(),
        sub_title: None,
        location: None,
        facility: None,
        discipline: None,
        start_date: None,
        end_date: None,
        valid_from: None,
        valid_until: None,
        image: None,
    }
}

/// A 100-row results body for race `K1M_ST_BR2_6` built from the export's own rows.
fn results_body(export: &C123Export, round: i32) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = export
        .results
        .iter()
        .filter(|r| r.race_id == "K1M_ST_BR2_6")
        .take(100)
        .map(|r| {
            serde_json::json!({
                "raceId": r.race_id, "participantId": r.participant_id,
                "bib": r.bib.unwrap_or(0), "time": r.time.map(|t| t + round),
                "pen": r.pen, "total": r.total.map(|t| t + round),
                "status": r.status, "rnk": r.rnk,
            })
        })
        .collect();
    serde_json::json!({ "results": rows })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&StoreConfig::sqlite(dir.path().join("timing.db")))?;
    let xml = fixture("xml/xboardtest02_jarni_v1.xml");

    let mut parse = Vec::new();
    let mut first = Vec::new();
    let mut again = Vec::new();
    let mut pk = 0;
    for run in 0..RUNS {
        pk = store
            .create_event(
                new_event(&format!("e{run}")),
                format!("{run:0>64}"),
                Utc::now(),
            )
            .await?;
        let t = Instant::now();
        let export = parse_export(&xml)?;
        parse.push(t.elapsed());
        let t = Instant::now();
        store
            .apply_xml(pk, export.clone(), MergeStrategy::Live)
            .await?;
        first.push(t.elapsed());
        let t = Instant::now();
        store.apply_xml(pk, export, MergeStrategy::Live).await?;
        again.push(t.elapsed());
    }
    report("parse_export", &parse);
    report("apply_xml (new event)", &first);
    report("apply_xml (same file again)", &again);

    let export = parse_export(&xml)?;
    let mut results = Vec::new();
    for round in 0..i32::try_from(RUNS).unwrap_or(1) {
        let body = ResultsIngest::parse(&results_body(&export, round))?;
        let t = Instant::now();
        let applied = store.apply_results(pk, body.results).await?;
        results.push(t.elapsed());
        assert_eq!(applied.updated, 100);
    }
    report("apply_results (100 changed)", &results);

    // The usual push: the same table again, nothing changed, nothing written.
    let mut unchanged = Vec::new();
    let body = ResultsIngest::parse(&results_body(&export, 0))?;
    for _ in 0..std::env::var("UNCHANGED_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(UNCHANGED_RUNS)
    {
        let body = body.clone();
        let t = Instant::now();
        let applied = store.apply_results(pk, body.results).await?;
        unchanged.push(t.elapsed());
        assert_eq!(applied.updated, 100);
    }
    report("apply_results (100 same)", &unchanged);
    Ok(())
}
