//! Sort-key helpers shared by the list orders of computations.md §5: nulls last everywhere.

/// A sort key for an optional integer that puts `None` after every value.
pub(crate) fn nulls_last(value: Option<i32>) -> (bool, i32) {
    (value.is_none(), value.unwrap_or_default())
}

/// A 1-based position as stored in the rank columns; lists never approach `i32::MAX` rows, so
/// saturating keeps this total without a fallible conversion at every call site.
pub(crate) fn position(index: usize) -> i32 {
    i32::try_from(index.saturating_add(1)).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_sorts_after_every_value() {
        let mut v = vec![None, Some(3), Some(i32::MAX), Some(-1), None];
        v.sort_by_key(|x| nulls_last(*x));
        assert_eq!(v, vec![Some(-1), Some(3), Some(i32::MAX), None, None]);
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(position(0), 1);
        assert_eq!(position(99), 100);
        assert_eq!(position(usize::MAX), i32::MAX);
    }
}
