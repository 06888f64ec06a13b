//! A once-a-minute log line with the live rooms' counters, so an operator can see from the logs
//! alone how many spectators are connected and whether connection tasks outlive their sockets
//! (`tasks` should equal `connections`; a growing gap is a leak).

use std::time::Duration;

use live_rooms::{RoomStats, Rooms};

/// Logs [`RoomStats`] every `every` at `info` (target `live_mini::stats`), skipping lines that
/// would repeat an all-zero line.
pub(crate) fn spawn_reporter(rooms: Rooms, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        let mut last = RoomStats::default();
        loop {
            tick.tick().await;
            let now = rooms.stats();
            if now != RoomStats::default() || last != RoomStats::default() {
                tracing::info!(
                    target: "live_mini::stats",
                    connections = now.connections,
                    rooms = now.rooms,
                    hubs = now.hubs,
                    tasks = now.tasks,
                    pending_closes = now.pending_closes,
                    "live rooms"
                );
            }
            last = now;
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::test_log::Captured;

    use live_domain::EventStatus;
    use live_rooms::{Rooms, RoomsConfig};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn logs_the_counters_each_minute_and_stays_quiet_when_nothing_is_live() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let rooms = Rooms::new(RoomsConfig::default());
        let reporter = spawn_reporter(rooms.clone(), Duration::from_mins(1));

        tokio::time::sleep(Duration::from_secs(150)).await;
        assert!(captured.lines().is_empty(), "{:?}", captured.lines());

        rooms
            .lock("e1")
            .await
            .load(EventStatus::Running, "{}".to_owned());
        tokio::time::sleep(Duration::from_mins(1)).await;
        let lines = captured.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("live_mini::stats"), "{lines:?}");
        assert!(
            lines[0].contains("connections=0 rooms=0 hubs=1 tasks=0 pending_closes=0"),
            "{lines:?}"
        );
        reporter.abort();
    }
}
