#!/usr/bin/env bash
# Full vs resumed TLS handshakes per second, measured with `openssl s_time` against demo nodes on
# 127.0.0.1: --engine openssl (ticket mode) and --engine bc (session-ID cache), TLS 1.2 and 1.3,
# in one run on one machine. Usage (from the repository root, after `mvn -B -DskipTests package`):
#
#   bash benchmarks/ticket-handshakes.sh [seconds-per-cell (default 10)]
#   ALG=RSA bash benchmarks/ticket-handshakes.sh 10     # RSA-2048 certificate instead of EC P-256
#
# Every cell is `openssl s_time -connect 127.0.0.1:PORT -tlsX -new|-reuse -time T -www /`.
# `-www /` matters for TLS 1.3: without a request s_time closes before the server's
# NewSessionTicket arrives, keeps a non-resumable session, and "-reuse" silently does full
# handshakes. s_time prints one character per connection ('r' = resumed, '*' = full); the script
# counts them, so a "resumed" number is only reported for connections that really resumed.
# Rate = connections / wall-clock seconds of the s_time run (s_time's own "connections/user sec"
# is the client's CPU time, not throughput). cpu-ms/hs = CPU time the node's JVM used during the
# cell (utime + stime from /proc) per connection: less sensitive than the rate to other processes
# competing for the cores, though it includes the JVM's own background work (JIT, GC).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-10}
JAR=demo/target/shredcache-demo.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

java -jar "$JAR" keys init --epoch-length 1h > "$work/token" 2>/dev/null
ALG=${ALG:-EC}
java -jar "$JAR" certs --algorithm "$ALG" --out "$work/certs" >/dev/null 2>&1

start_node() { # engine -> sets node_pid and port (not in a subshell: cleanup needs the pid)
  local engine=$1 out="$work/$1.out"
  java -Xmx512m -jar "$JAR" node --port 0 --engine "$engine" --node-name "$engine" \
    --key-token-file "$work/token" --cert "$work/certs/cert.pem" --key "$work/certs/key.pem" \
    --session-lifetime 1h > "$out" 2> "$work/$engine.err" &
  node_pid=$!
  pids+=("$node_pid")
  for _ in $(seq 1 240); do grep -q '^listening on' "$out" 2>/dev/null && break; sleep 0.5; done
  port=$(awk '/^listening on/ {print $3}' "$out")
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$node_pid/stat"; } # utime + stime of the node JVM

cell() { # port proto mode seconds -> "rate server-cpu-ms-per-handshake resumed full"
  local port=$1 proto=$2 mode=$3 secs=$4 t0 t1 c0 c1 out
  c0=$(cpu_ticks)
  t0=$(date +%s.%N)
  out=$(openssl s_time -connect "127.0.0.1:$port" "$proto" "$mode" -time "$secs" -www / 2>&1)
  t1=$(date +%s.%N)
  c1=$(cpu_ticks)
  local n r s
  n=$(printf '%s\n' "$out" | awk '/connections in .* real seconds/ {print $1; exit}')
  r=$(printf '%s\n' "$out" | grep -E '^[*r]+$' | tr -cd 'r' | wc -c)
  s=$(printf '%s\n' "$out" | grep -E '^[*r]+$' | tr -cd '*' | wc -c)
  awk -v n="$n" -v a="$t0" -v b="$t1" -v r="$r" -v s="$s" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%8.0f %10.2f %8d %8d\n", n / (b - a), c * 1000 / hz / n, r, s }'
}

echo "# $(date -u +%FT%TZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(openssl version), $(java -version 2>&1 | head -1)"
echo "# certificate $ALG; $T s per cell; hs/s = handshakes per wall-clock second; cpu-ms/hs = node CPU per handshake; r = resumed, * = full (s_time's marks)"
printf '%-8s %-8s %-7s %8s %10s %8s %8s\n' engine protocol mode "hs/s" "cpu-ms/hs" "r" "*"
for engine in openssl bc; do
  start_node "$engine"
  [ -n "$port" ] || { echo "node $engine did not start:" >&2; cat "$work/$engine.err" >&2; exit 1; }
  for proto in -tls1_2 -tls1_3; do for mode in -new -reuse; do # JIT warm-up, every path
    cell "$port" "$proto" "$mode" 3 >/dev/null
  done; done
  for proto in -tls1_2 -tls1_3; do
    for mode in -new -reuse; do
      printf '%-8s %-8s %-7s %s\n' "$engine" "${proto#-}" "${mode#-}" "$(cell "$port" "$proto" "$mode" "$T")"
    done
  done
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true
done
