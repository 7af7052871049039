//! Fuzz target: arbitrary bytes as an uncompressed capture. Opens it and reads blocks until
//! the end or the first error; events met on the way have every accessor called.
#![no_main]

mod common;

use kinsight_scap::{Block, ScapReader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = match ScapReader::new(std::io::Cursor::new(data)) {
        Ok(reader) => reader,
        Err(err) => return common::assert_well_formed(&err, data.len()),
    };
    loop {
        match reader.next_block() {
            Ok(None) => break,
            Ok(Some(Block::Event(ev))) => common::touch_event(&ev),
            Ok(Some(_)) => {}
            Err(err) => return common::assert_well_formed(&err, data.len()),
        }
    }
});
