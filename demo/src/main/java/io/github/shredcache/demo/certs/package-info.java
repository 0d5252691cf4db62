/** {@code certs}: the nodes' TLS identity: self-signed certificates for demos, PEM files. */
package io.github.shredcache.demo.certs;
