//! A client that stops reading does not delay another, and later gets `refresh` (contract §6.7).

use live_rooms::RoomsConfig;

use crate::helpers::*;

/// Frames published while the slow client does not read: 300 × 128 KiB is far more than the
/// kernel's socket buffers, actix's write buffer and the session channel hold together.
const FRAMES: u64 = 300;
const FRAME_BYTES: usize = 128 * 1024;

#[actix_web::test]
async fn a_client_that_stops_reading_does_not_delay_another_and_later_gets_refresh() {
    let server = TestServer::start(RoomsConfig {
        send_queue: 4,
        // Every skipped frame stays known, so the resync is a `refresh`, not a `full`.
        resume_frames: 512,
        ..config()
    });
    let mut slow = server.connect("e").await;
    let mut fast = server.connect("e").await;
    next_json(&mut slow).await;
    next_json(&mut fast).await;

    // The fast client gets every frame, in order, while the slow one reads nothing.
    for seq in 1..=FRAMES {
        assert_eq!(
            server.publish("e", &results_data(seq, FRAME_BYTES)).await,
            seq
        );
        let diff = next_json(&mut fast).await;
        assert_eq!(diff["seq"], seq);
    }

    // The slow client now reads: what was already on its way, then one refresh at the current
    // seq, then only newer frames.
    let mut expected = 1;
    let resync = loop {
        let frame = next_json(&mut slow).await;
        if frame["type"] != "diff" {
            break frame;
        }
        assert_eq!(
            frame["seq"], expected,
            "frames before the resync arrive in order"
        );
        expected += 1;
    };
    assert!(
        expected <= FRAMES,
        "the slow client was never resynchronised"
    );
    assert_eq!(
        resync,
        serde_json::json!({"type": "refresh", "seq": FRAMES})
    );

    server.publish("e", &results_data(FRAMES + 1, 10)).await;
    assert_eq!(next_json(&mut slow).await["seq"], FRAMES + 1);
    assert_eq!(next_json(&mut fast).await["seq"], FRAMES + 1);
    server.stop().await;
}
