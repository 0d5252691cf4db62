package io.github.shredcache.demo.archfixture.client;

/** Boundary-rule fixture: the load client reaching into the node (forbidden). */
class ClientUsesNode {
  Object node = new io.github.shredcache.demo.archfixture.node.NodePart();
}
