package ai.realstaging.stageimage;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Just enough of S3 (path-style GetObject, HeadObject, PutObject, DeleteObject) and SQS (JSON protocol
 * SendMessageBatch, ChangeMessageVisibility) on one loopback endpoint, as AWS_ENDPOINT_URL would name
 * LocalStack. Records what the code under test sent. Not the local stack's emulator: a test double.
 */
final class FakeAws implements AutoCloseable {

    record StoredObject(byte[] bytes, String contentType) {}

    record SentMessage(String queueUrl, String id, String body) {}

    record VisibilityChange(String queueUrl, String receiptHandle, int seconds) {}

    private final HttpServer server;
    private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
    private final Set<String> failingReads = ConcurrentHashMap.newKeySet();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<SentMessage> sent = new CopyOnWriteArrayList<>();
    final List<VisibilityChange> visibility = new CopyOnWriteArrayList<>();

    FakeAws() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    String queueUrl() {
        return endpoint() + "/000000000000/realstaging-staging";
    }

    void put(String bucket, String key, byte[] bytes, String contentType) {
        objects.put(bucket + "/" + key, new StoredObject(bytes, contentType));
    }

    Optional<StoredObject> object(String bucket, String key) {
        return Optional.ofNullable(objects.get(bucket + "/" + key));
    }

    /** GETs of this object answer 500 InternalError from now on. */
    void failReadsOf(String bucket, String key) {
        failingReads.add(bucket + "/" + key);
    }

    List<String> requests(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).toList();
    }

    /** Image ids of the stage messages sent, in order. */
    List<UUID> stagedImageIds() {
        return sent.stream().map(m -> UUID.fromString(Json.read(m.body()).path("image_id").asText())).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (target != null) {
                sqs(exchange, target);
            } else {
                s3(exchange);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private void sqs(HttpExchange exchange, String target) throws IOException {
        JsonNode request = Json.read(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String action = target.substring(target.indexOf('.') + 1);
        requests.add("SQS " + action);
        String queueUrl = request.path("QueueUrl").asText();
        String answer;
        switch (action) {
            case "SendMessageBatch" -> {
                List<Map<String, String>> successful = new ArrayList<>();
                for (JsonNode entry : request.path("Entries")) {
                    String body = entry.path("MessageBody").asText();
                    sent.add(new SentMessage(queueUrl, entry.path("Id").asText(), body));
                    successful.add(Map.of("Id", entry.path("Id").asText(), "MessageId", UUID.randomUUID().toString(),
                            "MD5OfMessageBody", md5(body.getBytes(StandardCharsets.UTF_8))));
                }
                answer = Json.write(Map.of("Successful", successful, "Failed", List.of()));
            }
            case "ChangeMessageVisibility" -> {
                visibility.add(new VisibilityChange(queueUrl, request.path("ReceiptHandle").asText(),
                        request.path("VisibilityTimeout").asInt()));
                answer = "{}";
            }
            default -> {
                send(exchange, 400, "application/x-amz-json-1.0",
                        ("{\"__type\":\"com.amazonaws.sqs#InvalidAction\",\"message\":\"" + action + "\"}").getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        send(exchange, 200, "application/x-amz-json-1.0", answer.getBytes(StandardCharsets.UTF_8));
    }

    private void s3(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath().substring(1);
        requests.add("S3 " + method + " " + path);
        switch (method) {
            case "GET", "HEAD" -> {
                StoredObject object = objects.get(path);
                if (failingReads.contains(path)) {
                    send(exchange, 500, "application/xml", error("InternalError", "We encountered an internal error."));
                } else if (object == null) {
                    send(exchange, 404, "application/xml", error("NoSuchKey", "The specified key does not exist."));
                } else if (method.equals("HEAD")) {
                    exchange.getResponseHeaders().add("Content-Type", object.contentType());
                    exchange.getResponseHeaders().add("ETag", "\"" + md5(object.bytes()) + "\"");
                    exchange.getResponseHeaders().add("Content-Length", String.valueOf(object.bytes().length));
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    exchange.getResponseHeaders().add("ETag", "\"" + md5(object.bytes()) + "\"");
                    send(exchange, 200, object.contentType(), object.bytes());
                }
            }
            case "PUT" -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String sha = exchange.getRequestHeaders().getFirst("x-amz-content-sha256");
                String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
                if ((sha != null && sha.startsWith("STREAMING-")) || (encoding != null && encoding.contains("aws-chunked"))) {
                    body = decodeAwsChunked(body);
                }
                String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
                objects.put(path, new StoredObject(body, contentType == null ? "binary/octet-stream" : contentType));
                exchange.getResponseHeaders().add("ETag", "\"" + md5(body) + "\"");
                exchange.sendResponseHeaders(200, -1);
            }
            case "DELETE" -> {
                objects.remove(path);
                exchange.sendResponseHeaders(204, -1);
            }
            default -> send(exchange, 405, "application/xml", error("MethodNotAllowed", method));
        }
    }

    /** aws-chunked framing: {@code hex-size[;chunk-signature=…]\r\n data \r\n}, ending with a 0-size chunk and trailers. */
    static byte[] decodeAwsChunked(byte[] framed) throws IOException {
        InputStream in = new ByteArrayInputStream(framed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String header = readLine(in);
            int semicolon = header.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? header : header.substring(0, semicolon)).trim(), 16);
            if (size == 0) return out.toByteArray();
            out.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }

    private static byte[] error(String code, String message) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
