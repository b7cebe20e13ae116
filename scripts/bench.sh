#!/usr/bin/env bash
# scripts/bench.sh: run every benchmark of issue 6 with fixed sizes and
# -benchtime, and write docs/benchmarks.md from what they printed. Every
# figure is compared with a baseline measured in the same run; the exact
# command of each is written next to it. `make bench` runs this.
#
# Sizes (environment, defaults are the issue's):
#   GATEWAYOPS_BENCH_SIZES  reservation counts for the drain (10000 100000 1000000)
#   GATEWAYOPS_BENCH_KEYS   keys for the inspection benchmark (1000000)
#   GATEWAYOPS_BENCH_IDLE   seconds of the TUI idle window per round (30; scripts/bench_console.sh)
#   BASELINE_REF, GATEWAYOPS_BENCH_RUNS: see scripts/bench_console.sh
#   GATEWAYOPS_BENCH_OUT    output file (docs/benchmarks.md; a partial run's
#                           default is /tmp/gatewayops-bench-SECTION.md)
#   GATEWAYOPS_BENCH_ONLY   "tui": run and report only section 5 (the console's
#                           View and TUI runs), never into docs/benchmarks.md
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${GATEWAYOPS_BENCH_SIZES:-10000 100000 1000000}
KEYS=${GATEWAYOPS_BENCH_KEYS:-1000000}
IDLE=${GATEWAYOPS_BENCH_IDLE:-60}
ONLY=${GATEWAYOPS_BENCH_ONLY:-}
case $ONLY in
'') OUT=${GATEWAYOPS_BENCH_OUT:-docs/benchmarks.md} ;;
tui) OUT=${GATEWAYOPS_BENCH_OUT:-/tmp/gatewayops-bench-tui.md} ;;
*) echo "bench: GATEWAYOPS_BENCH_ONLY=$ONLY: the section that runs alone is tui" >&2; exit 2 ;;
esac
if [ -n "$ONLY" ] && [ "$(realpath -m "$OUT")" = "$(realpath -m docs/benchmarks.md)" ]; then
	echo "bench: a GATEWAYOPS_BENCH_ONLY run does not write docs/benchmarks.md (set GATEWAYOPS_BENCH_OUT elsewhere)" >&2
	exit 2
fi
BIN=bin/gatewayops
WORK=$(mktemp -d /tmp/gatewayops-bench.XXXXXX)
TMUX_SOCK="gatewayops-bench-$$"
PIDS=()

cleanup() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	# The consoles of a TUI round still running (scripts/bench_console.sh).
	for s in "${RUN_SOCKS[@]:-}"; do [ -z "$s" ] || tmux -L "$s" kill-server 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# run NAME CMD...: run a benchmark command, keep its output in $WORK/NAME.txt
# and its command line in $WORK/NAME.cmd (for the report).
run() {
	local name=$1
	shift
	shquote "$@" >"$WORK/$name.cmd"
	log "$name: $*"
	local before
	before=$(cpu_jiffies)
	if ! env "$@" >"$WORK/$name.txt" 2>&1; then
		cat "$WORK/$name.txt" >&2
		echo "bench: $name failed: $*" >&2
		exit 1
	fi
	printf '%s %s\n' "$name" "$(steal_pct "$before" "$(cpu_jiffies)")" >>"$WORK/steal.txt"
}

# cpu_jiffies: the machine's stolen and total CPU time so far (/proc/stat's
# first line: steal is the time the hypervisor ran something else while
# this VM had work, the likeliest cause of a command several times its
# usual length here).
cpu_jiffies() { awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat; }

# steal_pct "STEAL TOTAL" "STEAL TOTAL": the stolen share between two readings, in %.
steal_pct() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
		d = y[2] - x[2]; if (d <= 0) { print "0.0"; exit } printf "%.1f", (y[1] - x[1]) * 100 / d }'
}

# steal_text: the stolen share of the whole run and of its steps over 2 %.
steal_text() {
	local steps
	steps=$(awk '$2 + 0 > 2 { printf "%s%s %s %%", sep, $1, $2; sep = ", " }' "$WORK/steal.txt" 2>/dev/null)
	printf '%s %% of the CPU time during the run' "$STEAL_RUN"
	[ -z "$steps" ] || printf '; steps over 2 %%: %s' "$steps"
}

# shquote ARGS...: ARGS as one line a shell reads back the same (arguments
# with shell metacharacters in single quotes).
shquote() {
	local a out=()
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:=,+-]+$ ]]; then out+=("$a"); else out+=("'$a'"); fi
	done
	printf '%s' "${out[*]}"
}

# metric NAME BENCH UNIT: the value printed before UNIT on the result line of
# benchmark BENCH (its name up to the -GOMAXPROCS suffix) in $WORK/NAME.txt.
metric() {
	local v
	# A line a library logs while a benchmark runs splits that benchmark's
	# line (go test prints the name, runs it, then the figures): the name
	# alone is joined to the next line with figures.
	v=$(awk -v b="$2" -v u="$3" '/^Benchmark/ && !/ns\/op/ { held = $0; next }
		held != "" && /ns\/op/ { $0 = held " " $0; held = "" }
		{ n = $1; sub(/-[0-9]+$/, "", n) }
		n == b { for (i = 3; i <= NF; i++) if ($i == u) { print $(i-1); exit } }' "$WORK/$1.txt")
	if [ -z "$v" ]; then
		echo "bench: no $3 for $2 in the output of $1:" >&2
		cat "$WORK/$1.txt" >&2
		exit 1
	fi
	echo "$v"
}

cmdof() { printf '`%s`' "$(cat "$WORK/$1.cmd")"; }

# fmt3 X: X with three significant figures at most; ratio A B: A/B.
fmt3() { awk -v x="$1" 'BEGIN { if (x == int(x) || x >= 100) printf "%.0f", x; else if (x >= 10) printf "%.1f", x; else printf "%.3g", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else { r = a / b; if (r >= 10) printf "%.0fx", r; else printf "%.3gx", r } }'; }

# catalog N FILE: a catalog of N alarms on RequestLatency per poolId. No
# series are sent, so treatMissingData decides the state: a third each
# breaching (ALARM), notBreaching (OK) and missing (INSUFFICIENT_DATA).
catalog() {
	awk -v n="$1" 'BEGIN {
		split("breaching notBreaching missing", mode, " ")
		print "name: bench-" n; print "alarms:"
		for (i = 0; i < n; i++) {
			printf "  - name: arrakis-{env}-agent-bench-%04d\n", i
			printf "    description: \"bench alarm %d\"\n    severity: high\n", i
			printf "    metric:\n      namespace: Arrakis/AgentGateway\n      metric: RequestLatency\n"
			printf "      dimensions: [{name: poolId, value: pool-%04d}]\n      stat: Average\n      period: 60\n", i
			printf "    comparison: GreaterThanThreshold\n    threshold: 1000\n    evaluationPeriods: 1\n"
			printf "    treatMissingData: %s\n", mode[i % 3 + 1]
		}
	}' >"$2"
}

# free_port: a loopback TCP port nothing answers on.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "bench: no free port found" >&2
	exit 1
}

# wait_for WHAT CMD...: retry CMD for up to 60 s (a loaded 2-core machine took over 20).
wait_for() {
	local what=$1
	shift
	for _ in $(seq 600); do
		if "$@" >/dev/null 2>&1; then return; fi
		sleep 0.1
	done
	echo "bench: $what did not come up" >&2
	exit 1
}

# start_stack N: redis-server, admin-server and cloudwatch-local with an
# N-alarm catalog, each its own process, and a config.toml for the console.
# Sets CONFIG.
start_stack() {
	local n=$1 dir="$WORK/stack-$1${STACK_TAG:-}"
	mkdir -p "$dir"
	catalog "$n" "$dir/catalog.yaml"
	redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --save '' \
		--appendonly no --dir "$dir" --logfile "$dir/redis.log" >/dev/null &
	PIDS+=($!)
	wait_for redis-server redis-cli -s "$dir/redis.sock" ping
	local admin_port key
	admin_port=$(free_port)
	key="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	GATEWAYOPS_ADMIN_KEYS="bench:$key" "$BIN" admin-server --listen "127.0.0.1:$admin_port" \
		--redis "unix://$dir/redis.sock" --environment bench >"$dir/admin.log" 2>&1 &
	PIDS+=($!)
	wait_for admin-server curl -s "http://127.0.0.1:$admin_port/"
	"$BIN" cloudwatch-local --listen 127.0.0.1:0 --catalog "$dir/catalog.yaml" --env bench \
		--evaluate-every 10s >"$dir/cw.log" 2>&1 &
	PIDS+=($!)
	wait_for cloudwatch-local grep -q 'listening on' "$dir/cw.log"
	local cw_url
	cw_url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$dir/cw.log")
	printf '%s' "$key" >"$dir/admin.key"
	cat >"$dir/config.toml" <<TOML
default_environment = "bench"
operator = "bench"

[environments.bench]
region = "us-east-1"
alarm_prefix = "arrakis-bench-agent-"
catalog = "$dir/catalog.yaml"
cloudwatch_endpoint = "$cw_url"
admin_url = "http://127.0.0.1:$admin_port"
admin_key_env = "GATEWAYOPS_BENCH_ADMIN_KEY"
redis_url_env = "GATEWAYOPS_BENCH_REDIS_URL"
safety = "standard"
TOML
	CONFIG="$dir/config.toml"
	STACK_DIR=$dir
}

# The console's benchmarks and report sections (BASELINE_REF, the TUI runs).
# shellcheck source=scripts/bench_console.sh
source scripts/bench_console.sh
# shellcheck source=scripts/bench_redis.sh
source scripts/bench_redis.sh

# ---- run -------------------------------------------------------------------

command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is missing: apt-get install -y tmux" >&2; exit 1; }
log "building $BIN"
make -s build
began=$(date +%s)
run_jiffies=$(cpu_jiffies)

GOBENCH=(go test -count 1 -timeout 30m -run '^$')
if [ -z "$ONLY" ]; then
	redis_bench # scripts/bench_redis.sh: drain in both data shapes at $SIZES, reconcile, inspection at $KEYS
	run emf "${GOBENCH[@]}" -bench '^(BenchmarkIngestEMF|BenchmarkDecodeEMFJSON)$' -benchtime 20000x ./alarms/cwlocal/
	run gmd "${GOBENCH[@]}" -bench '^(BenchmarkGetMetricData500|BenchmarkGetMetricData500Single)$' -benchtime 5x ./alarms/cwlocal/
	run gmdstore "${GOBENCH[@]}" -bench '^(BenchmarkGetMetricData500Store|BenchmarkGetMetricData500RingBaseline)$' -benchtime 50x ./alarms/cwlocal/
	run flood "${GOBENCH[@]}" -bench '^BenchmarkFlood1MEMFLines$' -benchtime 1x ./alarms/cwlocal/
	run day "${GOBENCH[@]}" -bench '^BenchmarkStore10000SeriesDay$' -benchtime 1x ./alarms/cwlocal/
fi
console_bench # scripts/bench_console.sh: refresh, 10,000 alarms, View, the TUI runs (BASELINE_REF)
elapsed=$(($(date +%s) - began))
STEAL_RUN=$(steal_pct "$run_jiffies" "$(cpu_jiffies)")

# ---- report ----------------------------------------------------------------

# row FIGURE OURS BASELINE UNIT: a table row with the ratio ours/baseline.
row() { printf '| %s | %s %s | %s %s | %s |\n' "$1" "$(fmt3 "$2")" "$4" "$(fmt3 "$3")" "$4" "$(ratio "$2" "$3")"; }

# drain_section and inspect_section: scripts/bench_redis.sh

cwlocal_section() {
	local ing dec one single
	ing=$(metric emf BenchmarkIngestEMF ns/op)
	dec=$(metric emf BenchmarkDecodeEMFJSON ns/op)
	one=$(metric gmd BenchmarkGetMetricData500 ns/op)
	single=$(metric gmd BenchmarkGetMetricData500Single ns/op)
	cat <<'MD'
## 4. Local CloudWatch (cwlocal)

EMF ingest: one gateway-shaped line (three metrics, one dimension set) through `Service.IngestEMF`
into the series store; the **baseline** is only decoding the same line with `encoding/json` into a
map (the floor any ingest pays). GetMetricData: 500 p99 queries (every second series) over a
store of 1,000 series of an hour of minute points, through the AWS SDK over HTTP; the **baseline**
is the same 500 queries sent as 500 single-query calls.

| figure | ours | baseline | ratio |
|---|---|---|---|
MD
	row "EMF lines per second (one core)" "$(awk -v x="$ing" 'BEGIN { print 1e9 / x }')" "$(awk -v x="$dec" 'BEGIN { print 1e9 / x }')" "lines/s"
	row "GetMetricData, 500 queries over 1,000 series" "$(awk -v x="$one" 'BEGIN { print x / 1e6 }')" "$(awk -v x="$single" 'BEGIN { print x / 1e6 }')" ms
	row "GetMetricData store part (no HTTP) vs the old ring store" "$(awk -v x="$(metric gmdstore BenchmarkGetMetricData500Store ns/op)" 'BEGIN { print x / 1e6 }')" "$(awk -v x="$(metric gmdstore BenchmarkGetMetricData500RingBaseline ns/op)" 'BEGIN { print x / 1e6 }')" ms
	echo
	echo "Flood: 1,000,000 EMF lines into one series over 30 simulated minutes (every minute's count"
	echo "checked): $(fmt3 "$(metric flood BenchmarkFlood1MEMFLines lines/s)") lines/s, RSS $(metric flood BenchmarkFlood1MEMFLines RSS-MiB) MiB."
	echo "10,000 series x 1 day of minutes through PutMetricData StatisticValues: $(fmt3 "$(metric day BenchmarkStore10000SeriesDay datums/s)") datums/s,"
	echo "RSS $(metric day BenchmarkStore10000SeriesDay RSS-MiB) MiB ($(metric day BenchmarkStore10000SeriesDay accounted-MiB) MiB accounted), GetMetricData of 500 Sum queries"
	echo "over the day at 5 min $(metric day BenchmarkStore10000SeriesDay GetMetricData500-ms) ms."
	echo
	echo "Commands: $(cmdof emf), $(cmdof gmd), $(cmdof gmdstore), $(cmdof flood) and $(cmdof day)"
	echo
}

machine_section() {
	cat <<MD
# Benchmarks

Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'); the whole run took
${elapsed} s. Every figure is compared with a baseline measured in the same run, and each table
names the command that produced it. Regenerate with \`make bench\`; do not edit by hand.

| machine | |
|---|---|
| CPUs (nproc) | $(nproc) |
| CPU | $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo) |
| memory | $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |
| OS | $(uname -sr) |
| Go | $(go version | awk '{ print $3, $4 }') |
| redis-server | $(redis-server --version | sed 's/^Redis server //') |
| commit | $(git describe --always --dirty 2>/dev/null || echo unknown) |
| CPU time taken by the hypervisor (steal) | $(steal_text) |

$([ -z "$ONLY" ] || echo "**A partial run** (GATEWAYOPS_BENCH_ONLY=$ONLY): only section 5.
")
The machine is shared (other work may run beside the benchmarks), and the gateway and inspection
figures are single runs (\`-benchtime 1x\`), so small differences are noise; the ratios that matter
here are large. The machine is a VM: while it was busy the hypervisor took up to a tenth of its CPU
time (steal, above), in slices of milliseconds, so a single Redis command of usually 1 ms can take
several (a plain \`SORT_RO\` page of 500 lookups, no script, took up to 7.7 ms in one run against
1-1.4 ms usually), and a figure of a few ms moves run to run.

MD
}

{
	machine_section
	if [ -z "$ONLY" ]; then
		drain_section
		inspect_section
		refresh_section
		cwlocal_section
	fi
	tui_section
} >"$WORK/benchmarks.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/benchmarks.md" "$OUT"
log "wrote $OUT in ${elapsed} s"
