//! Optional request fields that distinguish "not sent" from "sent as null".

/// An optional, nullable request field in one of its three states.
///
/// The distinction matters where a body updates stored data: in the results feed an absent key
/// keeps the stored value and an explicit `null` clears it (DV2); in a config PATCH `null` removes
/// the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Field<T> {
    /// The key was not in the object.
    #[default]
    Absent,
    /// The key was present with the value `null`.
    Null,
    /// The key was present with a value.
    Value(T),
}

impl<T> Field<T> {
    /// Whether the key was sent at all (`null` counts as sent).
    pub const fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }

    /// The value, with `Absent` and `Null` both as `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }

    /// Borrows the value.
    pub const fn as_ref(&self) -> Field<&T> {
        match self {
            Self::Absent => Field::Absent,
            Self::Null => Field::Null,
            Self::Value(v) => Field::Value(v),
        }
    }

    /// Converts the value, keeping `Absent` and `Null`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Self::Absent => Field::Absent,
            Self::Null => Field::Null,
            Self::Value(v) => Field::Value(f(v)),
        }
    }

    /// Converts the value with a fallible function, keeping `Absent` and `Null`.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Field<U>, E> {
        Ok(match self {
            Self::Absent => Field::Absent,
            Self::Null => Field::Null,
            Self::Value(v) => Field::Value(f(v)?),
        })
    }

    /// Applies this field as an update to a stored value: absent keeps it, null clears it, a value
    /// replaces it.
    pub fn update(self, stored: Option<T>) -> Option<T> {
        match self {
            Self::Absent => stored,
            Self::Null => None,
            Self::Value(v) => Some(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn update_keeps_clears_or_replaces() {
        assert_eq!(Field::Absent.update(Some(3)), Some(3));
        assert_eq!(Field::Null.update(Some(3)), None);
        assert_eq!(Field::Value(4).update(Some(3)), Some(4));
        assert_eq!(Field::Value(4).update(None), Some(4));
        assert_eq!(Field::<i32>::Absent.update(None), None);
    }

    #[test]
    fn conversions_keep_the_state() {
        assert_eq!(Field::Value(2).map(|v| v * 10), Field::Value(20));
        assert_eq!(Field::<i32>::Null.map(|v| v * 10), Field::Null);
        assert_eq!(Field::<i32>::Absent.try_map(Ok::<_, ()>), Ok(Field::Absent));
        assert_eq!(Field::Value(1).try_map(|_| Err::<i32, _>("no")), Err("no"));
        assert_eq!(
            Field::Value("a".to_owned()).as_ref(),
            Field::Value(&"a".to_owned())
        );
        assert_eq!(Field::Value(1).into_option(), Some(1));
        assert_eq!(Field::<i32>::Null.into_option(), None);
        assert!(Field::<i32>::Null.is_present() && !Field::<i32>::Absent.is_present());
        assert_eq!(Field::<i32>::default(), Field::Absent);
    }
}
