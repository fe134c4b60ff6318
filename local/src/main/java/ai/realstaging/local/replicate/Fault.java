package ai.realstaging.local.replicate;

import java.time.Duration;

/**
 * A fault the stand-in plays on a create (FIFO, one fault per create).
 *
 * <p>{@link RateLimited} and {@link ServerError} answer the next create themselves and create
 * nothing. Every other fault binds to the next prediction actually created (a create rejected with
 * 4xx does not use it up) and shapes how that prediction behaves.
 */
public sealed interface Fault {

  /** Create answers 429 with {@code Retry-After}; nothing is created. */
  record RateLimited(int retryAfterSeconds) implements Fault {
    public RateLimited {
      check(retryAfterSeconds >= 0, "retryAfterSeconds < 0");
    }
  }

  /** Create answers this 5xx status with problem JSON; nothing is created. */
  record ServerError(int status) implements Fault {
    public ServerError {
      check(status >= 500 && status <= 599, "not a 5xx status: " + status);
    }
  }

  /** The prediction is created and runs, but the create response is never sent (the connection is closed). */
  record CreateThenDropConnection() implements Fault {}

  /** The prediction ends {@code failed} with this error. */
  record PredictionFails(String error) implements Fault {
    public PredictionFails {
      check(error != null, "error is null");
    }
  }

  /** The prediction ends {@code canceled}, as if someone had canceled it while it ran. */
  record PredictionCanceled() implements Fault {}

  /** The prediction succeeds, but its output URL serves {@code text/html} bytes. */
  record OutputNotAnImage() implements Fault {}

  /** The prediction succeeds; its output file is {@code bytes} long (the image, zero-padded or cut; streamed). */
  record OutputTooLarge(long bytes) implements Fault {
    public OutputTooLarge {
      check(bytes > 0, "bytes < 1");
    }
  }

  /** The prediction runs for {@code duration} instead of the configured processing time. */
  record SlowPrediction(Duration duration) implements Fault {
    public SlowPrediction {
      check(duration != null && !duration.isNegative(), "bad duration");
    }
  }

  /** The prediction stays {@code starting} (queued) for {@code duration}; a shorter Cancel-After makes it {@code aborted}. */
  record SlowStart(Duration duration) implements Fault {
    public SlowStart {
      check(duration != null && !duration.isNegative(), "bad duration");
    }
  }

  /** The next {@code times} {@code GET /v1/predictions/{id}} of the prediction answer {@code status} (429 adds Retry-After: 1). */
  record GetFails(int status, int times) implements Fault {
    public GetFails {
      check(status >= 400 && status <= 599 && times > 0, "need a 4xx/5xx status and times > 0");
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
