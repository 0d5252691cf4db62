package io.github.shredcache.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Counts the benchmark thread's CPU time and operations per iteration, next to JMH's wall-clock
 * score. On a shared or busy machine wall-clock time per operation
 * mostly measures how often the thread was scheduled; CPU time per operation ({@code cpuNanos /
 * ops}) does not. {@code summarize.py} turns the two counters into ns of CPU per operation.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time of the benchmark thread in this iteration, in nanoseconds. */
  public long cpuNanos;
  /** Benchmark operations in this iteration. */
  public long ops;

  private long start;

  @Setup(Level.Iteration)
  public void start() {
    cpuNanos = 0;
    ops = 0;
    start = THREADS.getCurrentThreadCpuTime();
  }

  @TearDown(Level.Iteration)
  public void stop() {
    cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
  }
}
