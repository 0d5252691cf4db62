package io.github.shredcache.demo.archfixture.cluster;

/** Boundary-rule fixture: the cluster runner using the node and the client (allowed). */
class ClusterUsesNodeAndClient {
  Object node = new io.github.shredcache.demo.archfixture.node.NodePart();
  Object client = new io.github.shredcache.demo.archfixture.client.ClientPart();
  Object cli = new io.github.shredcache.demo.archfixture.cli.CliPart();
}
