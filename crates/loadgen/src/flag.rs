//! Waiting for a `watch::Receiver<bool>` flag (stop, interrupt) without keeping its value
//! borrowed: `wait_for` yields a read guard, and a guard held across an await would block the
//! sender.

use tokio::sync::watch;

/// Completes once the flag is `true`, or its sender is gone.
pub(crate) async fn raised(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|set| *set).await;
}
