# Shared by the benchmark scripts under benchmarks/: process bookkeeping (every process a script
# starts is stopped by PID on exit), free loopback ports, memcached and shredcache demo nodes, the C
# client, and the load check. Source it after setting:
#   BENCH_NAME             prefix of error messages
#   JAR                    the demo jar; HSCLIENT_SOURCE: hsclient.c
#   FORCE, MAX_LOAD, START_TIMEOUT_SECONDS
# and the globals work (temporary directory), pids=() and assigned_ports=" ".

die() { echo "$BENCH_NAME: $*" >&2; exit 1; }
say() { echo "# $*"; }

# A loaded machine makes both systems slower by different amounts; refuse unless told otherwise.
check_load() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg) # the 1-minute figure `uptime` prints first
  if awk -v l="$load" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }'; then
    if [[ $FORCE == 1 ]]; then
      say "WARNING: load average $load > $MAX_LOAD; running anyway (FORCE=1): do not record these numbers"
    else
      die "load average (1 min) is $load, above $MAX_LOAD: wait for a quiet machine, or set FORCE=1 to run anyway (numbers not worth recording)"
    fi
  fi
}

# Debian packages: Apache with mod_ssl and the socache modules, memcached, and a C toolchain with

compile_client() {
  gcc -O2 -Wall -Wextra -o "$work/hsclient" "$HSCLIENT_SOURCE" -lssl -lcrypto \
    || die "cannot compile hsclient.c (needs gcc and libssl-dev)"
}

# ---------------------------------------------------------------------------------------------
# Processes

cleanup() {
  local p
  ((${#pids[@]})) && for p in "${pids[@]}"; do stop_tree "$p"; done
  [[ -n $work && -d $work ]] && rm -rf "$work"
  return 0
}

# Stops one process started here, and (for Apache) the children it forked, by PID: TERM, a
# bounded wait, then KILL.
stop_tree() {
  local parent=$1 children p
  kill -0 "$parent" 2>/dev/null || return 0
  children=$(pgrep -P "$parent" || true)
  kill -TERM "$parent" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$parent" 2>/dev/null || break; sleep 0.1; done
  for p in $parent $children; do kill -KILL "$p" 2>/dev/null || true; done
  wait "$parent" 2>/dev/null || true
}

# Removes stopped PIDs from the list so cleanup does not signal a PID the system reused.
forget_pid() {
  local gone=$1 p kept=()
  for p in "${pids[@]}"; do [[ $p == "$gone" ]] || kept+=("$p"); done
  pids=("${kept[@]}")
}

stop() { local p; for p in "$@"; do stop_tree "$p"; forget_pid "$p"; done; }

# A loopback port no socket uses and that this run has not handed out yet, taken below the
# kernel's ephemeral range: the client opens thousands of connections per second, and a port it
# is using (or holds in TIME_WAIT) could not be bound by a server started later.
free_port() {
  local p lo=20000 hi
  hi=$(($(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) - 1))
  ((hi - lo >= 1000)) || hi=$((lo + 10000))
  for _ in $(seq 1 200); do
    p=$((lo + RANDOM % (hi - lo + 1)))
    [[ $assigned_ports == *" $p "* ]] && continue
    [[ -z $(ss -Htan "sport = :$p") ]] || continue
    assigned_ports+="$p "
    echo "$p"
    return 0
  done
  die "no free loopback port found"
}

# Waits until 127.0.0.1:port accepts TCP connections, while process pid is alive.
wait_for_port() {
  local port=$1 pid=$2 what=$3 log=$4 deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "$what exited during start (log above)"; }
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  tail -20 "$log" >&2
  die "$what did not listen on 127.0.0.1:$port within ${START_TIMEOUT_SECONDS}s"
}

start_memcached() { # -> started_pid, started_port
  local user_args=()
  [[ $(id -u) == 0 ]] && user_args=(-u nobody) # memcached refuses to run as root
  started_port=$(free_port)
  memcached "${user_args[@]}" -l 127.0.0.1 -p "$started_port" -U 0 -m 256 -t 2 \
    >"$work/memcached-$started_port.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  wait_for_port "$started_port" "$started_pid" "memcached" "$work/memcached-$started_port.log"
}

# One shredcache demo node; arguments after the fourth go to the node as they are.
# -> started_pid, started_port
start_shredcache() {
  local name=$1 kind=$2 cert_dir=$3 memcached_port=$4 out=$work/$1.out engine store_args=()
  shift 4
  if [[ $kind == ids ]]; then
    engine=bc
    store_args=(--memcached "127.0.0.1:$memcached_port")
  else
    engine=openssl # ticket mode: keys come from the shared token; it does not use the store
  fi
  java -Xmx512m -jar "$JAR" node --port 0 --bind 127.0.0.1 --engine "$engine" --node-name "$name" \
    --key-token-file "$work/token" --cert "$cert_dir/cert.pem" --key "$cert_dir/key.pem" \
    "${store_args[@]}" "$@" >"$out" 2>"$work/$name.err" &
  started_pid=$!
  pids+=("$started_pid")
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  while ((SECONDS < deadline)); do
    grep -q '^listening on' "$out" 2>/dev/null && break
    kill -0 "$started_pid" 2>/dev/null || { tail -20 "$work/$name.err" >&2; die "shredcache $name exited during start (log above)"; }
    sleep 0.2
  done
  started_port=$(awk '/^listening on/ {print $3; exit}' "$out")
  [[ -n $started_port ]] || { tail -20 "$work/$name.err" >&2; die "shredcache $name did not start within ${START_TIMEOUT_SECONDS}s"; }
}

# Sum of user + system CPU ticks of the given PIDs and their current children (Apache's workers).
cpu_ticks() {
  local p all=""
  for p in "$@"; do all+=" $p $(pgrep -P "$p" | tr '\n' ' ')"; done
  # shellcheck disable=SC2086
  for p in $all; do cat "/proc/$p/stat" 2>/dev/null; done \
    | awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

# ---------------------------------------------------------------------------------------------
# Measuring

# Runs the client once against one system. Arguments: system measure tls seconds.

# Runs N copies of the C client at once and waits for them only (not for the servers this script
# started). Arguments: mode tls port_a port_b seconds N. Prints one hsclient line with their counts
# and CPU added up and the longest wall time; fails if any client failed. Each client stops itself
# at its deadline; timeout is only the backstop for a wedged one.
run_hsclients() {
  local mode=$1 tls=$2 port_a=$3 port_b=$4 secs=$5 n=$6 i client_pids=() outs=()
  for ((i = 0; i < n; i++)); do
    outs+=("$work/client-$i")
    timeout $((secs + 30)) "$work/hsclient" "$mode" "$tls" "$port_a" "$port_b" "$secs" >"$work/client-$i" &
    client_pids+=($!)
  done
  for i in "${client_pids[@]}"; do
    wait "$i" || return 1
  done
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2]
           if (kv[1] == "seconds" && kv[2] > wall) wall = kv[2] } }
    END { printf "handshakes=%d reused=%d errors=%d seconds=%.3f cpu_seconds=%.3f\n",
            sum["handshakes"], sum["reused"], sum["errors"], wall, sum["cpu_seconds"] }' "${outs[@]}"
}
