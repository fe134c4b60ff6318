package ai.realstaging.common.config;

import java.util.function.Supplier;

/** A value made on first use and kept: for clients and secrets that INIT should not pay for. */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<T> source;
    private volatile T value;

    private Lazy(Supplier<T> source) {
        this.source = source;
    }

    public static <T> Lazy<T> of(Supplier<T> source) {
        return new Lazy<>(source);
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                if (value == null) value = source.get();
                v = value;
            }
        }
        return v;
    }
}
