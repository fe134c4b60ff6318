package ai.realstaging.common.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs the same task on n threads released at the same instant, for race tests. */
public final class Concurrently {
    private Concurrently() {}

    /** One thread's task; {@code index} is 0..n-1. */
    @FunctionalInterface
    public interface Task<T> {
        T run(int index) throws Exception;
    }

    /** What one thread ended with: a value or the exception it threw. */
    public record Outcome<T>(T value, Throwable error) {
        public boolean succeeded() {
            return error == null;
        }
    }

    public static <T> List<Outcome<T>> run(int threads, Task<T> task) {
        return run(threads, Duration.ofSeconds(60), task);
    }

    public static <T> List<Outcome<T>> run(int threads, Duration timeout, Task<T> task) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Outcome<T>>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    try {
                        return new Outcome<>(task.run(index), null);
                    } catch (Throwable t) {
                        return new Outcome<T>(null, t);
                    }
                }));
            }
            if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("threads did not start in time");
            }
            go.countDown();
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<Outcome<T>> f : futures) {
                outcomes.add(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
            return outcomes;
        } catch (Exception e) {
            throw new IllegalStateException("concurrent run failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }
}
