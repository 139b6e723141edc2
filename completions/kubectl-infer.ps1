
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-infer' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-infer'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-infer' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Generate KEDA and Kueue manifests from high-level inputs')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Lint manifests offline (files, folders, or - for stdin)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the lint rules, or print one rule''s documentation')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check manifests against live Prometheus, DCGM and the cluster')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Measure GPU, server and pod cold start and recommend scaling windows')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain why a ScaledObject has the replicas it has now')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay recorded traffic through ScaledObjects and compare GPU-hours and time over target')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-infer;generate' {
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'A YAML spec file with one model (the flags'' keys in camelCase) or `models: [...]`')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write one file per object into DIR instead of stdout')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'A folder of preset files (SERVER.yaml) that replace or add to the built-in ones')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the Deployment to scale and of the generated objects')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server preset: vllm, tgi, triton, sglang, nim, llamacpp, or custom (with --query)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The model the server loads (e.g. meta-llama/Llama-3.1-8B-Instruct)')
            [CompletionResult]::new('--gpus-per-replica', '--gpus-per-replica', [CompletionResultType]::ParameterName, 'GPUs per replica (default 1)')
            [CompletionResult]::new('--gpu-product', '--gpu-product', [CompletionResultType]::ParameterName, 'GPU product node label value (nvidia.com/gpu.product), e.g. NVIDIA-H100-80GB-HBM3')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Container image for --with-deployment (default: the preset''s)')
            [CompletionResult]::new('--cpu-per-replica', '--cpu-per-replica', [CompletionResultType]::ParameterName, 'CPU request per replica (default 4 per GPU)')
            [CompletionResult]::new('--memory-per-replica', '--memory-per-replica', [CompletionResultType]::ParameterName, 'Memory request per replica (default 32Gi per GPU)')
            [CompletionResult]::new('--min', '--min', [CompletionResultType]::ParameterName, 'Fewest replicas (default 1; 0 needs --activation-query)')
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Most replicas (default 4, or --min if larger)')
            [CompletionResult]::new('--signal', '--signal', [CompletionResultType]::ParameterName, 'Scaling signal; repeat for several triggers (default: queue)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Target: a number for the only signal, or SIGNAL=NUMBER (custom=NUMBER for --query)')
            [CompletionResult]::new('--cold-start', '--cold-start', [CompletionResultType]::ParameterName, 'Time for a new replica to become ready (node, image, weights, warm-up), e.g. 150s, 3m')
            [CompletionResult]::new('--probe-report', '--probe-report', [CompletionResultType]::ParameterName, 'A `probe -o json` report whose measured cold start stands in for --cold-start')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Prometheus base URL that KEDA queries')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'PromQL for --server custom (or an extra trigger); must aggregate to one series')
            [CompletionResult]::new('--metric-type', '--metric-type', [CompletionResultType]::ParameterName, 'How the HPA reads --query: AverageValue (per replica) or Value')
            [CompletionResult]::new('--activation-query', '--activation-query', [CompletionResultType]::ParameterName, 'A demand signal that exists with no pods (e.g. a gateway''s request rate); needed for --min 0')
            [CompletionResult]::new('--auth-secret', '--auth-secret', [CompletionResultType]::ParameterName, 'Secret NAME or NAME:KEY with a bearer token for Prometheus (a TriggerAuthentication)')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Kueue LocalQueue name (also emits ResourceFlavor and ClusterQueue)')
            [CompletionResult]::new('--gpu-quota', '--gpu-quota', [CompletionResultType]::ParameterName, 'GPUs the ClusterQueue owns (default: max × GPUs per replica)')
            [CompletionResult]::new('--cohort', '--cohort', [CompletionResultType]::ParameterName, 'Kueue cohort to borrow from and lend to')
            [CompletionResult]::new('--kueue-api', '--kueue-api', [CompletionResultType]::ParameterName, 'Kueue API version: v1beta2 (default) or v1beta1')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('--with-deployment', '--with-deployment', [CompletionResultType]::ParameterName, 'Also emit a Deployment skeleton (GPU limits, probes, queue-name label)')
            [CompletionResult]::new('--rbac', '--rbac', [CompletionResultType]::ParameterName, 'Print the read-only ClusterRole (and a binding example) that explain, validate and probe need, and exit')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;lint' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (`-o table`, `-o json` and `-o yaml` also select text, JSON and YAML; given both, -o and --format must agree)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'The lowest severity that fails the run with exit code 1 [default: warning]')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Run only these rules (codes, code prefixes such as KUE, or names); repeatable')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Never run these rules (codes, code prefixes or names); repeatable')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [default: .kubectl-infer.yaml in this folder or the nearest above, else in the first PATH''s folder or the nearest above]')
            [CompletionResult]::new('--cold-start', '--cold-start', [CompletionResultType]::ParameterName, 'Cold start of the workloads (e.g. 2m, 90s), for the cold-start rules; without it the target''s startupProbe budget is used')
            [CompletionResult]::new('--probe-report', '--probe-report', [CompletionResultType]::ParameterName, 'A `probe -o json` report whose measured cold start stands in for --cold-start')
            [CompletionResult]::new('--crds', '--crds', [CompletionResultType]::ParameterName, 'Validate KEDA and Kueue objects against the CRDs in this folder (e.g. the versions installed in your cluster) instead of the embedded KEDA 2.20 and Kueue 0.19 schemas')
            [CompletionResult]::new('--source-root', '--source-root', [CompletionResultType]::ParameterName, 'The folder that holds the charts of rendered Helm input: findings name chart files (from `# Source:` comments) under it, as they are in the repository (e.g. `charts`)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Refuse input files larger than this many bytes')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('--crds-from-cluster', '--crds-from-cluster', [CompletionResultType]::ParameterName, 'Validate KEDA and Kueue objects against the CRDs installed in the cluster (read with the kubeconfig flags; exit 3 when the cluster cannot be read)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;rules' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'Print the README rule table (Markdown) instead')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;validate' {
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Prometheus base URL, e.g. http://127.0.0.1:9090 after `kubectl port-forward svc/prometheus 9090`')
            [CompletionResult]::new('--bearer-token-file', '--bearer-token-file', [CompletionResultType]::ParameterName, 'File holding a bearer token for Prometheus (else $KUBECTL_INFER_PROMETHEUS_TOKEN)')
            [CompletionResult]::new('--basic-auth-user', '--basic-auth-user', [CompletionResultType]::ParameterName, 'User for HTTP basic auth; the password comes from --basic-auth-password-file or $KUBECTL_INFER_PROMETHEUS_PASSWORD')
            [CompletionResult]::new('--basic-auth-password-file', '--basic-auth-password-file', [CompletionResultType]::ParameterName, 'File holding the basic-auth password')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header for every Prometheus request, e.g. "X-Scope-OrgID: team-a" (repeatable)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for Prometheus, besides the system''s')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Limit for each request to Prometheus, e.g. 5s; 0 means no limit (as for --request-timeout)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many requests to Prometheus may run at once (1 to 1024)')
            [CompletionResult]::new('--lookback', '--lookback', [CompletionResultType]::ParameterName, 'Also read each trigger over this window (e.g. 1h): min, median, p95, max, the replicas they imply, and whether the service scales to zero and wakes')
            [CompletionResult]::new('--dcgm-match', '--dcgm-match', [CompletionResultType]::ParameterName, 'Label matchers that pick the DCGM exporter''s series, e.g. ''job="dcgm-exporter"'' or ''cluster="prod"'' when one Prometheus holds several clusters')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'A sample older than this is stale')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify Prometheus''s TLS certificate (insecure; for test set-ups only)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Also check the cluster (kubeconfig, --context, -n/-A): KEDA and its external metrics APIService, Kueue, each target and its queues. Without PATHs, the ScaledObjects come from the cluster')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;probe' {
            [CompletionResult]::new('--gpu-from-file', '--gpu-from-file', [CompletionResultType]::ParameterName, 'Read GPU data saved earlier (a `probe -o json` report) instead of asking NVML')
            [CompletionResult]::new('--model-path', '--model-path', [CompletionResultType]::ParameterName, 'The model''s folder: sums the weight files and times a cold read of them')
            [CompletionResult]::new('--read-sample-mib', '--read-sample-mib', [CompletionResultType]::ParameterName, 'How much of the weights to read when timing the disk, in MiB')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'A server command to start (through `sh -c`, in its own process group) and time')
            [CompletionResult]::new('--ready-url', '--ready-url', [CompletionResultType]::ParameterName, 'The URL that answers 200 once the --exec server is ready')
            [CompletionResult]::new('--runs', '--runs', [CompletionResultType]::ParameterName, 'How many times to start the server (and to initialise NVML)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long one run may wait for the ready URL before its process group is stopped')
            [CompletionResult]::new('--poll-interval', '--poll-interval', [CompletionResultType]::ParameterName, 'How often to poll the ready URL')
            [CompletionResult]::new('--deployment', '--deployment', [CompletionResultType]::ParameterName, 'Time the start-up of this Deployment''s pods')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Time the start-up of the pods that match this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Time the start-up of the pods that match this label selector')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Read pods and events from a file (`kubectl get pods,events -o yaml`) instead of the cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('--gpu', '--gpu', [CompletionResultType]::ParameterName, 'Probe the local NVIDIA GPUs through NVML (also on with --model-path or --exec)')
            [CompletionResult]::new('--no-gpu', '--no-gpu', [CompletionResultType]::ParameterName, 'Do not probe the local GPUs')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;explain' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read the objects from a file (`kubectl get -o yaml` output: a List or several documents, plus ExternalMetricValueList documents from `kubectl get --raw`); - for stdin. Nothing is read from the cluster')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Read the objects from a file (`kubectl get -o yaml` output: a List or several documents, plus ExternalMetricValueList documents from `kubectl get --raw`); - for stdin. Nothing is read from the cluster')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often --watch refreshes, e.g. 5s, 1m')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Also run each Prometheus trigger''s query against this Prometheus (e.g. http://127.0.0.1:9090 through a port-forward) and show both values when they differ; an empty result shows as "no data"')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'The instant to explain as (RFC 3339), e.g. 2026-12-03T14:02:00Z. Default: now, or with --from-file the newest time recorded in the file')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Explain again every --interval until interrupted')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Explain again every --interval until interrupted')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;simulate' {
            [CompletionResult]::new('--series', '--series', [CompletionResultType]::ParameterName, 'The recorded traffic: CSV (a `time` column, RFC 3339 or Unix seconds, then one column per trigger named after the trigger''s `name` or its metric, e.g. s0-prometheus; an empty cell is no data) or a Prometheus query_range answer (JSON, as curl prints it)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With --prometheus: record each trigger''s query over this window before --until')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'With --prometheus: the end of the window (RFC 3339); default now')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'With --prometheus: the resolution of the range queries (the HPA''s sync period)')
            [CompletionResult]::new('--cold-start', '--cold-start', [CompletionResultType]::ParameterName, 'Time from a replica''s creation to Ready (image pull, weights, warm-up), e.g. 150s')
            [CompletionResult]::new('--probe-report', '--probe-report', [CompletionResultType]::ParameterName, 'Take the cold start from a report of `kubectl infer probe -o json`')
            [CompletionResult]::new('--gpus-per-replica', '--gpus-per-replica', [CompletionResultType]::ParameterName, 'GPUs each replica holds (default: what the target Deployment requests, else 1)')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Replicas at the start of the replay (default: minReplicaCount)')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Write a chart of the replicas against the demand to FILE (SVG)')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Prometheus base URL, e.g. http://127.0.0.1:9090 after `kubectl port-forward svc/prometheus 9090`')
            [CompletionResult]::new('--bearer-token-file', '--bearer-token-file', [CompletionResultType]::ParameterName, 'File holding a bearer token for Prometheus (else $KUBECTL_INFER_PROMETHEUS_TOKEN)')
            [CompletionResult]::new('--basic-auth-user', '--basic-auth-user', [CompletionResultType]::ParameterName, 'User for HTTP basic auth; the password comes from --basic-auth-password-file or $KUBECTL_INFER_PROMETHEUS_PASSWORD')
            [CompletionResult]::new('--basic-auth-password-file', '--basic-auth-password-file', [CompletionResultType]::ParameterName, 'File holding the basic-auth password')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header for every Prometheus request, e.g. "X-Scope-OrgID: team-a" (repeatable)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for Prometheus, besides the system''s')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Limit for each request to Prometheus, e.g. 5s; 0 means no limit (as for --request-timeout)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many requests to Prometheus may run at once (1 to 1024)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Also list each policy''s scale events (every step with -o json/yaml)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify Prometheus''s TLS certificate (insecure; for test set-ups only)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to act in (default: the context''s namespace; `default` for generate)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table, json or yaml (generate writes yaml unless told json; lint''s sarif, junit and github formats are chosen with its --format)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Act in every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-infer;help' {
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Generate KEDA and Kueue manifests from high-level inputs')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Lint manifests offline (files, folders, or - for stdin)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the lint rules, or print one rule''s documentation')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check manifests against live Prometheus, DCGM and the cluster')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Measure GPU, server and pod cold start and recommend scaling windows')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain why a ScaledObject has the replicas it has now')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay recorded traffic through ScaledObjects and compare GPU-hours and time over target')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-infer;help;generate' {
            break
        }
        'kubectl-infer;help;lint' {
            break
        }
        'kubectl-infer;help;rules' {
            break
        }
        'kubectl-infer;help;validate' {
            break
        }
        'kubectl-infer;help;probe' {
            break
        }
        'kubectl-infer;help;explain' {
            break
        }
        'kubectl-infer;help;simulate' {
            break
        }
        'kubectl-infer;help;completion' {
            break
        }
        'kubectl-infer;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
