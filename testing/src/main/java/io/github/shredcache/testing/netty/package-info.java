/**
 * {@link io.github.shredcache.testing.netty.TlsTestServer}: a Netty TLS server over any {@code
 * SslContext} that records each handshake as the server saw it. Needs {@code netty-handler} on
 * the class path (an optional dependency of this artifact).
 */
package io.github.shredcache.testing.netty;
