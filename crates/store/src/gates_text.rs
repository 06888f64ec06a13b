//! Gates as stored: the JSON text of `Vec<Gate>` (`[{"number":1,"type":"normal","penalty":0},…]`).
//!
//! Encoding is written by hand: it cannot fail (no error path for a value that is always
//! encodable) and it is several times faster than going through serde for the ~1 400 gate lists of
//! a real import. A test pins it to serde's output, so readers may decode with serde.

use std::fmt::Write as _;

use live_domain::{Gate, GateType};

use crate::error::StoreError;

/// The stored text of `gates`.
pub(crate) fn encode(gates: &[Gate]) -> String {
    let mut out = String::with_capacity(2 + gates.len() * 44);
    out.push('[');
    for (i, gate) in gates.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let kind = match gate.gate_type {
            GateType::Normal => "normal",
            GateType::Reverse => "reverse",
            GateType::Unknown => "unknown",
        };
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            r#"{{"number":{},"type":"{kind}","penalty":"#,
            gate.number
        );
        match gate.penalty {
            Some(p) => {
                let _ = write!(out, "{p}}}");
            }
            None => out.push_str("null}"),
        }
    }
    out.push(']');
    out
}

/// Reads stored gates back; a text that is not a gate list is a corrupt row.
pub(crate) fn decode(text: &str) -> Result<Vec<Gate>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("results.gates: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_equals_serde_and_round_trips() {
        let gates = vec![
            Gate {
                number: 1,
                gate_type: GateType::Normal,
                penalty: Some(0),
            },
            Gate {
                number: 3,
                gate_type: GateType::Reverse,
                penalty: Some(50),
            },
            Gate {
                number: -7,
                gate_type: GateType::Unknown,
                penalty: None,
            },
        ];
        let text = encode(&gates);
        assert_eq!(text, serde_json::to_string(&gates).unwrap());
        assert_eq!(decode(&text).unwrap(), gates);
        assert_eq!(encode(&[]), "[]");
        assert!(matches!(decode("{"), Err(StoreError::Corrupt(_))));
    }
}
