package ai.realstaging.common.staging;

import java.time.Duration;

/** A failed call to Replicate, classified by what the caller may safely do next. */
public final class ReplicateException extends Exception {

    public enum Kind {
        /** Try again later (429, 5xx, a failed poll); nothing was paid for. */
        TRANSIENT,
        /** Retrying cannot help: the model refused the input, or the model or account is wrong. */
        PERMANENT,
        /** A create whose answer was lost: a prediction may exist and be billed. Never blindly create again. */
        UNCERTAIN
    }

    private final Kind kind;
    private final int status;
    private final Duration retryAfter;

    public ReplicateException(Kind kind, int status, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
