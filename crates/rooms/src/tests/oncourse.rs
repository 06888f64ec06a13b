//! On-course frames: DV7 deduplication and the clear.

use super::*;
use crate::DiffKind;

const RIDER: &str = r#"{"oncourse":[{"bib":8}]}"#;
const OTHER: &str = r#"{"oncourse":[{"bib":17}]}"#;
const EMPTY: &str = r#"{"oncourse":[]}"#;

#[tokio::test]
async fn an_on_course_diff_identical_to_the_previous_one_is_not_sent() {
    let rooms = Rooms::new(config());
    let mut socket = join(&rooms, "e", None).await;
    let mut lock = rooms.lock("e").await;
    assert_eq!(lock.publish_oncourse(RIDER), Some(1));
    assert_eq!(lock.publish_oncourse(RIDER), None);
    assert_eq!(lock.publish_oncourse(OTHER), Some(2));
    assert_eq!(
        lock.publish_oncourse(RIDER),
        Some(3),
        "only the previous frame counts"
    );
    drop(lock);

    for (seq, data) in [(1, RIDER), (2, OTHER), (3, RIDER)] {
        let frame = next_frame(&mut socket).await;
        assert_eq!(frame["seq"], seq);
        assert_eq!(frame["data"], json(data));
    }
    assert!(nothing_ready(&mut socket));
}

#[tokio::test]
async fn after_a_clear_the_previous_frame_counts_as_empty() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Running).await;
    assert_eq!(
        lock.publish_oncourse(EMPTY),
        Some(1),
        "the first frame is always sent"
    );
    assert_eq!(lock.publish_oncourse(RIDER), Some(2));
    lock.clear_oncourse();
    assert_eq!(lock.position().unwrap().1, 2, "a clear sends nothing");
    assert_eq!(lock.publish_oncourse(EMPTY), None);
    assert_eq!(lock.publish_oncourse(RIDER), Some(3));
}

#[tokio::test]
async fn an_on_course_diff_published_directly_becomes_the_previous_frame() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Running).await;
    assert_eq!(lock.publish_diff(DiffKind::Oncourse, RIDER), Some(1));
    assert_eq!(
        lock.publish_diff(DiffKind::Oncourse, RIDER),
        Some(2),
        "not deduplicated"
    );
    assert_eq!(lock.publish_oncourse(RIDER), None);
}
