package ai.realstaging.common.http;

import java.util.List;

/**
 * Domain errors a client may see, each with its HTTP status and problem type; mapped to
 * problem+json in {@link Problems} only. Messages are written for users: no SQL, no vendor text.
 */
public abstract sealed class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;

    ApiException(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public int status() { return status; }
    public String type() { return type; }
    public String title() { return title; }
    public String detail() { return getMessage(); }
    public List<FieldError> errors() { return List.of(); }

    /** One problem with one field of a request. */
    public record FieldError(String field, String message) {}

    public static final class BadRequest extends ApiException {
        public BadRequest(String detail) { super(400, "bad-request", "Malformed request", detail); }
    }

    public static final class Unauthorized extends ApiException {
        public Unauthorized(String detail) { super(401, "unauthorized", "Authentication required", detail); }
    }

    public static final class Forbidden extends ApiException {
        public Forbidden(String detail) { super(403, "forbidden", "Not allowed", detail); }
    }

    /** Also what a user gets for another user's resource: existence is never revealed. */
    public static final class NotFound extends ApiException {
        public NotFound(String what) { super(404, "not-found", "Not found", what + " was not found"); }
    }

    public static final class Conflict extends ApiException {
        public Conflict(String detail) { super(409, "conflict", "Conflict with the current state", detail); }
    }

    public static final class QuotaExceeded extends ApiException {
        public QuotaExceeded(String detail) { super(402, "quota-exceeded", "Image quota exhausted", detail); }
    }

    public static final class PayloadTooLarge extends ApiException {
        private final List<FieldError> errors;
        public PayloadTooLarge(List<FieldError> errors) {
            super(413, "upload-too-large", "Upload too large", errors.getFirst().message());
            this.errors = List.copyOf(errors);
        }
        @Override public List<FieldError> errors() { return errors; }
    }

    public static final class UnsupportedMediaType extends ApiException {
        private final List<FieldError> errors;
        public UnsupportedMediaType(List<FieldError> errors) {
            super(415, "unsupported-media-type", "Unsupported file type", errors.getFirst().message());
            this.errors = List.copyOf(errors);
        }
        @Override public List<FieldError> errors() { return errors; }
    }

    public static final class ValidationFailed extends ApiException {
        private final List<FieldError> errors;
        public ValidationFailed(List<FieldError> errors) {
            super(422, "validation", "The request has invalid fields",
                    errors.size() == 1 ? errors.getFirst().message() : errors.size() + " fields are invalid");
            this.errors = List.copyOf(errors);
        }
        @Override public List<FieldError> errors() { return errors; }
    }

    public static final class DependencyDown extends ApiException {
        public DependencyDown(String what) {
            super(503, "dependency-unavailable", "Service temporarily unavailable",
                    what + " is unavailable; try again shortly");
        }
    }
}
