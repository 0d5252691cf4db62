/**
 * The demo's executable jar: {@link io.github.shredcache.demo.Main} and one package per part
 * ({@code node}, {@code client}, {@code cluster}, {@code keys}, {@code certs}) plus what their
 * commands share ({@code cli}).
 */
package io.github.shredcache.demo;
