package dev.oidcsession.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A single-threaded, virtual-time {@link ScheduledExecutorService} for tests, in one of the
 * hostile modes of STYLE.md habit 16. Delayed tasks wait until {@link #advance} moves virtual time
 * past their delay (and moves the {@link ManualClock} along, so wall time and scheduler time
 * agree). Every requested delay is recorded.
 */
public final class TestScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {

  /** What {@code execute} does. */
  public enum Mode {
    /** Queues immediate tasks until {@link #runDue()}. */
    QUEUED,
    /** Runs immediate tasks inline, on the caller's thread. */
    DIRECT,
    /** Accepts every task and never runs it. */
    DISCARDING,
    /** Throws {@link RejectedExecutionException} for every task. */
    REJECTING
  }

  private final Mode mode;
  private final ManualClock clock;
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final List<Duration> delays = Collections.synchronizedList(new ArrayList<>());
  private long nowNanos;
  private long sequence;

  public TestScheduler(Mode mode, ManualClock clock) {
    this.mode = mode;
    this.clock = clock;
  }

  /** The delays of every {@code schedule} call, in order. */
  public List<Duration> delays() {
    synchronized (delays) {
      return List.copyOf(delays);
    }
  }

  /** How many tasks wait (due or not). */
  public synchronized int pending() {
    return queue.size();
  }

  /** Runs every task that is due now, including tasks they queue for now. */
  public void runDue() {
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueNanos > nowNanos) {
          return;
        }
        queue.poll();
      }
      next.run();
    }
  }

  /** Moves virtual time (and the clock) to the next delayed task and runs what is due. */
  public boolean advanceToNext() {
    Task next;
    synchronized (this) {
      next = queue.peek();
    }
    if (next == null) {
      return false;
    }
    advance(Duration.ofNanos(Math.max(0, next.dueNanos - nowNanos)));
    return true;
  }

  /** Moves virtual time and the clock forward, running tasks as they fall due. */
  public void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = nowNanos + duration.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueNanos > target) {
          break;
        }
      }
      long step;
      synchronized (this) {
        step = next.dueNanos - nowNanos;
        nowNanos = next.dueNanos;
      }
      clock.advance(Duration.ofNanos(Math.max(0, step)));
      runDue();
    }
    long rest;
    synchronized (this) {
      rest = target - nowNanos;
      nowNanos = target;
    }
    clock.advance(Duration.ofNanos(rest));
    runDue();
  }

  @Override
  public void execute(Runnable command) {
    switch (mode) {
      case DIRECT -> command.run();
      case QUEUED -> enqueue(command, 0);
      case DISCARDING -> {}
      case REJECTING -> throw new RejectedExecutionException("rejecting test scheduler");
    }
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    delays.add(Duration.ofNanos(unit.toNanos(delay)));
    switch (mode) {
      case DISCARDING:
        return new Task(command, Long.MAX_VALUE, -1);
      case REJECTING:
        throw new RejectedExecutionException("rejecting test scheduler");
      default:
        return enqueue(command, unit.toNanos(delay));
    }
  }

  private synchronized Task enqueue(Runnable command, long delayNanos) {
    Task task = new Task(command, nowNanos + delayNanos, sequence++);
    queue.add(task);
    return task;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void shutdown() {}

  @Override
  public List<Runnable> shutdownNow() {
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  private final class Task extends FutureTask<Void> implements ScheduledFuture<Void> {
    private final long dueNanos;
    private final long order;

    Task(Runnable runnable, long dueNanos, long order) {
      super(runnable, null);
      this.dueNanos = dueNanos;
      this.order = order;
    }

    @Override
    public void run() {
      super.run();
      try {
        get(); // surface a task's exception in the test
      } catch (Exception e) {
        throw new AssertionError("scheduled task failed", e);
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task other = (Task) o;
      int byTime = Long.compare(dueNanos, other.dueNanos);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
  }
}
