package io.github.shredcache.demo.archfixture.certs;

/** Boundary-rule fixture: the certificate tool reaching into the key tool (forbidden). */
class CertsUseKeys {
  Object keys = new io.github.shredcache.demo.archfixture.keys.KeysPart();
}
