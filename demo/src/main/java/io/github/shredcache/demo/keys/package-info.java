/** {@code keys}: makes, advances and describes key tokens, the seed of the epoch key ratchet. */
package io.github.shredcache.demo.keys;
