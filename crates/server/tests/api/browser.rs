//! The spectator page in a real headless Chromium against the real server (issue 11 §3): server
//! HTML with JavaScript off, live patching with it on, the on-course panel, the category filter,
//! reconnecting across a server restart, `official` arriving live, both languages, and the phone
//! and desktop layouts (screenshots into `$LIVE_MINI_SCREENSHOTS` when set: `just screenshots`).
//!
//! Without Chromium each test prints one `browser tests NOT RUN` line and passes, unless
//! `LIVE_MINI_REQUIRE_BROWSER=1` (CI) makes that a failure.

use serde_json::{Value, json};

use crate::cdp::{Browser, browser};
use crate::helpers::{Opts, TestApp, fixture, spawn_app, spawn_with};
use crate::ingest::{ONCOURSE, RESULTS, event_with_export, post_xml};

async fn lodm(app: &TestApp, status: &str) -> String {
    let key = app.event("lodm-2024").await;
    let res = post_xml(app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.set_status("lodm-2024", &key, status).await;
    key
}

async fn ingest(app: &TestApp, key: &str, path: &str, body: Value) {
    let res = app.json("POST", path, &[("x-api-key", key)], &body).await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
}

/// Bib 12 of the qualification on course: `gates` so far, started 15 s ago.
fn on_course(gates: &[Option<i32>], time: i32) -> Value {
    let started = chrono::Utc::now() - chrono::Duration::seconds(15);
    json!({"oncourse": [{
        "participantId": "61003.K1W.ZS", "raceId": "K1W-ZS_QUA_25", "bib": 12,
        "name": "SAMKOVÁ Eliška", "club": "Klub", "position": 1, "gates": gates,
        "dtStart": started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "dtFinish": null, "time": time, "pen": gates.iter().flatten().sum::<i32>() * 100,
        "rank": 2, "ttbDiff": "+1.37", "ttbName": "FUCHSOVÁ Terezie"
    }]})
}

/// Bib 12's result arrives: 74.00, clean, first.
async fn finish_bib_12(app: &TestApp, key: &str) {
    let body = json!({"results": [{
        "raceId": "K1W-ZS_QUA_25", "participantId": "61003.K1W.ZS", "bib": 12,
        "time": 7400, "pen": 0, "total": 7400, "status": null, "rnk": 1
    }]});
    ingest(app, key, RESULTS, body).await;
}

async fn text_of(b: &mut Browser, selector: &str) -> String {
    b.eval(&format!(
        "document.querySelector({})?.textContent.trim() ?? null",
        json!(selector)
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[actix_web::test]
async fn pages_render_from_server_html_with_javascript_off_in_both_languages() {
    let Some(mut b) = browser("javascript off").await else {
        return;
    };
    let app = spawn_app().await;
    event_with_export(&app, "jarni", "running").await;
    b.disable_js().await;
    b.accept_language("cs-CZ,cs;q=0.9").await;

    b.goto(&format!("{}/", app.base)).await;
    assert_eq!(b.eval("document.documentElement.lang").await, "cs");
    assert_eq!(text_of(&mut b, "#h-live").await, "Právě probíhá");
    assert_eq!(text_of(&mut b, ".card .ct").await, "Test");
    assert_eq!(b.eval("typeof window.liveMini").await, "undefined");

    b.goto(&format!("{}/events/jarni/races/K1M_ST_BR2_6", app.base))
        .await;
    assert_eq!(b.eval("typeof window.liveMini").await, "undefined");
    assert_eq!(text_of(&mut b, "table.res th.nm").await, "Jméno");
    assert_eq!(text_of(&mut b, "table.res th.r1").await, "1. jízda");
    assert!(
        b.eval("document.querySelectorAll('table.res tbody tr').length")
            .await
            .as_u64()
            >= Some(100)
    );
    assert_eq!(text_of(&mut b, "#r1 td.rk").await, "1");
    assert_eq!(text_of(&mut b, "#r1 .n").await, "KREJČÍ Jakub");
    assert_eq!(
        text_of(&mut b, "#r1 td.r1 b").await,
        "78.99",
        "the better run is marked"
    );
    assert_eq!(text_of(&mut b, "#r1 td.tt").await, "78.99");
    // The expandable row holds each run's gates, upstream gates marked, without JavaScript.
    assert_eq!(
        b.eval("document.querySelector('#r1 details').open").await,
        false
    );
    b.eval("document.querySelector('#r1 summary').click()")
        .await;
    b.wait_for("document.querySelector('#r1 details').open", "row expands")
        .await;
    assert!(b.eval("document.querySelectorAll('#r1 .run').length").await == 2);
    assert!(
        b.eval("document.querySelectorAll('#r1 .gates li.rv').length")
            .await
            .as_u64()
            > Some(0)
    );
    assert!(
        b.eval("document.querySelectorAll('#r1 .gates li.g0').length")
            .await
            .as_u64()
            > Some(10)
    );

    b.accept_language("en").await;
    b.goto(&format!(
        "{}/events/jarni/races/K1M_ST_BR2_6?view=startlist",
        app.base
    ))
    .await;
    assert_eq!(b.eval("document.documentElement.lang").await, "en");
    assert!(
        text_of(&mut b, "table.sl caption")
            .await
            .starts_with("Start list")
    );
    b.goto(&format!(
        "{}/events/jarni/races/K1M_ST_BR2_6?lang=cs&view=schedule",
        app.base
    ))
    .await;
    assert_eq!(text_of(&mut b, "table.sched caption").await, "Program");
    app.stop().await;
}

#[actix_web::test]
async fn a_race_follows_results_and_a_rider_on_course_without_reload() {
    let Some(mut b) = browser("live results").await else {
        return;
    };
    let app = spawn_app().await;
    let key = lodm(&app, "running").await;
    b.goto(&format!(
        "{}/events/lodm-2024/races/K1W-ZS_QUA_25?lang=en",
        app.base
    ))
    .await;
    b.wait_for("window.liveMini.state === 'live'", "socket open")
        .await;
    assert_eq!(text_of(&mut b, "#conn").await, "Live");
    assert_eq!(text_of(&mut b, "#r12 td.tt").await, "DNF");
    b.eval("document.body.dataset.marker = 'same-document'")
        .await;

    // A rider on course, gate by gate.
    ingest(&app, &key, ONCOURSE, on_course(&[Some(0)], 1500)).await;
    b.wait_for(
        "document.querySelectorAll('#oc-list > li').length === 1",
        "rider on course",
    )
    .await;
    assert_eq!(b.eval("document.getElementById('oc').hidden").await, false);
    assert_eq!(
        b.eval("[...document.querySelectorAll('#oc-list .gates li')].map(l => l.className)")
            .await,
        json!(["g0"])
    );
    let ttb = text_of(&mut b, "#oc-list .ttb").await;
    assert!(
        ttb.starts_with("2.") && ttb.contains("+1.37") && ttb.contains("FUCHSOVÁ"),
        "{ttb}"
    );
    ingest(
        &app,
        &key,
        ONCOURSE,
        on_course(&[Some(0), Some(2), None], 2500),
    )
    .await;
    b.wait_for(
        "document.querySelectorAll('#oc-list .gates li').length === 3",
        "second update",
    )
    .await;
    assert_eq!(
        b.eval("[...document.querySelectorAll('#oc-list .gates li')].map(l => l.className)")
            .await,
        json!(["g0", "g2", "rv"]),
        "clean, touch, not yet passed (an upstream gate on this course)"
    );
    assert_eq!(text_of(&mut b, "#oc-list .pen").await, "+2");
    // The clock runs between updates.
    let first = text_of(&mut b, "#oc-list .ock").await;
    b.wait_for(
        &format!(
            "document.querySelector('#oc-list .ock').textContent !== {}",
            json!(first)
        ),
        "running clock",
    )
    .await;
    ingest(
        &app,
        &key,
        ONCOURSE,
        on_course(&[Some(0), Some(2), Some(50)], 3000),
    )
    .await;
    b.wait_for(
        "document.querySelector('#oc-list .gates li:nth-child(3)')?.className === 'g50 rv'",
        "missed gate",
    )
    .await;

    // Her result arrives: the row is patched in place and moves to the top.
    finish_bib_12(&app, &key).await;
    b.wait_for(
        "document.querySelector('#r12 td.tt')?.textContent === '74.00'",
        "result patched",
    )
    .await;
    assert_eq!(text_of(&mut b, "#r12 td.rk").await, "1");
    assert_eq!(
        b.eval("document.querySelector('table.res tbody tr').id")
            .await,
        "r12"
    );
    assert_eq!(text_of(&mut b, "#r3 td.bh").await, "+2.05");
    assert!(text_of(&mut b, "#announce").await.contains("74.00"));
    assert_eq!(
        b.eval("document.body.dataset.marker").await,
        "same-document"
    );
    let stats = b.eval("window.liveMini").await;
    assert_eq!(
        stats["full"], 0,
        "started from the page's position: {stats}"
    );
    assert_eq!(stats["reloads"], 0, "patched, not re-read: {stats}");
    app.stop().await;
}

#[actix_web::test]
async fn the_category_filter_reranks_and_favourites_are_kept() {
    let Some(mut b) = browser("category filter").await else {
        return;
    };
    let app = spawn_app().await;
    event_with_export(&app, "jarni", "running").await;
    b.goto(&format!("{}/events/jarni/races/K1M_ST_BR2_6", app.base))
        .await;
    b.wait_for("window.liveMini.state === 'live'", "socket open")
        .await;
    let burger = "[...document.querySelectorAll('table.res tbody tr')].find(r => r.querySelector('.n').textContent === 'BURGER Jáchym')";
    assert_eq!(
        b.eval(&format!("{burger}.querySelector('td.rk').textContent"))
            .await,
        "4"
    );
    // Favourite him; the mark survives a navigation.
    b.eval(&format!("{burger}.querySelector('.fav-b').click()"))
        .await;
    assert_eq!(
        b.eval(&format!("{burger}.classList.contains('fav')")).await,
        true
    );
    b.eval("const s = document.getElementById('cat'); s.value = 'DS'; s.dispatchEvent(new Event('change', {bubbles: true}))")
        .await;
    b.wait_for("location.search.includes('cat=DS') && document.readyState === 'complete' && document.querySelector('table.res')", "filtered page")
        .await;
    b.wait_for(
        "window.liveMini && window.liveMini.state === 'live'",
        "socket open",
    )
    .await;
    let cats = b.eval("[...new Set([...document.querySelectorAll('table.res tbody tr')].map(r => r.dataset.c))]").await;
    assert_eq!(cats, json!(["DS"]));
    assert_eq!(
        b.eval("document.querySelector('table.res th.rk abbr').title")
            .await,
        "Cat. rank"
    );
    assert_eq!(
        b.eval(&format!("{burger}.querySelector('td.rk').textContent"))
            .await,
        "1"
    );
    assert_eq!(
        b.eval(&format!("{burger}.classList.contains('fav')")).await,
        true
    );
    // Live search by name narrows the rows without a request.
    b.eval("const q = document.getElementById('q'); q.value = 'burg'; q.dispatchEvent(new Event('input', {bubbles: true}))")
        .await;
    assert_eq!(
        b.eval(
            "[...document.querySelectorAll('table.res tbody tr')].filter(r => !r.hidden).length"
        )
        .await,
        1
    );
    // The detailed view opens every row in place, without a request.
    b.eval("document.body.dataset.marker = 'same-document'")
        .await;
    b.eval("document.getElementById('detail').click()").await;
    b.wait_for(
        "[...document.querySelectorAll('#list details')].every(d => d.open)",
        "all rows expanded",
    )
    .await;
    assert_eq!(
        b.eval("document.body.dataset.marker").await,
        "same-document"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_page_reconnects_after_a_restart_and_stays_live_until_official() {
    let Some(mut b) = browser("restart and official").await else {
        return;
    };
    let app = spawn_app().await;
    let key = lodm(&app, "running").await;
    let port = app.port();
    let url = format!("{}/events/lodm-2024/races/K1W-ZS_QUA_25?lang=en", app.base);
    b.goto(&url).await;
    b.wait_for("window.liveMini.state === 'live'", "socket open")
        .await;
    b.eval("document.body.dataset.marker = 'same-document'")
        .await;

    // The network drops while the server stays up: the page resumes from its last frame with
    // `since=`, gets exactly the frames it missed (a rider who went on course meanwhile), no `full`.
    b.send(
        "Network.emulateNetworkConditions",
        json!({"offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
    )
    .await;
    b.wait_for(
        "window.liveMini.state === 'reconnecting'",
        "offline noticed",
    )
    .await;
    ingest(&app, &key, ONCOURSE, on_course(&[Some(0)], 1500)).await;
    b.send(
        "Network.emulateNetworkConditions",
        json!({"offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
    )
    .await;
    b.wait_for(
        "document.querySelectorAll('#oc-list > li').length === 1",
        "missed frame replayed",
    )
    .await;
    let stats = b.eval("window.liveMini").await;
    assert_eq!(stats["full"], 0, "{stats}");
    assert_eq!(stats["reloads"], 0, "{stats}");
    assert_eq!(stats["opened"], 2, "{stats}");

    // The server goes away: the indicator says so.
    let (dir, db) = app.stop_keep_db().await;
    b.wait_for(
        "window.liveMini.state === 'reconnecting'",
        "indicator reacts",
    )
    .await;
    assert_eq!(
        text_of(&mut b, "#conn").await,
        "Connection lost, reconnecting…"
    );
    assert_eq!(
        b.eval("document.getElementById('conn').getAttribute('role')")
            .await,
        "status"
    );
    // It comes back on the same port with the same database: the page reconnects by itself.
    // A restart starts a new epoch (contract §6.6), so the server sends `full` and the page
    // re-reads its data in place, without a navigation.
    let app = spawn_with(Opts {
        env: vec![
            ("PORT", port.to_string()),
            ("OFFICIAL_CLOSE_GRACE_SECS", "1".to_owned()),
        ],
        db_path: Some(db),
        ..Opts::default()
    })
    .await;
    b.wait_for(
        "window.liveMini.state === 'live' && window.liveMini.opened === 3",
        "reconnected",
    )
    .await;
    b.wait_for(
        "window.liveMini.full === 1 && window.liveMini.reloads === 1",
        "data re-read",
    )
    .await;
    assert_eq!(
        b.eval("document.body.dataset.marker").await,
        "same-document"
    );
    finish_bib_12(&app, &key).await;
    b.wait_for(
        "document.querySelector('#r12 td.tt')?.textContent === '74.00'",
        "live after restart",
    )
    .await;

    // A fresh page load resumes from the position in its HTML: no `full` at all.
    b.goto(&url).await;
    b.wait_for("window.liveMini.state === 'live'", "socket open")
        .await;
    ingest(&app, &key, ONCOURSE, on_course(&[Some(0)], 1500)).await;
    b.wait_for(
        "document.querySelectorAll('#oc-list > li').length === 1",
        "diff after resume",
    )
    .await;
    assert_eq!(b.eval("window.liveMini.full").await, 0);

    // finished, then official: both arrive live; official ends the socket for good.
    app.set_status("lodm-2024", &key, "finished").await;
    b.wait_for(
        "document.getElementById('evstatus').textContent === 'Finished'",
        "finished live",
    )
    .await;
    assert_eq!(
        b.eval("window.liveMini.state").await,
        "live",
        "the socket stays open at finished"
    );
    app.set_status("lodm-2024", &key, "official").await;
    b.wait_for(
        "document.getElementById('evstatus').textContent === 'Official results'",
        "official live",
    )
    .await;
    b.wait_for("window.liveMini.state === 'official'", "indicator official")
        .await;
    // The server closes the room after the grace period; the page does not reconnect.
    let opened = b.eval("window.liveMini.opened").await;
    b.wait_for("window.liveMini.closedByServer === true", "room closed")
        .await;
    assert_eq!(b.eval("window.liveMini.opened").await, opened);
    assert_eq!(b.eval("window.liveMini.state").await, "official");
    app.stop().await;
    drop(dir);
}

/// Phone and desktop layouts: nothing wider than the screen on a 360 px phone; screenshots of the
/// main views into `$LIVE_MINI_SCREENSHOTS` (see `just screenshots`).
#[actix_web::test]
async fn phone_and_desktop_layouts_fit_and_screenshots_on_request() {
    let Some(mut b) = browser("layouts").await else {
        return;
    };
    let app = spawn_app().await;
    let key = app
        .create_event(
            json!({"eventId": "jarni", "mainTitle": "Jarní slalomy", "subTitle": "Český pohár"}),
        )
        .await;
    let res = post_xml(&app, &key, &fixture("xml/xboardtest02_jarni_v1.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.set_status("jarni", &key, "running").await;
    for (id, title, status) in [
        ("lodm-2024", "LODM 2024", "startlist"),
        ("podzim-2025", "Podzimní slalom 2025", "official"),
    ] {
        let other = app
            .create_event(json!({"eventId": id, "mainTitle": title}))
            .await;
        post_xml(&app, &other, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
        app.set_status(id, &other, status).await;
    }
    let rider = json!({"oncourse": [{
        "participantId": "x", "raceId": "K1M_ST_BR2_6", "bib": 9, "name": "KOPEČEK Michal",
        "club": "VS Tábor", "position": 1,
        "gates": [0,0,0,2,0,0,50,0,0,0,0,0,0,0,0,0,null,null,null,null,null,null,null,null],
        "dtStart": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "dtFinish": null, "time": 2900, "pen": 5200, "rank": 3, "ttbDiff": "+1.37",
        "ttbName": "KREJČÍ Jakub"
    }]});
    ingest(&app, &key, ONCOURSE, rider).await;
    let dir = std::env::var_os("LIVE_MINI_SCREENSHOTS").map(std::path::PathBuf::from);
    let shots = [
        ("events", "/?lang=cs".to_owned()),
        (
            "race",
            "/events/jarni/races/K1M_ST_BR2_6?lang=cs".to_owned(),
        ),
        (
            "race-en",
            "/events/jarni/races/K1M_ST_BR2_6?lang=en".to_owned(),
        ),
        (
            "startlist",
            "/events/jarni/races/K1M_ST_BR2_6?lang=cs&view=startlist".to_owned(),
        ),
    ];
    for (device, width, height, mobile) in
        [("phone", 360, 780, true), ("desktop", 1280, 900, false)]
    {
        b.viewport(width, height, mobile).await;
        for (name, path) in &shots {
            b.goto(&format!("{}{path}", app.base)).await;
            if name.starts_with("race") {
                // The first row expanded, so its runs and gates must fit too.
                b.wait_for("window.liveMini.state === 'live'", "socket open")
                    .await;
                b.eval("document.querySelector('#r1 summary').click()")
                    .await;
                b.wait_for("document.querySelector('#r1 details').open", "row open")
                    .await;
            }
            let overflow = b
                .eval(&format!("document.documentElement.scrollWidth - {width}"))
                .await;
            assert!(
                overflow.as_i64() <= Some(0),
                "{device} {name}: {overflow} px too wide"
            );
            if let Some(dir) = &dir {
                let png = b.screenshot(false).await;
                assert!(png.starts_with(b"\x89PNG"));
                std::fs::create_dir_all(dir).expect("screenshot dir");
                std::fs::write(dir.join(format!("{device}-{name}.png")), png).expect("write PNG");
            }
        }
    }
    app.stop().await;
}
