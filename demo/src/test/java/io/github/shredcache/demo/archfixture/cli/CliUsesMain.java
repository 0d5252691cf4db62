package io.github.shredcache.demo.archfixture.cli;

/** Boundary-rule fixture: the shared command-line code reaching into the main class (forbidden). */
class CliUsesMain {
  Object main = new io.github.shredcache.demo.archfixture.MainPart();
}
