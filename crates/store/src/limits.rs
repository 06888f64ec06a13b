//! SQLite's limit on bound parameters per statement and how the store stays under it.
//!
//! Multi-row inserts and `IN (…)` lists bind one parameter per value; a statement over the limit
//! fails with "too many SQL variables". Request-sized lists (a results body can name thousands of
//! ids) are therefore always cut into chunks.

/// `SQLITE_MAX_VARIABLE_NUMBER` of the bundled library (32 766 since SQLite 3.32).
const MAX_BIND_PARAMETERS: usize = 32_766;

/// Ids per `IN (…)` list: well inside the limit, with room for the other parameters of the query.
pub(crate) const IDS_PER_STATEMENT: usize = 10_000;
const _: () = assert!(IDS_PER_STATEMENT < MAX_BIND_PARAMETERS);

/// Rows per multi-row insert for a table insert binding `columns` values per row.
pub(crate) const fn rows_per_statement(columns: usize) -> usize {
    let rows = MAX_BIND_PARAMETERS / columns;
    if rows == 0 { 1 } else { rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_stay_under_the_limit() {
        assert_eq!(rows_per_statement(29), 1129);
        assert!(rows_per_statement(29) * 29 <= MAX_BIND_PARAMETERS);
        assert_eq!(rows_per_statement(MAX_BIND_PARAMETERS + 1), 1);
    }
}
