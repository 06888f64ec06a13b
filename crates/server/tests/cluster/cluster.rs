//! Issue 13's cluster tests: two or three `live-mini` instances on one `PostgreSQL` database and
//! one NATS `JetStream` stream, on loopback ports, against the local services. Without the
//! services each test says "cluster tests NOT RUN" once and passes (fails with
//! `LIVE_MINI_REQUIRE_SERVICES=1`).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Cluster, ClusterOpts, Instance, WAIT, services};
use crate::scenarios::{
    assert_same_rest, assert_valid_stream, bib2, concurrent_ingests, live_pipeline, official_close,
    oncourse_body, oncourse_expiry, rest_converges, rest_snapshot, resume_across, settle,
};
use crate::spectator::{End, Spectator, assert_consecutive, assert_same_frames};

/// 1. An ingest on A reaches spectators on B and C with the same `seq`, in order, byte-identical
///    (to each other and, `seq` and epoch aside, to a single-node server's frames); REST answers
///    are identical on A, B and C (and to single-node's).
#[actix_web::test]
async fn ingest_on_a_reaches_b_and_c_byte_identical() {
    let Some(svc) = services("ingest_on_a_reaches_b_and_c_byte_identical") else {
        return;
    };
    let c = Cluster::start(&svc, 3).await;
    let (_, frames) = live_pipeline(&c[0], &[&c[0], &c[1], &c[2]], "lodm").await;
    assert_same_frames(&frames[0], &frames[1]);
    assert_same_frames(&frames[0], &frames[2]);
    let (epoch, seq) = c.db_position("lodm").expect("event row");
    assert_eq!(frames[0][0].epoch(), Some(epoch.as_str()));
    assert_eq!(frames[0][6].seq, seq);

    let rest = rest_snapshot(&c[0], "lodm").await;
    assert!(rest.iter().all(|(_, s, _)| *s == 200), "{rest:?}");
    for node in [&c[1], &c[2]] {
        assert_same_rest(
            &rest,
            &rest_converges(&c[0], node, "lodm").await,
            &node.name,
        );
    }

    // The same booth sequence on a single-node SQLite server: the same bytes.
    let single = Instance::start("single", &[]).await;
    let (_, one) = live_pipeline(&single, &[&single], "lodm").await;
    let norm = |fs: &[crate::spectator::Frame]| -> Vec<String> {
        fs.iter().map(|f| f.normalized(fs[0].seq)).collect()
    };
    assert_eq!(
        norm(&frames[1]),
        norm(&one[0]),
        "cluster vs single-node frames"
    );
    assert_same_rest(&rest, &rest_snapshot(&single, "lodm").await, "single-node");
}

/// 2. Concurrent results ingests on A and B for one event: one gap-free sequence, seen the same
///    on C (and A and B), every ingest answered 200.
#[actix_web::test]
async fn concurrent_ingests_on_a_and_b_make_one_gap_free_sequence() {
    let Some(svc) = services("concurrent_ingests_on_a_and_b_make_one_gap_free_sequence") else {
        return;
    };
    let c = Cluster::start(&svc, 3).await;
    let last = concurrent_ingests(&c[0], &c[1], &[&c[2], &c[0], &c[1]], "conc").await;
    assert_eq!(c.db_position("conc").expect("event row").1, last);
}

/// 3. A spectator of A resumes on B with `since` and gets exactly the missed frames.
#[actix_web::test]
async fn resume_across_instances_gets_exactly_the_missed_frames() {
    let Some(svc) = services("resume_across_instances_gets_exactly_the_missed_frames") else {
        return;
    };
    let c = Cluster::start(&svc, 3).await;
    resume_across(&c[0], &c[1], &c[2], "res").await;
}

/// 4. The epoch survives a restart of every instance: `since` still resumes, without `full`.
#[actix_web::test]
async fn resume_survives_a_restart_of_every_instance() {
    let Some(svc) = services("resume_survives_a_restart_of_every_instance") else {
        return;
    };
    let mut c = Cluster::start(&svc, 3).await;
    let key = c[0].lodm_event("rst", "running").await;
    let mut up_to_date = Spectator::joined(&c[0], "rst").await;
    let mut behind = Spectator::joined(&c[1], "rst").await;
    c[2].post_results(&key, &bib2(9_100)).await.expect(200);
    let f = up_to_date.next().await;
    assert_eq!(behind.next().await.text, f.text);
    let epoch = up_to_date.epoch().to_owned();

    c.kill_all();
    assert_eq!(up_to_date.ended().await, End::Dropped);
    assert_eq!(behind.ended().await, End::Dropped);
    c.restart_all().await;

    // Nothing happened meanwhile: the resume is silent, then live.
    up_to_date.resume(&c[1]).await;
    up_to_date.silent(settle()).await;
    // One frame after the restart, published by C: `behind` resumes on A and gets exactly it.
    c[2].post_results(&key, &bib2(9_200)).await.expect(200);
    let live = up_to_date.next().await;
    assert_eq!(live.seq, f.seq + 1);
    assert!(live.is_diff());
    behind.resume(&c[0]).await;
    let replayed = behind.next().await;
    assert_eq!(replayed.text, live.text);
    behind.silent(settle()).await;
    // A newcomer sees the same epoch as before the restart.
    let newcomer = Spectator::joined(&c[2], "rst").await;
    assert_eq!(newcomer.epoch(), epoch);
    assert_eq!(newcomer.last_seq(), f.seq + 1);
}

/// 5. SIGKILL of the instance holding spectators: they resume on B without a gap.
#[actix_web::test]
async fn spectators_of_a_killed_instance_resume_elsewhere_without_a_gap() {
    let Some(svc) = services("spectators_of_a_killed_instance_resume_elsewhere_without_a_gap")
    else {
        return;
    };
    let mut c = Cluster::start(&svc, 3).await;
    let key = c[1].lodm_event("kill", "running").await;
    let mut witness = Spectator::joined(&c[2], "kill").await;
    let mut on_a = Vec::new();
    for _ in 0..3 {
        on_a.push(Spectator::joined(&c[0], "kill").await);
    }
    c[1].post_results(&key, &bib2(9_100)).await.expect(200);
    let first = witness.next().await;
    for s in &mut on_a {
        assert_eq!(s.next().await.text, first.text);
    }

    c[0].kill9();
    for s in &mut on_a {
        assert_eq!(s.ended().await, End::Dropped);
    }
    // Published while they are away.
    let (shape, _) = crate::scenarios::results_bodies();
    c[1].post_results(&key, &shape).await.expect(200);
    c[2].post_results(&key, &bib2(9_200)).await.expect(200);
    let missed = witness.take(3).await;
    assert_consecutive(&missed, first.seq + 1);
    for s in &mut on_a {
        s.resume(&c[1]).await;
        assert_same_frames(&s.take(3).await, &missed);
    }
    c[2].post_results(&key, &bib2(9_300)).await.expect(200);
    let live = witness.next().await;
    for s in &mut on_a {
        assert_eq!(s.next().await.text, live.text);
        assert_valid_stream(&s.frames);
    }
}

/// 6. NATS cut for B: REST on B answers, ingests on B commit and answer 200; when NATS comes
///    back, B's spectators are brought back in sync and then get the next live frame.
#[actix_web::test]
async fn without_nats_an_instance_serves_and_commits_and_resyncs_after() {
    let Some(svc) = services("without_nats_an_instance_serves_and_commits_and_resyncs_after")
    else {
        return;
    };
    let c = Cluster::start(&svc, 3).await;
    let key = c[0].lodm_event("nonats", "running").await;
    let mut on_a = Spectator::joined(&c[0], "nonats").await;
    let mut on_b = Spectator::joined(&c[1], "nonats").await;
    let mut on_c = Spectator::joined(&c[2], "nonats").await;
    let base = on_a.last_seq();

    c[1].nats_proxy.as_ref().expect("proxy").cut();
    let rest_a = rest_snapshot(&c[0], "nonats").await;
    assert_same_rest(
        &rest_a,
        &rest_snapshot(&c[1], "nonats").await,
        "B without NATS",
    );
    let started = Instant::now();
    c[1].post_results(&key, &bib2(9_100)).await.expect(200);
    assert!(
        started.elapsed() < WAIT,
        "ingest on B took {:?}",
        started.elapsed()
    );
    // Nothing follows B's frame, which never reached the stream: A and C find the row ahead at
    // their sync and resync from the database (no later frame is needed to notice the gap).
    for s in [&mut on_a, &mut on_c] {
        s.until_seq(base + 1).await;
        assert_eq!(s.last_seq(), base + 1);
    }
    c[0].post_results(&key, &bib2(9_200)).await.expect(200);
    // A and C reach the database's position.
    for s in [&mut on_a, &mut on_c] {
        s.until_seq(base + 2).await;
        assert_eq!(s.last_seq(), base + 2);
        assert_valid_stream(&s.frames);
    }
    // B answers from the database: A's write shows there too (bounded wait: B's caches learn
    // of it from its anti-entropy, not from the bus).
    rest_converges(&c[0], &c[1], "nonats").await;

    c[1].nats_proxy.as_ref().expect("proxy").restore();
    c[1].wait_nats_connected().await;
    on_b.until_seq(base + 2).await;
    assert_eq!(on_b.last_seq(), base + 2);
    assert_valid_stream(&on_b.frames);
    // Back in sync: the next live frame arrives the same on every instance.
    tokio::time::sleep(settle()).await;
    c[2].post_results(&key, &bib2(9_300)).await.expect(200);
    let live = on_a.next().await;
    assert_eq!(live.seq, base + 3);
    assert_eq!(on_b.next().await.text, live.text);
    assert_eq!(on_c.next().await.text, live.text);
    assert_eq!(c.db_position("nonats").expect("row").1, base + 3);
}

/// 7. `PostgreSQL` cut for A: ingests on A answer 503 with `Retry-After`, nothing is written;
///    after the restore they answer 200 and the sequence has no gap.
#[actix_web::test]
async fn without_postgres_ingests_answer_503_and_nothing_is_half_written() {
    let Some(svc) = services("without_postgres_ingests_answer_503_and_nothing_is_half_written")
    else {
        return;
    };
    let c = Cluster::start(&svc, 2).await;
    let key = c[0].lodm_event("nopg", "running").await;
    let mut on_b = Spectator::joined(&c[1], "nopg").await;
    let base = on_b.last_seq();
    let before = rest_snapshot(&c[1], "nopg").await;

    c[0].pg_proxy.as_ref().expect("proxy").cut();
    let started = Instant::now();
    let res = c[0].post_results(&key, &bib2(9_100)).await;
    assert_eq!(res.status, 503, "{}", res.text());
    assert!(res.header("retry-after").is_some(), "{:?}", res.headers);
    assert!(started.elapsed() < WAIT, "503 took {:?}", started.elapsed());
    let res = c[0]
        .post_xml(
            &key,
            &crate::harness::fixture("sample-c123-synthetic-lodm-qua.xml"),
        )
        .await;
    assert_eq!(res.status, 503, "{}", res.text());
    on_b.silent(settle()).await;
    assert_same_rest(
        &before,
        &rest_snapshot(&c[1], "nopg").await,
        "B while A has no database",
    );
    assert_eq!(c.db_position("nopg").expect("row").1, base);

    c[0].pg_proxy.as_ref().expect("proxy").restore();
    push_until_ok(&c[0], &key, "after the restore").await;
    let f = on_b.next().await;
    assert_eq!(f.seq, base + 1, "the failed attempts took no seq");
    assert!(f.is_diff());
    on_b.silent(settle()).await;
    let after = c[1]
        .get("/api/v1/events/nopg/results/K1W-ZS_QUA_25")
        .await
        .json();
    let bib2_row = after["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["bib"] == 2)
        .cloned()
        .expect("bib 2");
    assert_eq!(bib2_row["time"], json!(9_100));
    assert_eq!(c.db_position("nopg").expect("row").1, base + 1);
}

/// 8. `official`: the status diff on every instance, then the close after the grace; an
///    on-course expiry publishes exactly one frame, seen on every instance.
#[actix_web::test]
async fn official_close_and_oncourse_expiry_happen_once_across_instances() {
    let Some(svc) = services("official_close_and_oncourse_expiry_happen_once_across_instances")
    else {
        return;
    };
    let c = Cluster::start_with(
        &svc,
        ClusterOpts {
            n: 3,
            env: vec![
                ("OFFICIAL_CLOSE_GRACE_SECS", "1".into()),
                ("ONCOURSE_TTL_MS", "600".into()),
            ],
        },
    )
    .await;
    official_close(&c[1], &[&c[0], &c[1], &c[2]], "off").await;
    let expiry = oncourse_expiry(&c[0], &[&c[0], &c[1], &c[2]], "ttl").await;
    // The expiry is numbered once, in the database too.
    assert_eq!(c.db_position("ttl").expect("row").1, expiry);
}

/// 9. The instance that took the on-course POST, and armed the expiry timer, dies: another
///    instance's sweep publishes the expiry, once.
#[actix_web::test]
async fn oncourse_expiry_outlives_the_instance_that_armed_it() {
    let Some(svc) = services("oncourse_expiry_outlives_the_instance_that_armed_it") else {
        return;
    };
    let mut c = Cluster::start_with(
        &svc,
        ClusterOpts {
            n: 3,
            env: vec![("ONCOURSE_TTL_MS", "1500".into())],
        },
    )
    .await;
    let key = c[0].lodm_event("orphan", "running").await;
    let mut on_b = Spectator::joined(&c[1], "orphan").await;
    let mut on_c = Spectator::joined(&c[2], "orphan").await;
    let base = on_b.last_seq();
    c[0].post_oncourse(&key, &oncourse_body()).await.expect(200);
    for s in [&mut on_b, &mut on_c] {
        assert_eq!(s.next().await.seq, base + 1);
    }
    c[0].kill9();
    for s in [&mut on_b, &mut on_c] {
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
    for s in [&mut on_b, &mut on_c] {
        s.silent(settle()).await;
    }
    assert_eq!(c.db_position("orphan").expect("row").1, base + 2);
    let res = c[1].get("/api/v1/events/orphan/oncourse").await;
    assert_eq!(res.expect(200).json()["oncourse"], json!([]));
}

/// Pushes bib 2's 91.00 to `inst` until it answers 200 (503 while its database comes back, for
/// at most [`WAIT`]); any other answer fails the test.
async fn push_until_ok(inst: &Instance, key: &str, when: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let res = inst.post_results(key, &bib2(9_100)).await;
        match res.status {
            200 => return,
            503 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            s => panic!("{when}: {s} {}", res.text()),
        }
    }
}

/// The event detail and the results of every race it lists (any export).
async fn whole_event(inst: &Instance, event: &str) -> Vec<(String, u16, String)> {
    let detail = inst.get(&format!("/api/v1/events/{event}")).await;
    let mut out = vec![(
        format!("/api/v1/events/{event}"),
        detail.status,
        detail.text(),
    )];
    let races: Vec<String> = detail.json()["races"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|r| r["raceId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for race in races {
        let path = format!("/api/v1/events/{event}/results/{race}");
        let res = inst.get(&path).await;
        out.push((path, res.status, res.text()));
    }
    out
}

/// 7b. `PostgreSQL` cut while A imports the real export: afterwards B shows either the old event
///     or the whole new one, never a mix, and the sequence has no gap.
#[actix_web::test]
async fn a_database_cut_during_an_import_leaves_the_old_or_the_new_state() {
    let Some(svc) = services("a_database_cut_during_an_import_leaves_the_old_or_the_new_state")
    else {
        return;
    };
    let c = Cluster::start(&svc, 2).await;
    let key = c[0].lodm_event("mid", "startlist").await;
    let mut on_b = Spectator::joined(&c[1], "mid").await;
    let before = whole_event(&c[1], "mid").await;
    let export = crate::harness::fixture("xml/xboardtest02_jarni_v1.xml");

    let proxy = c[0].pg_proxy.as_ref().expect("proxy");
    let (res, ()) = futures_util::future::join(c[0].post_xml(&key, &export), async {
        tokio::time::sleep(Duration::from_millis(60)).await;
        proxy.cut();
    })
    .await;
    assert!(
        [200, 500, 503].contains(&res.status),
        "{} {}",
        res.status,
        res.text()
    );
    proxy.restore();
    tokio::time::sleep(settle()).await;
    let during = whole_event(&c[1], "mid").await;

    // The same import again, until it is accepted: the new state.
    let deadline = Instant::now() + WAIT;
    loop {
        let res = c[0].post_xml(&key, &export).await;
        match res.status {
            200 => break,
            500 | 503 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            s => panic!("after the restore: {s} {}", res.text()),
        }
    }
    tokio::time::sleep(settle()).await;
    let after = whole_event(&c[1], "mid").await;
    assert_ne!(before, after, "the export changes the event");
    assert!(
        during == before || during == after,
        "a mix of old and new after the cut (first differing path: {:?})",
        during
            .iter()
            .zip(&after)
            .find(|(d, a)| d != a)
            .map(|(d, _)| &d.0)
    );
    // One `full` per committed import, gap-free.
    let last = c.db_position("mid").expect("row").1;
    on_b.until_seq(last).await;
    assert_valid_stream(&on_b.frames);
    on_b.silent(settle()).await;
}

/// 7c. `PostgreSQL` behind a black hole for A (connections stay open, nothing passes, new ones
///     are never answered; what a network partition looks like): ingests on A still answer 503
///     with `Retry-After` in bounded time, and after the partition heals they answer 200 with
///     a gap-free sequence.
#[actix_web::test]
async fn a_partitioned_database_still_gets_503_in_bounded_time() {
    let Some(svc) = services("a_partitioned_database_still_gets_503_in_bounded_time") else {
        return;
    };
    let c = Cluster::start(&svc, 2).await;
    let key = c[0].lodm_event("part", "running").await;
    let mut on_b = Spectator::joined(&c[1], "part").await;
    let base = on_b.last_seq();

    let proxy = c[0].pg_proxy.as_ref().expect("proxy");
    proxy.stall();
    let body = bib2(9_100).to_string();
    let started = Instant::now();
    let res = c[0]
        .try_send(
            "POST",
            crate::harness::RESULTS,
            &[("x-api-key", &key), ("content-type", "application/json")],
            Some(body.as_bytes()),
        )
        .await;
    let took = started.elapsed();
    let res = res.unwrap_or_else(|e| {
        panic!(
            "A's ingest did not answer in {took:?} with its database partitioned ({e}): every \
             database wait needs a bound (pool checkout and validation, libpq keepalives or \
             tcp_user_timeout)"
        )
    });
    assert_eq!(res.status, 503, "{}", res.text());
    assert!(res.header("retry-after").is_some());
    assert!(took < WAIT, "503 took {took:?}");
    on_b.silent(settle()).await;

    proxy.restore();
    push_until_ok(&c[0], &key, "after the partition healed").await;
    // Whichever push committed (a write held in the partition may have gone through when it
    // healed), the same body twice makes one frame: no gap, no duplicate.
    let f = on_b.next().await;
    assert_eq!(f.seq, base + 1);
    on_b.silent(settle()).await;
    assert_eq!(c.db_position("part").expect("row").1, base + 1);
}
