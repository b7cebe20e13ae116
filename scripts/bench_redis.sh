# scripts/bench_redis.sh: the Redis part of make bench (sourced by
# scripts/bench.sh, which defines run, metric, cmdof, fmt3 and ratio):
# draining at each of $SIZES in both data shapes, plan + apply + verify,
# reconcile's atomic call, and the inspection reads over $KEYS members.
#
# Time budgets (each run is killed past its budget and make bench fails):
#   drain at 10^4: 120 s, 10^5: 240 s, 10^6: 900 s (preloads dominate: a
#   fresh preload per run of each benchmark and shape); reconcile 120 s;
#   inspect: 900 s at 10^6. Measured on 2 cores at load 1-5 (2026-12-01):
#   sections 1 and 2 together take about 4 minutes.

# budget N: seconds allowed for the drain runs at size N.
redis_budget() {
	if [ "$1" -le 10000 ]; then echo 120; elif [ "$1" -le 100000 ]; then echo 240; else echo 900; fi
}

# redis_runs N: runs per benchmark at size N (figures are their medians): a
# run at 10^4 takes milliseconds, so one preempted run would decide a single
# figure (four 15-run medians of the same code minutes apart: 1.17x-1.56x;
# three 45-run ones: 1.22x-1.27x, about 30 s more); at 10^5 (tens of ms)
# three runs swung from 0.9x to 1.46x, so seven (about 40 s more); at 10^6
# the preloads dominate the budget.
redis_runs() {
	if [ "$1" -le 10000 ]; then echo 45x; elif [ "$1" -le 100000 ]; then echo 7x; else echo 1x; fi
}

redis_bench() {
	local n
	for n in $SIZES; do
		run "drain-$n" GATEWAYOPS_BENCH_RESERVATIONS="$n" timeout "$(redis_budget "$n")" "${GOBENCH[@]}" \
			-bench '^(BenchmarkDrain|BenchmarkDrainPlanApplyVerify)$' -benchtime "$(redis_runs "$n")" ./gateway/
	done
	run reconcile timeout 120 "${GOBENCH[@]}" -bench '^BenchmarkReconcile$' -benchtime 1x ./gateway/
	run inspect GATEWAYOPS_BENCH_KEYS="$KEYS" timeout "$(redis_budget "$KEYS")" "${GOBENCH[@]}" -bench '^BenchmarkInspect$' -benchtime 3x ./gateway/
}

# redis_runs_text: the runs per size, as prose ("5 / 3 / 1 at 10000 / ...").
redis_runs_text() {
	local n runs=() sizes=()
	for n in $SIZES; do
		runs+=("$(redis_runs "$n" | tr -d x)")
		sizes+=("$n")
	done
	local IFS=/
	printf '%s (at %s reservations)' "${runs[*]}" "${sizes[*]}"
}

# dm SIZE SHAPE BENCH UNIT: one drain-run figure.
dm() { metric "drain-$1" "$3/shape=$2" "$4"; }

drain_section() {
	cat <<'MD'
## 1. Draining stale reservations (real redis-server)

Each size is a fresh redis-server per benchmark, preloaded afresh for every run in one community
in one of two shapes:
**bench** (`sim.Preload`: 90 % live, the stale tenth half claimable, half orphans) and
**production** (the gateway's hash expires 360 s after its reservation while the expiry member
stays up to 35 days: 2,000 live and 500 just-expired reservations with their hash, every other
member an orphan scored since the start of the month). **Ours** is the console's drain
(`Store.Drain` of community bench, its keys looked up by name: bounded batches of 500 that also
return after ~0.8 ms of server time; members expired longer ago than their hash lives go by rank,
2,000 a call, without a hash read: decisions.md 74; the others one HGET each, since the
current month's members away from its edges name only their own hashes: decisions.md 185; a live drain keeps its next batch queued at
Redis behind the running one, sent 200 µs after it, so Redis does not wait a round trip between
batches: decisions.md 178); the **baseline** is the gateway's own reaper (`Store.Reap`:
one unbounded script call over every expired member). Drain and reaper run by turns in one benchmark
(BenchmarkDrain), each over its own fresh preload of the same seeded data, the one going first
alternating from run to run, so the shared machine's drift lands on both alike; the ratio is the
median of the runs' own drain/reaper ratios (decisions.md 172). A stall is measured server-side: with
`slowlog-log-slower-than 100` (µs) the slowlog holds every command of the work that could matter
(the others are shorter than that, so the longest is exact), and "longest command" is
the longest top-level one (PING excluded), with in brackets how many top-level commands of the
work took over 1.5 ms (on this shared machine a single one can be the server preempted mid-command). Beside it, a second client PINGs in a loop during the
work (PING stall: with a batch queued behind the running one, a PING may wait for both) and, before it, for 300 ms of an idle server (idle floor): on this shared machine
the floor alone is several ms. Plan + apply + verify is an operator's drain: a dry run of the same
batches (it reads the hash of every stale member inside the hash's lifetime and counts the older
ones by rank; no estimate of cents), the drain, and a dry run that finds what is left; its ratio is to the drain alone in the same run.
MD
	printf 'Every figure is the median of %s runs of each contender (a run at 10^4 takes a\n' "$(redis_runs_text)"
	cat <<'MD'
few ms, so one preempted run would decide a single figure); "max" is the longest command of all runs.

| shape | reservations (stale) | drain | reaper | ratio | longest command: drain (over 1.5 ms; max of runs) | reaper | PING stall: drain | reaper | idle floor | plan+apply+verify / drain | drain batches |
|---|---|---|---|---|---|---|---|---|---|---|---|
MD
	local n sh
	for sh in bench production; do
		for n in $SIZES; do
			local dt rt dl rl pav pd
			dt=$(dm "$n" $sh BenchmarkDrain total_ms)
			rt=$(dm "$n" $sh BenchmarkDrain reaper_total_ms)
			dl=$(dm "$n" $sh BenchmarkDrain server_longest_ms)
			rl=$(dm "$n" $sh BenchmarkDrain reaper_server_longest_ms)
			pav=$(dm "$n" $sh BenchmarkDrainPlanApplyVerify total_ms)
			pd=$(dm "$n" $sh BenchmarkDrainPlanApplyVerify drain_ms)
			printf '| %s | %s (%s) | %s ms | %s ms | %s | %s ms (%s of %s; max %s ms) | %s ms | %s ms | %s ms | %s ms | %s | %s |\n' "$sh" "$n" \
				"$(dm "$n" $sh BenchmarkDrain stale | cut -d. -f1)" "$(fmt3 "$dt")" "$(fmt3 "$rt")" "$(ratio "$(dm "$n" $sh BenchmarkDrain ratio_to_reaper)" 1)" \
				"$(fmt3 "$dl")" "$(dm "$n" $sh BenchmarkDrain server_over_1.5ms | cut -d. -f1)" "$(dm "$n" $sh BenchmarkDrain server_commands | cut -d. -f1)" \
				"$(fmt3 "$(dm "$n" $sh BenchmarkDrain server_longest_max_ms)")" \
				"$(fmt3 "$rl")" "$(fmt3 "$(dm "$n" $sh BenchmarkDrain ping_stall_ms)")" \
				"$(fmt3 "$(dm "$n" $sh BenchmarkDrain reaper_ping_stall_ms)")" "$(fmt3 "$(dm "$n" $sh BenchmarkDrain idle_ping_ms)")" \
				"$(ratio "$pav" "$pd")" "$(dm "$n" $sh BenchmarkDrain batches | cut -d. -f1)"
		done
	done
	drain_growth
	local r1 r2
	r1=$(metric reconcile BenchmarkReconcile/live=1000 server_longest_ms)
	r2=$(metric reconcile BenchmarkReconcile/live=2000 server_longest_ms)
	cat <<MD

Reconcile's single atomic call (decisions.md 6, exempt from the stall bound): at 1,000 live
members the longest command of a reconcile drain was $(fmt3 "$r1") ms, at 2,000 $(fmt3 "$r2") ms
($(ratio "$r2" "$r1")): one HMGET per live member inside one script, linear in the live members
(bounded by batchSize x 4 = 2,000 at the default batch). Command: $(cmdof reconcile)

Commands (one per size; each run does its own preloads, since each consumes the stale reservations):

MD
	for n in $SIZES; do echo "- $(cmdof "drain-$n")"; done
	echo
}

# drain_growth: how the figures grow from the first size to the last, and
# the model for ten times the last.
drain_growth() {
	local first last sh
	first=$(echo "$SIZES" | awk '{ print $1 }')
	last=$(echo "$SIZES" | awk '{ print $NF }')
	[ "$first" != "$last" ] || return 0
	echo
	for sh in bench production; do
		local d0 d1 r0 r1 l0 l1
		d0=$(dm "$first" $sh BenchmarkDrain total_ms)
		d1=$(dm "$last" $sh BenchmarkDrain total_ms)
		r1=$(dm "$last" $sh BenchmarkDrain reaper_total_ms)
		r0=$(dm "$first" $sh BenchmarkDrain reaper_server_longest_ms)
		l0=$(dm "$first" $sh BenchmarkDrain server_longest_ms)
		l1=$(dm "$last" $sh BenchmarkDrain server_longest_ms)
		printf -- '- %s shape, %s -> %s reservations (%sx): drain time %s -> %s ms (%s), linear in the stale members; ' \
			"$sh" "$first" "$last" "$((last / first))" "$(fmt3 "$d0")" "$(fmt3 "$d1")" "$(ratio "$d1" "$d0")"
		local flat="flat within 1.3x"
		if awk -v a="$l0" -v b="$l1" 'BEGIN { exit !(b > 1.3 * a) }'; then
			flat="not flat in this run: $(dm "$last" $sh BenchmarkDrain server_over_1.5ms | cut -d. -f1) of its $(dm "$last" $sh BenchmarkDrain server_commands | cut -d. -f1) commands took over 1.5 ms, beside an idle PING floor of $(fmt3 "$(dm "$last" $sh BenchmarkDrain idle_ping_ms)") ms"
		fi
		printf 'its longest command %s -> %s ms (%s, %s), the reaper'"'"'s %s -> %s ms. ' \
			"$(fmt3 "$l0")" "$(fmt3 "$l1")" "$(ratio "$l1" "$l0")" "$flat" "$(fmt3 "$r0")" "$(fmt3 "$(dm "$last" $sh BenchmarkDrain reaper_server_longest_ms)")"
		printf 'Model for %s: the drain and the reaper scale with the stale members, so about %s ms and %s ms; the drain'"'"'s batches stay time-boxed at about 1 ms each (more of them), the reaper'"'"'s one call grows to about %s ms.\n' \
			"$((last * 10))" "$(fmt3 "$(awk -v x="$d1" 'BEGIN { print x * 10 }')")" "$(fmt3 "$(awk -v x="$r1" 'BEGIN { print x * 10 }')")" \
			"$(fmt3 "$(awk -v x="$(dm "$last" $sh BenchmarkDrain reaper_server_longest_ms)" 'BEGIN { print x * 10 }')")"
	done
}

# im SHAPE READ UNIT: one inspection figure.
im() { metric inspect "BenchmarkInspect/shape=$1/$2" "$3"; }

inspect_section() {
	cat <<MD
## 2. Inspecting and summarising $KEYS reservations (real redis-server)

One redis-server per shape, preloaded once with $KEYS expiry members over 10 communities (the two
shapes of section 1), read by each contender in turn, measured like section 1. **Ours**:
\`Inspector.ScanKeys\` (SCAN MATCH with an adaptive COUNT: scaled per call so one call costs
~0.7 ms, at most $(grep -o 'MaxScanKeys = [0-9]*' gateway/inspector.go | awk '{ print $3 }') keys);
\`ReservationSummary\`, what GET /reservations/summary of every community runs while the admin
server's background key index is at most 30 s old, as it stays while a console polls status
(decisions.md 140): per community, four at a time, ZCOUNT for the members expired longer ago than
their hash lives, and time-boxed \`summary_page.lua\` calls summing the others' estimated_cost
(SORT_RO GET) inside Redis: the **cold** summary, every hash inside the window read again, which is what
the request costs without the summary cache. \`ReservationSummary/fill\` is the same request through an
empty \`SummaryCache\` (decisions.md 160): the cold read that also hands back every member found with a
hash (score, estimate, created_at_ms, PEXPIRETIME), what the admin server's first round costs and any
round after its invalidation connection was lost, and each community's again every 10 minutes.
\`ReservationSummary/warm\` is the request through a filled cache after $(grep -o 'warmChanges = [0-9]*' gateway/inspect_bench_test.go | awk '{ print $3 }') changes (half new
reservations, half finalized ones): what the admin server's rounds and GET /reservations/summary cost
in steady state. Redis's client tracking (BCAST on the reservation hashes) names the changed hashes,
and only those are re-read, beside one pipeline of counters per community; the benchmark checks a warm
summary against a cold one after the rows. \`ReservationSummary+walk\`, the cold one after a discovery walk (one SCAN
for the expiry sets and reserved counters together): what the request costs when the index is
older (the background round runs the walk, then the cache); the walk alone (\`DiscoverKeys\`); and
\`ReservationCounts\`, what GET /status reads on every call (5 commands per community, one pipeline). The **baseline** is one
\`KEYS\` call with the same pattern (written only in the benchmark file). Dense:
\`$(grep -o 'densePattern *= "[^"]*"' gateway/inspect_bench_test.go | cut -d'"' -f2)\`; sparse:
\`$(grep -o 'sparsePattern *= "[^"]*"' gateway/inspect_bench_test.go | cut -d'"' -f2)\` (10 keys match). \`HashReadsFloor\` (benchmark-only too) is the floor under
the summary's pages: every member's estimated_cost by plain \`SORT_RO BY nosort LIMIT r 500 GET\`
pages over the members inside the hash's lifetime (what the summary reads), four communities at a
time like the summary, no script, nothing classified, no discovery; what Redis spends on one hash lookup per member
(the main and the expires dictionary, at random addresses) against what KEYS spends visiting a key.
Each read runs three times in a row, the reads one after another; figures are medians, "max" is the longest
command of the three; "server time" sums the read's commands of 100 µs or more (slowlog).

| shape (keys) | read | time | server time | longest command (over 1.5 ms; max of runs) | PING stall | found | baseline | its time | its server time | time ratio |
|---|---|---|---|---|---|---|---|---|---|---|
MD
	local sh pair ours base
	for sh in bench production; do
		for pair in "ScanKeys/dense KEYS/dense" "ScanKeys/sparse KEYS/sparse" "ReservationSummary KEYS/dense" \
			"ReservationSummary/fill KEYS/dense" "ReservationSummary/warm KEYS/dense" \
			"ReservationSummary+walk KEYS/dense" "DiscoverKeys KEYS/sparse" "HashReadsFloor KEYS/dense" "ReservationCounts KEYS/dense"; do
			read -r ours base <<<"$pair"
			local ot bt
			ot=$(im $sh "$ours" total_ms)
			bt=$(im $sh "$base" total_ms)
			printf '| %s (%s) | `%s` | %s ms | %s ms | %s ms (%s of %s; max %s ms) | %s ms | %s | `%s` | %s ms | %s ms | %s |\n' "$sh" "$(im $sh "$ours" dbsize | cut -d. -f1)" \
				"$ours" "$(fmt3 "$ot")" "$(fmt3 "$(im $sh "$ours" server_ms)")" "$(fmt3 "$(im $sh "$ours" server_longest_ms)")" "$(im $sh "$ours" server_over_1.5ms | cut -d. -f1)" \
				"$(im $sh "$ours" server_commands | cut -d. -f1)" "$(fmt3 "$(im $sh "$ours" server_longest_max_ms)")" "$(fmt3 "$(im $sh "$ours" ping_stall_ms)")" \
				"$(im $sh "$ours" found | cut -d. -f1)" "$base" "$(fmt3 "$bt")" "$(fmt3 "$(im $sh "$base" server_ms)")" "$(ratio "$ot" "$bt")"
		done
	done
	cat <<MD

"found" counts keys, communities or expiry members (live, expired and orphaned). KEYS' longest
command is the whole call. Status costs the same commands at any reservation count (asserted by
TestStatusCostsTheSameRedisCommandsAtAnyReservationCount): its time does not grow with the
reservations. Model for ten times the members: KEYS, the discovery walk and the summary pages grow
linearly with the keys and the members inside the hash's lifetime (the production shape's orphans
are counted by ZCOUNT, O(log N)); the longest command of ours stays at the page's time box; status
stays O(communities). From this run, bench shape, x10: ReservationSummary about
$(fmt3 "$(awk -v x="$(im bench ReservationSummary total_ms)" 'BEGIN { print x * 10 / 1000 }')") s,
with the walk about $(fmt3 "$(awk -v x="$(im bench ReservationSummary+walk total_ms)" 'BEGIN { print x * 10 / 1000 }')") s, one KEYS about
$(fmt3 "$(awk -v x="$(im bench KEYS/dense total_ms)" 'BEGIN { print x * 10 / 1000 }')") s (blocking Redis for all of it), status still
about $(fmt3 "$(im bench ReservationCounts total_ms)") ms. The bench shape's summary reads about
10^6 hashes (every live one has to be read for the sum of estimates): one SORT_RO GET lookup costs
Redis two dictionary lookups at random addresses (the key and its expiry) plus the hash, where KEYS
visits its keys in table order with one, so \`HashReadsFloor\` (no script, no classification) is
already about twice KEYS; the summary's script adds its classification and cursor on top
(decisions.md 75 and 140): a cold summary cannot reach 2x KEYS in the bench shape, so the admin
server keeps it warm. The warm summary's Redis work is O(changes + communities), whatever the members;
its time is mostly the admin server walking its cache (one fixed-size entry per member inside the
window). The fill costs Redis about twice the cold read (per member found: its score formatted, two
more lookups and five values of reply; callgrind counts ~30,000 instructions a member against the
cold page's ~6,000), so its pages are time-boxed for that heavier work (chunks of 32 members, an
eighth of the time kept for the reply: decisions.md 173); the cache it builds holds no pointer per
member, so the client's garbage collector no longer takes the two cores from redis-server while it
fills (decisions.md 174).

Command: $(cmdof inspect)

MD
}
