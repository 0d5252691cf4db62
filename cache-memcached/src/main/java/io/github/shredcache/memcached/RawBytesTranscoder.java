package io.github.shredcache.memcached;

import net.spy.memcached.CachedData;
import net.spy.memcached.transcoders.Transcoder;

/**
 * Stores values as the raw bytes given, under fixed flags: nothing is serialized, compressed or
 * interpreted. Decoding returns whatever bytes the server holds under the key, whatever its flags
 * (a value planted by someone else is returned as is, so that the layer that opens entries can
 * reject and count it).
 */
final class RawBytesTranscoder implements Transcoder<byte[]> {
  /** The memcached flags written with every value: ASCII "SC" (shredcache), entry format 1. */
  static final int FLAGS = 0x5343_0001;

  static final RawBytesTranscoder INSTANCE = new RawBytesTranscoder();

  private RawBytesTranscoder() {}

  @Override
  public boolean asyncDecode(CachedData d) {
    return false; // decoding is an identity: never hand it to spymemcached's transcoder threads
  }

  @Override
  public CachedData encode(byte[] value) {
    return new CachedData(FLAGS, value, getMaxSize());
  }

  @Override
  public byte[] decode(CachedData d) {
    return d.getData();
  }

  /**
   * Larger than any item memcached serves: spymemcached checks every received value against this
   * on its I/O thread, and an oversized planted value must reach the caller (as bytes to reject),
   * not throw there.
   */
  @Override
  public int getMaxSize() {
    return Integer.MAX_VALUE;
  }
}
