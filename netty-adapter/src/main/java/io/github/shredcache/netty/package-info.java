package io.github.shredcache.netty;
