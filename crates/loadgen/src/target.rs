//! The loopback guard: the load generator only ever talks to a server on this machine.
//!
//! Load tests send many thousands of connections and requests; aimed at anything but the local
//! machine they would be an attack, so every `--url` whose host is not in `127.0.0.0/8`, `::1` or
//! `localhost` is refused before a single socket is opened. Names are never resolved through DNS:
//! `localhost` means `127.0.0.1`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Where the server listens, as checked by [`parse_target`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Resolved loopback socket address.
    pub addr: SocketAddr,
    /// The `Host` header value (the URL's authority as written).
    pub host: String,
}

/// Why a `--url` was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    /// Only plain `http://` is spoken (the server is local; TLS would only cost CPU).
    #[error("--url must start with http:// (got {0:?})")]
    Scheme(String),
    /// The authority could not be read as `host[:port]`.
    #[error("--url has no valid host[:port]: {0:?}")]
    Malformed(String),
    /// A path, query or user info was given; the generator builds every path itself.
    #[error("--url must be only scheme, host and port (got {0:?})")]
    HasPath(String),
    /// The host is not a loopback address.
    #[error(
        "refusing --url host {0:?}: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed"
    )]
    NotLoopback(String),
}

/// Parses `http://host[:port][/]` and accepts it only when the host is loopback.
pub fn parse_target(url: &str) -> Result<Target, TargetError> {
    let rest = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .and_then(|_| url.get(7..))
        .ok_or_else(|| TargetError::Scheme(url.to_owned()))?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#', '@']) {
        return Err(TargetError::HasPath(url.to_owned()));
    }
    let (host, port) = split_host_port(authority)?;
    let ip = loopback_ip(host)?;
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        host: authority.to_owned(),
    })
}

/// Splits `host`, `host:port`, `[v6]` or `[v6]:port`; the port defaults to 80.
fn split_host_port(authority: &str) -> Result<(&str, u16), TargetError> {
    let malformed = || TargetError::Malformed(authority.to_owned());
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or_else(malformed)?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or_else(malformed)?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(malformed());
    }
    let port = match port {
        None => 80,
        Some(p) => p.parse::<u16>().map_err(|_| malformed())?,
    };
    Ok((host, port))
}

/// Splits a `--target` value: one URL or a comma-separated list (blanks around commas ignored).
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The target of spectator `index` among `targets`: round robin, so N spectators over T targets
/// put ⌈N/T⌉ or ⌊N/T⌋ on each.
pub fn target_for(index: usize, targets: usize) -> usize {
    index % targets.max(1)
}

/// Where spectator `index` reconnects on attempt `attempt` (0, 1, …) after its connection to
/// target `dropped` ended: round robin over the *other* targets, starting at an offset that
/// spreads the dropped target's spectators evenly over the remaining ones. With one target there
/// is nowhere else to go: the same one (a restarted instance).
pub fn failover_target(index: usize, dropped: usize, attempt: usize, targets: usize) -> usize {
    if targets <= 1 {
        return 0;
    }
    let others = targets - 1;
    // Spectators of one target are every `targets`-th index; `index / targets` numbers them
    // 0, 1, 2, … so consecutive ones start at consecutive remaining targets.
    let k = (index / targets + attempt) % others;
    let dropped = dropped.min(targets - 1);
    // The k-th target counting from after `dropped`, skipping `dropped` itself.
    (dropped + 1 + k) % targets
}

fn loopback_ip(host: &str) -> Result<IpAddr, TargetError> {
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => Ok(ip),
        _ => Err(TargetError::NotLoopback(host.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_accepted() {
        let t = parse_target("http://127.0.0.1:3000").unwrap();
        assert_eq!(t.addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(t.host, "127.0.0.1:3000");
        let t = parse_target("HTTP://localhost:8080/").unwrap();
        assert_eq!(t.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(t.host, "localhost:8080");
        let t = parse_target("http://[::1]:3000").unwrap();
        assert_eq!(t.addr, "[::1]:3000".parse().unwrap());
        let t = parse_target("http://127.45.6.7").unwrap();
        assert_eq!(t.addr, "127.45.6.7:80".parse().unwrap());
        let t = parse_target("http://[::1]").unwrap();
        assert_eq!(t.addr.port(), 80);
    }

    #[test]
    fn lists_split_on_commas() {
        assert_eq!(
            split_list("http://127.0.0.1:3001, http://127.0.0.1:3002,,"),
            ["http://127.0.0.1:3001", "http://127.0.0.1:3002"]
        );
        assert_eq!(split_list("http://[::1]:3000"), ["http://[::1]:3000"]);
        assert!(split_list(" , ").is_empty());
    }

    #[test]
    fn spectators_are_spread_round_robin() {
        let counts = (0..9001).fold([0_usize; 3], |mut c, i| {
            c[target_for(i, 3)] += 1;
            c
        });
        assert_eq!(counts, [3001, 3000, 3000]);
        assert_eq!(target_for(0, 3), 0);
        assert_eq!(target_for(4, 3), 1);
        // One target (or a misconfigured zero) keeps everyone on the first.
        assert!((0..10).all(|i| target_for(i, 1) == 0 && target_for(i, 0) == 0));
    }

    #[test]
    fn failover_goes_round_robin_over_the_other_targets() {
        // Target 1 of 3 dies: its spectators (1, 4, 7, 10, …) split evenly over 2 and 0.
        let firsts: Vec<usize> = [1, 4, 7, 10]
            .iter()
            .map(|&i| failover_target(i, 1, 0, 3))
            .collect();
        assert_eq!(firsts, [2, 0, 2, 0]);
        // Later attempts move on to the next remaining target, never the dropped one.
        assert_eq!(failover_target(1, 1, 1, 3), 0);
        assert_eq!(failover_target(1, 1, 2, 3), 2);
        for targets in 2..6 {
            for dropped in 0..targets {
                for index in 0..50 {
                    let seen: std::collections::BTreeSet<usize> = (0..targets - 1)
                        .map(|a| failover_target(index, dropped, a, targets))
                        .collect();
                    assert!(!seen.contains(&dropped));
                    assert_eq!(seen.len(), targets - 1, "every other target is tried");
                }
            }
        }
        // Even spread of 3000 dropped spectators of target 0 over targets 1 and 2.
        let mut c = [0_usize; 3];
        for i in (0..9000).filter(|i| target_for(*i, 3) == 0) {
            c[failover_target(i, 0, 0, 3)] += 1;
        }
        assert_eq!(c, [0, 1500, 1500]);
        // One target: the same one again.
        assert_eq!(failover_target(5, 0, 3, 1), 0);
    }

    #[test]
    fn other_hosts_are_refused() {
        for url in [
            "http://10.0.0.1:3000",
            "http://192.168.1.1",
            "http://8.8.8.8:80",
            "http://example.com:3000",
            "http://localhost.example.com",
            "http://[::2]:3000",
            "http://[::ffff:7f00:1]:3000",
            "http://0.0.0.0:3000",
        ] {
            assert!(
                matches!(parse_target(url), Err(TargetError::NotLoopback(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn malformed_urls_are_refused() {
        assert!(matches!(
            parse_target("https://127.0.0.1"),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(
            parse_target("127.0.0.1:3000"),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(
            parse_target("http://"),
            Err(TargetError::Malformed(_))
        ));
        assert!(matches!(
            parse_target("http://127.0.0.1:99999"),
            Err(TargetError::Malformed(_))
        ));
        assert!(matches!(
            parse_target("http://[::1"),
            Err(TargetError::Malformed(_))
        ));
        assert!(matches!(
            parse_target("http://127.0.0.1:3000/api"),
            Err(TargetError::HasPath(_))
        ));
        assert!(matches!(
            parse_target("http://evil@127.0.0.1"),
            Err(TargetError::HasPath(_))
        ));
        assert!(matches!(parse_target("ht"), Err(TargetError::Scheme(_))));
    }
}
