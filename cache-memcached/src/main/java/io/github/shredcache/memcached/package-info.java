/**
 * The shared {@link io.github.shredcache.core.SessionStore} on memcached: {@link
 * io.github.shredcache.memcached.MemcachedSessionStore}, built by {@link
 * io.github.shredcache.memcached.MemcachedSessionStoreBuilder}.
 *
 * <p>Tests can start real memcached servers with {@code
 * io.github.shredcache.testing.memcached.MemcachedProcess} of the shredcache-testing artifact
 * (kill, pause, restart, SASL) and read or plant raw values with {@code RawMemcachedClient}.
 */
package io.github.shredcache.memcached;
