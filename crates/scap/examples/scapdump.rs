//! Prints a summary of a capture's blocks and event types: `cargo run --example scapdump FILE`.
use kinsight_scap::{Block, ScapReader};
use std::collections::BTreeMap;

fn main() {
    let path = std::env::args().nth(1).expect("usage: scapdump FILE [--events]");
    let show = std::env::args().any(|a| a == "--events");
    let mut r = match ScapReader::open(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    println!("version {}.{} options {}", r.section().major, r.section().minor, r.section().options_len);
    let mut types: BTreeMap<&str, u64> = BTreeMap::new();
    let mut blocks: BTreeMap<String, u64> = BTreeMap::new();
    loop {
        match r.next_block() {
            Ok(None) => break,
            Ok(Some(b)) => {
                let name = match &b {
                    Block::Event(e) => {
                        *types.entry(e.name()).or_default() += 1;
                        if show {
                            println!("{} {} {} {} np={}", e.ts, e.tid, e.name(), if e.is_enter() { '>' } else { '<' }, e.nparams());
                        }
                        "event".to_string()
                    }
                    Block::ProcessList(l) => format!("proclist({})", l.len()),
                    Block::FdList(_) => "fdlist".into(),
                    Block::Unknown { block_type, .. } => format!("unknown {block_type:#x}"),
                    other => format!("{:?}", other).chars().take(20).collect(),
                };
                *blocks.entry(name).or_default() += 1;
            }
            Err(e) => {
                println!("ERROR {e}");
                break;
            }
        }
    }
    println!("blocks {:?}", blocks.iter().filter(|(k, _)| !k.starts_with("proclist")).collect::<Vec<_>>());
    println!("events {} types {:?}", r.events_read(), types);
}
