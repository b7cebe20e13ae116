# scripts/bench_console.sh: the console's part of `make bench`, sourced by
# scripts/bench.sh (which defines run, metric, row, fmt3, ratio, start_stack,
# log, WORK, BIN). Kept in its own file so the console and the drain sections
# of the benchmark can change independently.
#
#   BASELINE_REF=<commit>      also build that commit (git archive, go build)
#                              and measure its console beside this tree's,
#                              alternating the two, median of the runs
#   GATEWAYOPS_BENCH_RUNS      runs per figure and binary (3)
#   GATEWAYOPS_BENCH_IDLE      seconds of the idle window of each round (30:
#                              three refreshes at the console's 10 s)
#   GATEWAYOPS_BENCH_SETTLE    seconds between the last first frame of a round
#                              and its idle window (15: past the start-up refreshes)
#   GATEWAYOPS_BENCH_TUI_BUDGET  seconds the console's TUI and View runs may
#                              take (240); the report says if they took longer
#   GATEWAYOPS_BENCH_PTY_STARTS  later starts on firstframe's pty per round
#                              (7): the round's later-start figures are
#                              their median (one start's moved by 15 %)

RUNS=${GATEWAYOPS_BENCH_RUNS:-3}
BASELINE_REF=${BASELINE_REF:-}
IDLE=${GATEWAYOPS_BENCH_IDLE:-30}
SETTLE=${GATEWAYOPS_BENCH_SETTLE:-15}
TUI_BUDGET=${GATEWAYOPS_BENCH_TUI_BUDGET:-240}
PTY_STARTS=${GATEWAYOPS_BENCH_PTY_STARTS:-7}
# The consoles measure_tui left running for the round's idle window.
RUN_TAGS=() RUN_PIDS=() RUN_SOCKS=()
BASE_DIR="$WORK/base"
BASE_BIN=""

# median X...: the median of the numbers (the lower middle for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# build_baseline: BASELINE_REF's tree from git archive (the working tree and
# the repository's refs are not touched), built into $BASE_DIR/bin.
build_baseline() {
	[ -n "$BASELINE_REF" ] || return 0
	BASE_COMMIT=$(git rev-parse --short "$BASELINE_REF^{commit}")
	log "baseline: building $BASELINE_REF ($BASE_COMMIT) in $BASE_DIR"
	mkdir -p "$BASE_DIR"
	git archive "$BASE_COMMIT" | tar -x -C "$BASE_DIR"
	(cd "$BASE_DIR" && go build -o bin/gatewayops .)
	BASE_BIN="$BASE_DIR/bin/gatewayops"
}

# list_ready N: the console's screen shows the first alarm list with states:
# header counts adding up to all N alarms and the first alarm's row.
# runbook_ready: the Glamour-rendered runbook and the help line are drawn too.
screen() { tmux -L "$TMUX_SOCK" capture-pane -p -t bench 2>/dev/null; }
list_ready() {
	awk -v n="$1" '
		/ ALARM .* NO DATA .* OK/ && !counted {
			for (i = 1; i < NF; i++) if ($(i+1) == "ALARM" || $(i+1) == "NO" || $(i+1) == "OK") sum += $i
			counted = 1
		}
		/ 0000 / { row = 1 }
		END { exit !(counted && sum == n && row) }' <<<"$2"
}
runbook_ready() { grep -q 'Runbook:' <<<"$1" && grep -q 'q quit' <<<"$1"; }

# first_frame CONSOLE N ENV: start CONSOLE in a 200x60 pane of a new tmux
# server and set FF_LIST_MS and FF_RB_MS to the milliseconds from just
# before `tmux new-session` to the first capture showing the list with
# states and the frame with the runbook. The console is left running.
first_frame() {
	local console=$1 n=$2 env=$3 start now shot
	FF_LIST_MS="" FF_RB_MS=""
	start=$(date +%s%N)
	tmux -L "$TMUX_SOCK" new-session -d -x 200 -y 60 -s bench \
		"exec env $env $console --config $CONFIG --env bench --refresh 10s 2>>$STACK_DIR/console.err"
	for _ in $(seq 3000); do
		shot=$(screen)
		now=$(date +%s%N)
		if [ -z "$FF_LIST_MS" ] && list_ready "$n" "$shot"; then FF_LIST_MS=$(((now - start) / 1000000)); fi
		if [ -n "$FF_LIST_MS" ] && runbook_ready "$shot"; then FF_RB_MS=$(((now - start) / 1000000)); return; fi
		sleep 0.01
	done
	screen >&2 || true
	echo "bench: the console ($console) showed no complete frame of $n alarms within 30 s" >&2
	exit 1
}

# pty_frame CONSOLE N ENV: start CONSOLE on a 200x60 pseudo-terminal of
# firstframe (internal/cmd/firstframe: every byte into a terminal emulator
# that answers the terminal's queries, the screen checked after each read
# by list_ready's and runbook_ready's rules) and set PF_LIST_MS and PF_RB_MS
# to the milliseconds from just before the console's start to the read
# after which the list with states and the frame with the runbook were
# first on screen. No tmux, no polling. The console is stopped (SIGTERM).
pty_frame() {
	local console=$1 n=$2 env=$3 out
	# shellcheck disable=SC2086 # env is NAME=VALUE words
	if ! out=$(env $env "$FIRSTFRAME" --size 200x60 --until-list "$n" --until-runbook --timeout 30s \
		--stderr "$STACK_DIR/console.err" -- "$console" --config "$CONFIG" --env bench --refresh 10s); then
		echo "bench: the console ($console) on firstframe's pty showed no complete frame of $n alarms" >&2
		exit 1
	fi
	PF_LIST_MS=$(awk '$1 == "list_ms" { print $2 }' <<<"$out")
	PF_RB_MS=$(awk '$1 == "runbook_ms" { print $2 }' <<<"$out")
}

# build_firstframe: this tree's firstframe, used for both trees' consoles.
build_firstframe() {
	FIRSTFRAME="$WORK/firstframe"
	go build -o "$FIRSTFRAME" ./internal/cmd/firstframe
}

# proc_ticks PID: utime+stime of PID in clock ticks.
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# cw_calls: the "CloudWatch API calls N" counter in the console's header,
# which proves the console kept refreshing while it was measured idle.
cw_calls() { screen | sed -n 's/.*CloudWatch API calls \([0-9]*\).*/\1/p' | head -1; }

# measure_tui CONSOLE N TAG: against a fresh stack of N alarms (always
# this tree's admin-server and cloudwatch-local), with a 10 s refresh:
# start CONSOLE (a gatewayops binary) twice on firstframe's pty (the first
# start in a fresh state dir, then a later one), then twice in a 200x60
# tmux pane (the same, in a state dir of its own), record the milliseconds
# from launch to the first list with states and to the first frame with
# the runbook of each in $WORK/tui-TAG-N.txt as "key value" lines (pty
# figures list_ms..., tmux ones tmux_list_ms...), and leave the second tmux
# console and its stack running for the round's idle window.
measure_tui() {
	local console=$1 n=$2 tag=$3
	STACK_TAG="-$tag" start_stack "$n"
	local env="GATEWAYOPS_BENCH_ADMIN_KEY=$(cat "$STACK_DIR/admin.key") GATEWAYOPS_BENCH_REDIS_URL=unix://$STACK_DIR/redis.sock NO_COLOR=1"
	log "tui-$tag-$n: $console --config $CONFIG --env bench --refresh 10s (firstframe's pty, then tmux, 200x60)"
	# The first start in a fresh state dir parses the catalog's YAML (cold);
	# every later start of an operator's console reads the parse cached
	# beside the journal.
	pty_frame "$console" "$n" "$env XDG_STATE_HOME=$STACK_DIR/state-pty"
	local cold_list=$PF_LIST_MS cold_rb=$PF_RB_MS lists=() rbs=() i
	VERSION_MS=()
	for i in $(seq "$PTY_STARTS"); do
		pty_frame "$console" "$n" "$env XDG_STATE_HOME=$STACK_DIR/state-pty"
		lists+=("$PF_LIST_MS") rbs+=("$PF_RB_MS")
		# At 10 alarms the floor's start-up runs by turns with the console's
		# starts, so the machine's drift lands on both sides of the ratio.
		[ "$n" != 10 ] || VERSION_MS+=("$("$FIRSTFRAME" --size 200x60 --until-exit -- "$console" version | awk '$1 == "exit_ms" { print $2 }')")
	done
	local list_ms rb_ms
	list_ms=$(median "${lists[@]}") rb_ms=$(median "${rbs[@]}")
	# Each tmux console has a server of its own: the round's consoles run
	# side by side.
	local sock=$TMUX_SOCK
	TMUX_SOCK="$sock-$tag-$n-cold" # its own server: a killed one lingers a moment
	first_frame "$console" "$n" "$env XDG_STATE_HOME=$STACK_DIR/state"
	local tcold_list=$FF_LIST_MS tcold_rb=$FF_RB_MS
	tmux -L "$TMUX_SOCK" kill-server
	TMUX_SOCK="$sock-$tag-$n"
	first_frame "$console" "$n" "$env XDG_STATE_HOME=$STACK_DIR/state"
	RUN_TAGS+=("$tag-$n")
	RUN_PIDS+=("$(tmux -L "$TMUX_SOCK" display-message -p -t bench '#{pane_pid}')")
	RUN_SOCKS+=("$TMUX_SOCK")
	{
		echo "list_ms $list_ms"
		echo "runbook_ms $rb_ms"
		echo "list_cold_ms $cold_list"
		echo "runbook_cold_ms $cold_rb"
		echo "tmux_list_ms $FF_LIST_MS"
		echo "tmux_runbook_ms $FF_RB_MS"
		echo "tmux_list_cold_ms $tcold_list"
		echo "tmux_runbook_cold_ms $tcold_rb"
	} >"$WORK/tui-$tag-$n.txt"
	[ "$n" != 10 ] || start_floor "$console" "$tag"
	TMUX_SOCK=$sock
}

# idle_window: every console of the round (this tree's and the baseline's,
# 10 and 1,000 alarms) measured side by side over the same IDLE seconds,
# SETTLE seconds after the last one's first frame (past the start-up
# refreshes: FastStart's follow-up, the sweep, the read of the alarms the
# stack provisioned seconds before), with nobody typing: CPU as
# utime+stime from /proc/PID/stat over the window, memory as the median of
# VmRSS sampled every second in it (one sample at the end moved by 10 MiB
# with where the last collection fell), and the console's "CloudWatch API
# calls" header counter, which proves it kept refreshing. Appends to each
# $WORK/tui-TAG-N.txt.
idle_window() {
	local i hz s0 s1 t0=() c0=()
	hz=$(getconf CLK_TCK)
	log "idle window: ${#RUN_PIDS[@]} consoles, ${SETTLE} s settle, ${IDLE} s measured"
	sleep "$SETTLE"
	for i in "${!RUN_PIDS[@]}"; do
		t0[i]=$(proc_ticks "${RUN_PIDS[i]}")
		c0[i]=$(TMUX_SOCK=${RUN_SOCKS[i]} cw_calls)
		: >"$WORK/rss-${RUN_TAGS[i]}.txt"
	done
	s0=$(date +%s%N)
	for _ in $(seq "$IDLE"); do
		for i in "${!RUN_PIDS[@]}"; do
			awk '/^VmRSS/ { printf "%.1f\n", $2 / 1024 }' "/proc/${RUN_PIDS[i]}/status" >>"$WORK/rss-${RUN_TAGS[i]}.txt"
		done
		sleep 1
	done
	s1=$(date +%s%N)
	for i in "${!RUN_PIDS[@]}"; do
		local t1 c1 shot
		t1=$(proc_ticks "${RUN_PIDS[i]}")
		c1=$(TMUX_SOCK=${RUN_SOCKS[i]} cw_calls)
		shot=$(TMUX_SOCK=${RUN_SOCKS[i]} screen)
		{
			echo "cpu_pct $(awk -v d=$((t1 - t0[i])) -v hz="$hz" -v ns=$((s1 - s0)) 'BEGIN { printf "%.2f", 100 * d / hz / (ns / 1e9) }')"
			# shellcheck disable=SC2046 # one number per line
			echo "rss_mb $(median $(cat "$WORK/rss-${RUN_TAGS[i]}.txt"))"
			echo "idle_cw_calls $((${c1:-0} - ${c0[i]:-0}))"
			echo "states $(grep -o '[0-9]* ALARM .* [0-9]* OK' <<<"$shot" | head -1 | tr -d '✗?✓' | tr -s ' ' | tr ' ' '_')"
		} >>"$WORK/tui-${RUN_TAGS[i]}.txt"
	done
}

# stop_consoles: end the round's consoles and stacks.
stop_consoles() {
	local s p
	for s in "${RUN_SOCKS[@]}"; do tmux -L "$s" kill-server 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	PIDS=() RUN_TAGS=() RUN_PIDS=() RUN_SOCKS=()
}

# start_floor CONSOLE TAG: the floor of the first list at 10 alarms, from the
# same stack: CONSOLE's `version` start-up, launch to exit on firstframe's
# pty (the clock of the console's pty figures; measure_tui ran it by turns
# with the console's later starts, VERSION_MS), the median of those, plus
# one DescribeAlarms round trip of the 10 alarms (curl's time_total, AWS
# JSON 1.0 against cloudwatch-local), the median of five; and the start-up
# as the tmux figures see it.
start_floor() {
	local console=$1 tag=$2 cw_url d=()
	cw_url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$STACK_DIR/cw.log")
	for _ in 1 2 3 4 5; do
		d+=("$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/x-amz-json-1.0' \
			-H 'X-Amz-Target: GraniteServiceVersion20100801.DescribeAlarms' \
			-d '{"AlarmNamePrefix":"arrakis-bench-agent-","MaxRecords":100}' "$cw_url/" | awk '{ print $1 * 1000 }')")
	done
	{
		echo "version_ms $(median "${VERSION_MS[@]}")"
		echo "describe_ms $(median "${d[@]}")"
		echo "version_tmux_ms $(version_in_tmux "$console")"
	} >>"$WORK/tui-$tag-10.txt"
}

# version_in_tmux CONSOLE: the start-up as the console's tmux figures see
# it, the median of five: milliseconds from just before `tmux new-session`
# (a new server each time, as for the console) to the first capture showing
# `CONSOLE version`'s line, polled as first_frame polls.
version_in_tmux() {
	local console=$1 start now ms=() i sock
	for i in 1 2 3 4 5; do
		sock="$TMUX_SOCK-v$i" # a server of its own each time: a killed one lingers a moment
		start=$(date +%s%N)
		tmux -L "$sock" new-session -d -x 200 -y 60 -s v "$console version; sleep 30"
		for _ in $(seq 3000); do
			if tmux -L "$sock" capture-pane -p -t v 2>/dev/null | grep -q '^gatewayops '; then break; fi
			sleep 0.01
		done
		now=$(date +%s%N)
		ms+=($(((now - start) / 1000000)))
		tmux -L "$sock" kill-server
	done
	median "${ms[@]}"
}

# tui_runs: RUNS rounds; in each, the first frames of this tree's console
# and (with BASELINE_REF) the baseline's, alternating, at 10 and 1,000
# alarms, then the four consoles' idle window side by side.
tui_runs() {
	local r n
	for r in $(seq "$RUNS"); do
		for n in 10 1000; do
			measure_tui "$BIN" "$n" "ours$r"
			if [ -n "$BASE_BIN" ]; then measure_tui "$BASE_BIN" "$n" "base$r"; fi
		done
		idle_window
		stop_consoles
	done
}

# view_runs: BenchmarkView and BenchmarkViewChanged from one test binary per
# tree (built once), this tree's and the baseline's runs alternating.
view_runs() {
	local r bench='^(BenchmarkView|BenchmarkViewChanged)$'
	go test -c -o "$WORK/ui-ours.test" ./ui/
	[ -z "$BASE_BIN" ] || (cd "$BASE_DIR" && go test -c -o "$WORK/ui-base.test" ./ui/)
	for r in $(seq "$RUNS"); do
		view_once ours "$r" "$PWD/ui" "$bench"
		[ -z "$BASE_BIN" ] || view_once base "$r" "$BASE_DIR/ui" "$bench"
	done
}

# view_once TREE R DIR BENCH: one run of TREE's ui test binary in DIR.
view_once() {
	local name="view-$1$2"
	echo "go test -c -o ui.test ./ui && (cd ui && ../ui.test -test.run '^\$' -test.bench '$4' -test.benchtime 1000x)" >"$WORK/$name.cmd"
	log "$name: $WORK/ui-$1.test -test.bench $4 -test.benchtime 1000x (in $3)"
	(cd "$3" && "$WORK/ui-$1.test" -test.run '^$' -test.bench "$4" -test.benchtime 1000x) >"$WORK/$name.txt" 2>&1 ||
		{ cat "$WORK/$name.txt" >&2; exit 1; }
}

# console_bench: everything the console sections report; with
# GATEWAYOPS_BENCH_ONLY=tui (scripts/bench.sh) only section 5's View and
# TUI runs.
console_bench() {
	build_baseline
	if [ "${GATEWAYOPS_BENCH_ONLY:-}" != tui ]; then console_go_benches; fi
	build_firstframe
	local t0
	t0=$(date +%s)
	view_runs
	tui_runs
	TUI_SECONDS=$(($(date +%s) - t0))
	log "console TUI and View runs: ${TUI_SECONDS} s (budget ${TUI_BUDGET} s)"
}

# console_go_benches: the Go benchmarks of sections 3, 3b and 3c.
console_go_benches() {
	run refresh "${GOBENCH[@]}" -bench '^(BenchmarkRefreshCounted|BenchmarkRefreshPerPanelCounted)$' -benchtime 20x ./alarms/
	run scale "${GOBENCH[@]}" -bench '^BenchmarkRefreshScale$' -benchtime 50x ./alarms/
	run overres GATEWAYOPS_BENCH_CONSOLE_RESERVATIONS="10000 1000000" "${GOBENCH[@]}" -bench '^BenchmarkConsoleOverReservations$' -benchtime 20x ./ui/
}

# tuim TAG N KEY: the median over the runs of KEY in $WORK/tui-TAGr-N.txt.
tuim() {
	local r vals=()
	for r in $(seq "$RUNS"); do vals+=("$(awk -v k="$3" '$1 == k { print $2 }' "$WORK/tui-$1$r-$2.txt")"); done
	median "${vals[@]}"
}

# viewm TAG N [BENCH]: the median time in ms of BENCH/alarms=N (BenchmarkView).
viewm() {
	local r vals=()
	for r in $(seq "$RUNS"); do vals+=("$(metric "view-$1$r" "${3:-BenchmarkView}/alarms=$2" ns/op)"); done
	awk -v x="$(median "${vals[@]}")" 'BEGIN { print x / 1e6 }'
}

refresh_section() {
	cat <<'MD'
## 3. One alarm refresh (150 alarms, 11 panels, cwlocal through the AWS SDK)

**Ours** is `Poller.Refresh` (DescribeAlarms per 100 alarms, then the due sparklines and panels in
one GetMetricData); the **baseline** is `Poller.RefreshPerPanel` (one GetMetricData per alarm
sparkline and per panel, every refresh, as a dashboard does). Calls are counted by cwlocal, metrics
requested by an SDK middleware summing `MetricDataQueries`. Mute rules are skipped in both. Ours
asks for a series only when it is due (on screen: once per period; see section 3b), so after the
first refresh most refreshes of a period ask for none.

| per refresh | ours | baseline | ratio |
|---|---|---|---|
MD
	local a=BenchmarkRefreshCounted b=BenchmarkRefreshPerPanelCounted
	row "CloudWatch calls" "$(metric refresh $a calls/op)" "$(metric refresh $b calls/op)" ""
	row "GetMetricData calls" "$(metric refresh $a GetMetricData/op)" "$(metric refresh $b GetMetricData/op)" ""
	row "metrics requested" "$(metric refresh $a metrics/op)" "$(metric refresh $b metrics/op)" ""
	row "time" "$(awk -v x="$(metric refresh $a ns/op)" 'BEGIN { print x / 1e6 }')" \
		"$(awk -v x="$(metric refresh $b ns/op)" 'BEGIN { print x / 1e6 }')" ms
	echo
	echo "Command: $(cmdof refresh)"
	echo
	scale_section
	overres_section
}

# overres_section: the console's refresh over a Redis of 10^4 and 10^6 reservations.
overres_section() {
	local s=BenchmarkConsoleOverReservations n first status steady
	cat <<'MD'
## 3c. The console over a Redis of 10^4 and 10^6 reservations

The console's own refresh (`Backend.Refresh`: the alarms from cwlocal, GET /status of the real
admin server, the Redis health read) over the demo catalog, with the gateway's Redis preloaded by
`sim.Preload` in the bench shape (90 % live) over ten communities. **First frame** is the
console's first refresh, which its first frame waits for: the alarms only (it asks for neither
status nor the Redis read, so their work does not compete with the first frame's, decisions.md
167; the admin panel says waiting until the refresh that follows 10 ms later asks for both and
waits up to 500 ms for them). **Status in** is when a refresh first
holds status: the admin server's very first status waits for its first key discovery, a SCAN of
the keyspace (docs/decisions.md 70). **Summary in** is when status first serves the admin
server's first background summary (every hash read once, in time-boxed pages on four
connections); **refresh during the fill** is the median refresh before that: each of its Redis
commands waits behind the summary's pages. **Steady refresh** is every refresh after that, which
is what an engineer's console costs Redis every 15 s: status is O(communities), so it does not
grow with the reservations (the same commands at any count are asserted by
TestStatusCostsTheSameRedisCommandsAtAnyReservationCount).

| reservations | first frame | status in | summary in | refresh during the fill (refreshes) | steady refresh (with status) |
|---|---|---|---|---|---|
MD
	local summary fill fills
	for n in 10000 1000000; do
		first=$(metric overres "$s/reservations=$n" first-ms)
		status=$(metric overres "$s/reservations=$n" status-ms)
		summary=$(metric overres "$s/reservations=$n" summary-ms)
		fill=$(metric overres "$s/reservations=$n" fill-refresh-ms)
		fills=$(metric overres "$s/reservations=$n" fill-refreshes)
		steady=$(awk -v x="$(metric overres "$s/reservations=$n" ns/op)" 'BEGIN { print x / 1e6 }')
		printf '| %s | %s ms | %s ms | %s ms | %s ms (%s) | %s ms |\n' "$n" "$(fmt3 "$first")" "$(fmt3 "$status")" \
			"$(fmt3 "$summary")" "$(fmt3 "$fill")" "${fills%.*}" "$(fmt3 "$steady")"
	done
	cat <<MD

From 10^4 to 10^6 the steady refresh stays flat and the first frame does not wait for status; the
first status grows with the discovery SCAN and the first summary with the hashes, once per admin
server start; until that summary is in, a refresh costs several times a steady one (its commands
queue behind the fill's pages) and the Redis view says the first summary is still running. Model for 10^7: the steady refresh the same; the first discovery about ten
times the 10^6 figure (linear in the keys), still once.

Command: $(cmdof overres)

MD
}

scale_section() {
	local s=BenchmarkRefreshScale t10 t1k t10k
	t10=$(awk -v x="$(metric scale "$s/alarms=10" ns/op)" 'BEGIN { print x / 1e6 }')
	t1k=$(awk -v x="$(metric scale "$s/alarms=1000" ns/op)" 'BEGIN { print x / 1e6 }')
	t10k=$(awk -v x="$(metric scale "$s/alarms=10000" ns/op)" 'BEGIN { print x / 1e6 }')
	cat <<'MD'
## 3b. The console's refresh at 10, 1,000 and 10,000 alarms

`Poller.Refresh` as the console runs it (lint and mute rules on, the 60 rows on screen passed by
`SetOnScreen` as the console passes the rows it drew) over the
catalog shape of section 5 (a third each ALARM, OK, INSUFFICIENT_DATA; no panels), in the steady
state between two sweeps (docs/decisions.md 60, 61): one DescribeAlarmHistory page for what
changed since the last read, one DescribeAlarms by AlarmNames for the changed alarms and the rows
on screen, one ListAlarmMuteRules, and GetMetricData only for the series due (the rows on screen
once per period, off-screen ones every 10 or 30 minutes, staggered). The full prefix sweep (one
listing per state, in parallel) runs every 5 minutes and is not in these figures. Calls are
counted at cwlocal's HTTP handler, metrics by an SDK middleware. Goal: 10,000 alarms <= 3x the
time at 1,000. cwlocal answers each call from its indexes (docs/decisions.md 64), and the poller
touches only the alarms it read, the series due (a queue by due time) and the mute rules' alarms,
handing out the last list again when no alarm in it changed (decisions.md 145). A refresh in which
an alarm changed copies the list once (4.3 MB at 10,000 alarms) and pays for its collection:
`go test -run '^$' -bench '^BenchmarkRefreshScaleChanging$' -benchtime 50x ./alarms/` measures
that case (figures in decisions.md 145).

| alarms | time per refresh | calls per refresh | metrics per refresh | time ratio to 1,000 |
|---|---|---|---|---|
MD
	printf '| 10 | %s ms | %s | %s | %s |\n' "$(fmt3 "$t10")" "$(metric scale "$s/alarms=10" calls/op)" "$(metric scale "$s/alarms=10" metrics/op)" "$(ratio "$t10" "$t1k")"
	printf '| 1,000 | %s ms | %s | %s | 1x |\n' "$(fmt3 "$t1k")" "$(metric scale "$s/alarms=1000" calls/op)" "$(metric scale "$s/alarms=1000" metrics/op)"
	printf '| 10,000 | %s ms | %s | %s | %s |\n' "$(fmt3 "$t10k")" "$(metric scale "$s/alarms=10000" calls/op)" "$(metric scale "$s/alarms=10000" metrics/op)" "$(ratio "$t10k" "$t1k")"
	cat <<MD

The counts per refresh and the GetMetricData bill (at most \$2/day at 1,000 alarms in a 200x60 pane,
counted over 10 simulated minutes) are asserted in
\`go test -run 'TestRefreshCallsAndMetricsAt1000And10000Alarms|TestMetricsRequestedAt1000AlarmsOver10MinutesStayUnder2USDPerDay' ./alarms/\`.

Command: $(cmdof scale)

MD
}

tui_section() {
	local base_note="" hdr="| figure | 1,000 alarms | 10 alarms | ratio |" sep="|---|---|---|---|" blank=""
	if [ -n "$BASE_BIN" ]; then
		base_note="Every figure is also measured on **$BASELINE_REF ($BASE_COMMIT)**, built from \`git archive\` by this
script, alternating with this tree's binary within each round against the same kind of stack;
the last columns compare this tree with it at 1,000 alarms (below 1 is better for this tree)."
		hdr="| figure | 1,000 alarms | 10 alarms | ratio | $BASE_COMMIT: 1,000 | $BASE_COMMIT: 10 | ours / $BASE_COMMIT at 1,000 |"
		sep="|---|---|---|---|---|---|---|"
		blank=" | | |"
	fi
	cat <<MD
## 5. The console (TUI)

The **baseline** for every TUI figure is the same console with 10 alarms instead of 1,000, and
for the first list at 10 alarms the floor of start-up plus one DescribeAlarms round trip.
$base_note

Start-up, idle CPU and memory are measured on the real binary (\`$BIN\`, built by this script)
because they are properties of the process (start-up, Glamour rendering, the poller's goroutines,
the Go runtime), which a Go benchmark inside the test binary would not show. For each run the
script starts its own redis-server, \`gatewayops admin-server\` and \`gatewayops cloudwatch-local
--catalog FILE\` (a generated catalog of N alarms on RequestLatency; no series are sent, so
treatMissingData decides the state; the header at the end of the idle window read
"$(awk '$1 == "states" { print $2 }' "$WORK/tui-ours1-1000.txt" | tr '_' ' ')" and "$(awk '$1 == "states" { print $2 }' "$WORK/tui-ours1-10.txt" | tr '_' ' ')"),
writes a config.toml for them, and starts \`$BIN --config config.toml --env bench --refresh 10s\`
$((PTY_STARTS + 3)) times against that stack, one after the other: $((PTY_STARTS + 1)) times on a pseudo-terminal, then twice
in tmux.

**First alarm list with states** is the screen with header counts adding up to all N alarms and
the first alarm's row; **first frame with the runbook** is that plus the Glamour-rendered runbook
and the help line. In the first table they are measured by \`firstframe\`
(internal/cmd/firstframe, built by this script): it starts the console on a 200x60 pseudo-terminal
(TERM=xterm-256color), feeds every byte the console writes into a terminal emulator
(github.com/charmbracelet/x/vt) whose answers to the console's terminal queries (DECRQM, the
background colour, the cursor position) go back to the console as a terminal's would, checks the
emulated screen after every read with the same rules as the tmux runs, and prints the
milliseconds from just before the console's start to the read after which each held (Go's
monotonic clock); no tmux, no polling. Each run starts the console in a fresh state dir: the
first start (**first start**, rows marked so) parses the catalog's YAML and caches the parse
beside the journal; the $PTY_STARTS starts after it, measured for every other figure, are every later start of an
operator's console with the same catalog file, and the run's figure is their median (one start's
moved by 15 % from run to run on this shared machine). **Start-up + one DescribeAlarms** is the median of
$PTY_STARTS \`gatewayops version\` runs timed by the same tool on the same pty, launch to exit, one
after each of the console's later starts at 10 alarms (so the machine's drift lands on both
sides), plus the median of five DescribeAlarms of the 10 alarms by curl (AWS JSON 1.0,
\`time_total\`) against the same cloudwatch-local.

The second table is the same console as an operator's terminal multiplexer shows it: started in
a 200x60 pane of a new private tmux server, timed from just before \`tmux new-session\` to the
first \`capture-pane\` (polled every 10 ms) showing each screen, first start and later start in
a state dir of their own; its floor takes the start-up through tmux too: from \`tmux
new-session\` (a new server, as for the console) to the first capture showing \`gatewayops
version\`'s line, median of five. The second tmux console of each run stays running: in each
round the four consoles (this tree's and the baseline's, 10 and 1,000 alarms, each on its own
stack) are left side by side after their starts. **Idle CPU** is utime+stime from /proc/PID/stat
over the same ${IDLE} s window for all four, starting ${SETTLE} s after the last first frame (past
the start-up refreshes: FastStart's follow-up, the sweep and the read of the just-provisioned
alarms' history), with nobody typing and the header's data ages ticking every second (the
console's "CloudWatch API calls" header counter, read from the pane, rose by the figure in the
last row, so it was refreshing). **Memory** is the median of VmRSS sampled every second in that
window. **View** is the Go benchmark \`BenchmarkView\` (one full-screen View at 200x60 of a
snapshot of N synthetic alarms with 60-point sparklines, the frame unchanged since the last) and
**View after a change** \`BenchmarkViewChanged\` (the model changed, the data did not: a
keypress's frame; the baseline has no such benchmark), from one test binary per tree, runs
alternating. Each figure is the median of $RUNS runs. The TUI and View runs took
${TUI_SECONDS:-?} s (budget ${TUI_BUDGET} s$([ "${TUI_SECONDS:-0}" -gt "$TUI_BUDGET" ] && echo ", **over budget**")); load average at the
end: $(cut -d' ' -f1-3 /proc/loadavg).

$hdr
$sep
MD
	trow "first alarm list with states" "$(tuim ours 1000 list_ms)" "$(tuim ours 10 list_ms)" ms list_ms
	trow "first frame with the runbook" "$(tuim ours 1000 runbook_ms)" "$(tuim ours 10 runbook_ms)" ms runbook_ms
	trow "first alarm list with states, first start" "$(tuim ours 1000 list_cold_ms)" "$(tuim ours 10 list_cold_ms)" ms list_cold_ms
	trow "first frame with the runbook, first start" "$(tuim ours 1000 runbook_cold_ms)" "$(tuim ours 10 runbook_cold_ms)" ms runbook_cold_ms
	floor_row "first list at 10 alarms vs start-up + one DescribeAlarms" list_ms version_ms "$blank"
	trow "View, one full frame" "$(viewm ours 1000)" "$(viewm ours 10)" ms view
	printf '%s%s\n' "$(row "View after a change" "$(viewm ours 1000 BenchmarkViewChanged)" "$(viewm ours 10 BenchmarkViewChanged)" ms)" \
		"$([ -n "$BASE_BIN" ] && echo ' - | - | - |')"
	trow "idle CPU, ${IDLE} s at a 10 s refresh (% of one core)" "$(tuim ours 1000 cpu_pct)" "$(tuim ours 10 cpu_pct)" "%" cpu_pct
	trow "resident memory (VmRSS)" "$(tuim ours 1000 rss_mb)" "$(tuim ours 10 rss_mb)" MiB rss_mb
	trow "CloudWatch calls during the idle window" "$(tuim ours 1000 idle_cw_calls)" "$(tuim ours 10 idle_cw_calls)" "" idle_cw_calls
	cat <<MD

Through tmux (a new tmux server per start, \`capture-pane\` every 10 ms):

$hdr
$sep
MD
	trow "first alarm list with states" "$(tuim ours 1000 tmux_list_ms)" "$(tuim ours 10 tmux_list_ms)" ms tmux_list_ms
	trow "first frame with the runbook" "$(tuim ours 1000 tmux_runbook_ms)" "$(tuim ours 10 tmux_runbook_ms)" ms tmux_runbook_ms
	trow "first alarm list with states, first start" "$(tuim ours 1000 tmux_list_cold_ms)" "$(tuim ours 10 tmux_list_cold_ms)" ms tmux_list_cold_ms
	trow "first frame with the runbook, first start" "$(tuim ours 1000 tmux_runbook_cold_ms)" "$(tuim ours 10 tmux_runbook_cold_ms)" ms tmux_runbook_cold_ms
	floor_row "first list at 10 alarms vs the same start-up through tmux + one DescribeAlarms" tmux_list_ms version_tmux_ms "$blank"
	echo
	echo "Commands: \`make bench\` (the TUI part is \`measure_tui\` in scripts/bench_console.sh$([ -n "$BASELINE_REF" ] && echo ", run as \`BASELINE_REF=$BASELINE_REF make bench\`"); the console alone: \`go build -o firstframe ./internal/cmd/firstframe && ./firstframe --until-list 10 --until-runbook -- $BIN --config config.toml --env bench --refresh 10s\`, \`./firstframe --until-exit -- $BIN version\`); View: $(cmdof view-ours1)"
	echo
}

# floor_row FIGURE LIST_KEY VERSION_KEY BLANK: this tree's first list at 10
# alarms against VERSION_KEY's start-up plus one DescribeAlarms.
floor_row() {
	local list floor
	list=$(tuim ours 10 "$2")
	floor=$(awk -v a="$(tuim ours 10 "$3")" -v b="$(tuim ours 10 describe_ms)" 'BEGIN { print a + b }')
	printf '| %s | %s ms | %s ms (%s + %s) | %s |%s\n' "$1" "$(fmt3 "$list")" "$(fmt3 "$floor")" \
		"$(fmt3 "$(tuim ours 10 "$3")")" "$(fmt3 "$(tuim ours 10 describe_ms)")" "$(ratio "$list" "$floor")" "$4"
}

# trow FIGURE OURS_1000 OURS_10 UNIT KEY: a console row, with the baseline
# commit's figures for KEY when there is one.
trow() {
	local line
	line=$(row "$1" "$2" "$3" "$4")
	if [ -z "$BASE_BIN" ]; then
		echo "$line"
		return
	fi
	local b1000 b10
	if [ "$5" = view ]; then
		b1000=$(viewm base 1000)
		b10=$(viewm base 10)
	else
		b1000=$(tuim base 1000 "$5")
		b10=$(tuim base 10 "$5")
	fi
	printf '%s %s %s | %s %s | %s |\n' "$line" "$(fmt3 "$b1000")" "$4" "$(fmt3 "$b10")" "$4" "$(ratio "$2" "$b1000")"
}
