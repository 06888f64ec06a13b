//! The event the spectators watch: created through the admin API, fed the real export, moved to
//! `running`, and deleted at the end.

use serde_json::{Value, json};

use super::Session;
use crate::report::Report;

/// An event ready for spectators.
#[derive(Debug, Clone)]
pub(crate) struct LiveEvent {
    pub(crate) event_id: String,
    pub(crate) api_key: String,
    /// Race ids as `GET /api/v1/events/<id>` lists them.
    pub(crate) races: Vec<String>,
}

impl LiveEvent {
    /// The spectators' WebSocket path.
    pub(crate) fn ws_path(&self) -> String {
        format!("/api/v1/events/{}/ws", self.event_id)
    }
}

/// Creates `event_id`, imports `xml`, sets `running` and reads its races. Each step is an
/// invariant; `None` when one failed (the run cannot go on).
pub(crate) async fn create_running(
    s: &mut Session,
    report: &mut Report,
    event_id: &str,
    title: &str,
    xml: &str,
) -> Option<LiveEvent> {
    let master = s.cfg.master_key.clone();
    let mut headers = Vec::new();
    if let Some(key) = master.as_deref() {
        headers.push(("X-Master-Key", key));
    }
    let body =
        json!({"eventId": event_id, "mainTitle": title, "location": null, "discipline": "Slalom"});
    let created = s
        .admin
        .send(
            "POST",
            "/api/v1/admin/events",
            &headers,
            Some(body.to_string().as_bytes()),
        )
        .await;
    let api_key = match &created {
        Ok(r) if r.status == 201 => r.json()["apiKey"].as_str().map(str::to_owned),
        _ => None,
    };
    report.check(
        format!("create event {event_id} -> 201 with apiKey"),
        api_key.is_some(),
        describe(&created),
    );
    let api_key = api_key?;

    let body = serde_json::to_vec(&json!({ "xml": xml })).unwrap_or_default();
    let imported = s
        .admin
        .send(
            "POST",
            "/api/v1/ingest/xml",
            &[("X-API-Key", &api_key)],
            Some(&body),
        )
        .await;
    let ok = matches!(&imported, Ok(r) if r.status == 200);
    report.check(
        format!("import XML into {event_id} -> 200"),
        ok,
        describe(&imported),
    );
    if !ok {
        return None;
    }

    let path = format!("/api/v1/admin/events/{event_id}/status");
    let running = s
        .admin
        .send(
            "PATCH",
            &path,
            &[("X-API-Key", &api_key)],
            Some(br#"{"status":"running"}"#),
        )
        .await;
    let ok = matches!(&running, Ok(r) if r.status == 200);
    report.check(format!("{event_id} -> running"), ok, describe(&running));
    if !ok {
        return None;
    }

    let races = public_races(s, event_id).await;
    report.check(
        format!("{event_id} is public with its races"),
        !races.is_empty(),
        format!("{} races", races.len()),
    );
    if races.is_empty() {
        return None;
    }
    Some(LiveEvent {
        event_id: event_id.to_owned(),
        api_key,
        races,
    })
}

/// The race ids of a public event, as `GET /api/v1/events/<id>` lists them (empty when the
/// event is not public or the request failed).
pub(crate) async fn public_races(s: &mut Session, event_id: &str) -> Vec<String> {
    let Ok(r) = s.admin.get(&format!("/api/v1/events/{event_id}")).await else {
        return Vec::new();
    };
    if r.status != 200 {
        return Vec::new();
    }
    r.json()["races"]
        .as_array()
        .map(|races| {
            races
                .iter()
                .filter_map(|race| race["raceId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Deletes the event with its API key (DV25); an invariant.
pub(crate) async fn delete(s: &mut Session, report: &mut Report, event: &LiveEvent) -> bool {
    let path = format!("/api/v1/admin/events/{}", event.event_id);
    let deleted = s
        .admin
        .send("DELETE", &path, &[("X-API-Key", &event.api_key)], None)
        .await;
    let ok = matches!(&deleted, Ok(r) if r.status == 200);
    report.check(
        format!("delete {} -> 200", event.event_id),
        ok,
        describe(&deleted),
    );
    ok
}

/// The event's status as REST reports it.
pub(crate) async fn rest_status(s: &mut Session, event_id: &str) -> Option<String> {
    let r = s
        .admin
        .get(&format!("/api/v1/events/{event_id}"))
        .await
        .ok()?;
    let body: Value = r.json();
    body["event"]["status"].as_str().map(str::to_owned)
}

/// A response or error in a few words, for invariant details.
pub(crate) fn describe(r: &Result<crate::http::Response, crate::http::HttpError>) -> String {
    match r {
        Ok(r) if r.status < 300 => format!("HTTP {}", r.status),
        Ok(r) => {
            let text = r.text();
            let short: String = text.chars().take(200).collect();
            format!("HTTP {} {short}", r.status)
        }
        Err(e) => e.to_string(),
    }
}
