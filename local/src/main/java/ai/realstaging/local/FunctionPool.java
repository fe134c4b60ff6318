package ai.realstaging.local;

import ai.realstaging.common.config.Config;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;

/**
 * Warm "execution environments" of one function: each handler instance serves one invocation at
 * a time, as in Lambda, and new ones are initialised on demand up to the concurrency limit.
 */
final class FunctionPool {
    private final String name;
    private final String handlerClass;
    private final Config config;
    private final int memoryMb;
    private final int timeoutSeconds;
    private final Semaphore concurrency;
    private final ConcurrentLinkedDeque<RequestHandler<Object, Object>> idle = new ConcurrentLinkedDeque<>();

    FunctionPool(String name, String handler, Config config, int memoryMb, int timeoutSeconds, int maxConcurrency) {
        this.name = name;
        this.handlerClass = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        this.config = config;
        this.memoryMb = memoryMb;
        this.timeoutSeconds = timeoutSeconds;
        this.concurrency = new Semaphore(maxConcurrency, true);
    }

    String name() {
        return name;
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    /**
     * Runs one invocation within the function's timeout, as Lambda does: past it the caller gets a
     * {@link FunctionTimeoutException} and the environment is thrown away (its work may still be
     * running), so an event source treats the whole batch as failed.
     */
    Object invoke(Object event) throws InterruptedException {
        concurrency.acquire();
        RequestHandler<Object, Object> handler = null;
        boolean reusable = true;
        try {
            handler = idle.pollFirst();
            if (handler == null) {
                handler = newInstance();
            }
            RequestHandler<Object, Object> h = handler;
            LocalContext context = new LocalContext(name, memoryMb, timeoutSeconds);
            java.util.concurrent.FutureTask<Object> task = new java.util.concurrent.FutureTask<>(() -> h.handleRequest(event, context));
            // A platform thread, as Lambda runs a handler. On a virtual thread (JDK 25.0.3), after the
            // JIT had warmed up, locals of Router.handle read null right after a non-null check when
            // an exception came out of JDBC work inside a synchronized method: an invocation failed
            // with an impossible NullPointerException. Platform threads never showed it.
            Thread.ofPlatform().daemon().name(name + "-invocation").start(task);
            try {
                return task.get(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                reusable = false;
                task.cancel(true);
                throw new FunctionTimeoutException(name + " timed out after " + timeoutSeconds + " s");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        } finally {
            if (handler != null && reusable) idle.addFirst(handler);
            concurrency.release();
        }
    }

    /** The invocation ran past the function's configured timeout. */
    static final class FunctionTimeoutException extends RuntimeException {
        FunctionTimeoutException(String message) {
            super(message);
        }
    }

    /** Class of the handler's input, for deserialising events read from files. */
    Class<?> handlerType() {
        try {
            return Class.forName(handlerClass);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("handler class " + handlerClass + " of " + name + " is not on the classpath", e);
        }
    }

    /** INIT: the handler's (Config) constructor, so local settings replace the environment. */
    @SuppressWarnings("unchecked")
    private RequestHandler<Object, Object> newInstance() {
        try {
            return (RequestHandler<Object, Object>) handlerType().getConstructor(Config.class).newInstance(config);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot initialise " + name + ": " + cause.getMessage(), cause);
        }
    }
}
