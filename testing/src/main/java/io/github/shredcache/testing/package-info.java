/**
 * Test fixtures for shredcache and for servers that use it (the {@code shredcache-testing}
 * artifact; add it in test scope). Every fixture uses real parts where a test needs them: a real
 * {@code memcached} binary, real certificates, the real {@code openssl} client.
 *
 * <ul>
 *   <li>{@link io.github.shredcache.testing.FakeClock} and {@link
 *       io.github.shredcache.testing.FakeScheduler}: time that moves only when a test says so, and
 *       a scheduler that runs a {@code KeyRatchet}'s epoch ticks on that time.
 *   <li>{@link io.github.shredcache.testing.TestKeys}: fixed key chains (public secrets, tests
 *       only), session IDs and states, and caches built on them.
 *   <li>{@link io.github.shredcache.testing.HostileStoreContract}: a JUnit 5 contract any {@code
 *       SessionStore} must pass: forged, replayed and corrupted entries planted by an attacker with
 *       write access to the store are misses, each counted under its cause.
 *   <li>{@code io.github.shredcache.testing.memcached}: a real memcached process on a free
 *       loopback port (kill, pause, restart, SASL), a raw text-protocol client and a hostile
 *       proxy.
 *   <li>{@code io.github.shredcache.testing.tls}: certificates made in memory, and the {@code
 *       openssl s_client} as a client whose sessions go from one node to another.
 *   <li>{@code io.github.shredcache.testing.net}: a round-robin TCP balancer and free ports.
 *   <li>{@code io.github.shredcache.testing.netty}: a Netty TLS server that records handshakes
 *       (needs Netty on the class path).
 * </ul>
 *
 * <p>Waiting in tests: poll a condition with a deadline, e.g. with Awaitility (a dependency of this
 * artifact): {@code await().atMost(Duration.ofSeconds(10)).until(() -> raw.keys().size() == 1)}.
 *
 * <p>Maven: {@code io.github.shredcache:shredcache-testing}, test scope. Not API of the library:
 * its classes may change in any release.
 */
package io.github.shredcache.testing;
