/**
 * The shared {@link io.github.shredcache.core.SessionStore} on memcached: {@link
 * io.github.shredcache.memcached.MemcachedSessionStore}, built by {@link
 * io.github.shredcache.memcached.MemcachedSessionStoreBuilder}.
 *
 * <p>Tests of other modules can start real memcached servers with the test-jar's {@code
 * io.github.shredcache.memcached.testing.MemcachedProcess} (kill, pause, restart, SASL) and read or
 * plant raw values with {@code RawMemcachedClient}.
 */
package io.github.shredcache.memcached;
