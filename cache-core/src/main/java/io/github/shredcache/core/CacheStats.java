package io.github.shredcache.core;

import java.time.Duration;
import java.util.Map;

/**
 * A point-in-time snapshot of a {@link SessionCache}'s counters. All counts are totals since the
 * cache was built.
 *
 * @param localHits lookups and peeks answered by the front cache
 * @param storeHits lookups answered by the store, opened and checked
 * @param misses lookups that found nothing usable (includes every open failure and store error)
 * @param puts sessions put into the cache
 * @param invalidations sessions invalidated
 * @param openFailures entries read from the store but not used, by cause
 * @param storeErrors store operations that failed or timed out
 * @param storeTimeouts the part of {@code storeErrors} that were lookup timeouts
 * @param storeLookups store gets that completed, with their total latency
 * @param storeLatencyTotal the sum of the latencies of {@code storeLookups}
 * @param currentEpoch the key epoch entries are sealed under now
 * @param sealsInCurrentEpoch entries sealed under the current epoch's key by this node
 */
public record CacheStats(
    long localHits,
    long storeHits,
    long misses,
    long puts,
    long invalidations,
    Map<OpenFailure, Long> openFailures,
    long storeErrors,
    long storeTimeouts,
    long storeLookups,
    Duration storeLatencyTotal,
    long currentEpoch,
    long sealsInCurrentEpoch) {

  public CacheStats {
    openFailures = Map.copyOf(openFailures);
  }

  /** Returns the count of entries not used for {@code cause}. */
  public long openFailures(OpenFailure cause) {
    return openFailures.getOrDefault(cause, 0L);
  }
}
