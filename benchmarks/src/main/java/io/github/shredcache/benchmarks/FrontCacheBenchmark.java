package io.github.shredcache.benchmarks;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A front-cache hit: {@link SessionCache#peek} of a 160-byte state (a copy the caller destroys),
 * as a TLS engine's synchronous resume hook does it, and a local-hit {@link SessionCache#lookup}.
 * 1,000 sessions cached, system clock.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrontCacheBenchmark {
  private static final int SESSIONS = 1_000;

  private SessionCache cache;
  private KeyRatchet keys;
  private SessionId[] ids;

  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Setup(Level.Trial)
  public void setUp() {
    InstantSource clock = InstantSource.system();
    keys = KeyRatchet.fromToken(KeyToken.generate(Duration.ofHours(1), clock), Duration.ofHours(1), clock);
    cache = SessionCache.builder().keys(keys).store(new InMemorySessionStore(clock)).namespace("bench").build();
    SecureRandom random = new SecureRandom();
    ids = new SessionId[SESSIONS];
    for (int i = 0; i < SESSIONS; i++) {
      byte[] id = new byte[32];
      random.nextBytes(id);
      ids[i] = SessionId.of(id);
      byte[] state = new byte[SealBenchmark.STATE_SIZE_BYTES];
      random.nextBytes(state);
      cache.put(ids[i], state, clock.instant().plus(Duration.ofMinutes(30)));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cache.close();
    keys.close();
  }

  /** A front-cache hit through peek: copy out, then destroy the copy. */
  @Benchmark
  public int peekHit(Cursor c, CpuTime cpu) {
    cpu.ops++;
    SessionId id = ids[c.next++ % SESSIONS];
    Optional<SessionState> s = cache.peek(id);
    SessionState state = s.orElseThrow();
    int n = state.lengthBytes();
    state.destroy();
    return n;
  }

  /** A front-cache hit through the asynchronous lookup (completes at once). */
  @Benchmark
  public LookupResult lookupLocalHit(Cursor c, CpuTime cpu) {
    cpu.ops++;
    return cache.lookup(ids[c.next++ % SESSIONS]).join();
  }
}
