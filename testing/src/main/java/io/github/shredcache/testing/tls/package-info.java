/**
 * TLS peers for tests: {@link io.github.shredcache.testing.tls.TestPki} makes certificates in
 * memory ({@link io.github.shredcache.testing.tls.TestCertificate}: key, certificate and PEM files
 * on demand); {@link io.github.shredcache.testing.tls.OpenSslClient} runs the real {@code openssl
 * s_client}, whose session files carry a session from one node to another, and {@link
 * io.github.shredcache.testing.tls.OpenSslSessionFiles} forges them; {@link
 * io.github.shredcache.testing.tls.JdkTlsClient} is the JDK's client.
 */
package io.github.shredcache.testing.tls;
