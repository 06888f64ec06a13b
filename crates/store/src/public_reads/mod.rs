//! The public reads (contract §4.12–§4.18): one or two queries each on the read pool, never one
//! per row, results as `live-domain` public bodies. Visibility (drafts are 404) is the server's
//! decision: these reads return what is stored, status included.

mod event_reads;
mod race_reads;

pub(crate) use event_reads::{load_full, parse_status};
