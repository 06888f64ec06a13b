//! Times `parse_export` on the hostile inputs of contract §1.8 (DV41) and on the real export.
//! Run in release: `cargo run --release -p live-domain --example hostile_parse`.
//!
//! Not a test: timings depend on the machine, so nothing here asserts a threshold. Each line is
//! the input, its size, the time of one parse and the outcome (the 400 message, shortened).

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use live_domain::c123::parse_export;

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn attributes(n: usize) -> String {
    (0..n).fold(String::new(), |mut out, i| {
        let _ = write!(out, " a{i}=\"x\"");
        out
    })
}

fn main() {
    let real = fixture("xml/xboardtest02_jarni_v1.xml");
    let small = fixture("sample-c123-synthetic-lodm.xml");
    let course_nr = small
        .find("<CourseData>")
        .and_then(|c| {
            small[c..]
                .find("<CourseNr>")
                .map(|i| c + i + "<CourseNr>".len())
        })
        .unwrap_or(0);
    let gates = small
        .find("<Gates")
        .and_then(|g| small[g..].find('>').map(|e| g + e + 1))
        .unwrap_or(0);
    let cases = [
        ("real export".to_owned(), real.clone()),
        (
            "40 000 root attributes".to_owned(),
            real.replacen(
                "<Canoe123Data",
                &format!("<Canoe123Data{}", attributes(40_000)),
                1,
            ),
        ),
        (
            "100 000 root attributes".to_owned(),
            real.replacen(
                "<Canoe123Data",
                &format!("<Canoe123Data{}", attributes(100_000)),
                1,
            ),
        ),
        (
            "9 000 000-character CourseNr".to_owned(),
            format!(
                "{}{}{}",
                &small[..course_nr],
                "7".repeat(9_000_000),
                &small[course_nr..]
            ),
        ),
        (
            "1 000 000 gate slots in one row".to_owned(),
            format!(
                "{}{}{}",
                &small[..gates],
                "  2".repeat(1_000_000),
                &small[gates..]
            ),
        ),
    ];
    let mut out = std::io::stdout().lock();
    for (name, xml) in cases {
        let started = Instant::now();
        let outcome = parse_export(&xml);
        let elapsed = started.elapsed();
        let outcome = match outcome {
            Ok(export) => format!("ok, {} results", export.results.len()),
            Err(e) => e.to_string().chars().take(120).collect(),
        };
        let _ = writeln!(
            out,
            "{name:<34} {:>6} kB {:>10.1} ms  {outcome}",
            xml.len() / 1000,
            elapsed.as_secs_f64() * 1e3
        );
    }
}
