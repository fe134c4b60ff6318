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

    Object invoke(Object event) throws InterruptedException {
        concurrency.acquire();
        RequestHandler<Object, Object> handler = null;
        try {
            handler = idle.pollFirst();
            if (handler == null) {
                handler = newInstance();
            }
            return handler.handleRequest(event, new LocalContext(name, memoryMb, timeoutSeconds));
        } finally {
            if (handler != null) idle.addFirst(handler);
            concurrency.release();
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
