/**
 * What every command shares: usage errors and exit codes, durations, and files holding secrets.
 * Knows none of the parts.
 */
package io.github.shredcache.demo.cli;
