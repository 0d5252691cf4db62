/**
 * Engine-agnostic core of shredcache: a cluster-wide TLS server session cache whose shared store
 * only ever holds entries sealed under a forward-secure epoch key ratchet.
 *
 * <ul>
 *   <li>{@link io.github.shredcache.core.KeyToken}: the provisioning token {@code
 *       sc1:<epochSeconds>:<epoch>:<base64url(state)>}.
 *   <li>{@link io.github.shredcache.core.KeyRatchet}: the window of epoch states {@code [e - R, e +
 *       1]}; states that leave it are zeroized, which crypto-shreds their entries everywhere.
 *   <li>{@link io.github.shredcache.core.SessionCache}: front cache (plaintext, zeroized on
 *       removal) over a {@link io.github.shredcache.core.SessionStore} of sealed entries; every
 *       failure is a miss plus a counter in {@link io.github.shredcache.core.CacheStats}.
 *   <li>{@link io.github.shredcache.core.InMemorySessionStore}: the embedded store, shareable by
 *       several caches of one JVM.
 * </ul>
 *
 * <h2>Erasure: what is and is not promised</h2>
 *
 * <p>The library zeroizes the arrays it owns (ratchet states, tokens, plaintext session states,
 * ticket key copies) as soon as they are no longer needed. It cannot zeroize copies made by the
 * JVM or by JCA / Bouncy Castle internals: {@code SecretKeySpec} copies (not destroyable on Java
 * 17), AES key schedules inside {@code Cipher} objects, HMAC pads inside Bouncy Castle's HKDF,
 * strings a caller made of an encoded token, and objects the garbage collector moved. Those copies
 * are dropped, not wiped.
 */
package io.github.shredcache.core;
