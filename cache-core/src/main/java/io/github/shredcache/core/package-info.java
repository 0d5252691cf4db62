package io.github.shredcache.core;
