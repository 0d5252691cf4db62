/**
 * A real memcached for tests: {@link io.github.shredcache.testing.memcached.MemcachedProcess}
 * starts the {@code memcached} binary on 127.0.0.1 and a free port and makes it fail on demand;
 * {@link io.github.shredcache.testing.memcached.RawMemcachedClient} reads and plants raw values
 * around the store under test; {@link io.github.shredcache.testing.memcached.HostileMemcachedProxy}
 * plays an attacker on the link. None of them uses the shredcache memcached client.
 */
package io.github.shredcache.testing.memcached;
