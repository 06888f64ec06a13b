//! The primitive checks of contract §1.4 on single JSON values, with their exact messages.
//!
//! Each request walks its body with these in the order of its request table: for one object first
//! [`Object::require`] (presence of every required key), then the type accessors in table order,
//! then the limit checks ([`Object::limit`], [`Object::one_of`], [`Object::max_chars`]), and only
//! then the contents of its nested arrays. Errors are built (and paths rendered) only on the
//! failure path.

use serde_json::{Map, Number, Value};

use super::error::ValidationError;
use super::field::Field;
use super::path::Path;
use crate::bounds::{echo, longer_than};

/// A JSON number that is an integer literal, classified against the signed 32-bit range.
///
/// The range check is a limit, reported after every type check of the object, so the type pass
/// keeps the classification and the limit pass turns it into a value or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Integer {
    /// Within `i32`.
    InRange(i32),
    /// Above `i32::MAX`.
    TooLarge,
    /// Below `i32::MIN`.
    TooSmall,
}

impl Integer {
    /// Classifies a number: `None` unless its literal has no fraction and no exponent
    /// (`7.0`, `7.5` and `1e2` are not integers, §1.4).
    ///
    /// Relies on `serde_json`'s `arbitrary_precision`, which keeps the literal text of the number.
    pub(super) fn from_number(n: &Number) -> Option<Self> {
        let text = n.as_str();
        if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            return None;
        }
        match text.parse::<i32>() {
            Ok(v) => Some(Self::InRange(v)),
            Err(e) => match e.kind() {
                std::num::IntErrorKind::PosOverflow => Some(Self::TooLarge),
                std::num::IntErrorKind::NegOverflow => Some(Self::TooSmall),
                _ => None,
            },
        }
    }

    /// Classifies a value: `None` unless it is an integer number.
    pub(super) fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Number(n) => Self::from_number(n),
            _ => None,
        }
    }

    /// The value if it lies in `min..=i32::MAX`, else the limit message for `path`.
    ///
    /// A bound tighter than `i32::MIN` is reported instead of the 32-bit one (`gate` ≥ 1, §1.4).
    pub(super) fn at_least(self, min: i32, path: &Path<'_>) -> Result<i32, ValidationError> {
        match self {
            Self::InRange(v) if v >= min => Ok(v),
            Self::InRange(_) | Self::TooSmall => Err(too_small(path, min)),
            Self::TooLarge => Err(too_large(path, i32::MAX)),
        }
    }
}

/// `<path> must be object`.
pub(super) fn must_be_object(path: &Path<'_>) -> ValidationError {
    ValidationError::new(format!("{path} must be object"))
}

/// `<path> must have required property '<name>'`.
pub(super) fn missing_property(path: &Path<'_>, name: &str) -> ValidationError {
    ValidationError::new(format!("{path} must have required property '{name}'"))
}

/// `<path> must be <type>` or, for a nullable field, `<path> must be <type> or null`.
pub(super) fn wrong_type(path: &Path<'_>, type_name: &str, nullable: bool) -> ValidationError {
    let or_null = if nullable { " or null" } else { "" };
    ValidationError::new(format!("{path} must be {type_name}{or_null}"))
}

/// `<path> must be equal to one of the allowed values`.
pub(super) fn not_allowed(path: &Path<'_>) -> ValidationError {
    ValidationError::new(format!("{path} must be equal to one of the allowed values"))
}

/// `<path> must be >= <min>`.
pub(super) fn too_small(path: &Path<'_>, min: i32) -> ValidationError {
    ValidationError::new(format!("{path} must be >= {min}"))
}

/// `<path> must be <= <max>`.
pub(super) fn too_large(path: &Path<'_>, max: i32) -> ValidationError {
    ValidationError::new(format!("{path} must be <= {max}"))
}

/// `<path> must NOT have more than <n> characters`.
pub(super) fn too_long(path: &Path<'_>, max: usize) -> ValidationError {
    ValidationError::new(format!("{path} must NOT have more than {max} characters"))
}

/// `<path> must NOT have additional property '<name>'`.
pub(super) fn additional_property(path: &Path<'_>, name: &str) -> ValidationError {
    let name = echo(name);
    ValidationError::new(format!("{path} must NOT have additional property '{name}'"))
}

/// `<path> must NOT have more than <n> items`.
pub(super) fn too_many_items(path: &Path<'_>, max: usize) -> ValidationError {
    ValidationError::new(format!("{path} must NOT have more than {max} items"))
}

/// A JSON object being validated, with its path for messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct Object<'v, 'p> {
    map: &'v Map<String, Value>,
    path: &'p Path<'p>,
}

impl<'v, 'p> Object<'v, 'p> {
    /// The object at `path`, or `<path> must be object`.
    pub(super) fn new(value: &'v Value, path: &'p Path<'p>) -> Result<Self, ValidationError> {
        match value {
            Value::Object(map) => Ok(Self { map, path }),
            _ => Err(must_be_object(path)),
        }
    }

    /// The path of the object itself.
    pub(super) const fn path(&self) -> &'p Path<'p> {
        self.path
    }

    /// The members, for checks that look at every key.
    pub(super) const fn map(&self) -> &'v Map<String, Value> {
        self.map
    }

    /// The presence pass: the first of `keys` (in the given order) that is missing.
    pub(super) fn require(&self, keys: &[&'static str]) -> Result<(), ValidationError> {
        match keys.iter().find(|key| !self.map.contains_key(**key)) {
            Some(key) => Err(missing_property(self.path, key)),
            None => Ok(()),
        }
    }

    /// The member `key`, or the required-property message when it is missing.
    fn required(&self, key: &'static str) -> Result<&'v Value, ValidationError> {
        self.map
            .get(key)
            .ok_or_else(|| missing_property(self.path, key))
    }

    /// Required string member.
    pub(super) fn string(&self, key: &'static str) -> Result<&'v str, ValidationError> {
        match self.required(key)? {
            Value::String(s) => Ok(s),
            _ => Err(wrong_type(&self.path.key(key), "string", false)),
        }
    }

    /// Optional `string|null` member.
    pub(super) fn string_or_null(
        &self,
        key: &'static str,
    ) -> Result<Field<&'v str>, ValidationError> {
        match self.map.get(key) {
            None => Ok(Field::Absent),
            Some(Value::Null) => Ok(Field::Null),
            Some(Value::String(s)) => Ok(Field::Value(s)),
            Some(_) => Err(wrong_type(&self.path.key(key), "string", true)),
        }
    }

    /// Required integer member, range not yet checked.
    pub(super) fn integer(&self, key: &'static str) -> Result<Integer, ValidationError> {
        Integer::from_value(self.required(key)?)
            .ok_or_else(|| wrong_type(&self.path.key(key), "integer", false))
    }

    /// Optional `integer|null` member, range not yet checked.
    pub(super) fn integer_or_null(
        &self,
        key: &'static str,
    ) -> Result<Field<Integer>, ValidationError> {
        match self.map.get(key) {
            None => Ok(Field::Absent),
            Some(Value::Null) => Ok(Field::Null),
            Some(value) => Integer::from_value(value)
                .map(Field::Value)
                .ok_or_else(|| wrong_type(&self.path.key(key), "integer", true)),
        }
    }

    /// Optional `boolean|null` member.
    pub(super) fn boolean_or_null(
        &self,
        key: &'static str,
    ) -> Result<Field<bool>, ValidationError> {
        match self.map.get(key) {
            None => Ok(Field::Absent),
            Some(Value::Null) => Ok(Field::Null),
            Some(Value::Bool(b)) => Ok(Field::Value(*b)),
            Some(_) => Err(wrong_type(&self.path.key(key), "boolean", true)),
        }
    }

    /// Required array member; its items are checked later by the caller.
    pub(super) fn array(&self, key: &'static str) -> Result<&'v [Value], ValidationError> {
        match self.required(key)? {
            Value::Array(items) => Ok(items),
            _ => Err(wrong_type(&self.path.key(key), "array", false)),
        }
    }

    /// Optional `array|null` member; its items are checked later by the caller.
    pub(super) fn array_or_null(
        &self,
        key: &'static str,
    ) -> Result<Field<&'v [Value]>, ValidationError> {
        match self.map.get(key) {
            None => Ok(Field::Absent),
            Some(Value::Null) => Ok(Field::Null),
            Some(Value::Array(items)) => Ok(Field::Value(items)),
            Some(_) => Err(wrong_type(&self.path.key(key), "array", true)),
        }
    }

    /// Limit pass for an integer member: within `min..=i32::MAX`.
    pub(super) fn limit(
        &self,
        key: &'static str,
        value: Integer,
        min: i32,
    ) -> Result<i32, ValidationError> {
        value.at_least(min, &self.path.key(key))
    }

    /// Limit pass for an `integer|null` member: within the signed 32-bit range.
    pub(super) fn limit_or_null(
        &self,
        key: &'static str,
        value: Field<Integer>,
    ) -> Result<Field<i32>, ValidationError> {
        value.try_map(|v| self.limit(key, v, i32::MIN))
    }

    /// Length pass for a `string|null` member: at most `max` characters when it is a string.
    pub(super) fn max_chars_or_null(
        &self,
        key: &'static str,
        text: Field<&str>,
        max: usize,
    ) -> Result<(), ValidationError> {
        match text {
            Field::Value(text) => self.max_chars(key, text, max),
            Field::Absent | Field::Null => Ok(()),
        }
    }

    /// Length pass for an array member: at most `max` items (checked before any item is).
    pub(super) fn max_items_or_null<T>(
        &self,
        key: &'static str,
        items: Field<&[T]>,
        max: usize,
    ) -> Result<(), ValidationError> {
        match items {
            Field::Value(items) if items.len() > max => {
                Err(too_many_items(&self.path.key(key), max))
            }
            _ => Ok(()),
        }
    }

    /// Enum pass: the value of `text` in `allowed`, else the allowed-values message.
    pub(super) fn one_of<T: Copy>(
        &self,
        key: &'static str,
        text: &str,
        allowed: &[(&str, T)],
    ) -> Result<T, ValidationError> {
        allowed
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, value)| *value)
            .ok_or_else(|| not_allowed(&self.path.key(key)))
    }

    /// Length pass: at most `max` characters (Unicode scalar values, as the TypeScript server
    /// counts code points).
    pub(super) fn max_chars(
        &self,
        key: &'static str,
        text: &str,
        max: usize,
    ) -> Result<(), ValidationError> {
        // Counts at most `max + 1` characters, whatever the length of the text.
        if longer_than(text, max) {
            Err(too_long(&self.path.key(key), max))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &str) -> Option<Integer> {
        let value: Value = serde_json::from_str(text).unwrap();
        Integer::from_value(&value)
    }

    #[test]
    fn integers_are_literals_without_fraction_or_exponent() {
        assert_eq!(classify("7"), Some(Integer::InRange(7)));
        assert_eq!(classify("-0"), Some(Integer::InRange(0)));
        assert_eq!(classify("-2147483648"), Some(Integer::InRange(i32::MIN)));
        assert_eq!(classify("2147483647"), Some(Integer::InRange(i32::MAX)));
        assert_eq!(classify("2147483648"), Some(Integer::TooLarge));
        assert_eq!(classify("-2147483649"), Some(Integer::TooSmall));
        assert_eq!(
            classify("123456789012345678901234567890"),
            Some(Integer::TooLarge)
        );
        assert_eq!(
            classify("-123456789012345678901234567890"),
            Some(Integer::TooSmall)
        );
        for not_integer in [
            "7.0", "7.5", "1e2", "1E2", "-1e-2", "\"7\"", "true", "null", "[7]",
        ] {
            assert_eq!(classify(not_integer), None, "{not_integer}");
        }
    }

    #[test]
    fn limits_report_the_tighter_bound() {
        let path = Path::Body.key("gate");
        let msg = |r: Result<i32, ValidationError>| r.unwrap_err().to_string();
        assert_eq!(Integer::InRange(1).at_least(1, &path), Ok(1));
        assert_eq!(
            msg(Integer::InRange(0).at_least(1, &path)),
            "body/gate must be >= 1"
        );
        assert_eq!(
            msg(Integer::TooSmall.at_least(1, &path)),
            "body/gate must be >= 1"
        );
        assert_eq!(
            msg(Integer::TooSmall.at_least(i32::MIN, &path)),
            "body/gate must be >= -2147483648"
        );
        assert_eq!(
            msg(Integer::TooLarge.at_least(1, &path)),
            "body/gate must be <= 2147483647"
        );
    }
}
