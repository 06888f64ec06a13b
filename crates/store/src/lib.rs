//! `live-store`: the storage of live-mini, on SQLite (default) or PostgreSQL (cluster).
//!
//! Diesel never leaves this crate: callers see an async [`Store`] whose methods are use cases
//! (`create_event`, `set_status`, …) and that returns `live-domain` types. Every database call runs
//! on tokio's blocking pool through one helper, so no actix worker ever blocks on the database.
//!
//! | Use case | Methods | Module |
//! |---|---|---|
//! | Events, lifecycle, config | `create_event`, `set_status`, `change_status`, `update_config`, … | `events` |
//! | Live position, on-course board (cluster mode) | `live_position`, `live_positions`, `full_data_at`, `update_oncourse`, … | `live` |
//! | XML import (c123-xml.md §10) | [`Store::apply_xml`] → [`XmlApplied`] | `xml_import` |
//! | Results feed (c123-xml.md §12.1) | [`Store::apply_results`] → [`ResultsApplied`] | `results_ingest` |
//! | Public reads (contract §4.12–§4.18) | `public_events`, `event_detail`, `full_data`, `race_results`, `startlist`, `categories`, `image`, `course_configs` | `public_reads` |
//! | Ingest log | `append_ingest_log`, `ingest_log` | `ingest_log` |
//! | Schema drift | [`Store::check_schema`] | `schema_check` |
//! | Online backups (blocking) | [`backup`], [`backup_into_dir`] → [`BackupReport`] | `backup` |

mod backup;
mod connection;
mod dump;
mod error;
mod events;
mod gates_text;
mod import_rows;
mod ingest_log;
mod limits;
mod live;
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
pub use events::StatusApplied;
pub use live::{LivePosition, OncourseUpdate, Sequence};
pub use results_ingest::{RaceDiff, ResultsApplied};
pub use store::{Backend, Store, StoreConfig, WriteObserver, WriteTiming};
pub use xml_import::XmlApplied;
