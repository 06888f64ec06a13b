//! The verifier spectator's client-side state: results rows upserted by `bib` from the diffs,
//! as the SPA keeps them, to be compared with the REST lists after the run.
//!
//! A `full` or a `refresh` tells a real client to re-fetch everything over REST; the mirror cannot,
//! so it forgets what it had and compares only rows that arrived after the last of them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Most mismatches kept per comparison (the count is exact).
const MAX_REPORTED: usize = 5;

/// Results rows per race, keyed by the JSON text of `bib`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultsMirror {
    races: BTreeMap<String, BTreeMap<String, Map<String, Value>>>,
    /// Rows that arrived with a null or missing `bib` (cannot be upserted).
    pub unkeyed: u64,
    /// Frames that were not valid JSON objects of the contract's shape.
    pub unreadable: u64,
}

/// The outcome of comparing one race with its REST list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Rows compared.
    pub rows: usize,
    /// Values compared.
    pub values: usize,
    /// Number of differences.
    pub mismatches: usize,
    /// The first few differences, described.
    pub examples: Vec<String>,
}

impl ResultsMirror {
    /// Applies one frame (full parse).
    pub fn apply(&mut self, text: &str) {
        let Ok(Value::Object(frame)) = serde_json::from_str::<Value>(text) else {
            self.unreadable += 1;
            return;
        };
        match frame.get("type").and_then(Value::as_str) {
            Some("full" | "refresh") => self.races.clear(),
            Some("diff") => {
                let data = frame.get("data");
                let race = data.and_then(|d| d.get("raceId")).and_then(Value::as_str);
                let rows = data
                    .and_then(|d| d.get("results"))
                    .and_then(Value::as_array);
                if let (Some(race), Some(rows)) = (race, rows) {
                    self.upsert(race, rows);
                }
            }
            _ => self.unreadable += 1,
        }
    }

    fn upsert(&mut self, race: &str, rows: &[Value]) {
        let list = self.races.entry(race.to_owned()).or_default();
        for row in rows {
            match row.as_object() {
                Some(item) if item.get("bib").is_some_and(|b| !b.is_null()) => {
                    let key = item.get("bib").map(Value::to_string).unwrap_or_default();
                    list.insert(key, item.clone());
                }
                _ => self.unkeyed += 1,
            }
        }
    }

    /// The races that received diffs since the last `full`/`refresh`.
    pub fn race_ids(&self) -> impl Iterator<Item = &str> {
        self.races.keys().map(String::as_str)
    }

    /// Compares the rows of `race` with the `results` items of its REST list, on the keys the
    /// diff items and the REST items share (single-run diffs carry stored XML columns the
    /// non-detailed REST item does not have).
    pub fn compare(&self, race: &str, rest_items: &[Value]) -> Comparison {
        let mut cmp = Comparison::default();
        let Some(rows) = self.races.get(race) else {
            return cmp;
        };
        let by_bib: BTreeMap<String, &Map<String, Value>> = rest_items
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|item| item.get("bib").map(|b| (b.to_string(), item)))
            .collect();
        for (bib, item) in rows {
            cmp.rows += 1;
            let Some(rest) = by_bib.get(bib) else {
                cmp.note(format!("{race} bib {bib}: not in the REST list"));
                continue;
            };
            for (key, value) in item {
                if let Some(rest_value) = rest.get(key) {
                    cmp.values += 1;
                    if rest_value != value {
                        cmp.note(format!(
                            "{race} bib {bib} {key}: client {value}, REST {rest_value}"
                        ));
                    }
                }
            }
        }
        cmp
    }
}

impl Comparison {
    fn note(&mut self, what: String) {
        self.mismatches += 1;
        if self.examples.len() < MAX_REPORTED {
            self.examples.push(what);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn diff(race: &str, rows: &Value) -> String {
        json!({"type":"diff","seq":1,"data":{"raceId":race,"results":rows}}).to_string()
    }

    #[test]
    fn upserts_by_bib_and_compares_shared_keys() {
        let mut m = ResultsMirror::default();
        m.apply(&diff(
            "R1",
            &json!([{"bib":1,"rnk":2,"time":100,"prevTime":5},{"bib":2,"rnk":1,"time":90}]),
        ));
        m.apply(&diff(
            "R1",
            &json!([{"bib":1,"rnk":2,"time":101,"prevTime":5}]),
        ));
        assert_eq!(m.race_ids().collect::<Vec<_>>(), vec!["R1"]);
        let rest = json!([{"bib":2,"rnk":1,"time":90},{"bib":1,"rnk":2,"time":101},{"bib":3,"rnk":3,"time":120}]);
        let cmp = m.compare("R1", rest.as_array().unwrap());
        assert_eq!(cmp.rows, 2);
        assert_eq!(cmp.values, 6);
        assert_eq!(cmp.mismatches, 0, "{:?}", cmp.examples);
    }

    #[test]
    fn differences_and_missing_rows_are_reported() {
        let mut m = ResultsMirror::default();
        m.apply(&diff(
            "R1",
            &json!([{"bib":1,"time":100},{"bib":9,"time":1}]),
        ));
        let rest = json!([{"bib":1,"time":99}]);
        let cmp = m.compare("R1", rest.as_array().unwrap());
        assert_eq!(cmp.mismatches, 2);
        assert_eq!(cmp.examples[0], "R1 bib 1 time: client 100, REST 99");
        assert_eq!(cmp.examples[1], "R1 bib 9: not in the REST list");
    }

    #[test]
    fn full_and_refresh_forget_earlier_rows() {
        let mut m = ResultsMirror::default();
        m.apply(&diff("R1", &json!([{"bib":1,"time":100}])));
        m.apply(r#"{"type":"full","seq":2,"epoch":"0000000000000001","data":{}}"#);
        assert_eq!(m.race_ids().count(), 0);
        m.apply(&diff("R2", &json!([{"bib":1,"time":100}])));
        m.apply(r#"{"type":"refresh","seq":9}"#);
        assert_eq!(m.race_ids().count(), 0);
    }

    #[test]
    fn rows_without_bib_and_junk_are_counted() {
        let mut m = ResultsMirror::default();
        m.apply(&diff("R1", &json!([{"bib":null,"time":1},{"time":2},7])));
        m.apply("[]");
        m.apply("{\"type\":\"nope\"}");
        assert_eq!(m.unkeyed, 3);
        assert_eq!(m.unreadable, 2);
        // Other diffs are ignored.
        m.apply(r#"{"type":"diff","seq":3,"data":{"oncourse":[]}}"#);
        assert_eq!(m.unreadable, 2);
        assert_eq!(m.compare("R9", &[]).rows, 0);
    }
}
