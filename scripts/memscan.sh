#!/usr/bin/env bash
# Memory scans, long version. One demo node (Bouncy Castle TLS) on its own memcached,
# keys with 2 s epochs and a 2 s session lifetime. N openssl TLS 1.2 sessions (master secrets
# from -keylogfile), each resumed once; then we wait until the sessions expired and their epoch
# keys left the window (erased), and make one control session (a seal under the current epoch's
# key). Then we count, in memcached's memory, in heap dumps of the node
# (jcmd GC.heap_dump, live objects and -all) and in the node's whole process memory:
#   - the sessions' 48-byte master secrets,
#   - the ratchet states of the erased epochs (derived here from the token, in Python, so no
#     copy of them is made in the node), and, as a control, those of the epochs still held,
#   - the sealing keys HKDF-Expand(S_e, "shredcache/v1 seal", 32) of the erased epochs and, as a
#     control, of the held ones, as bytes and as AES round-key words (the JDK keeps the key
#     schedule as ints: little-endian in process memory; heap dumps write ints big-endian, so
#     there they match the byte form).
# Needs root (or ptrace rights) for /proc/PID/mem. Loopback only; stops what it started by PID.
#
# Usage: scripts/memscan.sh [SESSIONS]     (after: mvn -B -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${SHREDCACHE_DEMO_JAR:-demo/target/shredcache-demo.jar}
N=${1:-10}
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
WORK=$(mktemp -d /tmp/shredcache-memscan.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

(umask 077 && java -jar "$JAR" keys init --epoch-length 2s > "$WORK/token")
MCP=$(free_port)
memcached -u nobody -l 127.0.0.1 -p "$MCP" -U 0 -m 64 & MC=$!; PIDS+=("$MC")
NP=$(free_port)
java -Xmx256m -jar "$JAR" node --port "$NP" --memcached "127.0.0.1:$MCP" \
  --key-token-file "$WORK/token" --session-lifetime 2s --store-timeout 500ms \
  > "$WORK/node.out" 2> "$WORK/node.err" & NODE=$!; PIDS+=("$NODE")
for _ in $(seq 900); do grep -q "listening on" "$WORK/node.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$WORK/node.out" || { cat "$WORK/node.err" >&2; exit 1; }

reused=0
for i in $(seq "$N"); do
  timeout 20 openssl s_client -connect "127.0.0.1:$NP" -tls1_2 -servername localhost \
    -keylogfile "$WORK/keylog" -sess_out "$WORK/s$i.pem" < /dev/null > "$WORK/c$i.txt" 2>&1 || true
  timeout 20 openssl s_client -connect "127.0.0.1:$NP" -tls1_2 -servername localhost \
    -sess_in "$WORK/s$i.pem" < /dev/null > "$WORK/r$i.txt" 2>&1 || true
  grep -q '^Reused' "$WORK/r$i.txt" && reused=$((reused + 1))
done
echo "sessions: $N, resumed: $reused"
sleep 10   # lifetime 2 s; epochs of 2 s, window [e-1, e+1]: every session's epoch key erased
# Control: one more session now, so that the current epoch's sealing key exists in the node
# (sealing keys are derived on first use; an idle node has none).
timeout 20 openssl s_client -connect "127.0.0.1:$NP" -tls1_2 -servername localhost \
  < /dev/null > "$WORK/control.txt" 2>&1 || true
grep -q '^New' "$WORK/control.txt" || { echo "control session failed" >&2; cat "$WORK/control.txt" >&2; exit 1; }
jcmd "$NODE" GC.heap_info > "$WORK/heap_info.txt" 2>&1 || true
T_LIVE=$(date +%s)
jcmd "$NODE" GC.heap_dump "$WORK/live.hprof" > /dev/null
T_ALL=$(date +%s)
jcmd "$NODE" GC.heap_dump -all "$WORK/all.hprof" > /dev/null

python3 - "$WORK" "$MC" "$NODE" "$T_LIVE" "$T_ALL" <<'PY'
import base64, hashlib, hmac, os, re, sys, time
work, mc, node = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t_live, t_all = int(sys.argv[4]), int(sys.argv[5])
secrets = [bytes.fromhex(m) for m in re.findall(r"^CLIENT_RANDOM \S+ (\S+)$", open(f"{work}/keylog").read(), re.M)]
_, ep_s, ep0, st = open(f"{work}/token").read().strip().split(":")
ep_s, ep0 = int(ep_s), int(ep0)
state = base64.urlsafe_b64decode(st + "=")
def expand(s, label):  # HKDF-Expand(S, label, 32) with HMAC-SHA256: T(1)
    return hmac.new(s, label + b"\x01", hashlib.sha256).digest()
def step(s):
    return expand(s, b"shredcache/v1 ratchet")
def seal_forms(s):  # the sealing key, as bytes and as little-endian 32-bit words
    k = expand(s, b"shredcache/v1 seal")
    return [k, b"".join(k[i:i + 4][::-1] for i in range(0, 32, 4))]
t_proc = int(time.time())
now = t_proc // ep_s
states = {}
s = state
for e in range(ep0, now + 2):
    states[e] = s
    s = step(s)
# A node holds [e-1, e+1] (R = 1); everything older is erased. Classify by the epoch at the
# first snapshot (the live heap dump): erased then means erased in every later snapshot too.
first = t_live // ep_s
erased = {e: v for e, v in states.items() if e < first - 1}
held = {e: v for e, v in states.items() if first - 1 <= e <= first + 1}
token_b64 = st.encode()

def regions(pid):
    for line in open(f"/proc/{pid}/maps"):
        f = line.split()
        if f[1][0] != "r" or line.rstrip().endswith(("[vvar]", "[vsyscall]")):
            continue
        a, b = (int(x, 16) for x in f[0].split("-"))
        yield a, b

def proc_regions(pid):
    out = []
    with open(f"/proc/{pid}/mem", "rb", 0) as m:
        for a, b in regions(pid):
            try:
                m.seek(a); out.append((a, m.read(b - a)))
            except OSError:
                pass
    return out

def proc_bytes(pid):
    return b"\x00".join(blob for _, blob in proc_regions(pid))

hi = re.search(r"heap\s+total.*\[(0x[0-9a-f]+), (0x[0-9a-f]+)\)", open(f"{work}/heap_info.txt").read())
heap = (int(hi.group(1), 16), int(hi.group(2), 16)) if hi else (0, 0)

def counts(blob, needles):
    return [blob.count(n) for n in needles]

mc_mem = proc_bytes(mc)
node_regions = proc_regions(node)
node_mem = b"\x00".join(blob for _, blob in node_regions)
def in_java_heap(needles):
    n = 0
    for a, blob in node_regions:
        if heap[0] <= a < heap[1]:
            n += sum(blob.count(x) for x in needles)
    return n
live = open(f"{work}/live.hprof", "rb").read()
alld = open(f"{work}/all.hprof", "rb").read()
rows = [
  ("master secrets (%d sessions)" % len(secrets), secrets),
  ("erased epoch states (%d epochs)" % len(erased), list(erased.values())),
  ("held epoch states (control, %d)" % len(held), list(held.values())),
  ("erased sealing keys (%d epochs)" % len(erased), [f for v in erased.values() for f in seal_forms(v)]),
  ("held sealing keys (control, %d)" % len(held), [f for v in held.values() for f in seal_forms(v)]),
  ("token text, ASCII (String/byte[])", [token_b64]),
  ("token text, UTF-16 (char[])", [st.encode("utf-16-le")]),
]
print(f"epoch at live dump {first}, at -all dump {t_all // ep_s}, at process scan {now};"
      f" token epoch {ep0}; epochs {ep_s} s; erased = before {first - 1}, held = {first - 1}..{first + 1}")
print("%-40s %12s %12s %12s %14s" % ("needle", "memcached", "heap live", "heap -all", "node process"))
for name, ns in rows:
    c = [sum(counts(x, ns)) for x in (mc_mem, live, alld, node_mem)]
    per = [counts(x, ns) for x in (live, alld, node_mem)]
    print("%-40s %12d %12d %12d %14d" % (name, *c))
    print("   per needle (live/all/process):", per[0], per[1], per[2])
    print("   node process matches inside the Java heap range %s: %d (the rest: native memory)"
          % ("[%#x, %#x)" % heap if hi else "(unknown)", in_java_heap(ns)))
PY
echo "work dir: $WORK (heap dumps included; delete it when done)"
