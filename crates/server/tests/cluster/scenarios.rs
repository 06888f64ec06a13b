//! Scenarios written once for any topology: the instances are parameters, so the cluster tests
//! run them on A, B, C, and the single-node smoke tests run the same code with every role on
//! one SQLite instance (which proves the scenarios themselves today).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{GAP_MS, Instance, SYNC_MS, WAIT, fixture, fixture_json};
use crate::spectator::{End, Frame, Spectator, assert_consecutive, assert_same_frames};

/// Long enough for a frame to have crossed the cluster (gap wait and one anti-entropy round
/// included): "nothing more arrives" is asserted over this long.
pub(crate) fn settle() -> Duration {
    Duration::from_millis(GAP_MS + 2 * SYNC_MS + 300)
}

/// A results push that changes bib 2 of the single-run race `K1W-ZS_QUA_25` to `time`
/// (one diff frame per push as long as every `time` differs from the current one).
pub(crate) fn bib2(time: u64) -> Value {
    json!({"results": [{
        "raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2,
        "time": time, "pen": 200, "total": time + 200, "rnk": 1
    }]})
}

/// The booth's two results bodies of the fixtures (2 frames, then 1 frame).
pub(crate) fn results_bodies() -> (Value, Value) {
    let b = fixture_json("sample-ingest-results.json");
    (b["c123_server_shape"].clone(), b["with_tcp_gates"].clone())
}

/// The booth's on-course snapshot (two riders, one frame).
pub(crate) fn oncourse_body() -> Value {
    fixture_json("sample-ingest-oncourse.json")["c123_server_shape"].clone()
}

/// Asserts the protocol's rule on one connection's frames: `seq` grows, and a `diff` is always
/// the previous `seq` + 1 (only `full` and `refresh` may jump).
#[track_caller]
pub(crate) fn assert_valid_stream(frames: &[Frame]) {
    for w in frames.windows(2) {
        assert!(
            w[1].seq > w[0].seq,
            "seq went back or repeated: {} then {}",
            w[0].text,
            w[1].text
        );
        if w[1].is_diff() {
            assert_eq!(
                w[1].seq,
                w[0].seq + 1,
                "gap before a diff: {} then {}",
                w[0].text,
                w[1].text
            );
        }
    }
}

/// The REST reads of an event, as (path, status, body): what must be identical on every
/// instance.
pub(crate) async fn rest_snapshot(inst: &Instance, event: &str) -> Vec<(String, u16, String)> {
    let mut paths = vec![
        format!("/api/v1/events/{event}"),
        format!("/api/v1/events/{event}/categories"),
        format!("/api/v1/events/{event}/oncourse"),
    ];
    for race in ["K1M-ZS_BR1_25", "K1M-ZS_BR2_25", "K1W-ZS_QUA_25"] {
        paths.push(format!("/api/v1/events/{event}/results/{race}"));
        paths.push(format!(
            "/api/v1/events/{event}/results/{race}?detailed=true"
        ));
        paths.push(format!("/api/v1/events/{event}/startlist/{race}"));
    }
    let mut out = Vec::new();
    for p in paths {
        let res = inst.get(&p).await;
        out.push((p, res.status, res.text()));
    }
    out
}

/// Asserts two REST snapshots equal, naming the first differing path.
#[track_caller]
pub(crate) fn assert_same_rest(
    a: &[(String, u16, String)],
    b: &[(String, u16, String)],
    what: &str,
) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x, y, "{what}: {} differs", x.0);
    }
}

/// Waits (bounded) until `other` answers every REST read of `event` as `reference` does: an
/// instance's answer caches follow the frames it receives, a moment after the writer's.
/// Returns the agreed snapshot.
pub(crate) async fn rest_converges(
    reference: &Instance,
    other: &Instance,
    event: &str,
) -> Vec<(String, u16, String)> {
    let deadline = Instant::now() + WAIT;
    loop {
        let (a, b) = (
            rest_snapshot(reference, event).await,
            rest_snapshot(other, event).await,
        );
        if a == b {
            return a;
        }
        if Instant::now() > deadline {
            assert_same_rest(
                &a,
                &b,
                &format!("{} vs {} after {WAIT:?}", reference.name, other.name),
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Test 1's booth sequence: the event in `running`, a spectator on each of `viewers`, then on
/// `booth` two results pushes (3 frames), an on-course snapshot (1), the XML again (a `full`)
/// and `finished` (1). Returns each spectator's frames, the first `full` included (7 each).
pub(crate) async fn live_pipeline(
    booth: &Instance,
    viewers: &[&Instance],
    event: &str,
) -> (String, Vec<Vec<Frame>>) {
    let key = booth.lodm_event(event, "running").await;
    let mut specs = Vec::new();
    for v in viewers {
        specs.push(Spectator::joined(v, event).await);
    }
    let (shape, gates) = results_bodies();
    assert_eq!(
        booth.post_results(&key, &shape).await.expect(200).json(),
        json!({"updated": 2})
    );
    assert_eq!(
        booth.post_results(&key, &gates).await.expect(200).json(),
        json!({"updated": 1})
    );
    booth
        .post_oncourse(&key, &oncourse_body())
        .await
        .expect(200);
    booth
        .post_xml(&key, &fixture("sample-c123-synthetic-lodm-qua.xml"))
        .await
        .expect(200);
    booth.set_status(event, &key, "finished").await;
    let mut out = Vec::new();
    for s in &mut specs {
        s.take(6).await;
        s.silent(settle()).await;
        out.push(s.frames.clone());
    }
    for frames in &out {
        let kinds: Vec<&str> = frames.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["full", "diff", "diff", "diff", "diff", "full", "diff"]
        );
        assert_consecutive(&frames[1..], frames[0].seq + 1);
        assert_eq!(frames[6].data(), &json!({"status": "finished"}));
        assert_eq!(frames[5].epoch(), frames[0].epoch());
    }
    (key, out)
}

/// Test 2: 20 results pushes on `a` and 20 on `b` at the same time (each changes bib 2, so
/// each makes exactly one frame). Every push answers 200; the spectators on `viewers` see one
/// gap-free sequence of 40 diffs with no duplicate, the same bytes everywhere, and the last
/// one is the state REST shows.
pub(crate) async fn concurrent_ingests(
    a: &Instance,
    b: &Instance,
    viewers: &[&Instance],
    event: &str,
) -> u64 {
    const EACH: u64 = 20;
    let key = a.lodm_event(event, "running").await;
    let mut specs = Vec::new();
    for v in viewers {
        specs.push(Spectator::joined(v, event).await);
    }
    let base = specs[0].last_seq();
    let pushes = (0..EACH).flat_map(|i| [(a, bib2(10_000 + i * 10)), (b, bib2(10_005 + i * 10))]);
    let answers = futures_util::future::join_all(pushes.map(|(inst, body)| {
        let key = key.clone();
        async move { (inst.name.clone(), inst.post_results(&key, &body).await) }
    }))
    .await;
    for (name, res) in &answers {
        assert_eq!(res.status, 200, "push on {name}: {}", res.text());
        assert_eq!(res.json(), json!({"updated": 1}), "push on {name}");
    }
    let mut all = Vec::new();
    for s in &mut specs {
        assert_eq!(s.last_seq(), base, "joined at different positions");
        let frames = s.take(usize::try_from(2 * EACH).expect("small")).await;
        s.silent(settle()).await;
        assert!(frames.iter().all(Frame::is_diff), "only diffs expected");
        assert_consecutive(&frames, base + 1);
        all.push(frames);
    }
    for other in &all[1..] {
        assert_same_frames(&all[0], other);
    }
    // Every push's time appears exactly once, and the last frame is what REST shows.
    let mut times: Vec<u64> = all[0]
        .iter()
        .map(|f| bib2_time(f.data()).expect("bib 2 in every frame"))
        .collect();
    let last = *times.last().expect("frames");
    times.sort_unstable();
    let mut want: Vec<u64> = (0..EACH)
        .flat_map(|i| [10_000 + i * 10, 10_005 + i * 10])
        .collect();
    want.sort_unstable();
    assert_eq!(times, want, "each push exactly once");
    for inst in viewers.iter().chain([&a, &b]) {
        let rest = inst
            .get(&format!("/api/v1/events/{event}/results/K1W-ZS_QUA_25"))
            .await;
        let rest_time = bib2_time(&rest.expect(200).json()).expect("bib 2 in REST");
        assert_eq!(rest_time, last, "REST on {} vs the last frame", inst.name);
    }
    all[0].last().expect("frames").seq
}

/// Bib 2's `time` in a results frame's data or a REST results answer.
fn bib2_time(v: &Value) -> Option<u64> {
    v["results"].as_array()?.iter().find(|r| r["bib"] == 2)?["time"].as_u64()
}

/// Test 3: a spectator on `first` leaves, three frames are published (on `first` and
/// `second`), it resumes on `second` with `since` and gets exactly those three (same bytes as a
/// spectator that stayed on `witness`), no `full`, then the next live frame.
pub(crate) async fn resume_across(
    first: &Instance,
    second: &Instance,
    witness: &Instance,
    event: &str,
) {
    let key = first.lodm_event(event, "running").await;
    let mut stayed = Spectator::joined(witness, event).await;
    let mut s = Spectator::joined(first, event).await;
    let (shape, gates) = results_bodies();
    first.post_results(&key, &gates).await.expect(200);
    let seen = s.next().await;
    assert_eq!(stayed.next().await.text, seen.text);
    s.disconnect().await;
    first.post_results(&key, &shape).await.expect(200);
    second.post_results(&key, &bib2(9_999)).await.expect(200);
    let missed = stayed.take(3).await;
    s.resume(second).await;
    let replayed = s.take(3).await;
    assert_same_frames(&replayed, &missed);
    assert_consecutive(&replayed, seen.seq + 1);
    s.silent(settle()).await;
    witness.post_results(&key, &bib2(9_000)).await.expect(200);
    let live = s.next().await;
    assert_eq!(live.seq, seen.seq + 4);
    assert_eq!(live.text, stayed.next().await.text);
}

/// Test 8a: `official` set on `booth`: every spectator on `viewers` gets the same status diff,
/// then the close 1000 after the grace (`OFFICIAL_CLOSE_GRACE_SECS=1` expected), and the
/// WebSocket route answers 410 on every instance.
pub(crate) async fn official_close(booth: &Instance, viewers: &[&Instance], event: &str) {
    let key = booth.lodm_event(event, "running").await;
    let mut specs = Vec::new();
    for v in viewers {
        specs.push(Spectator::joined(v, event).await);
    }
    let base = specs[0].last_seq();
    booth.set_status(event, &key, "official").await;
    let answered = Instant::now();
    let mut texts = Vec::new();
    for s in &mut specs {
        let f = s.next().await;
        assert_eq!(
            f.text,
            format!(
                r#"{{"type":"diff","seq":{},"data":{{"status":"official"}}}}"#,
                base + 1
            )
        );
        texts.push(f.text);
    }
    for s in &mut specs {
        assert_eq!(
            s.ended().await,
            End::Close(1000, "Event results are official".to_owned()),
            "close on {}",
            s.on
        );
    }
    let waited = answered.elapsed();
    assert!(
        waited >= Duration::from_millis(700) && waited < WAIT,
        "closed {waited:?} after the status change (grace 1 s)"
    );
    let upgrade = [
        ("connection", "Upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    for v in viewers {
        let res = v
            .send("GET", &format!("/api/v1/events/{event}/ws"), &upgrade, None)
            .await;
        assert_eq!(res.status, 410, "{} after official: {}", v.name, res.text());
    }
}

/// Test 8b: an on-course snapshot on `booth` reaches every spectator, and its expiry
/// (`ONCOURSE_TTL_MS` short) publishes exactly one frame `{"oncourse":[]}` seen on every
/// instance, with the next `seq`, and nothing after it. Returns the expiry frame's `seq`.
pub(crate) async fn oncourse_expiry(booth: &Instance, viewers: &[&Instance], event: &str) -> u64 {
    let key = booth.lodm_event(event, "running").await;
    let mut specs = Vec::new();
    for v in viewers {
        specs.push(Spectator::joined(v, event).await);
    }
    let base = specs[0].last_seq();
    booth
        .post_oncourse(&key, &oncourse_body())
        .await
        .expect(200);
    for s in &mut specs {
        let snap = s.next().await;
        assert_eq!(snap.seq, base + 1);
        assert_eq!(snap.data()["oncourse"].as_array().map(Vec::len), Some(2));
        let expired = s.next().await;
        assert_eq!(
            expired.text,
            format!(
                r#"{{"type":"diff","seq":{},"data":{{"oncourse":[]}}}}"#,
                base + 2
            ),
            "expiry frame on {}",
            s.on
        );
    }
    for s in &mut specs {
        s.silent(settle()).await;
    }
    for v in viewers {
        let res = v.get(&format!("/api/v1/events/{event}/oncourse")).await;
        assert_eq!(res.expect(200).json()["oncourse"], json!([]), "{}", v.name);
    }
    base + 2
}
