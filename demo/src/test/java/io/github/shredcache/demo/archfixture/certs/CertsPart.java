package io.github.shredcache.demo.archfixture.certs;

/** Boundary-rule fixture: stands for a class of the certs part. */
public class CertsPart {}
