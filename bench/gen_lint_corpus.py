#!/usr/bin/env python3
"""Writes the lint benchmark corpus: exactly N resources (default 50,714, the size of
kubeconform's published benchmark) spread over files of about 100 documents, mixing
Deployments, ScaledObjects, HPAs and Kueue objects (ResourceFlavor, ClusterQueue,
LocalQueue). Some objects carry deliberate mistakes so that rules have work to do."""

import os
import sys

SERVERS = [
    ("vllm", 'sum(vllm:num_requests_waiting{{namespace="{ns}", pod=~"{name}-.*"}})', "5"),
    ("tgi", 'sum(tgi_queue_size{{namespace="{ns}", pod=~"{name}-.*"}})', "8"),
    ("sglang", 'sum(sglang:num_queue_reqs{{namespace="{ns}", pod=~"{name}-.*"}})', "6"),
    ("triton", 'sum(nv_inference_pending_request_count{{namespace="{ns}"}})', "10"),
]


def deployment(ns, name, i):
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
    kueue.x-k8s.io/queue-name: {ns}-lq
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: server
          image: registry.example/{name}:{i % 7}
          ports:
            - containerPort: 8000
          resources:
            requests:
              cpu: "8"
              memory: 64Gi
              nvidia.com/gpu: {1 + i % 2}
            limits:
              memory: 64Gi
              nvidia.com/gpu: {1 + i % 2}
          startupProbe:
            httpGet: {{path: /health, port: 8000}}
            periodSeconds: 10
            failureThreshold: {12 + i % 20}
"""


def scaled_object(ns, name, i):
    server, query, threshold = SERVERS[i % len(SERVERS)]
    q = query.format(ns=ns, name=name)
    if i % 11 == 0:
        q = q.replace("sum(", "sum by (pod) (", 1)
    minimum = 0 if i % 13 == 0 else 1
    return f"""apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {name}
  namespace: {ns}
  labels:
    server: {server}
spec:
  scaleTargetRef:
    name: {name}
  minReplicaCount: {minimum}
  maxReplicaCount: {4 + i % 5}
  pollingInterval: 15
  fallback:
    failureThreshold: 3
    replicas: 2
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleUp:
          stabilizationWindowSeconds: 30
          policies:
            - type: Percent
              value: 100
              periodSeconds: {120 if i % 9 else 15}
        scaleDown:
          stabilizationWindowSeconds: 600
  triggers:
    - type: prometheus
      name: queue
      metadata:
        serverAddress: http://prometheus.monitoring:9090
        query: {q}
        threshold: "{threshold}"
        ignoreNullValues: "false"
    - type: prometheus
      name: kv
      metricType: Value
      metadata:
        serverAddress: http://prometheus.monitoring:9090
        query: avg(vllm:kv_cache_usage_perc{{namespace="{ns}", pod=~"{name}-.*"}})
        threshold: "0.8"
        ignoreNullValues: "false"
"""


def hpa(ns, name):
    return f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}-cpu
  namespace: {ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 1
  maxReplicas: 4
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {{type: Utilization, averageUtilization: 70}}
"""


def queues(ns, team):
    return [
        f"""apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: {team}-h100
spec:
  nodeLabels:
    nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
""",
        f"""apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata:
  name: {team}-cq
spec:
  namespaceSelector: {{}}
  resourceGroups:
    - coveredResources: [cpu, memory, nvidia.com/gpu]
      flavors:
        - name: {team}-h100
          resources:
            - name: cpu
              nominalQuota: 512
            - name: memory
              nominalQuota: 4Ti
            - name: nvidia.com/gpu
              nominalQuota: 64
""",
        f"""apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata:
  name: {ns}-lq
  namespace: {ns}
spec:
  clusterQueue: {team}-cq
""",
    ]


def resources():
    i = 0
    while True:
        team = f"team-{i // 20}"
        ns = f"serving-{i // 20}"
        if i % 20 == 0:
            yield from queues(ns, team)
        name = f"model-{i}"
        yield deployment(ns, name, i)
        yield scaled_object(ns, name, i)
        if i % 17 == 0:
            yield hpa(ns, name)
        i += 1


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 50714
    per_file = 100
    os.makedirs(out, exist_ok=True)
    docs = resources()
    written = 0
    index = 0
    while written < total:
        n = min(per_file, total - written)
        with open(os.path.join(out, f"manifests-{index:04}.yaml"), "w") as f:
            f.write("---\n".join(next(docs) for _ in range(n)))
        written += n
        index += 1
    print(f"{written} resources in {index} files under {out}")


if __name__ == "__main__":
    main()
