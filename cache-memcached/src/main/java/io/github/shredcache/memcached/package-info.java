package io.github.shredcache.memcached;
