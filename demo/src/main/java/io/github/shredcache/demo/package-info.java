package io.github.shredcache.demo;
