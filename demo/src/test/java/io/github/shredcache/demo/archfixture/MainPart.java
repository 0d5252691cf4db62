package io.github.shredcache.demo.archfixture;

/** Boundary-rule fixture: stands for the demo's main class. */
public class MainPart {}
