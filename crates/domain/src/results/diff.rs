//! Results diffs (contract §6.5, DV16): the items of a list that are new or changed by a write.

use std::collections::HashMap;

use super::items::{BestRunItem, ResultDiffItem, ResultItem, StartlistItem};

/// A list item clients upsert by bib.
pub trait ListItem: PartialEq {
    /// The bib the client keys the item by.
    fn bib(&self) -> Option<i32>;
}

impl ListItem for ResultItem {
    fn bib(&self) -> Option<i32> {
        self.core.bib
    }
}

impl ListItem for BestRunItem {
    fn bib(&self) -> Option<i32> {
        self.core.bib
    }
}

impl ListItem for ResultDiffItem {
    fn bib(&self) -> Option<i32> {
        self.core.bib
    }
}

impl ListItem for StartlistItem {
    fn bib(&self) -> Option<i32> {
        self.bib
    }
}

/// The items of `after` that are new or differ in any key from every item with the same bib in
/// `before`, in the order of `after`. Empty when nothing changed, so no frame is sent.
///
/// Items are looked up by bib and compared whole, so a rank shift that moves other riders is sent
/// for every rider whose rank or behind string changed, and nothing else.
pub fn changed_items<'a, T: ListItem>(before: &[T], after: &'a [T]) -> Vec<&'a T> {
    let mut previous: HashMap<Option<i32>, Vec<&T>> = HashMap::with_capacity(before.len());
    for item in before {
        previous.entry(item.bib()).or_default().push(item);
    }
    after
        .iter()
        .filter(|item| {
            previous
                .get(&item.bib())
                .is_none_or(|same_bib| !same_bib.contains(item))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(bib: Option<i32>, name: &str) -> StartlistItem {
        StartlistItem {
            start_order: None,
            bib,
            athlete_id: None,
            name: name.to_owned(),
            club: None,
            noc: None,
            cat_id: None,
            start_time: None,
        }
    }

    #[test]
    fn new_and_changed_items_in_after_order() {
        let before = vec![item(Some(1), "a"), item(Some(2), "b"), item(Some(3), "c")];
        let after = vec![
            item(Some(4), "d"),
            item(Some(3), "c"),
            item(Some(2), "B"),
            item(Some(1), "a"),
        ];
        let changed = changed_items(&before, &after);
        assert_eq!(changed, vec![&after[0], &after[2]]);
    }

    #[test]
    fn nothing_changed_gives_nothing() {
        let list = vec![item(Some(1), "a"), item(None, "x")];
        assert!(changed_items(&list, &list).is_empty());
        assert!(changed_items::<StartlistItem>(&[], &[]).is_empty());
    }

    #[test]
    fn duplicate_bibs_are_each_matched_against_all_previous_items_with_that_bib() {
        let before = vec![item(None, "x"), item(None, "y")];
        let after = vec![item(None, "y"), item(None, "z")];
        assert_eq!(changed_items(&before, &after), vec![&after[1]]);
    }

    #[test]
    fn removed_items_are_not_reported() {
        let before = vec![item(Some(1), "a"), item(Some(2), "b")];
        let after = vec![item(Some(1), "a")];
        assert!(changed_items(&before, &after).is_empty());
    }
}
