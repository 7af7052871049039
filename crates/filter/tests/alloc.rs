//! Evaluation must not allocate: it runs once per event, millions of times a second.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr};

use kinsight_filter::{Field, FieldSource, Filter, Value};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

struct Event;

impl FieldSource for Event {
    fn value(&self, field: &Field) -> Option<Value<'_>> {
        Some(match field {
            Field::EvtType => Value::from("read"),
            Field::ProcName => Value::from("php-fpm"),
            Field::ProcPid => Value::Int(4242),
            Field::FdName => Value::from("/var/www/html/Index.php"),
            Field::FdSip => Value::Ip(IpAddr::V4(Ipv4Addr::new(172, 17, 0, 3))),
            Field::FdSport => Value::Uint(9000),
            Field::EvtFailed => Value::Bool(false),
            // A number for a text field is rendered on the stack.
            Field::FdTypechar => Value::Uint(4),
            Field::PodLabel(key) if key == "app" => Value::from("php"),
            _ => return None,
        })
    }
}

#[test]
fn matching_does_not_allocate() {
    let filter = Filter::parse(
        "evt.type in (read, write, sendto) and proc.name glob 'php*' \
         and fd.name icontains INDEX and fd.name pmatch (/var/www) \
         and fd.sip = 172.16.0.0/12 and fd.sport in (9000, http) and proc.pid > 1 \
         and evt.failed = false and fd.typechar = 4 and k8s.pod.label.app startswith ph \
         and not container.id exists and proc.name != nginx and proc.name < zzz",
    )
    .unwrap();
    assert!(filter.matches(&Event));
    let before = ALLOCATIONS.with(Cell::get);
    for _ in 0..1000 {
        assert!(filter.matches(&Event));
    }
    assert_eq!(ALLOCATIONS.with(Cell::get) - before, 0);
}
