/**
 * Loopback networking for tests: {@link io.github.shredcache.testing.net.Balancer}, a round-robin
 * TCP balancer that sends a client's next connection to another node, and {@link
 * io.github.shredcache.testing.net.FreePort}.
 */
package io.github.shredcache.testing.net;
