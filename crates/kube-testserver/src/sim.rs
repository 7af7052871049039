//! The controllers a scenario needs, played by hand: objects in the exact shapes the
//! Kubernetes controllers and kubelet write them (owner references, pod-template hashes,
//! container statuses with runtime ids, EndpointSlices with target references), and the
//! changes they make during a rollout, a selector change, a rescheduling or a CronJob run.
//!
//! Names, ids and addresses are deterministic (a sequence number, not randomness) so that
//! a failing test fails the same way twice.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use crate::resources::Resource;
use crate::store::StoreError;
use crate::time::now_rfc3339;
use crate::TestServer;

/// The alphabet Kubernetes uses for generated name suffixes and template hashes.
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// What [`Sim::deployment`] created.
#[derive(Debug, Clone)]
pub struct Deployed {
    pub deployment: Value,
    pub replica_set: Value,
    pub pods: Vec<Value>,
}

/// The size of a generated cluster ([`Sim::populate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterShape {
    pub nodes: usize,
    pub namespaces: usize,
    pub deployments: usize,
    pub pods_per_deployment: usize,
    /// One Service per Deployment, then a second one (`<name>-metrics`) for as many
    /// Deployments as needed to reach this number.
    pub services: usize,
}

impl ClusterShape {
    /// The benchmark's cluster: 10k pods, 500 nodes, 2k services, 1k deployments.
    pub const BENCH: ClusterShape = ClusterShape {
        nodes: 500,
        namespaces: 100,
        deployments: 1000,
        pods_per_deployment: 10,
        services: 2000,
    };
    /// Something to look at with kubectl.
    pub const DEMO: ClusterShape = ClusterShape {
        nodes: 3,
        namespaces: 2,
        deployments: 4,
        pods_per_deployment: 2,
        services: 5,
    };
}

/// Plays controllers against a [`TestServer`].
pub struct Sim<'a> {
    server: &'a TestServer,
    seq: u64,
    node_ips: HashMap<String, String>,
    /// Extra bytes of `managedFields` per pod, to make objects as bulky as real ones.
    pub managed_fields: bool,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn s<'v>(v: &'v Value, pointer: &str) -> &'v str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// An ownerReference to `owner` as controllers write them.
pub fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": s(owner, "/apiVersion"),
        "kind": s(owner, "/kind"),
        "name": s(owner, "/metadata/name"),
        "uid": s(owner, "/metadata/uid"),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

fn labels_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl<'a> Sim<'a> {
    pub fn new(server: &'a TestServer) -> Sim<'a> {
        Sim {
            server,
            seq: 0,
            node_ips: HashMap::new(),
            managed_fields: true,
        }
    }

    fn next(&mut self) -> u64 {
        self.seq += 1;
        splitmix(self.seq)
    }

    fn suffix(&mut self, len: usize) -> String {
        let mut x = self.next();
        (0..len)
            .map(|_| {
                let c = ALPHABET[(x % ALPHABET.len() as u64) as usize] as char;
                x /= ALPHABET.len() as u64;
                c
            })
            .collect()
    }

    fn container_id(&mut self) -> String {
        let (a, b, c, d) = (self.next(), self.next(), self.next(), self.next());
        format!("containerd://{a:016x}{b:016x}{c:016x}{d:016x}")
    }

    fn pod_ip(&mut self) -> String {
        let n = self.seq + 1;
        format!(
            "10.{}.{}.{}",
            64 + (n >> 16) % 64,
            (n >> 8) & 255,
            (n & 255).max(1)
        )
    }

    fn managed(&self, manager: &str, subresource: Option<&str>, fields: Value) -> Value {
        let mut e = json!({
            "manager": manager, "operation": "Update", "apiVersion": "v1",
            "time": now_rfc3339(), "fieldsType": "FieldsV1", "fieldsV1": fields,
        });
        if let Some(sr) = subresource {
            e["subresource"] = json!(sr);
        }
        e
    }

    // -----------------------------------------------------------------------------------
    // Events
    // -----------------------------------------------------------------------------------

    /// A core/v1 Event about `involved` as a controller or the kubelet records it:
    /// `event_type` `Normal` or `Warning`, named `<object>.<hex>` in the object's namespace
    /// (`default` for cluster-scoped objects, as the node controller does).
    pub fn event(
        &mut self,
        involved: &Value,
        event_type: &str,
        reason: &str,
        message: &str,
        component: &str,
    ) -> Result<Value, StoreError> {
        let name = s(involved, "/metadata/name");
        let ns = match s(involved, "/metadata/namespace") {
            "" => "default",
            ns => ns,
        }
        .to_string();
        let mut object = json!({
            "kind": involved["kind"], "name": name, "uid": involved["metadata"]["uid"],
            "apiVersion": involved["apiVersion"], "resourceVersion": involved["metadata"]["resourceVersion"],
        });
        if !s(involved, "/metadata/namespace").is_empty() {
            object["namespace"] = json!(ns);
        }
        let now = now_rfc3339();
        let id = self.next();
        self.server.create(json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": format!("{name}.{id:016x}"), "namespace": ns},
            "involvedObject": object,
            "reason": reason, "message": message, "type": event_type,
            "source": {"component": component},
            "firstTimestamp": now, "lastTimestamp": now, "count": 1,
            "reportingComponent": component, "reportingInstance": "",
        }))
    }

    // -----------------------------------------------------------------------------------
    // Cluster-scoped objects
    // -----------------------------------------------------------------------------------

    pub fn namespace(&mut self, name: &str) -> Result<Value, StoreError> {
        self.server.create(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }))
    }

    pub fn node(&mut self, name: &str) -> Result<Value, StoreError> {
        let n = self.node_ips.len() as u64 + 1;
        let ip = format!("192.168.{}.{}", n / 250, n % 250 + 1);
        self.node_ips.insert(name.to_string(), ip.clone());
        let machine = format!("{:032x}", self.next() as u128 * 7 + 1);
        self.server.create(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {
                    "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                },
                "annotations": {
                    "node.alpha.kubernetes.io/ttl": "0",
                    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                },
            },
            "spec": {"podCIDR": format!("10.244.{n}.0/24"), "podCIDRs": [format!("10.244.{n}.0/24")]},
            "status": {
                "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
                "capacity": {"cpu": "8", "memory": "32863040Ki", "pods": "110", "ephemeral-storage": "102626232Ki"},
                "allocatable": {"cpu": "8", "memory": "32760640Ki", "pods": "110", "ephemeral-storage": "94580335255"},
                "conditions": [
                    {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available", "lastHeartbeatTime": now_rfc3339(), "lastTransitionTime": now_rfc3339()},
                    {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": now_rfc3339(), "lastTransitionTime": now_rfc3339()},
                ],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {
                    "machineID": machine, "systemUUID": machine, "bootID": machine,
                    "kernelVersion": "6.1.0-18-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)",
                    "containerRuntimeVersion": "containerd://1.7.24", "kubeletVersion": "v1.33.0",
                    "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64",
                },
            },
        }))
    }

    fn host_ip(&self, node: &str) -> String {
        self.node_ips
            .get(node)
            .cloned()
            .unwrap_or_else(|| "192.168.255.254".into())
    }

    // -----------------------------------------------------------------------------------
    // Pods
    // -----------------------------------------------------------------------------------

    /// A running pod as the kubelet reports it, with one container per image.
    pub fn pod_value(
        &mut self,
        namespace: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
        owner: Option<&Value>,
        node: &str,
        images: &[&str],
    ) -> Value {
        let ip = self.pod_ip();
        let started = now_rfc3339();
        let containers: Vec<Value> = images
            .iter()
            .enumerate()
            .map(|(i, image)| {
                json!({
                    "name": if i == 0 { "app".to_string() } else { format!("sidecar-{i}") },
                    "image": image,
                    "ports": if i == 0 { json!([{"name": "http", "containerPort": 8080, "protocol": "TCP"}]) } else { json!([]) },
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent",
                })
            })
            .collect();
        let statuses: Vec<Value> = containers
            .iter()
            .map(|c| {
                json!({
                    "name": c["name"], "image": c["image"],
                    "imageID": format!("{}@sha256:{:016x}{:016x}", c["image"].as_str().unwrap_or_default(), self.next(), self.next()),
                    "containerID": self.container_id(),
                    "ready": true, "started": true, "restartCount": 0,
                    "state": {"running": {"startedAt": started}},
                    "lastState": {},
                })
            })
            .collect();
        let mut meta = json!({"name": name, "namespace": namespace, "labels": labels});
        if let Some(o) = owner {
            meta["ownerReferences"] = json!([owner_ref(o)]);
            meta["generateName"] = json!(format!("{}-", s(o, "/metadata/name")));
        }
        if self.managed_fields {
            meta["managedFields"] = json!([
                self.managed("kube-controller-manager", None, json!({"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}}, "f:ownerReferences": {".": {}}}, "f:spec": {"f:containers": {}, "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}})),
                self.managed("kubelet", Some("status"), json!({"f:status": {"f:conditions": {}, "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {}, "f:podIPs": {".": {}}, "f:startTime": {}}})),
            ]);
        }
        let host_ip = self.host_ip(node);
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": meta,
            "spec": {
                "containers": containers,
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "serviceAccountName": "default", "serviceAccount": "default", "nodeName": node,
                "securityContext": {}, "schedulerName": "default-scheduler",
                "tolerations": [
                    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                ],
                "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
            },
            "status": {
                "phase": "Running",
                "conditions": [
                    {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": started},
                    {"type": "Initialized", "status": "True", "lastTransitionTime": started},
                    {"type": "Ready", "status": "True", "lastTransitionTime": started},
                    {"type": "ContainersReady", "status": "True", "lastTransitionTime": started},
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": started},
                ],
                "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
                "podIP": ip, "podIPs": [{"ip": ip}],
                "startTime": started,
                "containerStatuses": statuses,
                "qosClass": "Burstable",
            },
        })
    }

    fn create_pod(
        &mut self,
        namespace: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
        owner: Option<&Value>,
        node: &str,
    ) -> Result<Value, StoreError> {
        let pod = self.pod_value(
            namespace,
            name,
            labels,
            owner,
            node,
            &["registry.example.com/app:1.0", "envoyproxy/envoy:v1.30.1"],
        );
        self.server.create(pod)
    }

    /// A pod no controller owns.
    pub fn bare_pod(
        &mut self,
        namespace: &str,
        name: &str,
        node: &str,
        labels: &[(&str, &str)],
    ) -> Result<Value, StoreError> {
        self.create_pod(namespace, name, &labels_of(labels), None, node)
    }

    // -----------------------------------------------------------------------------------
    // Workloads
    // -----------------------------------------------------------------------------------

    fn template(labels: &BTreeMap<String, String>, image: &str) -> Value {
        json!({
            "metadata": {"labels": labels},
            "spec": {
                "containers": [{"name": "app", "image": image, "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "securityContext": {}, "schedulerName": "default-scheduler",
            },
        })
    }

    /// A Deployment with its ReplicaSet and `replicas` pods spread over `nodes`.
    pub fn deployment(
        &mut self,
        namespace: &str,
        name: &str,
        replicas: usize,
        nodes: &[String],
    ) -> Result<Deployed, StoreError> {
        let labels = labels_of(&[("app", name)]);
        let deployment = self.server.create(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": labels,
                "annotations": {"deployment.kubernetes.io/revision": "1"}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": Self::template(&labels, "registry.example.com/app:1.0"),
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            },
            "status": {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas,
                "readyReplicas": replicas, "availableReplicas": replicas},
        }))?;
        let (replica_set, pods) = self.replica_set_with_pods(&deployment, "1", replicas, nodes)?;
        Ok(Deployed {
            deployment,
            replica_set,
            pods,
        })
    }

    fn replica_set_with_pods(
        &mut self,
        deployment: &Value,
        revision: &str,
        replicas: usize,
        nodes: &[String],
    ) -> Result<(Value, Vec<Value>), StoreError> {
        let namespace = s(deployment, "/metadata/namespace").to_string();
        let name = s(deployment, "/metadata/name").to_string();
        let hash = self.suffix(10);
        let mut labels = labels_of(&[("app", &name)]);
        labels.insert("pod-template-hash".into(), hash.clone());
        let rs_name = format!("{name}-{hash}");
        let replica_set = self.server.create(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs_name, "namespace": namespace, "labels": labels,
                "annotations": {"deployment.kubernetes.io/desired-replicas": replicas.to_string(),
                    "deployment.kubernetes.io/max-replicas": (replicas + replicas.div_ceil(4)).to_string(),
                    "deployment.kubernetes.io/revision": revision},
                "ownerReferences": [owner_ref(deployment)]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                "template": Self::template(&labels, &format!("registry.example.com/app:{revision}.0"))},
            "status": {"replicas": replicas, "fullyLabeledReplicas": replicas, "readyReplicas": replicas,
                "availableReplicas": replicas, "observedGeneration": 1},
        }))?;
        self.event(deployment, "Normal", "ScalingReplicaSet", &format!("Scaled up replica set {rs_name} from 0 to {replicas}"), "deployment-controller")?;
        let mut pods = Vec::with_capacity(replicas);
        for i in 0..replicas {
            let pod_name = format!("{rs_name}-{}", self.suffix(5));
            let node = &nodes[i % nodes.len().max(1)];
            let pod = self.create_pod(&namespace, &pod_name, &labels, Some(&replica_set), node)?;
            self.event(&replica_set, "Normal", "SuccessfulCreate", &format!("Created pod: {pod_name}"), "replicaset-controller")?;
            self.event(&pod, "Normal", "Scheduled", &format!("Successfully assigned {namespace}/{pod_name} to {node}"), "default-scheduler")?;
            pods.push(pod);
        }
        Ok((replica_set, pods))
    }

    /// A rolling update done: a new ReplicaSet with new pods, the old pods gone (through
    /// `Terminating`), the old ReplicaSet scaled to zero, the Deployment at the next
    /// revision; EndpointSlices of the namespace follow.
    pub fn rollout(
        &mut self,
        namespace: &str,
        name: &str,
        nodes: &[String],
    ) -> Result<(), StoreError> {
        let deployment = self
            .server
            .get(Resource::Deployments, namespace, name)
            .ok_or_else(|| StoreError::NotFound {
                resource: Resource::Deployments,
                name: name.to_string(),
            })?;
        let replicas = deployment
            .pointer("/spec/replicas")
            .and_then(Value::as_u64)
            .unwrap_or(1) as usize;
        let revision = s(
            &deployment,
            "/metadata/annotations/deployment.kubernetes.io~1revision",
        )
        .parse::<u64>()
        .unwrap_or(1)
            + 1;
        let uid = s(&deployment, "/metadata/uid").to_string();
        let old_sets: Vec<Value> = self
            .server
            .objects_in(Resource::ReplicaSets, namespace)
            .into_iter()
            .filter(|rs| {
                rs.pointer("/metadata/ownerReferences/0/uid")
                    .and_then(Value::as_str)
                    == Some(uid.as_str())
            })
            .collect();
        self.replica_set_with_pods(&deployment, &revision.to_string(), replicas, nodes)?;
        for rs in &old_sets {
            let rs_uid = s(rs, "/metadata/uid");
            for pod in self.server.objects_in(Resource::Pods, namespace) {
                if pod
                    .pointer("/metadata/ownerReferences/0/uid")
                    .and_then(Value::as_str)
                    == Some(rs_uid)
                {
                    let pod_name = s(&pod, "/metadata/name");
                    self.server
                        .begin_deletion(Resource::Pods, namespace, pod_name)?;
                    self.server.delete(Resource::Pods, namespace, pod_name)?;
                }
            }
            let rs_name = s(rs, "/metadata/name");
            let was = rs.pointer("/spec/replicas").and_then(Value::as_u64).unwrap_or(0);
            self.event(&deployment, "Normal", "ScalingReplicaSet", &format!("Scaled down replica set {rs_name} from {was} to 0"), "deployment-controller")?;
            self.server.modify(
                Resource::ReplicaSets,
                namespace,
                s(rs, "/metadata/name"),
                |v| {
                    v["spec"]["replicas"] = json!(0);
                    v["status"] = json!({"replicas": 0, "observedGeneration": 2});
                },
            )?;
        }
        self.server
            .modify(Resource::Deployments, namespace, name, |v| {
                v["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
                    json!(revision.to_string());
                v["spec"]["template"]["metadata"]["annotations"] =
                    json!({"kubectl.kubernetes.io/restartedAt": now_rfc3339()});
                v["status"]["observedGeneration"] = json!(revision);
            })?;
        self.sync_namespace_endpoints(namespace)
    }

    /// A StatefulSet with pods `<name>-0` .. `<name>-<n-1>`.
    pub fn stateful_set(
        &mut self,
        namespace: &str,
        name: &str,
        replicas: usize,
        nodes: &[String],
    ) -> Result<Vec<Value>, StoreError> {
        let labels = labels_of(&[("app", name)]);
        let sts = self.server.create(json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "serviceName": name,
                "template": Self::template(&labels, "registry.example.com/db:1.0"),
                "podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}},
            "status": {"replicas": replicas, "readyReplicas": replicas, "currentReplicas": replicas, "updatedReplicas": replicas},
        }))?;
        let revision = format!("{name}-{}", self.suffix(10));
        (0..replicas)
            .map(|i| {
                let mut l = labels.clone();
                l.insert("controller-revision-hash".into(), revision.clone());
                l.insert(
                    "statefulset.kubernetes.io/pod-name".into(),
                    format!("{name}-{i}"),
                );
                l.insert("apps.kubernetes.io/pod-index".into(), i.to_string());
                let node = &nodes[i % nodes.len().max(1)];
                self.create_pod(namespace, &format!("{name}-{i}"), &l, Some(&sts), node)
            })
            .collect()
    }

    /// A DaemonSet with one pod on each node.
    pub fn daemon_set(
        &mut self,
        namespace: &str,
        name: &str,
        nodes: &[String],
    ) -> Result<Vec<Value>, StoreError> {
        let labels = labels_of(&[("app", name)]);
        let ds = self.server.create(json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"selector": {"matchLabels": labels}, "template": Self::template(&labels, "registry.example.com/agent:1.0"),
                "updateStrategy": {"type": "RollingUpdate"}},
            "status": {"currentNumberScheduled": nodes.len(), "desiredNumberScheduled": nodes.len(),
                "numberMisscheduled": 0, "numberReady": nodes.len()},
        }))?;
        let mut pods = Vec::new();
        for node in nodes {
            let name = format!("{name}-{}", self.suffix(5));
            pods.push(self.create_pod(namespace, &name, &labels, Some(&ds), node)?);
        }
        Ok(pods)
    }

    /// A ReplicationController with its pods.
    pub fn replication_controller(
        &mut self,
        namespace: &str,
        name: &str,
        replicas: usize,
        nodes: &[String],
    ) -> Result<Vec<Value>, StoreError> {
        let labels = labels_of(&[("app", name)]);
        let rc = self.server.create(json!({
            "apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"replicas": replicas, "selector": labels, "template": Self::template(&labels, "registry.example.com/legacy:1.0")},
            "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas},
        }))?;
        let mut pods = Vec::new();
        for i in 0..replicas {
            let pod_name = format!("{name}-{}", self.suffix(5));
            pods.push(self.create_pod(
                namespace,
                &pod_name,
                &labels,
                Some(&rc),
                &nodes[i % nodes.len().max(1)],
            )?);
        }
        Ok(pods)
    }

    /// A CronJob and one run of it: the Job (named `<cronjob>-<scheduled minute>`) and its pod.
    pub fn cron_job_run(
        &mut self,
        namespace: &str,
        name: &str,
        node: &str,
    ) -> Result<(Value, Value), StoreError> {
        let cron = match self.server.get(Resource::CronJobs, namespace, name) {
            Some(c) => c,
            None => self.server.create(json!({
                "apiVersion": "batch/v1", "kind": "CronJob",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid", "suspend": false,
                    "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                    "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "busybox:1.36"}], "restartPolicy": "OnFailure"}}}}},
                "status": {},
            }))?,
        };
        self.seq += 1;
        let minute = 28_000_000 + self.seq;
        let job_name = format!("{name}-{minute}");
        let job = self.server.create(json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": job_name, "namespace": namespace, "ownerReferences": [owner_ref(&cron)],
                "labels": {"batch.kubernetes.io/job-name": job_name, "job-name": job_name}},
            "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed", "suspend": false,
                "template": {"metadata": {"labels": {"batch.kubernetes.io/job-name": job_name}},
                    "spec": {"containers": [{"name": "job", "image": "busybox:1.36"}], "restartPolicy": "OnFailure"}}},
            "status": {"active": 1, "ready": 1, "startTime": now_rfc3339()},
        }))?;
        let job_uid = s(&job, "/metadata/uid").to_string();
        // The API server defaults a Job's selector to its own uid; write it as it would.
        let job = self
            .server
            .modify(Resource::Jobs, namespace, &job_name, |v| {
                v["spec"]["selector"] =
                    json!({"matchLabels": {"batch.kubernetes.io/controller-uid": job_uid}});
                v["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] = json!(job_uid);
            })?;
        let labels = labels_of(&[
            ("batch.kubernetes.io/controller-uid", &job_uid),
            ("batch.kubernetes.io/job-name", &job_name),
            ("controller-uid", &job_uid),
            ("job-name", &job_name),
        ]);
        let pod_name = format!("{job_name}-{}", self.suffix(5));
        let pod = self.create_pod(namespace, &pod_name, &labels, Some(&job), node)?;
        Ok((job, pod))
    }

    /// Deletes a pod and creates its replacement, same name and owner, on `node` (what a
    /// StatefulSet does when its pod's node goes away): new uid, new IP, new container ids.
    pub fn reschedule(
        &mut self,
        namespace: &str,
        name: &str,
        node: &str,
    ) -> Result<Value, StoreError> {
        let old = self
            .server
            .get(Resource::Pods, namespace, name)
            .ok_or_else(|| StoreError::NotFound {
                resource: Resource::Pods,
                name: name.to_string(),
            })?;
        let labels: BTreeMap<String, String> =
            serde_json::from_value(old["metadata"]["labels"].clone()).unwrap_or_default();
        let owner = old.pointer("/metadata/ownerReferences/0").and_then(|r| {
            let kind = r["kind"].as_str()?;
            let owner_name = r["name"].as_str()?;
            let resource = Resource::ALL
                .into_iter()
                .find(|res| res.info().kind == kind)?;
            self.server.get(resource, namespace, owner_name)
        });
        self.server
            .begin_deletion(Resource::Pods, namespace, name)?;
        self.server.delete(Resource::Pods, namespace, name)?;
        let pod = self.create_pod(namespace, name, &labels, owner.as_ref(), node)?;
        self.sync_namespace_endpoints(namespace)?;
        Ok(pod)
    }

    // -----------------------------------------------------------------------------------
    // Services and the EndpointSlice controller
    // -----------------------------------------------------------------------------------

    /// A ClusterIP Service selecting `selector`, with its EndpointSlice.
    pub fn service(
        &mut self,
        namespace: &str,
        name: &str,
        selector: &[(&str, &str)],
    ) -> Result<Value, StoreError> {
        let n = self.next();
        let ip = format!("10.96.{}.{}", (n >> 8) % 256, n % 254 + 1);
        let svc = self.server.create(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
            "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
                "selector": labels_of(selector),
                "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"}]},
            "status": {"loadBalancer": {}},
        }))?;
        self.sync_endpoints(namespace, name)?;
        Ok(svc)
    }

    /// Changes a Service's selector; its EndpointSlice follows.
    pub fn set_service_selector(
        &mut self,
        namespace: &str,
        name: &str,
        selector: &[(&str, &str)],
    ) -> Result<(), StoreError> {
        let selector = labels_of(selector);
        self.server
            .modify(Resource::Services, namespace, name, |v| {
                v["spec"]["selector"] = json!(selector)
            })?;
        self.sync_endpoints(namespace, name)
    }

    /// What the EndpointSlice controller does for one Service: one IPv4 slice listing the
    /// ready pods the selector matches, created, updated or deleted as needed.
    pub fn sync_endpoints(&mut self, namespace: &str, service: &str) -> Result<(), StoreError> {
        let existing = self
            .server
            .objects_matching(Resource::EndpointSlices, namespace, |e| {
                e.pointer("/metadata/labels/kubernetes.io~1service-name")
                    .and_then(Value::as_str)
                    == Some(service)
            })
            .into_iter()
            .next();
        let Some(svc) = self.server.get(Resource::Services, namespace, service) else {
            if let Some(slice) = existing {
                self.server.delete(
                    Resource::EndpointSlices,
                    namespace,
                    s(&slice, "/metadata/name"),
                )?;
            }
            return Ok(());
        };
        let selector: BTreeMap<String, String> =
            serde_json::from_value(svc["spec"]["selector"].clone()).unwrap_or_default();
        let endpoints: Vec<Value> = if selector.is_empty() {
            Vec::new()
        } else {
            self.server
                .objects_matching(Resource::Pods, namespace, |p| {
                    selector.iter().all(|(k, v)| p["metadata"]["labels"][k].as_str() == Some(v))
                        && p.pointer("/metadata/deletionTimestamp").is_none()
                        && !s(p, "/status/podIP").is_empty()
                })
                .into_iter()
                .map(|p| {
                    json!({
                        "addresses": [s(&p, "/status/podIP")],
                        "conditions": {"ready": true, "serving": true, "terminating": false},
                        "nodeName": s(&p, "/spec/nodeName"),
                        "targetRef": {"kind": "Pod", "namespace": namespace, "name": s(&p, "/metadata/name"), "uid": s(&p, "/metadata/uid")},
                    })
                })
                .collect()
        };
        let ports = json!([{"name": "http", "protocol": "TCP", "port": 8080}]);
        match existing {
            Some(slice) => {
                let name = s(&slice, "/metadata/name").to_string();
                self.server
                    .modify(Resource::EndpointSlices, namespace, &name, |v| {
                        v["endpoints"] = json!(endpoints);
                        v["ports"] = ports;
                    })?;
            }
            None => {
                let name = format!("{service}-{}", self.suffix(5));
                self.server.create(json!({
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"name": name, "namespace": namespace, "generateName": format!("{service}-"),
                        "labels": {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                            "kubernetes.io/service-name": service},
                        "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": now_rfc3339()},
                        "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": service,
                            "uid": s(&svc, "/metadata/uid"), "controller": true, "blockOwnerDeletion": true}]},
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ports,
                }))?;
            }
        }
        Ok(())
    }

    /// [`Sim::sync_endpoints`] for every Service of a namespace.
    pub fn sync_namespace_endpoints(&mut self, namespace: &str) -> Result<(), StoreError> {
        for svc in self.server.objects_in(Resource::Services, namespace) {
            self.sync_endpoints(namespace, s(&svc, "/metadata/name"))?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Whole clusters
    // -----------------------------------------------------------------------------------

    /// Creates a cluster of the given shape: nodes `node-<i>`, namespaces `team-<i>`,
    /// Deployments `app-<i>` (round-robin over namespaces and nodes) with their Services.
    pub fn populate(&mut self, shape: &ClusterShape) -> Result<(), StoreError> {
        let nodes: Vec<String> = (0..shape.nodes.max(1))
            .map(|i| format!("node-{i}"))
            .collect();
        for n in &nodes {
            self.node(n)?;
        }
        let namespaces: Vec<String> = (0..shape.namespaces.max(1))
            .map(|i| format!("team-{i}"))
            .collect();
        for ns in &namespaces {
            self.namespace(ns)?;
        }
        let mut node_cursor = 0;
        for d in 0..shape.deployments {
            let ns = &namespaces[d % namespaces.len()];
            let name = format!("app-{d}");
            // Spread each Deployment's pods over consecutive nodes.
            let placement: Vec<String> = (0..shape.pods_per_deployment.max(1))
                .map(|i| nodes[(node_cursor + i) % nodes.len()].clone())
                .collect();
            node_cursor += shape.pods_per_deployment;
            self.deployment(ns, &name, shape.pods_per_deployment, &placement)?;
            if d < shape.services {
                self.service(ns, &name, &[("app", &name)])?;
            }
        }
        for extra in 0..shape.services.saturating_sub(shape.deployments) {
            let d = extra % shape.deployments.max(1);
            let ns = &namespaces[d % namespaces.len()];
            let app = format!("app-{d}");
            self.service(
                ns,
                &format!("{app}-metrics-{}", extra / shape.deployments.max(1)),
                &[("app", &app)],
            )?;
        }
        Ok(())
    }
}
