# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_infer_global_optspecs
    string join \n kubeconfig= context= n/namespace= A/all-namespaces request-timeout= chunk-size= o/output= v/verbose color= h/help V/version
end

function __fish_kubectl_infer_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_infer_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_infer_using_subcommand
    set -l cmd (__fish_kubectl_infer_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "generate" -d 'Generate KEDA and Kueue manifests from high-level inputs'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "lint" -d 'Lint manifests offline (files, folders, or - for stdin)'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "rules" -d 'List the lint rules, or print one rule\'s documentation'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "validate" -d 'Check manifests against live Prometheus, DCGM and the cluster'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "probe" -d 'Measure GPU, server and pod cold start and recommend scaling windows'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "explain" -d 'Explain why a ScaledObject has the replicas it has now'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "simulate" -d 'Replay recorded traffic through ScaledObjects and compare GPU-hours and time over target'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c kubectl-infer -n "__fish_kubectl_infer_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l spec -d 'A YAML spec file with one model (the flags\' keys in camelCase) or `models: [...]`' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l out-dir -d 'Write one file per object into DIR instead of stdout' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l templates -d 'A folder of preset files (SERVER.yaml) that replace or add to the built-in ones' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l name -d 'Name of the Deployment to scale and of the generated objects' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l server -d 'Server preset: vllm, tgi, triton, sglang, nim, llamacpp, or custom (with --query)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l model -d 'The model the server loads (e.g. meta-llama/Llama-3.1-8B-Instruct)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l gpus-per-replica -d 'GPUs per replica (default 1)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l gpu-product -d 'GPU product node label value (nvidia.com/gpu.product), e.g. NVIDIA-H100-80GB-HBM3' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l image -d 'Container image for --with-deployment (default: the preset\'s)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l cpu-per-replica -d 'CPU request per replica (default 4 per GPU)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l memory-per-replica -d 'Memory request per replica (default 32Gi per GPU)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l min -d 'Fewest replicas (default 1; 0 needs --activation-query)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l max -d 'Most replicas (default 4, or --min if larger)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l signal -d 'Scaling signal; repeat for several triggers (default: queue)' -r -f -a "queue\t'Requests waiting for a batch slot (extensive: AverageValue per replica)'
kv-cache\t'KV-cache fraction in use (intensive: Value)'
running\t'Requests in the running batch (extensive: AverageValue per replica)'
gpu-util\t'GPU engine activity from DCGM (intensive: Value)'
ttft\t'Time to first token, 90th percentile (intensive: Value)'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l target -d 'Target: a number for the only signal, or SIGNAL=NUMBER (custom=NUMBER for --query)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l cold-start -d 'Time for a new replica to become ready (node, image, weights, warm-up), e.g. 150s, 3m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l probe-report -d 'A `probe -o json` report whose measured cold start stands in for --cold-start' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l prometheus -d 'Prometheus base URL that KEDA queries' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l query -d 'PromQL for --server custom (or an extra trigger); must aggregate to one series' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l metric-type -d 'How the HPA reads --query: AverageValue (per replica) or Value' -r -f -a "AverageValue\t'The query\'s value divided by the replica count is compared with the target (for extensive quantities: queue length, running requests)'
Value\t'The query\'s value is compared with the target as is (for intensive quantities: fractions, latencies)'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l activation-query -d 'A demand signal that exists with no pods (e.g. a gateway\'s request rate); needed for --min 0' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l auth-secret -d 'Secret NAME or NAME:KEY with a bearer token for Prometheus (a TriggerAuthentication)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l queue -d 'Kueue LocalQueue name (also emits ResourceFlavor and ClusterQueue)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l gpu-quota -d 'GPUs the ClusterQueue owns (default: max × GPUs per replica)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l cohort -d 'Kueue cohort to borrow from and lend to' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l kueue-api -d 'Kueue API version: v1beta2 (default) or v1beta1' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l with-deployment -d 'Also emit a Deployment skeleton (GPU limits, probes, queue-name label)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -l rbac -d 'Print the read-only ClusterRole (and a binding example) that explain, validate and probe need, and exit'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand generate" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l format -d 'Output format (`-o table`, `-o json` and `-o yaml` also select text, JSON and YAML; given both, -o and --format must agree)' -r -f -a "text\t'Findings grouped by file, with the YAML line and a caret, and a summary line'
json\t'JSON with a `version` field'
yaml\t'YAML: the same document as JSON'
sarif\t'SARIF 2.1.0, for GitHub code scanning and other SARIF viewers'
junit\t'JUnit XML, for GitLab and other CI test reports'
github\t'GitHub Actions workflow commands (annotations on the pull request)'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l fail-on -d 'The lowest severity that fails the run with exit code 1 [default: warning]' -r -f -a "info\t'Worth knowing; does not fail a run unless `--fail-on info`'
warning\t'Likely wrong, or right only by accident'
error\t'Rejected by the API server or a webhook, or never works at run time'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l select -d 'Run only these rules (codes, code prefixes such as KUE, or names); repeatable' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l ignore -d 'Never run these rules (codes, code prefixes or names); repeatable' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l config -d 'The config file [default: .kubectl-infer.yaml in this folder or the nearest above, else in the first PATH\'s folder or the nearest above]' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l cold-start -d 'Cold start of the workloads (e.g. 2m, 90s), for the cold-start rules; without it the target\'s startupProbe budget is used' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l probe-report -d 'A `probe -o json` report whose measured cold start stands in for --cold-start' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l crds -d 'Validate KEDA and Kueue objects against the CRDs in this folder (e.g. the versions installed in your cluster) instead of the embedded KEDA 2.20 and Kueue 0.19 schemas' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l source-root -d 'The folder that holds the charts of rendered Helm input: findings name chart files (from `# Source:` comments) under it, as they are in the repository (e.g. `charts`)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l max-file-size -d 'Refuse input files larger than this many bytes' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -l crds-from-cluster -d 'Validate KEDA and Kueue objects against the CRDs installed in the cluster (read with the kubeconfig flags; exit 3 when the cluster cannot be read)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand lint" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -l markdown -d 'Print the README rule table (Markdown) instead'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand rules" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l prometheus -d 'Prometheus base URL, e.g. http://127.0.0.1:9090 after `kubectl port-forward svc/prometheus 9090`' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l bearer-token-file -d 'File holding a bearer token for Prometheus (else $KUBECTL_INFER_PROMETHEUS_TOKEN)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l basic-auth-user -d 'User for HTTP basic auth; the password comes from --basic-auth-password-file or $KUBECTL_INFER_PROMETHEUS_PASSWORD' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l basic-auth-password-file -d 'File holding the basic-auth password' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l header -d 'Extra header for every Prometheus request, e.g. "X-Scope-OrgID: team-a" (repeatable)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l ca-file -d 'PEM file of CA certificates to trust for Prometheus, besides the system\'s' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l timeout -d 'Limit for each request to Prometheus, e.g. 5s; 0 means no limit (as for --request-timeout)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l concurrency -d 'How many requests to Prometheus may run at once (1 to 1024)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l lookback -d 'Also read each trigger over this window (e.g. 1h): min, median, p95, max, the replicas they imply, and whether the service scales to zero and wakes' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l dcgm-match -d 'Label matchers that pick the DCGM exporter\'s series, e.g. \'job="dcgm-exporter"\' or \'cluster="prod"\' when one Prometheus holds several clusters' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l max-age -d 'A sample older than this is stale' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l insecure-skip-tls-verify -d 'Do not verify Prometheus\'s TLS certificate (insecure; for test set-ups only)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -l cluster -d 'Also check the cluster (kubeconfig, --context, -n/-A): KEDA and its external metrics APIService, Kueue, each target and its queues. Without PATHs, the ScaledObjects come from the cluster'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand validate" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l gpu-from-file -d 'Read GPU data saved earlier (a `probe -o json` report) instead of asking NVML' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l model-path -d 'The model\'s folder: sums the weight files and times a cold read of them' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l read-sample-mib -d 'How much of the weights to read when timing the disk, in MiB' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l exec -d 'A server command to start (through `sh -c`, in its own process group) and time' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l ready-url -d 'The URL that answers 200 once the --exec server is ready' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l runs -d 'How many times to start the server (and to initialise NVML)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l timeout -d 'How long one run may wait for the ready URL before its process group is stopped' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l poll-interval -d 'How often to poll the ready URL' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l deployment -d 'Time the start-up of this Deployment\'s pods' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -s l -l selector -d 'Time the start-up of the pods that match this label selector' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l from-file -d 'Read pods and events from a file (`kubectl get pods,events -o yaml`) instead of the cluster' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l gpu -d 'Probe the local NVIDIA GPUs through NVML (also on with --model-path or --exec)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -l no-gpu -d 'Do not probe the local GPUs'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand probe" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s f -l from-file -d 'Read the objects from a file (`kubectl get -o yaml` output: a List or several documents, plus ExternalMetricValueList documents from `kubectl get --raw`); - for stdin. Nothing is read from the cluster' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l interval -d 'How often --watch refreshes, e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l prometheus -d 'Also run each Prometheus trigger\'s query against this Prometheus (e.g. http://127.0.0.1:9090 through a port-forward) and show both values when they differ; an empty result shows as "no data"' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l at -d 'The instant to explain as (RFC 3339), e.g. 2026-12-03T14:02:00Z. Default: now, or with --from-file the newest time recorded in the file' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s w -l watch -d 'Explain again every --interval until interrupted'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand explain" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l series -d 'The recorded traffic: CSV (a `time` column, RFC 3339 or Unix seconds, then one column per trigger named after the trigger\'s `name` or its metric, e.g. s0-prometheus; an empty cell is no data) or a Prometheus query_range answer (JSON, as curl prints it)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l since -d 'With --prometheus: record each trigger\'s query over this window before --until' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l until -d 'With --prometheus: the end of the window (RFC 3339); default now' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l step -d 'With --prometheus: the resolution of the range queries (the HPA\'s sync period)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l cold-start -d 'Time from a replica\'s creation to Ready (image pull, weights, warm-up), e.g. 150s' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l probe-report -d 'Take the cold start from a report of `kubectl infer probe -o json`' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l gpus-per-replica -d 'GPUs each replica holds (default: what the target Deployment requests, else 1)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l replicas -d 'Replicas at the start of the replay (default: minReplicaCount)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l chart -d 'Write a chart of the replicas against the demand to FILE (SVG)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l prometheus -d 'Prometheus base URL, e.g. http://127.0.0.1:9090 after `kubectl port-forward svc/prometheus 9090`' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l bearer-token-file -d 'File holding a bearer token for Prometheus (else $KUBECTL_INFER_PROMETHEUS_TOKEN)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l basic-auth-user -d 'User for HTTP basic auth; the password comes from --basic-auth-password-file or $KUBECTL_INFER_PROMETHEUS_PASSWORD' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l basic-auth-password-file -d 'File holding the basic-auth password' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l header -d 'Extra header for every Prometheus request, e.g. "X-Scope-OrgID: team-a" (repeatable)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l ca-file -d 'PEM file of CA certificates to trust for Prometheus, besides the system\'s' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l timeout -d 'Limit for each request to Prometheus, e.g. 5s; 0 means no limit (as for --request-timeout)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l concurrency -d 'How many requests to Prometheus may run at once (1 to 1024)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l steps -d 'Also list each policy\'s scale events (every step with -o json/yaml)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -l insecure-skip-tls-verify -d 'Do not verify Prometheus\'s TLS certificate (insecure; for test set-ups only)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand simulate" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -s n -l namespace -d 'The namespace to act in (default: the context\'s namespace; `default` for generate)' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -l request-timeout -d 'How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -l chunk-size -d 'Read each LIST from the API server in pages of this many objects (as `kubectl get --chunk-size`); 0, the default, reads every kind in one request' -r
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -s o -l output -d 'Output format: table, json or yaml (generate writes yaml unless told json; lint\'s sarif, junit and github formats are chosen with its --format)' -r -f -a "table\t'A human table with a few sentences'
json\t'JSON with a `version` field'
yaml\t'YAML'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -l color -d 'When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, given explicitly, wins over NO_COLOR' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour, even with NO_COLOR set'
never\t'Never colour'"
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -s A -l all-namespaces -d 'Act in every namespace'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "generate" -d 'Generate KEDA and Kueue manifests from high-level inputs'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "lint" -d 'Lint manifests offline (files, folders, or - for stdin)'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "rules" -d 'List the lint rules, or print one rule\'s documentation'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "validate" -d 'Check manifests against live Prometheus, DCGM and the cluster'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "probe" -d 'Measure GPU, server and pod cold start and recommend scaling windows'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "explain" -d 'Explain why a ScaledObject has the replicas it has now'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "simulate" -d 'Replay recorded traffic through ScaledObjects and compare GPU-hours and time over target'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "completion" -d 'Print a shell completion script'
complete -c kubectl-infer -n "__fish_kubectl_infer_using_subcommand help; and not __fish_seen_subcommand_from generate lint rules validate probe explain simulate completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
