package io.github.shredcache.demo.archfixture.cli;

/** Boundary-rule fixture: stands for a class of the cli part. */
public class CliPart {}
