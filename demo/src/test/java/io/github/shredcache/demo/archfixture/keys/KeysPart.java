package io.github.shredcache.demo.archfixture.keys;

/** Boundary-rule fixture: stands for a class of the keys part. */
public class KeysPart {}
