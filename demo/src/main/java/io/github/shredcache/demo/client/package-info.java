/**
 * {@code client}: the load client. Makes real TLS connections to nodes or a balancer and reports
 * full, locally resumed and cross-node resumed handshakes per node, as a table and as JSON.
 */
package io.github.shredcache.demo.client;
