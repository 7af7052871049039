//! A 10k-pod cluster: how long updates and queries take, and how much memory the store
//! holds. Ignored by default; run with
//! `cargo test --release -p kinsight-model --test scale -- --ignored --nocapture`.

use std::time::Instant;

use kinsight_model::Cluster;

const NAMESPACES: usize = 100;
const DEPLOYMENTS_PER_NS: usize = 10;
const PODS_PER_DEPLOYMENT: usize = 10;

fn rss_kib() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn cluster_json() -> Vec<String> {
    let mut out = Vec::new();
    for n in 0..NAMESPACES {
        let ns = format!("team-{n}");
        let mut pods = Vec::new();
        for d in 0..DEPLOYMENTS_PER_NS {
            let app = format!("app-{d}");
            let hash = format!("{:010x}", n * 1000 + d);
            out.push(format!(
                r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"{app}","namespace":"{ns}","uid":"d-{n}-{d}","labels":{{"app":"{app}"}},"annotations":{{"deployment.kubernetes.io/revision":"1"}}}},"spec":{{"replicas":{PODS_PER_DEPLOYMENT},"selector":{{"matchLabels":{{"app":"{app}"}}}}}},"status":{{"replicas":{PODS_PER_DEPLOYMENT}}}}}"#
            ));
            // Odd namespaces: no owner references, so the selectors do the work.
            let rs_owner = if n % 2 == 0 {
                format!(
                    r#","ownerReferences":[{{"kind":"Deployment","name":"{app}","uid":"d-{n}-{d}","controller":true}}]"#
                )
            } else {
                String::new()
            };
            out.push(format!(
                r#"{{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{{"name":"{app}-{hash}","namespace":"{ns}","uid":"rs-{n}-{d}","labels":{{"app":"{app}","pod-template-hash":"{hash}"}}{rs_owner}}},"spec":{{"replicas":{PODS_PER_DEPLOYMENT},"selector":{{"matchLabels":{{"app":"{app}","pod-template-hash":"{hash}"}}}}}}}}"#
            ));
            out.push(format!(
                r#"{{"apiVersion":"v1","kind":"Service","metadata":{{"name":"{app}","namespace":"{ns}","uid":"s-{n}-{d}"}},"spec":{{"clusterIP":"10.96.{n}.{d}","selector":{{"app":"{app}"}},"ports":[{{"port":80,"targetPort":8080,"protocol":"TCP"}}]}}}}"#
            ));
            for p in 0..PODS_PER_DEPLOYMENT {
                let owner = if n % 2 == 0 {
                    format!(
                        r#","ownerReferences":[{{"kind":"ReplicaSet","name":"{app}-{hash}","uid":"rs-{n}-{d}","controller":true}}]"#
                    )
                } else {
                    String::new()
                };
                let cid = format!("{:064x}", (n * 1_000_000 + d * 1000 + p) as u128 * 7919);
                pods.push(format!(
                    r#"{{"metadata":{{"name":"{app}-{hash}-{p:05}","namespace":"{ns}","uid":"p-{n}-{d}-{p}","labels":{{"app":"{app}","pod-template-hash":"{hash}","team":"{ns}","tier":"backend"}},"annotations":{{"kubectl.kubernetes.io/restartedAt":"2024-05-01T10:00:00Z"}}{owner}}},"spec":{{"nodeName":"node-{}","containers":[{{"name":"main","image":"registry.example.com/{app}:1.0","ports":[{{"containerPort":8080}}]}},{{"name":"proxy","image":"envoy:1.30"}}]}},"status":{{"phase":"Running","podIP":"10.{}.{}.{}","hostIP":"192.168.0.{}","containerStatuses":[{{"name":"main","containerID":"containerd://{cid}","restartCount":0,"ready":true}},{{"name":"proxy","containerID":"containerd://f{}","restartCount":1,"ready":true}}]}}}}"#,
                    p % 50,
                    n,
                    d,
                    p + 1,
                    p % 50,
                    &cid[1..]
                ));
            }
        }
        out.push(format!(
            r#"{{"apiVersion":"v1","kind":"PodList","items":[{}]}}"#,
            pods.join(",")
        ));
    }
    out
}

#[test]
#[ignore]
fn ten_thousand_pods() {
    let docs = cluster_json();
    let bytes: usize = docs.iter().map(String::len).sum();
    let before = rss_kib();
    let t = Instant::now();
    let mut c = Cluster::new();
    for d in &docs {
        c.apply_api_json(d).unwrap();
    }
    let apply = t.elapsed();
    let after = rss_kib();
    assert_eq!(
        c.pods().len(),
        NAMESPACES * DEPLOYMENTS_PER_NS * PODS_PER_DEPLOYMENT
    );

    let t = Instant::now();
    let mut chains = 0;
    let mut services = 0;
    for pod in c.pods() {
        let chain = c.owner_chain(pod);
        assert_eq!(chain.len(), 2, "{}", pod.meta.name);
        chains += chain.len();
        services += c.services_of(pod).len();
    }
    let queries = t.elapsed();
    assert_eq!(services, c.pods().len());

    let t = Instant::now();
    let mut found = 0;
    for pod in c.pods() {
        for id in pod.container_ids() {
            found += usize::from(c.pod_of_container(id.short()).is_some());
        }
    }
    let lookups = t.elapsed();
    assert_eq!(found, 2 * c.pods().len());

    eprintln!(
        "{} pods from {:.1} MB of JSON: apply {:?}; owner_chain+services_of for all pods {:?} ({chains} links); \
         {found} pod_of_container {:?}; RSS +{} KiB (~{} B/pod); {} shared strings",
        c.pods().len(),
        bytes as f64 / 1e6,
        apply,
        queries,
        lookups,
        after.saturating_sub(before),
        after.saturating_sub(before) * 1024 / c.pods().len(),
        c.interned_strings(),
    );
}
