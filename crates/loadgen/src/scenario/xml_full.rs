//! `xml-full`: re-import the real export while N spectators watch; the time until every one of
//! them has the resulting `full`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Session;
use super::crowd::{Crowd, base_plans};
use super::idle;
use super::pace::{Pacer, count_status};
use crate::report::{Report, RequestReport};
use crate::slots::{ReqKind, Slots};

/// How often the coordinator looks whether everyone has the `full`.
const POLL: Duration = Duration::from_millis(5);

/// Runs the scenario.
pub(super) async fn run(s: &mut Session, report: &mut Report) {
    let Some(event) = idle::setup(s, report).await else {
        return;
    };
    let xml = match s.xml() {
        Ok(x) => x,
        Err(e) => {
            report.check("read the real export", false, e);
            return;
        }
    };
    let body = serde_json::to_vec(&serde_json::json!({ "xml": xml.as_str() })).unwrap_or_default();
    let imports = s.cfg.imports;
    let slots = Arc::new(Slots::new(
        (0..imports).map(|_| (Duration::ZERO, ReqKind::Xml)),
    ));
    s.note_rss_before();
    let plans = base_plans(s, s.cfg.connections);
    let crowd = Crowd::launch(s, &event, Arc::clone(&slots), plans, true);
    let connected = crowd.wait_connected(s).await;
    s.note_rss_connected(connected);

    let mut http = s.http();
    let mut sent = RequestReport::default();
    let mut interrupt = s.interrupt.clone();
    let mut worst = Duration::ZERO;
    for i in 0..imports {
        // Each import goes out once the previous one has reached everyone: its own schedule.
        let mut pacer = Pacer::new(s.base);
        let Some(base_ns) = pacer.until(Duration::ZERO, &mut interrupt).await else {
            break;
        };
        pacer.add_to(&mut sent);
        slots.mark_sent(i, base_ns);
        let response = http
            .send(
                "POST",
                "/api/v1/ingest/xml",
                &[("X-API-Key", &event.api_key)],
                Some(&body),
            )
            .await;
        let status = response.as_ref().ok().map(|r| r.status);
        sent.sent += 1;
        count_status(&mut sent, status);
        let watching = crowd.connected();
        let deadline = Instant::now() + s.cfg.timeout;
        let all_got_it = loop {
            let delivered = slots.get(i).map_or(0, crate::slots::Slot::deliveries);
            if usize::try_from(delivered).unwrap_or(usize::MAX) >= watching {
                break true;
            }
            if Instant::now() >= deadline || s.interrupted() {
                break false;
            }
            tokio::time::sleep(POLL).await;
        };
        let slot = slots.get(i);
        let until_all = slot
            .and_then(|sl| Some(sl.last_recv_ns()?.saturating_sub(sl.base_ns()?)))
            .map(Duration::from_nanos);
        if let Some(d) = until_all {
            worst = worst.max(d);
        }
        report.check(
            format!("import {}: 200 and every spectator got the full", i + 1),
            status == Some(200) && all_got_it,
            format!(
                "HTTP {status:?}; {} of {watching} delivered; ingest -> all {:.1} ms",
                slot.map_or(0, crate::slots::Slot::deliveries),
                until_all.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
            ),
        );
    }
    report.requests = sent;
    report.metric(
        "ingest -> every spectator has the full, worst (ms)",
        worst.as_secs_f64() * 1000.0,
    );
    idle::finish(s, report, crowd, &event, &[]).await;
}
