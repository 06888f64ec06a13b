//! Write timing: every write reports to the observer, committed or rolled back; reads do not.

use std::sync::{Arc, Mutex};

use live_domain::requests::MergeStrategy;
use live_store::{WriteObserver, WriteTiming};

use crate::support::{LODM_QUA, backends, export};

#[derive(Debug, Default)]
struct Recorded(Mutex<Vec<WriteTiming>>);

impl WriteObserver for Recorded {
    fn write_finished(&self, timing: WriteTiming) {
        self.0.lock().unwrap().push(timing);
    }
}

backends! {
async fn every_write_is_timed_and_says_whether_it_committed(db) {
    let mut db = db;
    let recorded = Arc::new(Recorded::default());
    db.store = db
        .store
        .clone()
        .with_write_observer(Arc::<Recorded>::clone(&recorded));

    let pk = db.event("e1").await;
    db.store.event_by_id("e1".to_owned()).await.unwrap();
    {
        let seen = recorded.0.lock().unwrap();
        assert_eq!(seen.len(), 1, "one write, the read is not timed: {seen:?}");
        assert!(seen[0].committed);
    }

    db.fail_trigger("fail_results", "BEFORE INSERT ON results", None);
    db.store
        .apply_xml(pk, export(LODM_QUA), MergeStrategy::Live)
        .await
        .unwrap_err();
    let seen = recorded.0.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(!seen[1].committed, "a rolled-back write is reported too");
}
}
