/**
 * Implementation details of cache-core: the sealed-entry byte format and the key derivations.
 * Public only so that the core package can use them; not API, free to change between versions
 * (the formats they implement are versioned: {@code sc1} tokens, entry version 1, {@code
 * shredcache/v1} labels).
 */
package io.github.shredcache.core.internal;
