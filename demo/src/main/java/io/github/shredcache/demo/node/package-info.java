/**
 * {@code node}: the demo TLS server. Its engines ({@code bc}, {@code openssl}, {@code jdk}), the
 * per-connection pipeline and page, the shared store, metrics and housekeeping.
 */
package io.github.shredcache.demo.node;
