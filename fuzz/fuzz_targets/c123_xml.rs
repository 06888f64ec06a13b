//! The Canoe123 XML parser on arbitrary text: it returns a model or an error, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The server hands the parser a JSON string, so the input is always valid UTF-8.
    if let Ok(text) = std::str::from_utf8(data) {
        match live_domain::c123::parse_export(text) {
            // The counts are what the import answer reports.
            Ok(export) => {
                let _ = export.imported.total();
            }
            // Every error renders as the API message.
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
