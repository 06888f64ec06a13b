//! Backups of a running server (issue 12 item 3): copies taken during an import hold one whole
//! snapshot (and a server started on one of them serves it), the scheduler keeps the newest N,
//! and the RUNBOOK's restore procedure brings a server back with the backup's data.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::{MASTER, Opts, fixture, spawn_env, spawn_with, table_snapshot};
use crate::ingest::post_xml;

/// Every table but the ingest log (flushed asynchronously, so not part of an import's snapshot).
fn snapshot(db: &Path) -> String {
    table_snapshot(db)
}

#[actix_web::test]
async fn backups_during_an_import_hold_the_old_or_the_new_snapshot() {
    let app = crate::helpers::spawn_app().await;
    let key = app.event("jarni").await;
    let res = post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm.xml")).await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    let old = snapshot(app.db_path());

    let dir = tempfile::tempdir().expect("tempdir");
    let db = app.db_path().to_owned();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let out = dir.path().to_owned();
    // Backups back to back on their own thread, from before the import until after its answer.
    let taker = std::thread::spawn(move || {
        let mut reports = Vec::new();
        let deadline = Instant::now() + Duration::from_mins(2);
        for i in 0.. {
            assert!(Instant::now() < deadline, "the import never answered");
            let report = live_store::backup(&db, &out.join(format!("b{i:03}.db")))
                .expect("backup during the import");
            reports.push(report);
            // One more copy after the import's answer, which must hold the new snapshot.
            if stop_rx.try_recv().is_ok() {
                let last = out.join("last.db");
                reports.push(live_store::backup(&db, &last).expect("backup after the import"));
                break;
            }
        }
        reports
    });
    // Let the first copy start from the old snapshot.
    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    let res = post_xml(&app, &key, &fixture("xml/xboardtest02_jarni_v1.xml")).await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    stop_tx.send(()).expect("taker running");
    let reports = actix_web::rt::task::spawn_blocking(move || taker.join().expect("taker"))
        .await
        .expect("join");
    let new = snapshot(app.db_path());
    assert_ne!(old, new);
    assert!(reports.len() >= 2, "{} backups", reports.len());

    let mut kinds = Vec::new();
    for report in &reports {
        let copy = snapshot(&report.path);
        let kind = if copy == old {
            "old"
        } else if copy == new {
            "new"
        } else {
            panic!("{} holds neither snapshot", report.path.display());
        };
        // The counts the command prints come from the copy.
        let participants = if kind == "old" {
            count(&old, "participants")
        } else {
            366
        };
        assert_eq!(report.participants, participants, "{kind}");
        assert_eq!(report.events, 1);
        kinds.push(kind);
    }
    // The copy that started before the import is the old data, the one after its answer the new.
    assert_eq!(kinds.first(), Some(&"old"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"new"), "{kinds:?}");
    app.stop().await;

    // Restore one taken while the import ran: a server started on it serves that snapshot.
    let middle = reports.len() / 2;
    let restore_dir = tempfile::tempdir().expect("tempdir");
    let restored_db = restore_dir.path().join("live-mini.db");
    std::fs::copy(&reports[middle].path, &restored_db).expect("copy in");
    let restored = spawn_with(Opts {
        db_path: Some(restored_db.clone()),
        ..Opts::default()
    })
    .await;
    let expected = if kinds[middle] == "old" { &old } else { &new };
    assert_eq!(&snapshot(&restored_db), expected);
    let res = restored
        .get("/api/v1/admin/events", &[("x-master-key", MASTER)])
        .await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.json()["events"][0]["eventId"], "jarni");
    assert_eq!(res.json()["events"][0]["hasXmlData"], true);
    restored.stop().await;
}

/// Rows of `table` in a dump (`[table] N rows`).
fn count(dump: &str, table: &str) -> i64 {
    let marker = format!("[{table}] ");
    let line = dump
        .lines()
        .find(|l| l.starts_with(&marker))
        .unwrap_or_else(|| panic!("no {table} in dump"));
    line[marker.len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad line {line}"))
}

#[actix_web::test]
async fn the_scheduler_keeps_the_newest_backups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backups = dir.path().join("backups");
    let app = spawn_env(&[
        ("BACKUP_DIR", backups.to_str().expect("utf-8")),
        ("BACKUP_EVERY_SECS", "1"),
        ("BACKUP_KEEP", "2"),
    ])
    .await;
    app.event("scheduled").await;

    let mut seen = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.len() < 4 {
        assert!(Instant::now() < deadline, "backups seen: {seen:?}");
        let names = scheduled(&backups);
        assert!(names.len() <= 2, "more than BACKUP_KEEP: {names:?}");
        seen.extend(names);
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let names = scheduled(&backups);
    let newest = backups.join(names.last().expect("a backup"));
    let dump = snapshot(&newest);
    assert!(dump.contains("'scheduled'"), "{dump}");
    app.stop().await;
    assert!(
        std::fs::read_dir(&backups).expect("list").all(|e| !e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")),
        "no partial copy left behind"
    );
}

/// The scheduled backups in `dir`, oldest first (`live-mini-<UTC timestamp>.db`).
fn scheduled(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .filter(|n| n.starts_with("live-mini-") && n.ends_with("Z.db"))
        .collect();
    names.sort();
    names
}

fn live_mini(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_live-mini"))
        .args(args)
        .env("DATABASE_PATH", db)
        .env_remove("LIVE_ENV")
        .env_remove("BACKUP_DIR")
        .output()
        .expect("run live-mini")
}

#[actix_web::test]
async fn the_backup_command_and_the_runbook_restore() {
    let app = crate::helpers::spawn_app().await;
    let key = app.event("restored").await;
    let res = post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    let at_backup = snapshot(app.db_path());

    // `live-mini backup <file>` against the running server's database.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("race-day.db");
    let out = live_mini(app.db_path(), &["backup", file.to_str().expect("utf-8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!("backup written: {} (", file.display()))
            && stdout.contains("integrity ok; 1 events,"),
        "{stdout}"
    );
    // Never overwrites; usage errors exit 1.
    let again = live_mini(app.db_path(), &["backup", file.to_str().expect("utf-8")]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(live_mini(app.db_path(), &["backup"]).status.code(), Some(1));

    // Later writes that the restore must undo.
    app.event("after-backup").await;

    // The RUNBOOK's restore: stop the server, move the database and its -wal and -shm files
    // aside, copy the backup in as DATABASE_PATH, start.
    let (db_dir, db_path): (_, PathBuf) = app.stop_keep_db().await;
    for suffix in ["", "-wal", "-shm"] {
        let mut from = db_path.clone().into_os_string();
        from.push(suffix);
        let mut to = from.clone();
        to.push(".before-restore");
        if Path::new(&from).exists() {
            std::fs::rename(&from, &to).expect("move aside");
        }
    }
    std::fs::copy(&file, &db_path).expect("copy the backup in");
    let restored = spawn_with(Opts {
        db_path: Some(db_path.clone()),
        ..Opts::default()
    })
    .await;
    assert_eq!(snapshot(&db_path), at_backup);
    // The restored server answers with the backup's events only.
    let res = restored
        .get("/api/v1/admin/events", &[("x-master-key", MASTER)])
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let listed = res.json().to_string();
    assert!(
        listed.contains("\"restored\"") && !listed.contains("after-backup"),
        "{listed}"
    );
    restored.stop().await;
    drop(db_dir);
}
