package io.github.shredcache.memcached;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.security.auth.callback.CallbackHandler;
import net.spy.memcached.ops.DeleteOperation;
import net.spy.memcached.ops.GetOperation;
import net.spy.memcached.ops.NoopOperation;
import net.spy.memcached.ops.Operation;
import net.spy.memcached.ops.OperationCallback;
import net.spy.memcached.ops.SASLAuthOperation;
import net.spy.memcached.ops.SASLMechsOperation;
import net.spy.memcached.ops.SASLStepOperation;
import net.spy.memcached.ops.StoreOperation;
import net.spy.memcached.ops.StoreType;
import net.spy.memcached.ops.VersionOperation;
import net.spy.memcached.protocol.binary.BinaryOperationFactory;

/**
 * Refuses memcached replies larger than any reply this store can legitimately get, before
 * spymemcached allocates a buffer for them.
 *
 * <p>spymemcached's binary protocol reader allocates the reply body as soon as it has read the
 * 24-byte header, from the header's length field: a hostile server (or anyone on the link) that
 * announces a 2 GiB body makes it throw {@code OutOfMemoryError} on its only I/O thread, which
 * dies and takes the store with it; a 150 MB announcement is allocated and held. This factory wraps
 * every operation the store issues (get, set, delete, SASL, noop, version) so that its {@code
 * readFromBuffer} first looks at the header: a body longer than {@link #MAX_BODY_BYTES} (read as
 * unsigned) raises an {@link IOException} before anything is allocated.
 *
 * <p>Why memcached's item size limit (1 MiB) and not the largest entry a session cache writes
 * (16 KiB): a value between the two can be genuine memcached content, planted by whoever can
 * write to memcached; reading it costs one transient buffer of at most 1 MiB, and the session
 * cache then refuses it as oversized (a miss and a counter). Dropping the connection for it
 * instead would let any writer force a reconnect, and with it a burst of misses for every session
 * on that server, at every lookup of the planted key. Beyond 1 MiB no reply can be genuine. spymemcached treats that
 * as a broken connection: it drops it, cancels the operations in flight on it (their futures fail:
 * a miss for the session cache) and reconnects. The client keeps working.
 *
 * <p>Batched gets are turned off with it ({@code setShouldOptimize(false)}), since spymemcached
 * replaces queued gets by an unwrapped multi-get of its own.
 */
final class BoundedReplies extends BinaryOperationFactory {
  /** Header size of a binary-protocol reply. */
  static final int HEADER_BYTES = 24;
  /** memcached's default (and usual) item size limit, {@code -I 1m}. */
  static final int MEMCACHED_ITEM_LIMIT_BYTES = 1024 * 1024;
  /**
   * The longest reply body accepted: extras (4), key (at most 250) and the largest value memcached
   * holds by default, with room to spare for an error message.
   */
  static final int MAX_BODY_BYTES = MEMCACHED_ITEM_LIMIT_BYTES + 4 + 250 + 1024;

  private static final Map<Class<?>, Class<?>[]> INTERFACES = new ConcurrentHashMap<>();
  private static final Method READ_FROM_BUFFER;

  static {
    try {
      READ_FROM_BUFFER = Operation.class.getMethod("readFromBuffer", ByteBuffer.class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LongAdder refused = new LongAdder();

  /** Replies refused so far (each one cost a reconnect). */
  long refused() {
    return refused.sum();
  }

  @Override
  public GetOperation get(String key, GetOperation.Callback cb) {
    return bound(super.get(key, cb));
  }

  @Override
  public StoreOperation store(StoreType storeType, String key, int flags, int exp, byte[] data,
      StoreOperation.Callback cb) {
    return bound(super.store(storeType, key, flags, exp, data, cb));
  }

  @Override
  public DeleteOperation delete(String key, DeleteOperation.Callback cb) {
    return bound(super.delete(key, cb));
  }

  @Override
  public DeleteOperation delete(String key, long cas, DeleteOperation.Callback cb) {
    return bound(super.delete(key, cas, cb));
  }

  @Override
  public NoopOperation noop(OperationCallback cb) {
    return bound(super.noop(cb));
  }

  @Override
  public VersionOperation version(OperationCallback cb) {
    return bound(super.version(cb));
  }

  @Override
  public SASLMechsOperation saslMechs(OperationCallback cb) {
    return bound(super.saslMechs(cb));
  }

  @Override
  public SASLAuthOperation saslAuth(String[] mech, String serverName, Map<String, ?> props,
      CallbackHandler cbh, OperationCallback cb) {
    return bound(super.saslAuth(mech, serverName, props, cbh, cb));
  }

  @Override
  public SASLStepOperation saslStep(String[] mech, byte[] challenge, String serverName,
      Map<String, ?> props, CallbackHandler cbh, OperationCallback cb) {
    return bound(super.saslStep(mech, challenge, serverName, props, cbh, cb));
  }

  /** Returns {@code op} behind a proxy with the same interfaces that checks reply headers. */
  @SuppressWarnings("unchecked")
  private <T extends Operation> T bound(T op) {
    Class<?>[] interfaces = INTERFACES.computeIfAbsent(op.getClass(), BoundedReplies::interfacesOf);
    return (T) Proxy.newProxyInstance(BoundedReplies.class.getClassLoader(), interfaces,
        new Guard(op, refused));
  }

  private static Class<?>[] interfacesOf(Class<?> type) {
    Set<Class<?>> all = new LinkedHashSet<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        all.add(i);
      }
    }
    return all.toArray(new Class<?>[0]);
  }

  /** Forwards every call to the operation; looks at the reply header before it is read. */
  private static final class Guard implements InvocationHandler {
    private final Operation op;
    private final LongAdder refused;
    private final byte[] header = new byte[HEADER_BYTES];
    private int headerSeen;

    Guard(Operation op, LongAdder refused) {
      this.op = op;
      this.refused = refused;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.equals(READ_FROM_BUFFER)) {
        check((ByteBuffer) args[0]);
      } else if (method.getDeclaringClass() == Object.class) {
        switch (method.getName()) {
          case "equals":
            return proxy == args[0];
          case "hashCode":
            return System.identityHashCode(proxy);
          case "toString":
            return op.toString();
          default:
            break;
        }
      }
      try {
        return method.invoke(op, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    /** Copies header bytes as they pass (without consuming them); refuses a too long body. */
    private void check(ByteBuffer b) throws IOException {
      if (headerSeen >= HEADER_BYTES) {
        return;
      }
      int n = Math.min(HEADER_BYTES - headerSeen, b.remaining());
      for (int i = 0; i < n; i++) {
        header[headerSeen + i] = b.get(b.position() + i);
      }
      headerSeen += n;
      if (headerSeen == HEADER_BYTES) {
        long body = ByteBuffer.wrap(header, 8, 4).getInt() & 0xFFFF_FFFFL;
        if (body > MAX_BODY_BYTES) {
          refused.increment();
          throw new IOException("memcached reply announces a " + body + "-byte body, more than the "
              + MAX_BODY_BYTES + " bytes any valid reply has: dropping the connection");
        }
      }
    }
  }
}
