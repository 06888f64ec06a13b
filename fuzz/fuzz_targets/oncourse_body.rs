//! The on-course feed (contract §4.12) validator on arbitrary bytes, decoded as the server decodes a body:
//! a value is accepted or refused with a message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use live_domain::requests::OncourseIngest;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        match OncourseIngest::parse(&value) {
            Ok(body) => {
                let _ = format!("{body:?}");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
