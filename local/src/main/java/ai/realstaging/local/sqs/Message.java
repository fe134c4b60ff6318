package ai.realstaging.local.sqs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/** One SQS message: what was sent (immutable) plus its delivery state, which only its queue's lock may touch. */
final class Message {

    enum State { DELAYED, VISIBLE, IN_FLIGHT, GONE }

    /** A typed message attribute; String and Number carry stringValue, Binary carries binaryValue. */
    record Attribute(String dataType, String stringValue, byte[] binaryValue) {
        boolean isBinary() {
            return dataType.startsWith("Binary");
        }

        int size() {
            return dataType.length() + (isBinary() ? binaryValue.length : utf8(stringValue).length);
        }
    }

    final String id;
    final String body;
    final SortedMap<String, Attribute> attributes;
    /** The one system attribute SQS lets a sender set (X-Ray); null when absent. */
    final String traceHeader;
    final String senderId;
    final long sentTimestamp;

    // Delivery state, guarded by the owning queue's lock.
    State state;
    int receiveCount;
    long firstReceiveTimestamp;
    String receiptHandle;
    /** Bumped on every visibility change so that superseded wake-ups in the queue's timer heap are ignored. */
    int generation;

    Message(String id, String body, SortedMap<String, Attribute> attributes, String traceHeader,
            String senderId, long sentTimestamp) {
        this.id = id;
        this.body = body;
        this.attributes = attributes;
        this.traceHeader = traceHeader;
        this.senderId = senderId;
        this.sentTimestamp = sentTimestamp;
    }

    /** The copy a dead-letter queue receives: same identity, content and SentTimestamp, fresh delivery state. */
    Message redriven() {
        return new Message(id, body, attributes, traceHeader, senderId, sentTimestamp);
    }

    static String md5OfBody(String body) {
        return md5Hex(utf8(body));
    }

    /**
     * SQS's digest of message attributes, which SDKs recompute to verify the transfer: per attribute in name
     * order, length-prefixed name, length-prefixed data type, a transport byte (1 string, 2 binary) and the
     * length-prefixed value. Null when there are no attributes, as SQS then omits the field.
     */
    static String md5OfAttributes(Map<String, Attribute> sorted) {
        if (sorted.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sorted.forEach((name, attr) -> {
            lengthPrefixed(out, utf8(name));
            lengthPrefixed(out, utf8(attr.dataType()));
            if (attr.isBinary()) {
                out.write(2);
                lengthPrefixed(out, attr.binaryValue());
            } else {
                out.write(1);
                lengthPrefixed(out, utf8(attr.stringValue()));
            }
        });
        return md5Hex(out.toByteArray());
    }

    private static void lengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String md5Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships MD5", e);
        }
    }
}
