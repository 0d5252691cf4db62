/**
 * Netty server TLS whose sessions resume on every node of a cluster. Two modes; each node uses
 * one.
 *
 * <h2>Session-ID mode (Bouncy Castle TLS, sessions in the shared store)</h2>
 *
 * <ul>
 *   <li>{@link io.github.shredcache.netty.ShredcacheSslContextBuilder}: builds the context from a
 *       key and certificate chain and a {@link io.github.shredcache.core.SessionCache}. Every
 *       setting can be set once; {@code build()} validates them and fails with a message that says
 *       the fix. Not thread-safe.
 *   <li>{@link io.github.shredcache.netty.ShredcacheSslContext}: a server {@code SslContext},
 *       immutable and thread-safe, handed to the framework through its own TLS API. A TLS 1.2
 *       session made on any node of the cluster resumes on this one: the first ClientHello of a
 *       connection is held back while its session is fetched asynchronously, both in the
 *       {@code SslHandler} every {@code newHandler(..)} returns and in engines from {@code
 *       newEngine(..)} that a framework wraps in its own {@code SslHandler}. The cache never fails
 *       a connection (a miss, timeout or store error is a full handshake) and nothing blocks an
 *       event loop. TLS 1.3 is offered and always a full handshake.
 *   <li>{@link io.github.shredcache.netty.Resumption}: how a completed handshake went (full,
 *       resumed from this node's cache, resumed from the shared store), from {@code
 *       ShredcacheSslContext.resumption(engine or session)}.
 * </ul>
 *
 * <h2>Ticket mode (Netty's OpenSSL provider, nothing in a store)</h2>
 *
 * <ul>
 *   <li>{@link io.github.shredcache.netty.TicketKeyRotator}: keeps an OpenSSL server context's
 *       session ticket keys equal to the ratchet's window, rotating whenever the ratchet's window
 *       moves, so that TLS 1.2 and TLS 1.3 tickets resume on every node and die everywhere when
 *       their epoch leaves the window. Serve with its {@code sslContext()}: its handlers bound
 *       every ticket by the session lifetime and send TLS 1.3 tickets right after the handshake.
 *       Thread-safe.
 *   <li>{@link io.github.shredcache.netty.TicketSslContexts}: OpenSSL server builders preset with
 *       the suite policy of the bc engine.
 * </ul>
 *
 * <h2>Boundaries</h2>
 *
 * <p>The public API uses Netty's public types only ({@code SslContext}, {@code SslHandler}, {@code
 * ByteBufAllocator}, {@code ClientAuth}) and the JDK's ({@code SSLEngine}, {@code SSLSession}).
 * Bouncy Castle, netty-tcnative and Netty-internal hooks stay inside this package: engines from
 * {@code ShredcacheSslContext.newEngine(..)} use Netty's package-private asynchronous-task hook to
 * hold the ClientHello, and fall back to a local-cache-only handshake (with one warning) if a Netty
 * version lacks it; its {@code newHandler(..)} needs nothing beyond Netty's public API. Ticket
 * mode's handlers call netty-tcnative on their own OpenSSL engine to bound the TLS 1.3 session
 * lifetime and send its tickets. Secrets are never logged or put
 * into {@code toString()} or exception messages.
 */
package io.github.shredcache.netty;
