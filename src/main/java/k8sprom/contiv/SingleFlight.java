package k8sprom.contiv;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Lets concurrent callers share one run of a task: whoever arrives while it runs waits for that run's result
 * instead of starting another, so several Prometheus servers scraping at once cost one collection.
 * (Public because Camel JBang instantiates every compiled class with a non-private no-arg constructor.)
 */
public final class SingleFlight<T> {

    private CompletableFuture<T> running;

    T run(Supplier<T> task) {
        CompletableFuture<T> shared;
        boolean leader = false;
        synchronized (this) {
            if (running == null) {
                running = new CompletableFuture<>();
                leader = true;
            }
            shared = running;
        }
        if (leader) {
            try {
                shared.complete(task.get());
            } catch (RuntimeException | Error e) {
                shared.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    running = null;
                }
            }
        }
        try {
            return shared.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }
}
