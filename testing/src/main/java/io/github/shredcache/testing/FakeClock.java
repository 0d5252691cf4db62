package io.github.shredcache.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A clock for tests that moves only when told to. Thread-safe.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock(TestKeys.START);
 * clock.advance(Duration.ofMinutes(5));
 * }</pre>
 */
public final class FakeClock implements InstantSource {
  private final AtomicReference<Instant> now;

  /** A clock at {@link TestKeys#START}. */
  public FakeClock() {
    this(TestKeys.START);
  }

  /** A clock at {@code start}. */
  public FakeClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  @Override
  public Instant instant() {
    return Objects.requireNonNull(now.get()); // set only to non-null instants
  }

  /** Moves the clock by {@code duration} (may be negative, to test a clock that goes back). */
  public FakeClock advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    now.updateAndGet(t -> t.plus(duration));
    return this;
  }

  /** Sets the clock to {@code instant}. */
  public FakeClock set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
    return this;
  }

  @Override
  public String toString() {
    return "FakeClock[" + now.get() + "]";
  }
}
