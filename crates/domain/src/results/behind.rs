//! Behind strings (computations.md §3): the gap to a leader as seconds with two decimals.

/// The behind string for a gap of `d_cs` centiseconds to the leader: `"0.00"` for the leader
/// itself, `"+5.95"` otherwise.
///
/// Callers compute `d_cs` as total − leader total, which is never negative; a negative input is
/// shown as `"0.00"` rather than producing `"+-0.57"`, because the wire format has no negative form.
pub fn behind(d_cs: i32) -> String {
    if d_cs <= 0 {
        return "0.00".to_owned();
    }
    format!("+{}.{:02}", d_cs / 100, d_cs % 100)
}

#[cfg(test)]
mod tests {
    use super::behind;

    #[test]
    fn spec_examples() {
        assert_eq!(behind(0), "0.00");
        assert_eq!(behind(57), "+0.57");
        assert_eq!(behind(595), "+5.95");
        assert_eq!(behind(1437), "+14.37");
        assert_eq!(behind(1600), "+16.00");
        assert_eq!(behind(7605), "+76.05");
        assert_eq!(behind(1), "+0.01");
        assert_eq!(behind(-57), "0.00");
        assert_eq!(behind(i32::MAX), "+21474836.47");
    }
}
