#!/usr/bin/env bash
# Faults under load: the demo load client against a 3-node cluster on 3 memcached
# servers, all on 127.0.0.1, while memcached is killed, paused (SIGSTOP) and restarted, one of
# three memcached servers is killed, and a node is killed. Prints, per scenario and phase
# (before / during / after): connections attempted and failed, resumption ratio; and the time
# until resumption recovered after the fault ended. Bounded in time; stops everything it
# started, by PID.
#
# Usage: [FAULTS_CONCURRENCY=12] scripts/faults.sh [CONNECTIONS_PER_PHASE]
#        (after: mvn -B -DskipTests package)
# Output: a table on stdout and faults-results.tsv in the work directory (printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${SHREDCACHE_DEMO_JAR:-demo/target/shredcache-demo.jar}
N=${1:-60}
# Each in-flight connection chains its own session (--resume cross resumes the previous
# connection's session on the next node), so concurrency = distinct sessions in play per phase.
C=${FAULTS_CONCURRENCY:-12}
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
command -v memcached >/dev/null || { echo "memcached is required" >&2; exit 2; }
WORK=$(mktemp -d /tmp/shredcache-faults.XXXXXX)
JAVA=(java -Xmx256m -XX:TieredStopAtLevel=1 -jar "$JAR")
declare -a MC_PIDS MC_PORTS NODE_PIDS NODE_PORTS
DEADLINE=$(( $(date +%s) + ${FAULTS_MAX_SECONDS:-1200} ))

cleanup() {
  for p in "${NODE_PIDS[@]:-}" "${MC_PIDS[@]:-}"; do
    [ -n "$p" ] && { kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; }
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
check_deadline() { [ "$(date +%s)" -lt "$DEADLINE" ] || { echo "faults.sh: time budget exhausted" >&2; exit 3; }; }

start_memcached() { # index
  local i=$1 port=${MC_PORTS[$1]:-$(free_port)}
  MC_PORTS[$i]=$port
  memcached -u nobody -l 127.0.0.1 -p "$port" -U 0 -m 64 & MC_PIDS[$i]=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0; sleep 0.1; done
  echo "memcached $i did not start" >&2; exit 1
}

start_node() { # index
  local i=$1 port=${NODE_PORTS[$1]:-$(free_port)}
  NODE_PORTS[$i]=$port
  "${JAVA[@]}" node --port "$port" --node-name "n$i" --memcached "$MEMCACHED" \
    --key-token-file "$WORK/token" --cert "$WORK/cert.pem" --key "$WORK/key.pem" \
    --store-timeout 100ms > "$WORK/node$i.out" 2> "$WORK/node$i.err" & NODE_PIDS[$i]=$!
  for _ in $(seq 900); do grep -q "listening on" "$WORK/node$i.out" 2>/dev/null && return 0; sleep 0.1; done
  echo "node $i did not start" >&2; cat "$WORK/node$i.err" >&2; exit 1
}

targets() { local t=""; for p in "${NODE_PORTS[@]}"; do t="$t,127.0.0.1:$p"; done; echo "${t#,}"; }

# run_client NAME CONNECTIONS [MAX_DURATION] -> writes $WORK/NAME.json
run_client() {
  check_deadline
  "${JAVA[@]}" client --targets "$(targets)" --connections "$2" --concurrency "$C" --resume cross \
    --insecure --quiet --timeout 10s --max-duration "${3:-120s}" --json "$WORK/$1.json" \
    > "$WORK/$1.txt" 2>&1 || true
}

# summary NAME -> "attempted failed resumed ratio"
summary() {
  python3 - "$WORK/$1.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0 0.00"); sys.exit()
t = r["totals"]
n = t["full"] + t["resumedLocal"] + t["resumedCrossNode"] + t["failures"]
res = t["resumedLocal"] + t["resumedCrossNode"]
print(n, t["failures"], res, "%.2f" % (res / n if n else 0))
PY
}

record() { # scenario phase name
  read -r a f r ratio <<<"$(summary "$3")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$a" "$f" "$r" "$ratio" | tee -a "$WORK/faults-results.tsv"
}

# recover SCENARIO BASELINE_RATIO: batches until the ratio is >= 80% of the baseline. A batch
# has 8 x concurrency connections: each chain starts with one full handshake, so a smaller
# batch could never reach the baseline ratio.
recover() {
  local t0 now ratio i
  t0=$(date +%s.%N)
  for i in $(seq 12); do
    run_client "$1-recover$i" $((8 * C))
    read -r _ _ _ ratio <<<"$(summary "$1-recover$i")"
    if python3 -c "import sys; sys.exit(0 if $ratio >= 0.8*$2 else 1)"; then
      now=$(date +%s.%N)
      printf '%s\trecovery_seconds\t%.1f\n' "$1" "$(python3 -c "print($now-$t0)")" | tee -a "$WORK/faults-results.tsv"
      return
    fi
  done
  printf '%s\trecovery_seconds\t>%s batches\n' "$1" "$i" | tee -a "$WORK/faults-results.tsv"
}

# scenario NAME INJECT_CMD END_CMD: before phase; a during phase that runs for DURING_SECONDS
# (connections unbounded) with the fault injected INJECT_AFTER seconds after the client started
# (its JVM start-up included); END_CMD ends the fault; time to recover; after phase.
DURING_SECONDS=${FAULTS_DURING_SECONDS:-15}
INJECT_AFTER=${FAULTS_INJECT_AFTER_SECONDS:-5}
scenario() {
  local name=$1 inject=$2 end=$3
  run_client "$name-before" "$N"; record "$name" before "$name-before"
  read -r _ _ _ base <<<"$(summary "$name-before")"
  run_client "$name-during" 1000000 "${DURING_SECONDS}s" & local client=$!
  sleep "$INJECT_AFTER"; eval "$inject"
  wait "$client" || true
  record "$name" during "$name-during"
  eval "$end"
  recover "$name" "$base"
  run_client "$name-after" "$N"; record "$name" after "$name-after"
}

(umask 077 && "${JAVA[@]}" keys init > "$WORK/token")
"${JAVA[@]}" certs --out "$WORK" > /dev/null
for i in 0 1 2; do start_memcached $i; done
MEMCACHED="127.0.0.1:${MC_PORTS[0]},127.0.0.1:${MC_PORTS[1]},127.0.0.1:${MC_PORTS[2]}"
for i in 0 1 2; do start_node $i; done
printf 'scenario\tphase\tattempted\tfailed\tresumed\tratio\n' | tee "$WORK/faults-results.tsv"

run_client warmup 30
scenario memcached-all-killed-restarted \
  'for i in 0 1 2; do kill -9 ${MC_PIDS[$i]}; done; sleep 4' \
  'for i in 0 1 2; do wait ${MC_PIDS[$i]} 2>/dev/null || true; start_memcached $i; done'
scenario memcached-all-sigstop-5s \
  'for i in 0 1 2; do kill -STOP ${MC_PIDS[$i]}; done; sleep 5; for i in 0 1 2; do kill -CONT ${MC_PIDS[$i]}; done' \
  'true'
scenario memcached-one-of-three-killed \
  'kill -9 ${MC_PIDS[1]}' \
  'wait ${MC_PIDS[1]} 2>/dev/null || true; start_memcached 1'
# A node kill fails the connections to that node (not caused by the cache); the dead node
# stays in the client's target list during the phase, then is restarted.
scenario node-killed \
  'kill -9 ${NODE_PIDS[2]}' \
  'wait ${NODE_PIDS[2]} 2>/dev/null || true; start_node 2'

echo "results: $WORK/faults-results.tsv"
for f in "$WORK"/*-during.txt; do echo "== $f"; grep -iE 'fail|error' "$f" | head -5 || true; done
