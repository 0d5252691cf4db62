#!/usr/bin/env bash
# One shredcache demo node (bc engine, RSA-2048, memcached on loopback) measured with the C client
# of the peer benchmark (peer/hsclient.c):
#
#   bash benchmarks/node/run.sh warmup     # handshakes per second from the JVM's start, with and
#                                          # without --warm-up
#   bash benchmarks/node/run.sh scaling    # throughput with 1 and 2 event-loop threads under
#                                          # several concurrent clients
#
# Environment:
#   warmup:  WARM_UPS="none 5s"   node settings to compare (none: no --warm-up)
#            SLICES=24            1-second measurements after the node listens, alternating full
#                                 handshakes and resumptions on the same node (TLS 1.2 session IDs)
#   scaling: IO_THREADS="1 2"     --io-threads settings to compare
#            CLIENTS=4            concurrent sequential clients (processes)
#            SECONDS_PER=5        seconds per measurement; WARMUP_SECONDS=10 per node and mode first
#   FORCE=1                       run even if the 1-minute load average is above 1.5 (numbers not
#                                 worth recording)
#
# Needs memcached, gcc and libssl-dev (see peer/run.sh, which installs them). Everything binds
# 127.0.0.1 only; every process started here is stopped by PID on exit.
set -euo pipefail

readonly WARM_UPS=${WARM_UPS:-none 5s}
readonly SLICES=${SLICES:-24}
readonly IO_THREADS=${IO_THREADS:-1 2}
readonly CLIENTS=${CLIENTS:-4}
readonly SECONDS_PER=${SECONDS_PER:-5}
readonly WARMUP_SECONDS=${WARMUP_SECONDS:-10}
readonly FORCE=${FORCE:-0}
readonly MAX_LOAD=1.5
readonly START_TIMEOUT_SECONDS=180

readonly HERE=$(cd "$(dirname "$0")" && pwd)
readonly REPO=$(cd "$HERE/../.." && pwd)
readonly JAR=$REPO/demo/target/shredcache-demo.jar
readonly BENCH_NAME="node benchmark"
readonly HSCLIENT_SOURCE=$HERE/../peer/hsclient.c

work=""
pids=()
assigned_ports=" "
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

now_ms() { date +%s%3N; }

# Field value from an hsclient line: field name line
field() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' <<<"$2"; }

# Node started with the given extra arguments; prints its start time to "listening on".
# -> started_pid, started_port, listen_ms
start_node() {
  local name=$1 t0
  shift
  t0=$(now_ms)
  start_shredcache "$name" ids "$work/certs" "$memcached_port" "$@"
  listen_ms=$(($(now_ms) - t0))
}

measure_warmup() {
  local setting args line mode rate t0 i
  say "warm-up: one node per setting, $SLICES slices of 1 s from the moment it listens"
  printf '%-8s %8s %6s %-5s %8s\n' setting since_s slice mode rate_per_s
  for setting in $WARM_UPS; do
    args=()
    [[ $setting == none ]] || args=(--warm-up "$setting")
    t0=$(now_ms)
    start_node "warm-$setting" "${args[@]}"
    echo "# $setting: listening after $((listen_ms)) ms ($(grep -o 'warmed up.*' "$work/warm-$setting.err" || echo 'no warm-up'))"
    for ((i = 1; i <= SLICES; i++)); do
      if ((i % 2)); then mode=resume-same; else mode=full; fi
      line=$(timeout 40 "$work/hsclient" "$mode" 1.2 "$started_port" "$started_port" 1)
      rate=$(awk -v h="$(field handshakes "$line")" -v s="$(field seconds "$line")" 'BEGIN { printf "%.0f", h / s }')
      printf '%-8s %8.1f %6d %-5s %8d\n' "$setting" "$(awk -v a="$(now_ms)" -v b="$t0" 'BEGIN { print (a - b) / 1000 }')" \
        "$i" "${mode#resume-}" "$rate"
    done
    stop "$started_pid"
  done
}

# Runs CLIENTS clients at once against port; prints: handshakes/s reused_share client_cpu_s handshakes
run_parallel() {
  local mode=$1 port=$2 secs=$3 line
  line=$(run_hsclients "$mode" 1.2 "$port" "$port" "$secs" "$CLIENTS") || die "a client failed ($mode, port $port)"
  awk -v h="$(field handshakes "$line")" -v r="$(field reused "$line")" -v c="$(field cpu_seconds "$line")" \
    -v w="$(field seconds "$line")" 'BEGIN { printf "%.0f %.3f %.2f %d\n", h / w, (h ? r / h : 0), c, h }'
}

measure_scaling() {
  local io mode before after result rate share ccpu hs
  say "scaling: $CLIENTS concurrent sequential clients, ${SECONDS_PER}s per measurement, TLS 1.2"
  printf '%-10s %-5s %10s %8s %14s %14s\n' io_threads mode rate_per_s reused node_cpu_ms/hs client_cpu_ms/hs
  for io in $IO_THREADS; do
    start_node "io-$io" --io-threads "$io"
    for mode in full resume-same; do
      run_parallel "$mode" "$started_port" "$WARMUP_SECONDS" >/dev/null
      before=$(cpu_ticks "$started_pid")
      result=$(run_parallel "$mode" "$started_port" "$SECONDS_PER")
      after=$(cpu_ticks "$started_pid")
      read -r rate share ccpu hs <<<"$result"
      printf '%-10s %-5s %10d %8s %14.2f %14.2f\n' "$io" "${mode#resume-}" "$rate" "$share" \
        "$(awk -v t=$((after - before)) -v h="$hs" -v hz="$(getconf CLK_TCK)" 'BEGIN { print h ? 1000 * t / hz / h : 0 }')" \
        "$(awk -v c="$ccpu" -v h="$hs" 'BEGIN { print h ? 1000 * c / h : 0 }')"
    done
    stop "$started_pid"
  done
}

main() {
  local what=${1:-}
  [[ $what == warmup || $what == scaling ]] || die "usage: run.sh warmup|scaling (see the top of this file)"
  check_load
  [[ -f $JAR ]] || die "no $JAR: build it with 'mvn -B package -pl demo -am -DskipTests'"
  work=$(mktemp -d)
  trap cleanup EXIT
  compile_client
  java -jar "$JAR" keys init --epoch-length 1h >"$work/token"
  chmod 600 "$work/token"
  java -jar "$JAR" certs --algorithm RSA --out "$work/certs" >/dev/null
  start_memcached
  memcached_port=$started_port
  say "$(java -version 2>&1 | head -1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "measure_$what"
}

main "$@"
