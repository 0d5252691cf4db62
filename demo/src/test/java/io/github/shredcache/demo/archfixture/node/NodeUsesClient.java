package io.github.shredcache.demo.archfixture.node;

/** Boundary-rule fixture: the node reaching into the load client (forbidden). */
class NodeUsesClient {
  Object client = new io.github.shredcache.demo.archfixture.client.ClientPart();
}
