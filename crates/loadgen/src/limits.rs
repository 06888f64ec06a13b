//! The generator's own descriptor limit: one socket per spectator, so `RLIMIT_NOFILE` decides how
//! many spectators one process can hold.

/// Descriptors kept for everything but spectator sockets (HTTP connections, stdio, files, the
/// runtime's own).
pub const RESERVED_FDS: u64 = 64;

/// The soft and hard `RLIMIT_NOFILE` after trying to raise the soft one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NofileLimit {
    /// Soft limit now in force.
    pub soft: u64,
    /// Hard limit (the ceiling an unprivileged process can raise to).
    pub hard: u64,
}

impl NofileLimit {
    /// How many spectator connections fit.
    pub fn connections(self) -> u64 {
        self.soft.saturating_sub(RESERVED_FDS)
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and reports both.
///
/// An unlimited hard limit cannot be used for descriptors: the kernel caps them at
/// `/proc/sys/fs/nr_open`, so that is the ceiling asked for.
pub fn raise_nofile() -> std::io::Result<NofileLimit> {
    let nr_open = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    let soft = rlimit::increase_nofile_limit(nr_open)?;
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    Ok(NofileLimit { soft, hard })
}

/// Descriptors a process needs for `connections` sockets plus its reserve.
pub fn needed(connections: u64) -> u64 {
    connections.saturating_add(RESERVED_FDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_reaches_the_hard_limit() {
        let limit = raise_nofile().unwrap();
        let nr_open: u64 = std::fs::read_to_string("/proc/sys/fs/nr_open")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(limit.soft, limit.hard.min(nr_open));
        assert_eq!(
            rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap().0,
            limit.soft
        );
    }

    #[test]
    fn reserve_is_subtracted() {
        let l = NofileLimit {
            soft: 1024,
            hard: 4096,
        };
        assert_eq!(l.connections(), 960);
        assert_eq!(NofileLimit { soft: 10, hard: 10 }.connections(), 0);
        assert_eq!(needed(10_000), 10_064);
    }
}
