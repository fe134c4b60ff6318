package ai.realstaging.local;

import java.beans.PropertyChangeListener;
import java.io.Writer;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What one function logs, captured from its own Log4j: the function runs in its own class loader with its
 * layer's copy of Log4j (see FunctionCode), which the test's Log4j cannot reach by type. So the capture is
 * Log4j's own WriterAppender, made in the function's class loader, writing "logger message trace" per event
 * into a Writer of ours (a JDK type, the same on both sides). Closing it restores the function's configuration.
 */
final class FunctionLogs implements AutoCloseable {
    private static final String NAME = "function-log-capture";

    private final ClassLoader code;
    private final Object context;
    private final PropertyChangeListener follow;

    private FunctionLogs(ClassLoader code, Object context, PropertyChangeListener follow) {
        this.code = code;
        this.context = context;
        this.follow = follow;
    }

    /** Every event of the function's loggers, at any level, to {@code lines}; its own loggers at DEBUG. */
    static FunctionLogs capture(ClassLoader code, Consumer<String> lines) throws ReflectiveOperationException {
        Object context = code.loadClass("org.apache.logging.log4j.LogManager")
                .getMethod("getContext", ClassLoader.class, boolean.class).invoke(null, code, false);
        Writer sink = new EventWriter(lines);
        PropertyChangeListener follow = change -> {
            // Logging set-up in the function may replace the configuration: the capture follows it.
            if ("config".equals(change.getPropertyName()) && change.getNewValue() != null) {
                try {
                    install(code, change.getNewValue(), sink);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        install(code, call(context, "getConfiguration"), sink);
        call(context, "addPropertyChangeListener", follow);
        call(context, "updateLoggers");
        return new FunctionLogs(code, context, follow);
    }

    private static void install(ClassLoader code, Object config, Writer sink) throws ReflectiveOperationException {
        Object builder = code.loadClass("org.apache.logging.log4j.core.layout.PatternLayout").getMethod("newBuilder").invoke(null);
        call(builder, "withPattern", "%c %m %xEx");
        call(builder, "withConfiguration", config);
        Object layout = call(builder, "build");
        Object appender = call(code.loadClass("org.apache.logging.log4j.core.appender.WriterAppender"), "createAppender",
                layout, null, sink, NAME, false, true);
        call(appender, "start");
        call(config, "addAppender", appender);
        Class<?> level = code.loadClass("org.apache.logging.log4j.Level");
        Object all = level.getField("ALL").get(null);
        Object debug = level.getField("DEBUG").get(null);
        for (Object logger : ((Map<?, ?>) call(config, "getLoggers")).values()) {
            call(logger, "removeAppender", NAME);
            call(logger, "addAppender", appender, all, null);
            // The tests run at WARN; in Lambda our lines are logged at INFO, and those must be clean too.
            if (((String) call(logger, "getName")).startsWith("ai.realstaging")) call(logger, "setLevel", debug);
        }
        Object root = call(config, "getRootLogger");
        call(root, "removeAppender", NAME);
        call(root, "addAppender", appender, all, null);
    }

    @Override
    public void close() throws ReflectiveOperationException {
        call(context, "removePropertyChangeListener", follow);
        // Back to the function's log4j2.xml, without the capture or the DEBUG levels.
        call(context, "reconfigure");
    }

    @Override
    public String toString() {
        return "logs of " + code.getName();
    }

    /** One write then one flush per event (the appender flushes at once): each flush is one captured line. */
    private static final class EventWriter extends Writer {
        private final Consumer<String> lines;
        private final StringBuilder event = new StringBuilder();

        EventWriter(Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        public synchronized void write(char[] chars, int offset, int length) {
            event.append(chars, offset, length);
        }

        @Override
        public synchronized void flush() {
            if (!event.isEmpty()) {
                lines.accept(event.toString());
                event.setLength(0);
            }
        }

        @Override
        public void close() {
            flush();
        }
    }

    /** A public method of the target (or a static one of a class) by name and arguments; the types are the function's. */
    private static Object call(Object target, String name, Object... args) throws ReflectiveOperationException {
        Class<?> type = target instanceof Class<?> c ? c : target.getClass();
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name) && accepts(method.getParameterTypes(), args)) {
                return method.invoke(target instanceof Class<?> ? null : target, args);
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + " for " + args.length + " argument(s)");
    }

    private static boolean accepts(Class<?>[] parameters, Object[] args) {
        if (parameters.length != args.length) return false;
        for (int i = 0; i < args.length; i++) {
            Class<?> p = parameters[i];
            if (args[i] == null) {
                if (p.isPrimitive()) return false;
            } else if (p == boolean.class) {
                if (!(args[i] instanceof Boolean)) return false;
            } else if (!p.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }
}
