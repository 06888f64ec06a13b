//! `live-store`: the SQLite storage of live-mini.
//!
//! Diesel never leaves this crate: callers see an async [`Store`] whose methods are use cases
//! (`create_event`, `set_status`, …) and that returns `live-domain` types. Every database call runs
//! on tokio's blocking pool through one helper, so no actix worker ever blocks on SQLite.
//!
//! | Use case | Methods | Module |
//! |---|---|---|
//! | Events, lifecycle, config | `create_event`, `set_status`, `update_config`, … | `events` |
//! | XML import (c123-xml.md §10) | [`Store::apply_xml`] → [`XmlApplied`] | `xml_import` |
//! | Results feed (c123-xml.md §12.1) | [`Store::apply_results`] → [`ResultsApplied`] | `results_ingest` |
//! | Public reads (contract §4.12–§4.18) | `public_events`, `event_detail`, `full_data`, `race_results`, `startlist`, `categories`, `image`, `course_configs` | `public_reads` |
//! | Ingest log | `append_ingest_log`, `ingest_log` | `ingest_log` |
//! | Schema drift | [`Store::check_schema`] | `schema_check` |
//! | Online backups (blocking) | [`backup`], [`backup_into_dir`] → [`BackupReport`] | `backup` |

mod backup;
mod dump;
mod error;
mod events;
mod gates_text;
mod import_rows;
mod ingest_log;
mod limits;
mod migrate;
mod pool;
mod public_reads;
mod records;
mod results_ingest;
mod rows;
mod schema;
mod schema_check;
mod store;
mod xml_import;

pub use backup::{BackupError, BackupReport, backup, backup_into_dir, prune as prune_backups};
pub use dump::{dump_tables, execute_batch};
pub use error::StoreError;
pub use results_ingest::{RaceDiff, ResultsApplied};
pub use store::{Store, StoreConfig, WriteObserver, WriteTiming};
pub use xml_import::XmlApplied;
