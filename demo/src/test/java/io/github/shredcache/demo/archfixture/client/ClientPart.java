package io.github.shredcache.demo.archfixture.client;

/** Boundary-rule fixture: stands for a class of the client part. */
public class ClientPart {}
