package ai.realstaging.local.sqs;

/** An SQS error as the JSON protocol reports it: shape name in __type, legacy query code in a header. */
final class SqsError extends RuntimeException {

    final int status;
    /** Shape name; the SDK v2 maps it to a modelled exception such as QueueDoesNotExistException. */
    final String type;
    /** The pre-JSON query protocol's code; clients that are "query compatible" surface it as the error code. */
    final String queryCode;

    SqsError(int status, String type, String queryCode, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.queryCode = queryCode;
    }

    static SqsError invalidParameter(String message) {
        return new SqsError(400, "InvalidParameterValue", "InvalidParameterValue", message);
    }

    static SqsError missingParameter(String name) {
        return new SqsError(400, "MissingParameter", "MissingParameter",
                "The request must contain the parameter " + name + ".");
    }

    static SqsError noSuchQueue() {
        return new SqsError(400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist.");
    }

    static SqsError invalidAttributeName(String name) {
        return new SqsError(400, "InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + name + ".");
    }

    static SqsError invalidAttributeValue(String name, String reason) {
        return new SqsError(400, "InvalidAttributeValue", "InvalidAttributeValue",
                "Invalid value for the parameter " + name + ". Reason: " + reason);
    }

    static SqsError unsupported(String message) {
        return new SqsError(400, "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", message);
    }

    static SqsError batch(String type, String message) {
        return new SqsError(400, type, "AWS.SimpleQueueService." + type, message);
    }
}
