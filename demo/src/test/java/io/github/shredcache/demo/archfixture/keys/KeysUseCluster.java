package io.github.shredcache.demo.archfixture.keys;

/** Boundary-rule fixture: the key tool reaching into the cluster runner (forbidden). */
class KeysUseCluster {
  Object cluster = new io.github.shredcache.demo.archfixture.cluster.ClusterPart();
}
