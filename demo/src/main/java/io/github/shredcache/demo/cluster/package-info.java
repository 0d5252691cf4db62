/**
 * {@code cluster}: the whole demo on one machine: memcached, nodes, a round-robin balancer and the
 * load client, started and stopped together.
 */
package io.github.shredcache.demo.cluster;
