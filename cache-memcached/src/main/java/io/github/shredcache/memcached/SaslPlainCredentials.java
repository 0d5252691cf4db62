package io.github.shredcache.memcached;

import java.util.Arrays;
import javax.security.auth.Destroyable;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;

/**
 * A SASL PLAIN user name and password, handed to the JDK SASL client through callbacks (the
 * password never becomes a {@code String}). Owns its copy of the password; {@link #destroy()}
 * zeroizes it. spymemcached asks again on every reconnect, so the store keeps this until it is
 * closed. {@link #toString()} shows the user only.
 */
final class SaslPlainCredentials implements CallbackHandler, Destroyable {
  private final String user;
  private final char[] password;
  private volatile boolean destroyed;

  SaslPlainCredentials(String user, char[] password) {
    this.user = user;
    this.password = password.clone();
  }

  String user() {
    return user;
  }

  /** Returns {@code \0user\0password} in UTF-8 for a raw PLAIN exchange; the caller zeroes it. */
  byte[] plainInitialResponse() {
    if (destroyed) {
      throw new IllegalStateException("memcached credentials were destroyed (store closed)");
    }
    return StartupCheck.plainInitialResponse(user, password);
  }

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof NameCallback) {
        ((NameCallback) callback).setName(user);
      } else if (callback instanceof PasswordCallback) {
        if (destroyed) {
          throw new IllegalStateException("memcached credentials were destroyed (store closed)");
        }
        ((PasswordCallback) callback).setPassword(password); // PasswordCallback copies it
      } else {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  @Override
  public void destroy() {
    Arrays.fill(password, '\0');
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "SaslPlainCredentials[user=" + user + ", password redacted]";
  }
}
