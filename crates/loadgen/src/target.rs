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
