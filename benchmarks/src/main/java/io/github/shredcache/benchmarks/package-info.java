package io.github.shredcache.benchmarks;
