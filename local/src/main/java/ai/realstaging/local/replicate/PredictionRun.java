package ai.realstaging.local.replicate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One prediction's state. Every change happens under its monitor, so a snapshot never mixes two
 * states, and a status that has become terminal never changes again (cancel races are no-ops).
 */
final class PredictionRun {

  static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled", "aborted");
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** One output file as served under /files; {@code length} beyond {@code head} is zero padding. */
  record OutputFile(String name, String contentType, byte[] head, long length) {}

  final String id;
  final ModelSchemas.Model model;
  final String version;
  final JsonNode input;
  final Instant createdAt;
  final Instant deadline;
  final Fault fault;
  final String baseUrl;
  final AtomicInteger getFailuresLeft;

  private String status = "starting";
  private Instant startedAt;
  private Instant completedAt;
  private String error;
  private List<OutputFile> files = List.of();
  private final StringBuilder logs = new StringBuilder();

  PredictionRun(String id, ModelSchemas.Model model, String version, JsonNode input, Instant createdAt,
      Instant deadline, Fault fault, String baseUrl) {
    this.id = id;
    this.model = model;
    this.version = version;
    this.input = input;
    this.createdAt = createdAt;
    this.deadline = deadline;
    this.fault = fault;
    this.baseUrl = baseUrl;
    this.getFailuresLeft = new AtomicInteger(fault instanceof Fault.GetFails f ? f.times() : 0);
  }

  synchronized boolean terminal() {
    return TERMINAL.contains(status);
  }

  synchronized Instant startedAt() {
    return startedAt;
  }

  synchronized void log(String line) {
    logs.append(line).append('\n');
  }

  synchronized OutputFile file(String name) {
    return files.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
  }

  /** starting -> processing; false if the prediction already ended (canceled or aborted meanwhile). */
  synchronized boolean start(Instant now) {
    if (!"starting".equals(status)) return false;
    status = "processing";
    startedAt = now;
    notifyAll();
    return true;
  }

  /** Ends the prediction unless it already ended; returns whether this call ended it. */
  synchronized boolean finish(String to, Instant now, String err, List<OutputFile> outputs) {
    if (terminal()) return false;
    status = to;
    completedAt = now;
    error = err;
    files = outputs == null ? List.of() : List.copyOf(outputs);
    notifyAll();
    return true;
  }

  /** The deadline passed: a queued prediction is aborted, a running one canceled. */
  synchronized void expire(Instant now) {
    if ("starting".equals(status)) finish("aborted", now, null, null);
    else if ("processing".equals(status)) finish("canceled", now, null, null);
  }

  /** Waits until the prediction ends or {@code until} passes, whichever is first; true if it ended. */
  synchronized boolean awaitTerminalUntil(Instant until) throws InterruptedException {
    while (!terminal()) {
      long ms = Duration.between(Instant.now(), until).toMillis();
      if (ms <= 0) return false;
      wait(ms);
    }
    return true;
  }

  /** The prediction as Replicate's API returns it. */
  synchronized ObjectNode toJson(ObjectMapper json) {
    ObjectNode o = json.createObjectNode();
    o.put("id", id);
    o.put("model", model.name());
    o.put("version", version);
    o.set("input", input);
    o.put("logs", logs.toString());
    if ("succeeded".equals(status)) {
      if (model.arrayOutput()) files.forEach(f -> o.withArray("output").add(fileUrl(f)));
      else o.put("output", fileUrl(files.getFirst()));
    } else {
      o.putNull("output");
    }
    o.put("data_removed", false);
    o.put("error", error);
    o.put("status", status);
    o.put("created_at", RFC3339.format(createdAt));
    if (startedAt != null) o.put("started_at", RFC3339.format(startedAt));
    if (completedAt != null) o.put("completed_at", RFC3339.format(completedAt));
    if (deadline != null) o.put("deadline", RFC3339.format(deadline));
    if (completedAt != null) {
      ObjectNode metrics = o.putObject("metrics");
      if (startedAt != null) metrics.put("predict_time", seconds(startedAt, completedAt));
      metrics.put("total_time", seconds(createdAt, completedAt));
    }
    ObjectNode urls = o.putObject("urls");
    urls.put("get", getUrl());
    urls.put("cancel", getUrl() + "/cancel");
    urls.put("web", baseUrl + "/p/" + id);
    return o;
  }

  String getUrl() {
    return baseUrl + "/v1/predictions/" + id;
  }

  private String fileUrl(OutputFile f) {
    return baseUrl + "/files/" + id + "/" + f.name();
  }

  synchronized Prediction snapshot(ObjectMapper json) {
    Map<String, Object> in = json.convertValue(input, new TypeReference<LinkedHashMap<String, Object>>() {});
    return new Prediction(id, model.name(), Collections.unmodifiableMap(in), status);
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }
}
