package ai.realstaging.local.replicate;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault the stand-in plays on the next create (FIFO, one fault per create).
 *
 * <p>{@link RateLimited} and {@link ServerError} answer the create itself and create nothing. Every
 * other fault is bound to the next prediction that is actually created (a create rejected with 4xx
 * does not use it up) and shapes how that prediction behaves.
 */
public sealed interface Fault {

  /** Create answers 429 with a {@code Retry-After} header; nothing is created. */
  record RateLimited(int retryAfterSeconds) implements Fault {
    public RateLimited {
      if (retryAfterSeconds < 0) throw new IllegalArgumentException("retryAfterSeconds < 0");
    }
  }

  /** Create answers this 5xx status with problem JSON; nothing is created. */
  record ServerError(int status) implements Fault {
    public ServerError {
      if (status < 500 || status > 599) throw new IllegalArgumentException("not a 5xx status: " + status);
    }
  }

  /** The prediction is created and runs, but the create response is never sent: the connection is closed. */
  record CreateThenDropConnection() implements Fault {}

  /** The prediction ends {@code failed} with this error. */
  record PredictionFails(String error) implements Fault {
    public PredictionFails {
      Objects.requireNonNull(error, "error");
    }
  }

  /** The prediction ends {@code canceled}, as if someone had canceled it while it ran. */
  record PredictionCanceled() implements Fault {}

  /** The prediction succeeds, but its output URL serves {@code text/html} bytes instead of an image. */
  record OutputNotAnImage() implements Fault {}

  /** The prediction succeeds; its output file is {@code bytes} long (the image, padded or cut; streamed). */
  record OutputTooLarge(long bytes) implements Fault {
    public OutputTooLarge {
      if (bytes < 1) throw new IllegalArgumentException("bytes < 1");
    }
  }

  /** The prediction runs for {@code duration} instead of the configured processing time. */
  record SlowPrediction(Duration duration) implements Fault {
    public SlowPrediction {
      if (duration == null || duration.isNegative()) throw new IllegalArgumentException("bad duration");
    }
  }

  /**
   * The prediction stays {@code starting} (queued, no worker yet) for {@code duration}; with a
   * {@code Cancel-After} deadline shorter than that it ends {@code aborted}.
   */
  record SlowStart(Duration duration) implements Fault {
    public SlowStart {
      if (duration == null || duration.isNegative()) throw new IllegalArgumentException("bad duration");
    }
  }

  /** The next {@code times} {@code GET /v1/predictions/{id}} calls for the prediction answer {@code status}. */
  record GetFails(int status, int times) implements Fault {
    public GetFails {
      if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
      if (times < 1) throw new IllegalArgumentException("times < 1");
    }
  }
}
