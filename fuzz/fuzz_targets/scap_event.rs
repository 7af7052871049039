//! Fuzz target: arbitrary bytes as one event, in the current layout (header with parameter
//! count) and in the old one (count inferred from the event table); every accessor is called
//! on every parameter of what parses.
#![no_main]

mod common;

use kinsight_scap::EventRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for has_nparams in [true, false] {
        match EventRef::parse(data, has_nparams) {
            Ok(ev) => {
                assert!(ev.bytes().len() <= data.len());
                common::touch_event(&ev);
            }
            Err(msg) => assert!(!msg.is_empty()),
        }
    }
});
