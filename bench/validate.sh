#!/usr/bin/env bash
# Figures for `validate`: wall time and request count for 1 and for 100 ScaledObjects against a
# real Prometheus (Debian's package) reached through a proxy that adds DELAY_MS (default 200)
# to every request, as a port-forward to a remote cluster does; with the default concurrency,
# with --lookback, and with --concurrency 16 and 1. One round trip is DELAY_MS; the rest is
# the process itself and Prometheus.
# Needs: prometheus, python3. Prints the figures; asserts nothing.
# KUBECTL_INFER_BIN=target/debug/kubectl-infer skips the release build (the figures are
# dominated by the round trips, not by the binary's own work).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${KUBECTL_INFER_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/kubectl-infer
fi
delay_ms=${DELAY_MS:-200}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
exporter=$(port); prom=$(port); proxy=$(port)

mkdir -p "$work/www"
for i in $(seq 0 99); do
  echo "vllm:num_requests_waiting{namespace=\"bench\",pod=\"llama-$i\",model_name=\"m\"} $i"
done >"$work/www/metrics"
python3 -m http.server --bind 127.0.0.1 "$exporter" --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)

cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: bench
    static_configs: [{targets: ['127.0.0.1:$exporter']}]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)

cat >"$work/proxy.py" <<PY
import http.server, socketserver, time, urllib.request
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open("$work/requests", "a") as count:
            count.write(".")
        time.sleep($delay_ms / 1000)
        with urllib.request.urlopen("http://127.0.0.1:$prom" + self.path) as answer:
            body = answer.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
Server(("127.0.0.1", $proxy), Proxy).serve_forever()
PY
python3 "$work/proxy.py" &
pids+=($!)

query="http://127.0.0.1:$prom/api/v1/query?query=count(vllm:num_requests_waiting)"
for _ in $(seq 1 100); do
  if python3 -c "import json,urllib.request,sys; r=json.load(urllib.request.urlopen('$query')); sys.exit(0 if r['data']['result'] and r['data']['result'][0]['value'][1]=='100' else 1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

objects() {
  for i in $(seq 0 $(($1 - 1))); do
    cat <<YAML
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: llama-$i, namespace: bench}
spec:
  scaleTargetRef: {name: llama-$i}
  minReplicaCount: 1
  triggers:
    - type: prometheus
      metadata:
        query: 'sum(vllm:num_requests_waiting{namespace="bench",pod="llama-$i"})'
        threshold: '5'
---
YAML
  done
}
objects 1 >"$work/one.yaml"
objects 100 >"$work/hundred.yaml"

run() {
  local start end
  : >"$work/requests"
  start=$(date +%s%N)
  "$bin" validate "$@" --prometheus "http://127.0.0.1:$proxy" -o json >/dev/null || true
  end=$(date +%s%N)
  printf '%6d ms, %3d requests' $(((end - start) / 1000000)) "$(wc -c <"$work/requests")"
}

echo "validate, ${delay_ms} ms added to every Prometheus request:"
echo "  1 ScaledObject:                             $(run "$work/one.yaml")"
echo "  100 ScaledObjects:                          $(run "$work/hundred.yaml")"
echo "  100 ScaledObjects, --lookback 1h:           $(run "$work/hundred.yaml" --lookback 1h)"
echo "  100 ScaledObjects, --concurrency 16:        $(run "$work/hundred.yaml" --concurrency 16)"
echo "  100 ScaledObjects, --concurrency 1:         $(run "$work/hundred.yaml" --concurrency 1)"
