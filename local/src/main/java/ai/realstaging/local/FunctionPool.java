package ai.realstaging.local;

import ai.realstaging.common.config.Config;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;

/**
 * Warm "execution environments" of one function: each handler instance serves one invocation at
 * a time, as in Lambda, and new ones are initialised on demand up to the concurrency limit. The
 * handler comes from the function's own class loader (its zip and layers, see {@link FunctionCode}),
 * which is also the thread's context class loader while it initialises and runs, as in Lambda.
 */
final class FunctionPool {
    private final String name;
    private final String handlerClass;
    private final ClassLoader code;
    private final Map<String, String> settings;
    private final int memoryMb;
    private final int timeoutSeconds;
    private final Semaphore concurrency;
    private final ConcurrentLinkedDeque<RequestHandler<Object, Object>> idle = new ConcurrentLinkedDeque<>();

    /** {@code settings} become the handler's Config (its environment); {@code code} is where its classes come from. */
    FunctionPool(String name, String handler, ClassLoader code, Map<String, String> settings, int memoryMb,
                 int timeoutSeconds, int maxConcurrency) {
        this.name = name;
        this.handlerClass = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        this.code = code;
        this.settings = Map.copyOf(settings);
        this.memoryMb = memoryMb;
        this.timeoutSeconds = timeoutSeconds;
        this.concurrency = new Semaphore(maxConcurrency, true);
    }

    String name() {
        return name;
    }

    /** The function's class loader: its zip and layers (tests reach its own Log4j through it). */
    ClassLoader code() {
        return code;
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
            Thread invocation = Thread.ofPlatform().daemon().name(name + "-invocation").unstarted(task);
            invocation.setContextClassLoader(code);
            invocation.start();
            try {
                return task.get(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                reusable = false;
                task.cancel(true);
                throw new FunctionTimeoutException(name + " timed out after " + timeoutSeconds + " s");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof LinkageError missing) {
                    // The invocation fails, as Lambda's runtime reports it, instead of killing the caller's thread.
                    reusable = false;
                    throw new IllegalStateException(name + " failed: " + missing + missingCodeHint(missing), missing);
                }
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

    /** The handler class, from the function's own code (for the types of its events). */
    Class<?> handlerType() {
        try {
            return Class.forName(handlerClass, false, code);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("handler class " + handlerClass + " of " + name
                    + " is not in its code (its CodeUri zip and the layers it names)", e);
        }
    }

    /**
     * INIT: the handler's (Config) constructor, so local settings replace the environment. Config is the
     * function's own (its layer's), so it is made from the settings inside the function's class loader.
     */
    @SuppressWarnings("unchecked")
    private RequestHandler<Object, Object> newInstance() {
        Thread thread = Thread.currentThread();
        ClassLoader caller = thread.getContextClassLoader();
        thread.setContextClassLoader(code);
        try {
            Class<?> configType = Class.forName(Config.class.getName(), true, code);
            Object config = configType.getMethod("of", Map.class).invoke(null, settings);
            return (RequestHandler<Object, Object>) handlerType().getConstructor(configType).newInstance(config);
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot initialise " + name + ": " + cause + missingCodeHint(cause), cause);
        } finally {
            thread.setContextClassLoader(caller);
        }
    }

    private static String missingCodeHint(Throwable cause) {
        return cause instanceof NoClassDefFoundError || cause instanceof ClassNotFoundException
                ? " (not in the function's code: its CodeUri zip and the layers template.yaml gives it)" : "";
    }
}
