//! Gates: the `{"number","type","penalty"}` objects and the course configuration they are typed
//! against (computations.md §7).

use serde::{Deserialize, Serialize};

/// How a gate is passed: downstream (`N`), upstream (`R`), or not known from the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateType {
    /// `N` in the course configuration.
    Normal,
    /// `R` in the course configuration.
    Reverse,
    /// Beyond the configuration, no course, or unknown race.
    Unknown,
}

/// One gate of a run. Penalties are seconds (`0`, `2`, `50`), `null` = not passed or not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Gate {
    /// 1-based gate number.
    pub number: i32,
    /// Gate type from the course.
    #[serde(rename = "type")]
    pub gate_type: GateType,
    /// Penalty in seconds, or null.
    pub penalty: Option<i32>,
}

/// A course's gate configuration with only `N`/`R` kept (`S` section markers dropped);
/// `None` when nothing is left.
pub fn normalise_course_config(raw: &str) -> Option<String> {
    let kept: String = raw.chars().filter(|c| matches!(c, 'N' | 'R')).collect();
    (!kept.is_empty()).then_some(kept)
}

/// The type of gate `number` (1-based) on a normalised course configuration.
pub fn gate_type(config: Option<&str>, number: i32) -> GateType {
    let Some(config) = config else {
        return GateType::Unknown;
    };
    let Some(index) = usize::try_from(number).ok().and_then(|n| n.checked_sub(1)) else {
        return GateType::Unknown;
    };
    match config.as_bytes().get(index) {
        Some(b'N') => GateType::Normal,
        Some(b'R') => GateType::Reverse,
        _ => GateType::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_config_keeps_only_n_and_r() {
        let c = normalise_course_config("NNRNSNRNSRNNSNRNSNRNSRNSNRNSNRNS").unwrap();
        assert_eq!(c, "NNRNNRNRNNNRNNRNRNNRNNRN");
        assert_eq!(c.len(), 24);
        assert_eq!(normalise_course_config("SSS"), None);
        assert_eq!(normalise_course_config(""), None);
    }

    #[test]
    fn gate_types_come_from_the_course() {
        let c = Some("NNR");
        assert_eq!(gate_type(c, 1), GateType::Normal);
        assert_eq!(gate_type(c, 3), GateType::Reverse);
        assert_eq!(gate_type(c, 4), GateType::Unknown);
        assert_eq!(gate_type(c, 0), GateType::Unknown);
        assert_eq!(gate_type(c, -1), GateType::Unknown);
        assert_eq!(gate_type(None, 1), GateType::Unknown);
    }

    #[test]
    fn gate_json_shape() {
        let g = Gate {
            number: 3,
            gate_type: GateType::Reverse,
            penalty: None,
        };
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            r#"{"number":3,"type":"reverse","penalty":null}"#
        );
    }
}
