package io.github.shredcache.netty;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * A server key manager that hands out the certificate chain of an RSA key and no private key: with
 * it, Netty's OpenSSL provider gives BoringSSL the chain only, and BoringSSL signs through the
 * context's {@link NativeKeyMethod} (a private key set per connection would take precedence over
 * the method). The private key then never reaches native memory we cannot clear. Returns the same
 * chain array each time, so Netty's key-material cache keeps the parsed chain. Thread-safe.
 */
final class ChainOnlyKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "shredcache-server";
  private final X509Certificate[] chain;

  ChainOnlyKeyManager(X509Certificate[] chain) {
    this.chain = chain.clone();
  }

  private static boolean rsa(@Nullable String keyType) {
    return "RSA".equals(keyType);
  }

  @Override
  public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
    return rsa(keyType) ? new String[] {ALIAS} : null;
  }

  @Override
  public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers,
      @Nullable Socket socket) {
    return rsa(keyType) ? ALIAS : null;
  }

  @Override
  public @Nullable String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers,
      @Nullable SSLEngine engine) {
    return rsa(keyType) ? ALIAS : null;
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain : null; // the same instance: Netty caches by identity
  }

  /** None: BoringSSL signs through the private key method. */
  @Override
  public @Nullable PrivateKey getPrivateKey(String alias) {
    return null;
  }

  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
    return null;
  }

  @Override
  public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers,
      @Nullable Socket socket) {
    return null;
  }
}
