//! Benchmark input generator: writes a large capture by repeating the events of a real one.
//!
//! ```text
//! cargo run --release -p kinsight-scap --example repeat_trace -- INPUT OUTPUT --times N
//! ```
//!
//! The metadata blocks of INPUT (machine info, interface, user, process and fd lists) are
//! written once, at the start; then its events N times, copy k with every timestamp shifted
//! by k × (span + 1 ms), span being last minus first timestamp, so that each copy follows the
//! previous one in time. Events with timestamp 0 are initial state (old sysdig wrote the
//! container events of the containers running at capture start so, before any syscall):
//! like the metadata blocks they are written once, with the first copy, and they are not part
//! of the span. Thread ids stay the same, so the initial process and fd lists stay
//! valid for every copy; container and Kubernetes metadata events repeat, which is harmless
//! (they restate the same objects). The output is uncompressed scap 1.2 (see
//! `kinsight_scap::writer` for the block versions), readable by sysdig 0.29.3.

use kinsight_scap::{Block, ScapReader, ScapWriter};
use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Gap between the last event of one copy and the first event of the next.
const GAP_BETWEEN_COPIES_NS: u64 = 1_000_000;
/// Timestamp of the events that describe the initial state (container events).
const INITIAL_STATE_TS: u64 = 0;

const USAGE: &str = "usage: repeat_trace INPUT OUTPUT --times N";

struct Args {
    input: PathBuf,
    output: PathBuf,
    times: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut times = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--times" => {
                let value = args.next().ok_or("--times needs a value")?;
                let n: u64 = value.parse().map_err(|_| format!("--times {value}: not a number"))?;
                if n == 0 {
                    return Err("--times must be at least 1".into());
                }
                times = Some(n);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    match (<[PathBuf; 2]>::try_from(positional), times) {
        (Ok([input, output]), Some(times)) => Ok(Args { input, output, times }),
        _ => Err(USAGE.into()),
    }
}

/// What the first pass learns about the input.
struct Survey {
    /// Metadata blocks in file order (never events, which borrow the reader).
    metadata: Vec<Block<'static>>,
    events: u64,
    /// Events with timestamp 0 (initial state), among `events`.
    initial_state_events: u64,
    first_ts: u64,
    last_ts: u64,
}

/// Keeps a metadata block beyond the reader's next call; None for events and for blocks the
/// writer does not copy (section headers, unknown types).
fn owned_metadata(block: Block<'_>) -> Option<Block<'static>> {
    Some(match block {
        Block::MachineInfo(mi) => Block::MachineInfo(mi),
        Block::ProcessList(threads) => Block::ProcessList(threads),
        Block::FdList(fds) => Block::FdList(fds),
        Block::InterfaceList(interfaces) => Block::InterfaceList(interfaces),
        Block::UserList(users) => Block::UserList(users),
        Block::Event(_) | Block::Section(_) | Block::Unknown { .. } => return None,
    })
}

fn survey(input: &Path) -> Result<Survey, Box<dyn Error>> {
    let mut reader = ScapReader::open(input)?;
    let mut survey =
        Survey { metadata: Vec::new(), events: 0, initial_state_events: 0, first_ts: u64::MAX, last_ts: 0 };
    while let Some(block) = reader.next_block()? {
        if let Block::Event(ev) = &block {
            survey.events += 1;
            if ev.ts == INITIAL_STATE_TS {
                survey.initial_state_events += 1;
            } else {
                survey.first_ts = survey.first_ts.min(ev.ts);
                survey.last_ts = survey.last_ts.max(ev.ts);
            }
        } else if let Some(kept) = owned_metadata(block) {
            survey.metadata.push(kept);
        }
    }
    Ok(survey)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("repeat_trace: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let survey = survey(&args.input)?;
    let span = survey.last_ts.saturating_sub(survey.first_ts);
    let shift_per_copy = span + GAP_BETWEEN_COPIES_NS;
    let total = survey.events + (survey.events - survey.initial_state_events) * (args.times - 1);
    eprintln!(
        "{}: {} events over {:.3} s; writing {} copies ({total} events) to {}",
        args.input.display(),
        survey.events,
        span as f64 / 1e9,
        args.times,
        args.output.display()
    );

    let output = File::create(&args.output).map_err(|e| format!("{}: {e}", args.output.display()))?;
    let mut writer = ScapWriter::new(BufWriter::with_capacity(1 << 20, output))?;
    for block in &survey.metadata {
        writer.write_block(block)?;
    }

    let mut next_report = 1;
    for copy in 0..args.times {
        let shift = copy
            .checked_mul(shift_per_copy)
            .filter(|s| survey.last_ts.checked_add(*s).is_some())
            .ok_or("timestamps overflow: too many copies for this span")?;
        // Streams the input again for every copy: memory stays constant whatever N is.
        let mut reader = ScapReader::open(&args.input)?;
        while let Some(block) = reader.next_block()? {
            let Block::Event(mut ev) = block else { continue };
            if ev.ts == INITIAL_STATE_TS {
                if copy > 0 {
                    continue;
                }
            } else {
                ev.ts += shift;
            }
            writer.write_event(ev.cpu, (ev.flags != 0).then_some(ev.flags), &ev)?;
            if writer.events_written() * 10 >= next_report * total {
                eprintln!("{:3}% ({} of {total} events)", next_report * 10, writer.events_written());
                next_report += 1;
            }
        }
    }

    let (events, bytes) = (writer.events_written(), writer.bytes_written());
    writer.finish()?;
    eprintln!("wrote {events} events, {bytes} bytes, to {}", args.output.display());
    Ok(())
}
