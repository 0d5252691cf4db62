package io.github.shredcache.demo.archfixture.node;

/** Boundary-rule fixture: stands for a class of the node part. */
public class NodePart {}
