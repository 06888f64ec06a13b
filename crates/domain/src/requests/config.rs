//! Event configuration: the `PATCH …/config` body (contract §4.7) and the stored object it merges
//! into.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::checks::{Object, additional_property};
use super::error::ValidationError;
use super::field::Field;
use super::path::Path;

/// How the SPA lays out results; stored only, no server-side effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisplayMode {
    /// `"simple"`.
    Simple,
    /// `"detailed"`.
    Detailed,
}

impl DisplayMode {
    /// The wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Detailed => "detailed",
        }
    }
}

/// How an XML import treats values the live feed filled in (c123-xml.md §10.3, DV13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeStrategy {
    /// Keep live-fed values an XML row would blank (the default when unset).
    #[default]
    Live,
    /// Let the XML replace everything, as upstream did.
    Xml,
}

impl MergeStrategy {
    /// The wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Xml => "xml",
        }
    }
}

/// The keys a config PATCH may carry, in table order.
const CONFIG_KEYS: [&str; 4] = [
    "activeRaceId",
    "displayMode",
    "showOnCourse",
    "mergeStrategy",
];

/// A validated config PATCH: each key absent (unchanged), `null` (removed) or a value (set).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigPatch {
    /// `activeRaceId`: stored only.
    pub active_race_id: Field<String>,
    /// `displayMode`: stored only.
    pub display_mode: Field<DisplayMode>,
    /// `showOnCourse`: stored only.
    pub show_on_course: Field<bool>,
    /// `mergeStrategy`: read by the XML import.
    pub merge_strategy: Field<MergeStrategy>,
}

impl ConfigPatch {
    /// Validates a config body (§1.4, §4.7), reporting the first violation.
    ///
    /// Unknown keys are checked first, as the presence pass of this object (DV24); when several are
    /// sent, the first in the parsed object's key order is named (alphabetical with the default
    /// `serde_json` map, body order if its `preserve_order` feature is ever enabled).
    pub fn parse(value: &Value) -> Result<Self, ValidationError> {
        let body = Object::new(value, &Path::Body)?;
        if let Some(unknown) = body
            .map()
            .keys()
            .find(|key| !CONFIG_KEYS.contains(&key.as_str()))
        {
            return Err(additional_property(body.path(), unknown));
        }

        let active_race_id = body.string_or_null("activeRaceId")?;
        let display_mode = body.string_or_null("displayMode")?;
        let show_on_course = body.boolean_or_null("showOnCourse")?;
        let merge_strategy = body.string_or_null("mergeStrategy")?;

        let display_mode = display_mode.try_map(|text| {
            let allowed = [DisplayMode::Simple, DisplayMode::Detailed].map(|m| (m.as_str(), m));
            body.one_of("displayMode", text, &allowed)
        })?;
        let merge_strategy = merge_strategy.try_map(|text| {
            let allowed = [MergeStrategy::Live, MergeStrategy::Xml].map(|m| (m.as_str(), m));
            body.one_of("mergeStrategy", text, &allowed)
        })?;

        Ok(Self {
            active_race_id: active_race_id.map(str::to_owned),
            display_mode,
            show_on_course,
            merge_strategy,
        })
    }
}

/// The stored config object of an event: only the keys that are set (`{}` when none).
///
/// Kept by the store as JSON text; [`EventConfig::to_json_text`] and
/// [`EventConfig::from_json_text`] round-trip it, and the `Serialize` form is the body of
/// `GET`/`PATCH …/config`. Fields are in alphabetical key order so that both forms write the same
/// text whether or not `serde_json` keeps insertion order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventConfig {
    /// Race the SPA should show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_race_id: Option<String>,
    /// SPA layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_mode: Option<DisplayMode>,
    /// XML merge strategy; unset means [`MergeStrategy::Live`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_strategy: Option<MergeStrategy>,
    /// Whether the SPA shows riders on course.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_on_course: Option<bool>,
}

impl EventConfig {
    /// Shallow merge of a PATCH: absent keys stay, `null` removes, values replace.
    pub fn apply(&mut self, patch: ConfigPatch) {
        self.active_race_id = patch.active_race_id.update(self.active_race_id.take());
        self.display_mode = patch.display_mode.update(self.display_mode);
        self.show_on_course = patch.show_on_course.update(self.show_on_course);
        self.merge_strategy = patch.merge_strategy.update(self.merge_strategy);
    }

    /// The strategy the XML import uses: the stored one, `live` when unset.
    pub fn merge_strategy(&self) -> MergeStrategy {
        self.merge_strategy.unwrap_or_default()
    }

    /// The compact JSON text the store keeps
    /// (`{"activeRaceId":"K1M-ZS_BR1_25","showOnCourse":true}`).
    pub fn to_json_text(&self) -> String {
        let mut map = Map::new();
        if let Some(id) = &self.active_race_id {
            map.insert("activeRaceId".to_owned(), Value::String(id.clone()));
        }
        if let Some(mode) = self.display_mode {
            map.insert("displayMode".to_owned(), Value::from(mode.as_str()));
        }
        if let Some(strategy) = self.merge_strategy {
            map.insert("mergeStrategy".to_owned(), Value::from(strategy.as_str()));
        }
        if let Some(show) = self.show_on_course {
            map.insert("showOnCourse".to_owned(), Value::Bool(show));
        }
        Value::Object(map).to_string()
    }

    /// Reads the stored JSON text back; unknown keys are ignored and `null` counts as unset.
    pub fn from_json_text(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
