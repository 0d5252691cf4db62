#!/usr/bin/env python3
"""Summarizes a JMH JSON result of SealBenchmark/FrontCacheBenchmark (see BENCHMARKS.md).

Usage: python3 benchmarks/summarize.py result.json

Prints, per benchmark, the wall-clock score and the CPU time per operation of the benchmark
thread (CpuTime counters: total cpuNanos / total ops over the measurement iterations, and the
median of the per-iteration values), then the throughput ratios against raw JCA AES-GCM computed
from the medians.
"""
import json
import statistics
import sys


def main(path):
    results = json.load(open(path))
    cpu = {}
    print(f"{'benchmark':40s} {'wall ns/op':>12s} {'cpu ns/op':>10s} {'cpu med':>10s}")
    for r in results:
        name = r["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        sec = r.get("secondaryMetrics", {})
        c = [x for fork in sec["cpuNanos"]["rawData"] for x in fork]
        o = [x for fork in sec["ops"]["rawData"] for x in fork]
        per_iter = [ci / oi for ci, oi in zip(c, o) if oi > 0]
        total = sum(c) / sum(o)
        # Ratios use the median of the per-iteration values: robust against the iterations a
        # neighbour's burst or a deoptimization spoiled.
        cpu[name.split(".")[-1]] = statistics.median(per_iter)
        print(f"{name:40s} {r['primaryMetric']['score']:12.1f} {total:10.1f} {statistics.median(per_iter):10.1f}")
    print()
    pairs = [("sealOpen", "rawAesGcmEncryptDecrypt"), ("seal", "rawAesGcmEncrypt"), ("open", "rawAesGcmDecrypt"),
             ("sealOpen", "rawAesGcmEncryptDecryptWithAad"), ("open", "rawAesGcmDecryptWithAad")]
    for ours, raw in pairs:
        if ours in cpu and raw in cpu:
            print(f"throughput {ours} / {raw} (median CPU time): {cpu[raw] / cpu[ours]:.2f}x")
    for hit in ("peekHit", "lookupLocalHit"):
        if hit in cpu:
            print(f"front-cache {hit}: {cpu[hit]:.0f} ns CPU per hit")


if __name__ == "__main__":
    main(sys.argv[1])
