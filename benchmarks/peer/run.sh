#!/usr/bin/env bash
# Side-by-side TLS handshake benchmark: two Apache httpd 2.4 nodes (mod_ssl) against two
# shredcache demo nodes, measured with the same small C/OpenSSL client (hsclient.c), on loopback.
#
#   bash benchmarks/peer/run.sh                      # from anywhere; needs root to install packages
#   ROUNDS=2 ROUND_SECONDS=1 WARMUP_SECONDS=2 FORCE=1 bash benchmarks/peer/run.sh   # smoke run
#
# Environment:
#   ROUNDS=7 ROUND_SECONDS=3  alternating rounds per measure, seconds per round and system
#   WARMUP_SECONDS=10         per path and system before the rounds (a cold JVM node is several
#                             times slower for its first seconds while the JIT works)
#   CERTS="RSA EC"            RSA-2048 and/or ECDSA P-256 certificates
#   SESSIONS="ids tickets"    ids: TLS 1.2 session IDs, Apache + mod_socache_memcache vs shredcache
#                             --engine bc, each pair sharing one memcached; tickets: TLS 1.3
#                             tickets, Apache with one shared SSLSessionTicketKeyFile vs shredcache
#                             --engine openssl (ticket keys from the shared key token)
#   CLIENTS=1                 sequential clients running at once against the system under test;
#                             1 measures latency as much as throughput, more fill the servers
#   NODE_WARMUP=5s            the shredcache nodes' own --warm-up, as the docker-compose cluster
#                             runs them ("none" for none)
#   FORCE=1                   run even if the 1-minute load average is above 1.5 (the numbers
#                             are then not worth recording)
#
# Measures, for each certificate and session kind: full handshakes, resumed on the node that issued
# the session ("same"), resumed on the other node ("cross"). Every round runs both systems back to
# back (the order alternates between rounds so a drifting machine load favours neither); the
# summary gives, per measure, the median of the per-round ratios shredcache/Apache and their range.
# A "resumed" measure whose client saw less than 99% of its handshakes resumed is flagged: its rate
# would mix in full handshakes.
#
# Next to each rate: the client's CPU time per handshake (getrusage, in hsclient) and its share of
# the wall time, to show that the client is not the bottleneck, and the CPU time per handshake of
# the system under test (both nodes and, for session IDs, its memcached; from /proc), which is less
# sensitive than the rate to other load on the machine.
#
# Everything binds 127.0.0.1 only. Every process this script starts is stopped by PID on exit,
# and its temporary directory is removed.
set -euo pipefail

readonly ROUNDS=${ROUNDS:-7}
readonly ROUND_SECONDS=${ROUND_SECONDS:-3}
readonly WARMUP_SECONDS=${WARMUP_SECONDS:-10}
readonly CERTS=${CERTS:-RSA EC}
readonly SESSIONS=${SESSIONS:-ids tickets}
readonly FORCE=${FORCE:-0}
readonly CLIENTS=${CLIENTS:-1}
readonly NODE_WARMUP=${NODE_WARMUP:-5s}
readonly MAX_LOAD=1.5
readonly START_TIMEOUT_SECONDS=180 # JVM start on a busy 2-core machine can take a while
readonly MEASURES="full same cross"

readonly HERE=$(cd "$(dirname "$0")" && pwd)
readonly REPO=$(cd "$HERE/../.." && pwd)
readonly JAR=$REPO/demo/target/shredcache-demo.jar
readonly APACHE_BIN=/usr/sbin/apache2
readonly APACHE_MODULES=/usr/lib/apache2/modules

work=""
pids=()          # every long-running process started here, stopped by PID in cleanup
assigned_ports=" "

readonly BENCH_NAME="peer benchmark"
readonly HSCLIENT_SOURCE=$HERE/hsclient.c
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"

# ---------------------------------------------------------------------------------------------
# Preconditions

check_settings() {
  local v
  for v in ROUNDS ROUND_SECONDS WARMUP_SECONDS CLIENTS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, was '${!v}'"
  done
  for v in $CERTS; do [[ $v == RSA || $v == EC ]] || die "CERTS: RSA and/or EC, was '$CERTS'"; done
  for v in $SESSIONS; do
    [[ $v == ids || $v == tickets ]] || die "SESSIONS: ids and/or tickets, was '$SESSIONS'"
  done
}

# Debian packages: Apache with mod_ssl and the socache modules, memcached, and a C toolchain with
# OpenSSL headers for the client. Installs only what is missing.
install_packages() {
  local missing=()
  [[ -x $APACHE_BIN && -f $APACHE_MODULES/mod_socache_memcache.so ]] || missing+=(apache2)
  command -v memcached >/dev/null || missing+=(memcached)
  command -v gcc >/dev/null || missing+=(gcc)
  [[ -f /usr/include/openssl/ssl.h ]] || missing+=(libssl-dev)
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing Debian packages: ${missing[*]}; install them (as root: apt-get install ${missing[*]})"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_jar() {
  [[ -f $JAR ]] && return 0
  say "building the demo jar"
  (cd "$REPO" && mvn -B -o -q package -pl demo -am -DskipTests) || die "demo jar build failed (try once without -o to download dependencies)"
}

# ---------------------------------------------------------------------------------------------
# Processes

# One Apache httpd node in the foreground, with everything it writes under its own directory.
# session kind "ids": session cache in memcached, tickets off; "tickets": tickets on with the shared
# key file, local shmcb cache. -> started_pid, started_port
start_apache() {
  local name=$1 kind=$2 cert_dir=$3 memcached_port=$4 root
  root=$work/$name
  started_port=$(free_port)
  mkdir -p "$root/run" "$root/mutex" "$root/htdocs"
  echo "ok" >"$root/htdocs/index.html"
  # Started as root, Apache's children switch to an unprivileged user, which must still reach the
  # mutex files and the document root (the key files are read by the parent before that).
  chmod 711 "$work" "$root"
  chmod 755 "$root/mutex" "$root/run" "$root/htdocs" && chmod 644 "$root/htdocs/index.html"
  local user_lines=""
  if [[ $(id -u) == 0 ]]; then
    user_lines=$'User www-data\nGroup www-data'
    chown www-data "$root/mutex" "$root/run"
  fi
  local cache_lines
  if [[ $kind == ids ]]; then
    cache_lines="SSLSessionCache memcache:127.0.0.1:$memcached_port"
    local tickets="SSLSessionTickets Off" protocol="-all +TLSv1.2"
  else
    cache_lines="SSLSessionCache \"shmcb:$root/run/ssl_scache(512000)\""
    local tickets="SSLSessionTickets On
  SSLSessionTicketKeyFile \"$work/ticket.key\"" protocol="-all +TLSv1.3"
  fi
  cat >"$root/httpd.conf" <<EOF
ServerRoot "$root"
PidFile "$root/run/httpd.pid"
DefaultRuntimeDir "$root/run"
Mutex file:$root/mutex default
ErrorLog "$root/error.log"
LogLevel warn
$user_lines
LoadModule mpm_event_module $APACHE_MODULES/mod_mpm_event.so
LoadModule authz_core_module $APACHE_MODULES/mod_authz_core.so
LoadModule socache_memcache_module $APACHE_MODULES/mod_socache_memcache.so
LoadModule socache_shmcb_module $APACHE_MODULES/mod_socache_shmcb.so
LoadModule ssl_module $APACHE_MODULES/mod_ssl.so
ServerName localhost
Listen 127.0.0.1:$started_port
# One sequential client: one process with a few threads is plenty, and no process is started or
# recycled during a round.
StartServers 1
ServerLimit 2
ThreadLimit 16
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 4
MaxSpareThreads 32
MaxConnectionsPerChild 0
KeepAlive Off
$cache_lines
SSLSessionCacheTimeout 300
<VirtualHost 127.0.0.1:$started_port>
  # The same ServerName *with a port* on every node: mod_ssl binds cached sessions (and tickets)
  # to an id derived from ServerName:port, so nodes on different ports would otherwise never
  # resume each other's sessions.
  ServerName localhost:443
  DocumentRoot "$root/htdocs"
  SSLEngine on
  SSLCertificateFile "$cert_dir/cert.pem"
  SSLCertificateKeyFile "$cert_dir/key.pem"
  SSLProtocol $protocol
  SSLCipherSuite ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256
  SSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256
  $tickets
</VirtualHost>
EOF
  "$APACHE_BIN" -t -f "$root/httpd.conf" >"$root/configtest.log" 2>&1 \
    || { cat "$root/configtest.log" >&2; die "Apache rejected $root/httpd.conf"; }
  "$APACHE_BIN" -f "$root/httpd.conf" -DFOREGROUND >"$root/stdout.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  wait_for_port "$started_port" "$started_pid" "Apache $name" "$root/error.log"
}
# -> one line: rate handshakes reused errors client_ms_per_hs client_busy_pct server_ms_per_hs
run_client() {
  local system=$1 measure=$2 tls=$3 secs=$4 mode port_a port_b c0 c1 line
  case $measure in full) mode=full ;; same) mode=resume-same ;; cross) mode=resume-cross ;; esac
  if [[ $system == apache ]]; then port_a=$apache_a_port port_b=$apache_b_port; set -- "${apache_pids[@]}"
  else port_a=$shred_a_port port_b=$shred_b_port; set -- "${shred_pids[@]}"; fi
  c0=$(cpu_ticks "$@")
  line=$(run_hsclients "$mode" "$tls" "$port_a" "$port_b" "$secs" "$CLIENTS") \
    || die "client failed: $system $measure TLS $tls (ports $port_a/$port_b)"
  c1=$(cpu_ticks "$@")
  awk -v line="$line" -v ticks=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v clients="$CLIENTS" 'BEGIN {
    n = split(line, kv, /[ =]/); for (i = 1; i < n; i += 2) v[kv[i]] = kv[i + 1]
    hs = v["handshakes"]; d = hs > 0 ? hs : 1
    printf "%.0f %d %d %d %.3f %.0f %.3f\n", hs / v["seconds"], hs, v["reused"], v["errors"],
      v["cpu_seconds"] * 1000 / d, 100 * v["cpu_seconds"] / v["seconds"] / clients, ticks * 1000 / hz / d }'
}

# "1234/s reused 100.0% client 0.10 ms/hs (12% busy) servers 0.80 ms/hs" from a run_client line.
describe() {
  awk '{
    reuse = $2 > 0 ? 100 * $3 / $2 : 0
    printf "%6d/s reused %5.1f%%%s client %.3f ms/hs (%d%% busy) servers %.2f ms/hs",
      $1, reuse, ($4 > 0 ? " errors " $4 : ""), $5, $6, $7 }' <<<"$1"
}

# Complains (to the summary) about a run whose reuse does not match the measure.
check_run() { # label measure run_client-line
  local label=$1 measure=$2
  awk -v label="$label" -v m="$measure" '{
    if ($2 == 0) { print "FLAG " label ": no handshake completed"; exit }
    f = $3 / $2
    if (m != "full" && f < 0.99) printf "FLAG %s: only %.1f%% resumed (below 99%%)\n", label, 100 * f
    if (m == "full" && $3 > 0) printf "FLAG %s: %d of %d \"full\" handshakes were resumed\n", label, $3, $2
    if ($4 > 0) printf "FLAG %s: %d failed connections\n", label, $4
    if ($6 > 90) printf "FLAG %s: client busy %d%% of the time, it may be the bottleneck\n", label, $6
  }' <<<"$3" >>"$work/flags"
}

warm_up() { # kind tls
  local kind=$1 tls=$2 system measure line
  for system in apache shredcache; do
    for measure in $MEASURES; do
      line=$(run_client "$system" "$measure" "$tls" "$WARMUP_SECONDS")
      say "warm-up $system $measure: $(describe "$line")"
      [[ $(awk '{print $2}' <<<"$line") -gt 0 ]] || die "warm-up: $system $measure TLS $tls completed no handshake"
    done
  done
}

measure_rounds() { # cert kind tls measure
  local cert=$1 kind=$2 tls=$3 measure=$4 r first second system a s label
  label="$cert TLS$tls $kind $measure"
  echo "== $label: ${ROUNDS} rounds x ${ROUND_SECONDS}s per system"
  for r in $(seq 1 "$ROUNDS"); do
    # Alternate who goes first so that a load trend during the run does not favour one side.
    if ((r % 2)); then first=apache second=shredcache; else first=shredcache second=apache; fi
    for system in $first $second; do
      if [[ $system == apache ]]; then a=$(run_client apache "$measure" "$tls" "$ROUND_SECONDS")
      else s=$(run_client shredcache "$measure" "$tls" "$ROUND_SECONDS"); fi
    done
    check_run "$label round $r apache" "$measure" "$a"
    check_run "$label round $r shredcache" "$measure" "$s"
    printf '  round %d  apache     %s\n' "$r" "$(describe "$a")"
    printf '  round %d  shredcache %s  ratio %s\n' "$r" "$(describe "$s")" \
      "$(awk -v a="${a%% *}" -v s="${s%% *}" 'BEGIN { if (a > 0) printf "%.2f", s / a; else printf "n/a" }')"
    echo "$label|$r|$a|$s" >>"$work/results"
  done
}

# Per measure: median shredcache and Apache rates, median of the per-round ratios and its range,
# worst reuse seen, largest client CPU share.
summarize() {
  echo
  echo "== summary: ratio = median of the per-round shredcache/Apache rates, range = lowest-highest round;"
  echo "   reused = lowest share of resumed handshakes in any round; client max = what the client's own"
  echo "   CPU time per handshake (worst round) would allow alone on min(CLIENTS, cores) cores;"
  echo "   busy max = client CPU / wall time, per client"
  printf '%-26s %12s %9s %7s %11s %14s %11s %10s\n' measure "shredcache/s" "apache/s" ratio range \
    "reused s/a" "client max" "busy max"
  local label
  cut -d'|' -f1 "$work/results" | uniq | while IFS= read -r label; do
    grep -F "$label|" "$work/results" | awk -F'|' -v label="$label" \
      -v cores="$((CLIENTS < $(nproc) ? CLIENTS : $(nproc)))" '
      function median(arr, n,   i, j, t) {
        for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j > 0 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
        return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
      }
      {
        split($3, a, " "); split($4, s, " "); n++
        ar[n] = a[1]; sr[n] = s[1]; rat[n] = a[1] > 0 ? s[1] / a[1] : 0
        lo = (n == 1 || rat[n] < lo) ? rat[n] : lo; hi = (n == 1 || rat[n] > hi) ? rat[n] : hi
        fa = a[2] > 0 ? a[3] / a[2] : 0; fs = s[2] > 0 ? s[3] / s[2] : 0
        mfa = (n == 1 || fa < mfa) ? fa : mfa; mfs = (n == 1 || fs < mfs) ? fs : mfs
        busy = a[6] > busy ? a[6] : busy; busy = s[6] > busy ? s[6] : busy
        cms = a[5] > cms ? a[5] : cms; cms = s[5] > cms ? s[5] : cms
      }
      END {
        printf "%-26s %12.0f %9.0f %6.2fx %5.2f-%-5.2f %6.1f%%/%5.1f%% %9.0f/s %9d%%\n", label,
          median(sr, n), median(ar, n), median(rat, n), lo, hi, 100 * mfs, 100 * mfa,
          (cms > 0 ? 1000 * cores / cms : 0), busy
      }'
  done
  if [[ -s $work/flags ]]; then
    echo
    echo "== flags"
    cat "$work/flags"
  else
    echo "no flags: every resumed handshake resumed, no full handshake resumed, no failed connection"
  fi
}

# ---------------------------------------------------------------------------------------------

run_session_kind() { # cert cert_dir kind
  local cert=$1 cert_dir=$2 kind=$3 tls measure
  [[ $kind == ids ]] && tls=1.2 || tls=1.3
  say "$cert certificate, TLS $tls, $([[ $kind == ids ]] && echo "session IDs: Apache + memcache vs shredcache bc + memcached" || echo "tickets: Apache shared ticket key file vs shredcache openssl")"
  start_apache apache-a "$kind" "$cert_dir" "$apache_memcached_port"; apache_a_port=$started_port; apache_pids=("$started_pid")
  start_apache apache-b "$kind" "$cert_dir" "$apache_memcached_port"; apache_b_port=$started_port; apache_pids+=("$started_pid")
  local node_args=()
  [[ $NODE_WARMUP == none ]] || node_args=(--warm-up "$NODE_WARMUP")
  start_shredcache shred-a "$kind" "$cert_dir" "$shred_memcached_port" "${node_args[@]}"; shred_a_port=$started_port; shred_pids=("$started_pid")
  start_shredcache shred-b "$kind" "$cert_dir" "$shred_memcached_port" "${node_args[@]}"; shred_b_port=$started_port; shred_pids+=("$started_pid")
  if [[ $kind == ids ]]; then # each system's own memcached is part of its cost
    apache_pids+=("$apache_memcached_pid"); shred_pids+=("$shred_memcached_pid")
  fi
  warm_up "$kind" "$tls"
  for measure in $MEASURES; do measure_rounds "$cert" "$kind" "$tls" "$measure"; done
  stop "${apache_pids[0]}" "${apache_pids[1]}" "${shred_pids[0]}" "${shred_pids[1]}"
  rm -rf "$work/apache-a" "$work/apache-b"
}

main() {
  check_settings
  check_load
  install_packages
  build_jar
  work=$(mktemp -d "${TMPDIR:-/tmp}/shredcache-peer.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  compile_client
  : >"$work/results"
  # Secrets: the key token and Apache's ticket key file, readable by their owner only.
  (umask 077
   java -jar "$JAR" keys init --epoch-length 1h >"$work/token"
   head -c 48 /dev/urandom >"$work/ticket.key")

  say "$(date -u +%FT%TZ) $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  say "$("$APACHE_BIN" -v | head -1 | sed 's/^Server version: //'), $(openssl version), $(java -version 2>&1 | head -1), memcached $(memcached -V | cut -d' ' -f2)"
  say "rounds ${ROUNDS} x ${ROUND_SECONDS}s, warm-up ${WARMUP_SECONDS}s per path and system (nodes: --warm-up ${NODE_WARMUP}); ${CLIENTS} sequential client(s) at once (hsclient.c)"
  say "client ms/hs = client CPU per handshake; busy = client CPU / wall time; servers ms/hs = CPU of both nodes (+ memcached for session IDs) per handshake"

  start_memcached; apache_memcached_pid=$started_pid; apache_memcached_port=$started_port
  start_memcached; shred_memcached_pid=$started_pid; shred_memcached_port=$started_port

  local cert kind
  for cert in $CERTS; do
    java -jar "$JAR" certs --algorithm "$cert" --out "$work/certs-$cert" >/dev/null
    for kind in $SESSIONS; do run_session_kind "$cert" "$work/certs-$cert" "$kind"; done
  done
  summarize
}

main "$@"
