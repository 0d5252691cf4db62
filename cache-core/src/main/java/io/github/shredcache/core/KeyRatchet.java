package io.github.shredcache.core;

import io.github.shredcache.core.internal.Kdf;
import io.github.shredcache.core.internal.SealedEntry;
import io.github.shredcache.core.internal.SealingKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * The forward-secure epoch key ratchet of a node: holds the ratchet states of the epochs {@code [e
 * - R, e + 1]}, where {@code e} is the current epoch of the clock and {@code R =
 * ceil(maxSessionLifetime / epochLength)}, and derives per-epoch subkeys from them under distinct
 * labels. States that leave the window are zeroized the moment the window moves and can never be
 * derived again: every entry and ticket sealed in their epoch is crypto-shredded.
 *
 * <p>Derivation ({@code io.github.shredcache.core.internal.Kdf}): {@code S_{e+1} =
 * HKDF-Expand(S_e, "shredcache/v1 ratchet", 32)} with HMAC-SHA256; subkeys use other labels, the
 * state itself is never a cipher key.
 *
 * <h3>Erasure on time, by itself</h3>
 *
 * <p>A ratchet moves its own window: it schedules itself for every epoch boundary on a scheduler
 * (the library's own daemon thread {@code shredcache-key-ratchet}, or the one handed to {@link
 * #fromToken(KeyToken, Duration, InstantSource, ScheduledExecutorService)}), so states leave the
 * window and are zeroized within milliseconds of the boundary on an idle node too, with no
 * application code. Whatever else must follow the epochs (ticket keys, a log line) subscribes with
 * {@link #addEpochListener}; listeners run on that scheduler. Between ticks the window also
 * follows the clock on every use, so a late tick never lets an old key be used.
 *
 * <p>Clock jumps: a jump of up to {@value #MAX_INLINE_STEPS} epochs is caught up inline; a larger
 * one is caught up on the scheduler (never on the caller's thread, which may be an event loop),
 * and meanwhile no key is handed out. A jump of more than {@value #MAX_CATCH_UP_EPOCHS} epochs is
 * refused: every state is erased and a log line says to restart the node from a current token. If
 * the clock goes backwards the window stays where it was (a ratchet cannot go back).
 *
 * <p>Thread-safe. Close it when the node stops: that erases every state and cancels its schedule.
 *
 * <p>Erasure limit: the ratchet zeroizes the states and sealing keys it owns and scrubs the ciphers
 * that used them ({@code SealingKey}); Bouncy Castle's HMAC inside HKDF and the JCA provider make
 * transient copies that become unreachable garbage, reclaimed (not zeroized) by the garbage
 * collector. Ticket keys handed out by {@link #ticketKeys()} are owned by the caller.
 */
public final class KeyRatchet implements AutoCloseable {
  /** The most past epochs a ratchet keeps. */
  public static final int MAX_EPOCHS_BEHIND = 10_000;
  /** The largest clock jump, in epochs, caught up on the caller's thread. */
  public static final int MAX_INLINE_STEPS = 16;
  /**
   * The largest clock jump, in epochs, a ratchet catches up at all (a few seconds of hashing);
   * beyond it every state is erased.
   */
  public static final long MAX_CATCH_UP_EPOCHS = 1_000_000;
  /** How long after an epoch boundary the scheduled tick runs (absorbs timer jitter). */
  static final Duration TICK_MARGIN = Duration.ofMillis(20);

  private static final System.Logger log = System.getLogger(KeyRatchet.class.getName());

  private final long epochSeconds;
  private final int epochsBehind;
  private final Duration maxSessionLifetime;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final Object lock = new Object();
  private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
  private volatile @Nullable Window window; // null once closed
  private @Nullable Future<?> nextTick; // guarded by lock
  private volatile boolean tickRequested;
  private long notifiedEpoch; // confined to the scheduler

  private KeyRatchet(long epochSeconds, int epochsBehind, Duration maxSessionLifetime,
      InstantSource clock, ScheduledExecutorService scheduler, Window window) {
    this.epochSeconds = epochSeconds;
    this.epochsBehind = epochsBehind;
    this.maxSessionLifetime = maxSessionLifetime;
    this.clock = clock;
    this.scheduler = scheduler;
    this.window = window;
    this.notifiedEpoch = window.current;
  }

  /**
   * Builds the window from {@code token} (which is destroyed: the node keeps no copy of what it
   * read). Epochs of the window before the token's epoch cannot be derived and stay empty.
   *
   * @throws IllegalArgumentException if the token is from the future of {@code clock}, or if
   *     {@code maxSessionLifetime} is not positive or needs more than {@value #MAX_EPOCHS_BEHIND}
   *     past epochs
   */
  public static KeyRatchet fromToken(KeyToken token, Duration maxSessionLifetime, InstantSource clock) {
    return fromToken(token, maxSessionLifetime, clock, DefaultScheduler.INSTANCE);
  }

  /**
   * As {@link #fromToken(KeyToken, Duration, InstantSource)}, scheduling the window's moves and
   * the epoch listeners on {@code scheduler} instead of the library's own thread. The ratchet does
   * not shut the scheduler down. For tests: a scheduler driven by the same fake clock.
   */
  public static KeyRatchet fromToken(KeyToken token, Duration maxSessionLifetime,
      InstantSource clock, ScheduledExecutorService scheduler) {
    Objects.requireNonNull(token, "token");
    try {
      Objects.requireNonNull(maxSessionLifetime, "maxSessionLifetime");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(scheduler, "scheduler");
      long epochSeconds = token.epochSeconds();
      if (maxSessionLifetime.isNegative() || maxSessionLifetime.isZero()) {
        throw new IllegalArgumentException(
            "maxSessionLifetime must be positive (e.g. PT1H), was " + maxSessionLifetime);
      }
      long lifetimeSeconds = maxSessionLifetime.getSeconds() + (maxSessionLifetime.getNano() > 0 ? 1 : 0);
      long behind = Math.max(1, (lifetimeSeconds + epochSeconds - 1) / epochSeconds);
      if (behind > MAX_EPOCHS_BEHIND) {
        throw new IllegalArgumentException(
            "maxSessionLifetime " + maxSessionLifetime + " with epochs of " + epochSeconds
                + " s needs " + behind + " past epochs, at most " + MAX_EPOCHS_BEHIND
                + " are kept: use a longer epoch length (a token made with 'keys init --epoch')");
      }
      long current = KeyToken.currentEpoch(clock, epochSeconds);
      if (token.epoch() > current + 1) {
        throw new IllegalArgumentException(
            "the token is from the future: its epoch " + token.epoch() + " is after the clock's epoch "
                + current + " + 1 (epochs of " + epochSeconds + " s); check this machine's clock or the token");
      }
      int r = (int) behind;
      long low = current - r;
      long high = current + 1;
      long first = Math.max(low, token.epoch());
      EpochKey[] keys = new EpochKey[(int) (high - low + 1)];
      byte[] state = Kdf.ratchet(token.stateBytes(), first - token.epoch());
      for (long e = first; ; e++) {
        keys[(int) (e - low)] = new EpochKey(e, state);
        if (e == high) {
          break;
        }
        state = Kdf.ratchetStep(state);
      }
      KeyRatchet ratchet = new KeyRatchet(epochSeconds, r, maxSessionLifetime, clock, scheduler,
          new Window(current, low, keys));
      ratchet.scheduleTick();
      return ratchet;
    } finally {
      token.destroy();
    }
  }

  /** Returns the epoch length of the chain. */
  public Duration epochLength() {
    return Duration.ofSeconds(epochSeconds);
  }

  /** Returns the maximum session lifetime this window was sized for. */
  public Duration maxSessionLifetime() {
    return maxSessionLifetime;
  }

  /** Returns the current epoch of the clock (the window's, if the clock went backwards). */
  public long currentEpoch() {
    return refresh().current;
  }

  /** Returns the epoch that contains {@code instant}. */
  public long epochOf(Instant instant) {
    return Math.floorDiv(instant.getEpochSecond(), epochSeconds);
  }

  /** Returns the first instant of {@code epoch}. */
  public Instant startOf(long epoch) {
    return Instant.ofEpochSecond(Math.multiplyExact(epoch, epochSeconds));
  }

  /** Returns R, the number of past epochs kept. */
  public int epochsBehind() {
    return epochsBehind;
  }

  /**
   * Moves the window to the clock's current epoch now, zeroizing states that leave it. The ratchet
   * does this by itself at every epoch boundary; call it only to force a move (for example after
   * setting a fake clock in a test). Epoch listeners are notified on the scheduler.
   *
   * @throws IllegalStateException if closed
   */
  public void advance() {
    catchUp(KeyToken.currentEpoch(clock, epochSeconds));
    requestTick();
  }

  /**
   * Calls {@code listener} with the new current epoch every time the window moves, on the
   * ratchet's scheduler, after the states that left the window were erased. Moves that happen
   * together may be reported once, with the latest epoch. Returns a handle that unsubscribes.
   */
  public Subscription addEpochListener(LongConsumer listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Ends an {@link #addEpochListener} subscription. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    /** Unsubscribes; idempotent. */
    @Override
    void close();
  }

  /** The scheduler that moves this window (the cache runs its expiry timers on it too). */
  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /**
   * Returns TLS session ticket keys for the window: the current epoch's first (it encrypts new
   * tickets), then the other epochs in the window, newest first. The caller owns and destroys them.
   * Epochs whose state this node never had (before the token's epoch) are left out.
   *
   * @throws IllegalStateException if closed
   */
  public List<TicketKeyMaterial> ticketKeys() {
    synchronized (lock) {
      Window w = refresh();
      List<TicketKeyMaterial> out = new ArrayList<>(w.keys.length);
      EpochKey current = w.get(w.current);
      if (current != null) {
        out.add(current.ticketKeys());
      }
      for (long e = w.high(); e >= w.low; e--) {
        EpochKey k = w.get(e);
        if (e != w.current && k != null) {
          out.add(k.ticketKeys());
        }
      }
      return out;
    }
  }

  /** Zeroizes every state held. Later calls fail with {@link IllegalStateException}. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      Window w = window;
      if (w == null) {
        return;
      }
      for (EpochKey k : w.keys) {
        if (k != null) {
          k.destroy();
        }
      }
      window = null;
      if (nextTick != null) {
        nextTick.cancel(false);
        nextTick = null;
      }
    }
    listeners.clear();
  }

  @Override
  public String toString() {
    Window w = window;
    return "KeyRatchet[epochLength=" + epochLength() + ", epochsBehind=" + epochsBehind
        + (w == null ? ", closed" : ", window=[" + w.low + ", " + w.high() + "]") + ", redacted]";
  }

  /** The clock the window follows. */
  InstantSource clock() {
    return clock;
  }

  /**
   * Returns the key entries are sealed under now: the current epoch's, or the next one's if this
   * node started from a token of the next epoch; null while a large clock jump is being caught up
   * or after the states were erased.
   *
   * @throws IllegalStateException if closed
   */
  @Nullable EpochKey sealingKey() {
    long now = KeyToken.currentEpoch(clock, epochSeconds);
    Window w = refresh(now);
    if (w.current < now) {
      return null;
    }
    EpochKey k = w.get(w.current);
    return k != null ? k : w.get(w.current + 1);
  }

  /** Returns the key of {@code epoch} if it is in the window and held, else null. */
  @Nullable EpochKey openingKey(long epoch) {
    long clockEpoch = KeyToken.currentEpoch(clock, epochSeconds);
    Window w = refresh(clockEpoch);
    if (epoch > clockEpoch + 1 || epoch < clockEpoch - epochsBehind) {
      return null; // ahead of this node's clock, or out of the clock's window while catching up
    }
    return w.get(epoch);
  }

  /** Returns the number of seals made under the current epoch's key. */
  long sealsInCurrentEpoch() {
    EpochKey k = sealingKey();
    return k == null ? 0 : k.seals.get();
  }

  private Window refresh() {
    return refresh(KeyToken.currentEpoch(clock, epochSeconds));
  }

  /**
   * Returns the window, moved to {@code now} if that takes at most {@link #MAX_INLINE_STEPS}
   * steps; a larger move is handed to the scheduler and the stale window is returned (callers
   * check its epoch).
   */
  private Window refresh(long now) {
    Window w = window;
    if (w == null) {
      throw new IllegalStateException("key ratchet was closed");
    }
    if (now <= w.current) {
      return w;
    }
    if (now - w.current > MAX_INLINE_STEPS) {
      requestTick();
      return w;
    }
    Window moved = catchUp(now);
    requestTick(); // listeners learn of the move on the scheduler
    return moved;
  }

  /** Moves the window to {@code now} on the calling thread, however far. */
  private Window catchUp(long now) {
    synchronized (lock) {
      Window w = window;
      if (w == null) {
        throw new IllegalStateException("key ratchet was closed");
      }
      if (now <= w.current) {
        return w;
      }
      long low = now - epochsBehind;
      long high = now + 1;
      EpochKey[] keys = new EpochKey[(int) (high - low + 1)];
      // Keep what stays in the window.
      for (long e = Math.max(low, w.low); e <= w.high(); e++) {
        keys[(int) (e - low)] = w.get(e);
      }
      EpochKey newest = w.get(w.high());
      if (newest != null && !newest.isDestroyed() && high - w.high() > MAX_CATCH_UP_EPOCHS) {
        log.log(System.Logger.Level.ERROR, "the clock jumped " + (now - w.current)
            + " epochs ahead (more than " + MAX_CATCH_UP_EPOCHS + "): all key states erased;"
            + " sessions no longer resume across nodes. Fix the clock and restart this node from"
            + " a current token ('keys advance')");
        newest = null;
        Arrays.fill(keys, null);
      }
      if (newest != null && !newest.isDestroyed()) {
        // Derive forward from the newest state held (old high = old current + 1).
        byte[] state = newest.stateCopy();
        long e = w.high();
        while (e < high) {
          byte[] next = Kdf.ratchetStep(state);
          Arrays.fill(state, (byte) 0);
          state = next;
          e++;
          if (e >= low) {
            keys[(int) (e - low)] = new EpochKey(e, state.clone());
          }
        }
        Arrays.fill(state, (byte) 0);
      }
      Window next = new Window(now, low, keys);
      window = next;
      // Erase what left the window: this crypto-shreds its entries.
      for (long old = w.low; old <= w.high(); old++) {
        EpochKey k = w.get(old);
        if (k != null && (old < low || next.get(old) != k)) {
          k.destroy();
        }
      }
      return next;
    }
  }

  /** Runs a tick on the scheduler soon (catch-up and listeners), unless one is already due now. */
  private void requestTick() {
    if (tickRequested) {
      return;
    }
    synchronized (lock) {
      if (window == null || tickRequested) {
        return;
      }
      tickRequested = true;
      scheduleLocked(0);
    }
  }

  /**
   * Schedules the next tick for the next epoch boundary of the clock, unless a tick was requested
   * meanwhile (it runs now and schedules the boundary itself).
   */
  private void scheduleTick() {
    synchronized (lock) {
      Window w = window;
      if (w == null || tickRequested) {
        return;
      }
      long nowEpoch = KeyToken.currentEpoch(clock, epochSeconds);
      Instant boundary = startOf(Math.max(nowEpoch, w.current) + 1).plus(TICK_MARGIN);
      scheduleLocked(Math.max(Duration.between(clock.instant(), boundary).toNanos(),
          TICK_MARGIN.toNanos()));
    }
  }

  /** Replaces the pending tick by one in {@code delayNanos}: one chain of ticks, never two. */
  private void scheduleLocked(long delayNanos) {
    if (nextTick != null) {
      nextTick.cancel(false);
    }
    try {
      nextTick = scheduler.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      nextTick = null;
      tickRequested = false;
      log.log(System.Logger.Level.WARNING,
          "key ratchet scheduler is shut down: the window now moves only when keys are used");
    }
  }

  /** On the scheduler: moves the window to the clock, tells the listeners, schedules the next. */
  private void tick() {
    tickRequested = false;
    long current;
    try {
      if (window == null) {
        return;
      }
      current = catchUp(KeyToken.currentEpoch(clock, epochSeconds)).current;
    } catch (IllegalStateException closed) {
      return;
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.WARNING, "key ratchet tick failed: " + e);
      scheduleTick();
      return;
    }
    if (current != notifiedEpoch) {
      notifiedEpoch = current;
      for (LongConsumer l : listeners) {
        try {
          l.accept(current);
        } catch (RuntimeException e) {
          log.log(System.Logger.Level.WARNING, "epoch listener failed: " + e);
        }
      }
    }
    scheduleTick();
  }

  /** The library's scheduler: one daemon thread for every ratchet of the JVM. */
  private static final class DefaultScheduler {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "shredcache-key-ratchet");
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }

  /** An immutable snapshot of the window; index = epoch - low. */
  private static final class Window {
    final long current;
    final long low;
    final EpochKey[] keys;

    Window(long current, long low, EpochKey[] keys) {
      this.current = current;
      this.low = low;
      this.keys = keys;
    }

    long high() {
      return low + keys.length - 1;
    }

    @Nullable EpochKey get(long epoch) {
      if (epoch < low || epoch > high()) {
        return null;
      }
      return keys[(int) (epoch - low)];
    }
  }

  /** The state of one epoch and the keys derived from it. Thread-safe. */
  static final class EpochKey {
    final long epoch;
    final AtomicLong seals = new AtomicLong();
    private final byte[] state;
    private volatile @Nullable SealingKey sealingKey; // derived on first use
    private volatile boolean destroyed;

    /** Takes ownership of {@code state}. */
    EpochKey(long epoch, byte[] state) {
      this.epoch = epoch;
      this.state = state;
    }

    /**
     * Returns the AES-256 sealing key of this epoch, derived on first use.
     *
     * @throws IllegalStateException if the epoch left the window meanwhile
     */
    SealingKey sealingKey() {
      SealingKey k = sealingKey;
      if (k == null) {
        synchronized (this) {
          checkLive();
          k = sealingKey;
          if (k == null) {
            k = SealingKey.adopt(Kdf.expand(state, Kdf.SEAL_LABEL, SealingKey.SIZE_BYTES));
            sealingKey = k;
          }
        }
      }
      if (destroyed) {
        throw new IllegalStateException("epoch key was erased");
      }
      return k;
    }

    /** The JCA view of {@link #sealingKey()} (tests and tools). */
    SecretKey sealKey() {
      return sealingKey().secretKey();
    }

    /** Counts one seal; false if this key has made its maximum number of seals. */
    boolean tryCountSeal() {
      return seals.incrementAndGet() <= SealedEntry.MAX_SEALS_PER_KEY;
    }

    synchronized TicketKeyMaterial ticketKeys() {
      checkLive();
      return new TicketKeyMaterial(
          epoch,
          Kdf.expand(state, Kdf.TICKET_NAME_LABEL, TicketKeyMaterial.PART_SIZE_BYTES),
          Kdf.expand(state, Kdf.TICKET_HMAC_LABEL, TicketKeyMaterial.PART_SIZE_BYTES),
          Kdf.expand(state, Kdf.TICKET_AES_LABEL, TicketKeyMaterial.PART_SIZE_BYTES));
    }

    synchronized byte[] stateCopy() {
      checkLive();
      return state.clone();
    }

    synchronized void destroy() {
      Arrays.fill(state, (byte) 0);
      destroyed = true;
      SealingKey k = sealingKey;
      if (k != null) {
        k.destroy();
      }
    }

    boolean isDestroyed() {
      return destroyed;
    }

    /** The live state (tests prove zeroization with it). */
    byte[] internalStateForTesting() {
      return state;
    }

    private void checkLive() {
      if (destroyed) {
        throw new IllegalStateException("epoch key was erased");
      }
    }

    @Override
    public String toString() {
      return "EpochKey[epoch=" + epoch + ", redacted]";
    }
  }
}
