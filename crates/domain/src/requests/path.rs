//! Locations inside a request body (`body/results/0/gates/1`), rendered only when an error is
//! reported.
//!
//! A path is a chain of stack-allocated links, so walking a valid body never formats or allocates.

use std::fmt;

/// Where a value sits in the body.
#[derive(Debug, Clone, Copy)]
pub(super) enum Path<'a> {
    /// The body itself.
    Body,
    /// A member of an object.
    Key(&'a Path<'a>, &'static str),
    /// An item of an array.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of member `key` of the object at `self`.
    pub(super) const fn key(&'a self, key: &'static str) -> Self {
        Path::Key(self, key)
    }

    /// The path of item `index` of the array at `self`.
    pub(super) const fn index(&'a self, index: usize) -> Self {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Body => f.write_str("body"),
            Path::Key(parent, key) => write!(f, "{parent}/{key}"),
            Path::Index(parent, index) => write!(f, "{parent}/{index}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Path;

    #[test]
    fn renders_slash_separated() {
        let results = Path::Body.key("results");
        let row = results.index(3);
        let gates = row.key("gates");
        assert_eq!(Path::Body.to_string(), "body");
        assert_eq!(row.key("bib").to_string(), "body/results/3/bib");
        assert_eq!(
            gates.index(1).key("gate").to_string(),
            "body/results/3/gates/1/gate"
        );
    }
}
