//! Resource counters of each live container and pod, from their cgroups (CPU usage and
//! throttling, memory, block I/O, pids) and network namespaces (bytes on the interfaces).
//! Rates are computed between two samples.

use crate::containers::LiveContainer;
use kinsight_host::{CgroupCounters, CgroupFs, ProcFs};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// One container's counters (totals since the cgroup was created, rates over the last
/// sampling interval).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ResourceRow {
    pub id: String,
    pub name: String,
    pub runtime: String,
    pub pod_uid: Option<String>,
    pub qos_class: Option<String>,
    /// CPU used over the last interval, in percent of one CPU.
    pub cpu_pct: f64,
    pub cpu_usage_ns: Option<u64>,
    pub cpu_throttled_periods: Option<u64>,
    pub cpu_throttled_ns: Option<u64>,
    pub memory_usage_bytes: Option<u64>,
    pub memory_working_set_bytes: Option<u64>,
    pub memory_limit_bytes: Option<u64>,
    pub memory_oom_kills: Option<u64>,
    pub io_read_bytes: Option<u64>,
    pub io_write_bytes: Option<u64>,
    pub pids: Option<u64>,
    /// Network namespace of the container and the bytes on its interfaces (shared by
    /// every container of a pod).
    pub netns: Option<u64>,
    pub net_rx_bytes: Option<u64>,
    pub net_tx_bytes: Option<u64>,
}

/// Samples counters and keeps the previous sample for rates.
#[derive(Default)]
pub struct ResourceSampler {
    previous: BTreeMap<String, (Instant, u64)>,
}

impl ResourceSampler {
    pub fn sample<'a>(
        &mut self,
        proc: &ProcFs,
        cgroupfs: &CgroupFs,
        containers: impl IntoIterator<Item = &'a LiveContainer>,
    ) -> Vec<ResourceRow> {
        let now = Instant::now();
        let mut rows = Vec::new();
        for c in containers {
            let counters: CgroupCounters = cgroupfs.counters(&c.cgroup_lines);
            let id = c.cref.short_id().to_string();
            let cpu_pct = match (counters.cpu_usage_ns, self.previous.get(&id)) {
                (Some(now_ns), Some(&(then, then_ns))) => {
                    let wall = now.duration_since(then).as_nanos().max(1) as f64;
                    now_ns.saturating_sub(then_ns) as f64 * 100.0 / wall
                }
                _ => 0.0,
            };
            if let Some(ns) = counters.cpu_usage_ns {
                self.previous.insert(id.clone(), (now, ns));
            }
            let netns = proc.netns(c.pid);
            let net = netns.and_then(|_| std::fs::read_to_string(proc.net_dir(c.pid).join("dev")).ok()).map(|t| {
                let ifs = kinsight_host::net::parse_net_dev(&t);
                (ifs.iter().map(|i| i.rx_bytes).sum::<u64>(), ifs.iter().map(|i| i.tx_bytes).sum::<u64>())
            });
            rows.push(ResourceRow {
                name: c.name(),
                runtime: c.meta.as_ref().and_then(|m| m.runtime).unwrap_or(c.cref.runtime).sysdig_name().to_string(),
                pod_uid: c.cref.pod_uid.clone(),
                qos_class: c.cref.qos.map(|q| q.name().to_string()),
                cpu_pct,
                cpu_usage_ns: counters.cpu_usage_ns,
                cpu_throttled_periods: counters.cpu_throttled_periods,
                cpu_throttled_ns: counters.cpu_throttled_ns,
                memory_usage_bytes: counters.memory_usage_bytes,
                memory_working_set_bytes: counters.memory_working_set_bytes,
                memory_limit_bytes: counters.memory_limit_bytes,
                memory_oom_kills: counters.memory_oom_kills,
                io_read_bytes: counters.io_read_bytes,
                io_write_bytes: counters.io_write_bytes,
                pids: counters.pids_current,
                netns,
                net_rx_bytes: net.map(|n| n.0),
                net_tx_bytes: net.map(|n| n.1),
                id,
            });
        }
        rows.sort_by(|a, b| b.cpu_pct.total_cmp(&a.cpu_pct).then(a.id.cmp(&b.id)));
        rows
    }
}

/// The same counters summed per pod (containers without a pod are left out).
pub fn per_pod(rows: &[ResourceRow]) -> Vec<ResourceRow> {
    let mut pods: BTreeMap<String, ResourceRow> = BTreeMap::new();
    for r in rows {
        let Some(uid) = &r.pod_uid else { continue };
        let p = pods.entry(uid.clone()).or_insert_with(|| ResourceRow {
            id: uid.clone(),
            name: uid.clone(),
            pod_uid: Some(uid.clone()),
            qos_class: r.qos_class.clone(),
            runtime: r.runtime.clone(),
            netns: r.netns,
            net_rx_bytes: r.net_rx_bytes,
            net_tx_bytes: r.net_tx_bytes,
            ..Default::default()
        });
        let add = |a: &mut Option<u64>, b: Option<u64>| {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0) + b);
            }
        };
        p.cpu_pct += r.cpu_pct;
        add(&mut p.cpu_usage_ns, r.cpu_usage_ns);
        add(&mut p.cpu_throttled_periods, r.cpu_throttled_periods);
        add(&mut p.cpu_throttled_ns, r.cpu_throttled_ns);
        add(&mut p.memory_usage_bytes, r.memory_usage_bytes);
        add(&mut p.memory_working_set_bytes, r.memory_working_set_bytes);
        add(&mut p.memory_oom_kills, r.memory_oom_kills);
        add(&mut p.io_read_bytes, r.io_read_bytes);
        add(&mut p.io_write_bytes, r.io_write_bytes);
        add(&mut p.pids, r.pids);
    }
    pods.into_values().collect()
}
