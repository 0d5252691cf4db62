package io.github.shredcache.demo.archfixture.cluster;

/** Boundary-rule fixture: stands for a class of the cluster part. */
public class ClusterPart {}
