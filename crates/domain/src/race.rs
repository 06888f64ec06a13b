//! Race types derived from Canoe123's `DisId` and the best-run pairing (c123-xml.md §5).

use serde::{Deserialize, Serialize};

/// The kind of a race, derived from `DisId` (exact, case-sensitive match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RaceType {
    /// `BR1`: first run of a best-run pair.
    #[serde(rename = "best-run-1")]
    BestRun1,
    /// `BR2`: second run of a best-run pair.
    #[serde(rename = "best-run-2")]
    BestRun2,
    /// `TSR`.
    #[serde(rename = "training")]
    Training,
    /// `SR`.
    #[serde(rename = "seeding")]
    Seeding,
    /// `QUA`.
    #[serde(rename = "qualification")]
    Qualification,
    /// `SEM`.
    #[serde(rename = "semifinal")]
    Semifinal,
    /// `FIN`.
    #[serde(rename = "final")]
    Final,
    /// `XT`.
    #[serde(rename = "cross-trial")]
    CrossTrial,
    /// `X4`.
    #[serde(rename = "cross-heat")]
    CrossHeat,
    /// `XS`.
    #[serde(rename = "cross-semifinal")]
    CrossSemifinal,
    /// `XF`.
    #[serde(rename = "cross-final")]
    CrossFinal,
    /// `XER`.
    #[serde(rename = "cross-extra")]
    CrossExtra,
    /// Anything else, or no `DisId`.
    #[serde(rename = "unknown")]
    Unknown,
}

impl RaceType {
    const TABLE: [(&'static str, Self, &'static str); 12] = [
        ("BR1", Self::BestRun1, "best-run-1"),
        ("BR2", Self::BestRun2, "best-run-2"),
        ("TSR", Self::Training, "training"),
        ("SR", Self::Seeding, "seeding"),
        ("QUA", Self::Qualification, "qualification"),
        ("SEM", Self::Semifinal, "semifinal"),
        ("FIN", Self::Final, "final"),
        ("XT", Self::CrossTrial, "cross-trial"),
        ("X4", Self::CrossHeat, "cross-heat"),
        ("XS", Self::CrossSemifinal, "cross-semifinal"),
        ("XF", Self::CrossFinal, "cross-final"),
        ("XER", Self::CrossExtra, "cross-extra"),
    ];

    /// The race type of a `DisId`.
    pub fn from_dis_id(dis_id: Option<&str>) -> Self {
        dis_id
            .and_then(|d| Self::TABLE.iter().find(|(code, _, _)| *code == d))
            .map_or(Self::Unknown, |(_, t, _)| *t)
    }

    /// The wire and storage spelling (`best-run-1`).
    pub fn as_str(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|(_, t, _)| *t == self)
            .map_or("unknown", |(_, _, s)| s)
    }

    /// Parses the stored spelling; anything unrecognised is `Unknown`.
    pub fn from_stored(s: &str) -> Self {
        Self::TABLE
            .iter()
            .find(|(_, _, name)| *name == s)
            .map_or(Self::Unknown, |(_, t, _)| *t)
    }

    /// Whether lists of this race are shown combined with its partner run.
    pub fn is_best_run(self) -> bool {
        matches!(self, Self::BestRun1 | Self::BestRun2)
    }
}

/// The two race ids of a best-run pair, `(P_BR1_S, P_BR2_S)`, from either id
/// (`^(.+)_BR[12]_(.+)$`, greedy first group). `None` when the id does not match.
pub fn best_run_pair(race_id: &str) -> Option<(String, String)> {
    // Greedy `(.+)` takes the last `_BR1_`/`_BR2_` occurrence that leaves a non-empty prefix
    // and suffix.
    let starts: Vec<usize> = race_id.match_indices("_BR").map(|(i, _)| i).collect();
    for &i in starts.iter().rev() {
        let rest = &race_id[i..];
        if (rest.starts_with("_BR1_") || rest.starts_with("_BR2_")) && i > 0 && rest.len() > 5 {
            let prefix = &race_id[..i];
            let suffix = &rest[5..];
            return Some((
                format!("{prefix}_BR1_{suffix}"),
                format!("{prefix}_BR2_{suffix}"),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dis_ids_map_exactly() {
        assert_eq!(RaceType::from_dis_id(Some("BR1")), RaceType::BestRun1);
        assert_eq!(RaceType::from_dis_id(Some("QUA")), RaceType::Qualification);
        assert_eq!(RaceType::from_dis_id(Some("br1")), RaceType::Unknown);
        assert_eq!(RaceType::from_dis_id(None), RaceType::Unknown);
        for (code, t, name) in RaceType::TABLE {
            assert_eq!(RaceType::from_dis_id(Some(code)), t);
            assert_eq!(t.as_str(), name);
            assert_eq!(RaceType::from_stored(name), t);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{name}\""));
        }
        assert_eq!(RaceType::Unknown.as_str(), "unknown");
    }

    #[test]
    fn best_run_pairs_from_either_id() {
        let pair = Some(("K1M_ST_BR1_6".to_owned(), "K1M_ST_BR2_6".to_owned()));
        assert_eq!(best_run_pair("K1M_ST_BR1_6"), pair);
        assert_eq!(best_run_pair("K1M_ST_BR2_6"), pair);
        assert_eq!(
            best_run_pair("K1M-ZS_BR2_25"),
            Some(("K1M-ZS_BR1_25".to_owned(), "K1M-ZS_BR2_25".to_owned()))
        );
        // Greedy prefix: the last run code wins.
        assert_eq!(
            best_run_pair("A_BR1_B_BR2_C"),
            Some(("A_BR1_B_BR1_C".to_owned(), "A_BR1_B_BR2_C".to_owned()))
        );
        assert_eq!(best_run_pair("R1"), None);
        assert_eq!(best_run_pair("_BR1_6"), None);
        assert_eq!(best_run_pair("K1M_BR1_"), None);
        assert_eq!(
            best_run_pair("Ž_BR1_č"),
            Some(("Ž_BR1_č".to_owned(), "Ž_BR2_č".to_owned()))
        );
    }
}
