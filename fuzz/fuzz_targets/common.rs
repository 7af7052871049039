//! Checks shared by the fuzz targets; the same checks run on stable in
//! `crates/scap/tests/fuzz_props.rs`.
#![allow(dead_code)] // each target uses part of it

use kinsight_scap::event::{decode_sockaddr, decode_socktuple};
use kinsight_scap::{EventRef, ScapError};

/// Every reader error says where it happened and, when known, in which block.
pub fn assert_well_formed(err: &ScapError, input_len: usize) {
    let text = err.to_string();
    assert!(text.starts_with(&format!("at byte offset {}", err.offset)), "{text}");
    assert!(err.offset <= input_len as u64, "offset past the input end: {text}");
    if let Some(bt) = err.block_type {
        assert!(text.contains(&format!("{bt:#x}")), "{text}");
    }
}

/// Calls every accessor of an event on every parameter, and one past the last.
pub fn touch_event(ev: &EventRef<'_>) {
    let _ = format!("{ev:?}");
    let _ = (ev.bytes().len(), ev.name(), ev.is_enter(), ev.has_nparams(), ev.info());
    for i in 0..=ev.nparams() {
        let raw = ev.param(i);
        assert_eq!(raw.is_some(), i < ev.nparams());
        let _ = (ev.u64(i), ev.i64(i), ev.str(i), ev.str_array(i), ev.sockaddr(i), ev.socktuple(i));
        if let Some(p) = raw {
            let _ = (decode_sockaddr(p), decode_socktuple(p));
        }
    }
    if let Some(info) = ev.info() {
        for param in info.params {
            if let Some(i) = ev.param_index(param.name) {
                assert!(i < ev.nparams());
            }
        }
    }
}
