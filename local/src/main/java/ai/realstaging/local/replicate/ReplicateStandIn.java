package ai.realstaging.local.replicate;

import ai.realstaging.local.replicate.ModelSchemas.InvalidField;
import ai.realstaging.local.replicate.ModelSchemas.Model;
import ai.realstaging.local.replicate.PredictionRun.OutputFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Local stand-in for Replicate's predictions API: schema-checked inputs, a visibly changed copy of
 * the photo as output, injectable faults.
 *
 * <p>Serves {@code /v1/...} (Bearer or Token auth) and output files under {@code /files/...} (no
 * auth, like replicate.delivery). Outputs are JPEG, PNG or (lossless) WebP, as the input asks.
 */
public final class ReplicateStandIn implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ReplicateStandIn.class.getName());
  // Replicate's OpenAPI spec: n is 1-60; Cancel-After takes s/m/h units (bare number = seconds), at least 5s.
  private static final Pattern PREFER = Pattern.compile("wait(?:=([1-9]|[1-5][0-9]|60))?");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");
  private static final Pattern MODEL_REF = Pattern.compile("([\\w.-]+/[\\w.-]+)(?::([0-9a-f]{64}))?");
  private static final List<String> WEBHOOK_EVENTS = List.of("start", "output", "logs", "completed");

  final ObjectMapper json = new ObjectMapper();
  final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
  private final StagingWork work = new StagingWork(this);
  private final SecureRandom random = new SecureRandom();
  private final Map<String, PredictionRun> runs = new ConcurrentHashMap<>();
  private final List<PredictionRun> order = new CopyOnWriteArrayList<>();
  private final ArrayDeque<Fault> faults = new ArrayDeque<>();
  private final AtomicInteger created = new AtomicInteger();
  private final AtomicInteger listCalls = new AtomicInteger();
  private final AtomicInteger createCalls = new AtomicInteger();
  private final byte[] apiToken;
  private final HttpServer server;
  private final String baseUrl;
  volatile Duration processingTime = Duration.ofMillis(300);
  /** When set, predictions without a fault answer this JPEG at once, skipping the photo and the painting. */
  volatile byte[] instantOutput;

  private ReplicateStandIn(String host, int port, String apiToken) throws IOException, InterruptedException {
    this.apiToken = apiToken.getBytes(StandardCharsets.UTF_8);
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    // The dispatcher thread inherits daemon status from the thread that starts the server.
    Thread.ofPlatform().daemon().start(server::start).join();
    baseUrl = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getAddress().getPort();
  }

  /** Starts on {@code host:port} (port 0 picks a free one); /v1 requests must carry {@code apiToken}. */
  public static ReplicateStandIn start(String host, int port, String apiToken) {
    try {
      return new ReplicateStandIn(host, port, apiToken);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
  }

  public URI baseUrl() {
    return URI.create(baseUrl);
  }

  /** How long a prediction runs (default 300 ms); applies to predictions that start afterwards. */
  public void setProcessingTime(Duration d) {
    if (d == null || d.isNegative()) throw new IllegalArgumentException("bad processing time: " + d);
    processingTime = d;
  }

  /**
   * An instant model for benchmarks: predictions (without a fault) succeed as soon as they start,
   * answering {@code jpeg} as their output file, so what is measured is everything but the model.
   * Null turns it off. Combine with {@code setProcessingTime(Duration.ZERO)}.
   */
  public void setInstantOutput(byte[] jpeg) {
    instantOutput = jpeg;
  }

  /** Queues a fault for the next create; see {@link Fault} for which creates use one up. */
  public void inject(Fault fault) {
    synchronized (faults) {
      faults.add(fault);
    }
  }

  public int createCount() {
    return created.get();
  }

  /** How many create requests arrived, refused ones (429, 5xx, 4xx) included. */
  public int createRequestCount() {
    return createCalls.get();
  }

  /** Drops the faults not used up yet (a test's leftovers must not hit the next one). */
  public void clearFaults() {
    synchronized (faults) {
      faults.clear();
    }
  }

  /** How many list pages were asked for: a create whose answer was lost is looked for there. */
  public int listCount() {
    return listCalls.get();
  }

  public List<Prediction> predictions() {
    return order.stream().map(r -> r.snapshot(json)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
    deadlines.shutdownNow();
    workers.shutdownNow();
    handlers.shutdownNow();
    work.close();
  }

  private void handle(HttpExchange ex) {
    try {
      String path = ex.getRequestURI().getPath();
      if (path.startsWith("/files/")) {
        serveFile(ex, path.split("/"));
      } else if (!path.startsWith("/v1/")) {
        problem(ex, 404, "Not found", "No route " + path);
      } else if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
        problem(ex, 401, "Unauthenticated", "You did not pass a valid authentication token");
      } else {
        String[] p = path.substring(4).split("/");
        boolean model = p.length == 4 && p[0].equals("models") && p[3].equals("predictions");
        String route = ex.getRequestMethod() + " " + (model ? "models/_/_/predictions"
            : String.join("/", p).replaceFirst("^predictions/[^/]+", "predictions/_"));
        switch (route) {
          case "POST predictions" -> create(ex, null);
          case "POST models/_/_/predictions" -> create(ex, p[1] + "/" + p[2]);
          case "GET predictions" -> list(ex);
          case "GET predictions/_" -> get(ex, runs.get(p[1]));
          case "POST predictions/_/cancel" -> cancel(ex, runs.get(p[1]));
          default -> problem(ex, 404, "Not found", "No route " + ex.getRequestMethod() + " " + path);
        }
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      LOG.log(System.Logger.Level.WARNING, "Replicate stand-in request failed", e);
    } finally {
      ex.close(); // with no response sent, this drops the connection (CreateThenDropConnection)
    }
  }

  private boolean authorized(String header) {
    for (String scheme : List.of("Bearer ", "Token ")) {
      if (header != null && header.regionMatches(true, 0, scheme, 0, scheme.length())) {
        return MessageDigest.isEqual(header.substring(scheme.length()).trim().getBytes(StandardCharsets.UTF_8), apiToken);
      }
    }
    return false;
  }

  private void send(HttpExchange ex, int status, String type, byte[] body, String... headers) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    for (int n = 0; n < headers.length; n += 2) ex.getResponseHeaders().set(headers[n], headers[n + 1]);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private void sendJson(HttpExchange ex, int status, JsonNode body, String... headers) throws IOException {
    send(ex, status, "application/json", json.writeValueAsBytes(body), headers);
  }

  /** RFC 7807 problem details, as Replicate answers errors. */
  private void problem(HttpExchange ex, int status, String title, String detail, String... headers) throws IOException {
    ObjectNode body = json.createObjectNode().put("title", title).put("detail", detail).put("status", status);
    send(ex, status, "application/problem+json", json.writeValueAsBytes(body), headers);
  }

  /** Replicate's 422: a detail line per problem plus gojsonschema-style {@code invalid_fields}. */
  private void invalid(HttpExchange ex, List<InvalidField> fields) throws IOException {
    ObjectNode body = json.createObjectNode();
    StringBuilder detail = new StringBuilder();
    for (InvalidField f : fields) {
      detail.append("- ").append(f.field().isEmpty() ? "(root)" : f.field()).append(": ").append(f.description()).append('\n');
      body.withArray("invalid_fields").addObject().put("type", f.type()).put("field", f.field()).put("description", f.description());
    }
    body.put("detail", detail.toString()).put("status", 422).put("title", "Input validation failed");
    send(ex, 422, "application/problem+json", json.writeValueAsBytes(body));
  }

  private void create(HttpExchange ex, String modelFromPath) throws IOException, InterruptedException {
    createCalls.incrementAndGet();
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readAllBytes();
    }
    switch (takeFault(true)) { // throttling and outages hit before Replicate looks at the request
      case Fault.RateLimited(int secs) -> {
        sendJson(ex, 429, json.createObjectNode().put("detail", "Request was throttled. Your rate limit resets in ~"
            + secs + "s.").put("status", 429), "Retry-After", String.valueOf(secs));
        return;
      }
      case Fault.ServerError(int status) -> {
        problem(ex, status, "Server Error", "Injected server error " + status);
        return;
      }
      case null, default -> { }
    }
    JsonNode body;
    try {
      body = json.readTree(raw);
    } catch (IOException e) {
      body = null;
    }
    String prefer = ex.getRequestHeaders().getFirst("Prefer");
    Matcher wait = PREFER.matcher(prefer == null ? "wait" : prefer.trim());
    String cancelAfter = ex.getRequestHeaders().getFirst("Cancel-After");
    Duration lifetime = cancelAfter == null ? null : parseDuration(cancelAfter.trim());
    if (body == null || !body.isObject()) {
      problem(ex, 400, "Invalid request", "The request body must be a JSON object");
    } else if (!wait.matches()) {
      problem(ex, 400, "Invalid Prefer header", "Prefer must be \"wait\" or \"wait=n\" with n from 1 to 60");
    } else if (cancelAfter != null && (lifetime == null || lifetime.toMillis() < 5000)) {
      problem(ex, 400, "Invalid Cancel-After header", "Cancel-After must be a duration like 30s, 5m or 1h30m, at least 5s");
    } else {
      createValid(ex, body, modelFromPath, prefer == null ? null : wait.group(1) == null ? 60 : Integer.parseInt(wait.group(1)), lifetime);
    }
  }

  private void createValid(HttpExchange ex, JsonNode body, String modelName, Integer waitSeconds, Duration lifetime)
      throws IOException, InterruptedException {
    List<InvalidField> problems = checkBody(body, modelName == null);
    String version = "hidden";
    if (modelName == null && body.path("version").isTextual()) {
      Matcher ref = MODEL_REF.matcher(body.get("version").asText());
      if (!ref.matches()) { // a bare version id names a community model, which we do not host
        problem(ex, 422, "Invalid version or not permitted",
            "The specified version does not exist (or perhaps you don't have permission to use it?)");
        return;
      }
      modelName = ref.group(1);
      version = ref.group(2) == null ? version : ref.group(2);
    }
    Model model = ModelSchemas.find(modelName);
    JsonNode input = body.get("input");
    if (problems.isEmpty() && model == null) {
      problem(ex, 404, "Model not found", modelName + " is not one of " + String.join(", ", ModelSchemas.names()));
      return;
    }
    if (problems.isEmpty()) problems = ModelSchemas.validate(model, input);
    if (!problems.isEmpty()) {
      invalid(ex, problems);
      return;
    }

    Instant now = Instant.now();
    Fault fault = takeFault(false);
    PredictionRun run = new PredictionRun(newId(), model, version, input, now,
        lifetime == null ? null : now.plus(lifetime), fault, baseUrl);
    runs.put(run.id, run);
    order.add(run);
    created.incrementAndGet();
    JsonNode answer = run.toJson(json); // taken before the worker starts, so it reads "starting"
    if (lifetime != null) deadlines.schedule(() -> run.expire(Instant.now()), lifetime.toNanos(), TimeUnit.NANOSECONDS);
    workers.submit(() -> work.execute(run));
    if (fault instanceof Fault.CreateThenDropConnection) return; // handle() closes without a response
    if (waitSeconds != null && !run.awaitTerminalUntil(now.plusSeconds(waitSeconds))) LOG.log(System.Logger.Level.DEBUG,
        "Prefer: wait={0} ran out for {1}", waitSeconds, run.id);
    sendJson(ex, 201, waitSeconds == null ? answer : run.toJson(json), "Location", run.getUrl());
  }

  /** Top-level body checks, which Replicate has done since 2024-05 (unknown properties included). */
  private static List<InvalidField> checkBody(JsonNode body, boolean versionEndpoint) {
    List<InvalidField> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> p : body.properties()) {
      String name = p.getKey(), type = ModelSchemas.jsonType(p.getValue());
      String expected = switch (name) {
        case "input" -> "object";
        case "webhook" -> "string";
        case "stream" -> "boolean";
        case "webhook_events_filter" -> "array";
        case "version" -> versionEndpoint ? "string" : null;
        default -> null;
      };
      if (expected == null) {
        problems.add(new InvalidField("additional_property_not_allowed", "", "Additional property " + name + " is not allowed"));
      } else if (!expected.equals(type)) {
        problems.add(new InvalidField("invalid_type", name, "Invalid type. Expected: " + expected + ", given: " + type));
      } else if (name.equals("webhook_events_filter")) {
        p.getValue().forEach(e -> {
          if (!WEBHOOK_EVENTS.contains(e.asText())) problems.add(new InvalidField("enum", name,
              name + " must be one of the following: \"start\", \"output\", \"logs\", \"completed\""));
        });
      }
    }
    if (!body.has("input")) problems.add(new InvalidField("required", "", "input is required"));
    if (versionEndpoint && !body.has("version")) problems.add(new InvalidField("required", "", "version is required"));
    return problems;
  }

  private void get(HttpExchange ex, PredictionRun run) throws IOException {
    if (run == null) {
      problem(ex, 404, "Not found", "No such prediction");
    } else if (run.getFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      int status = ((Fault.GetFails) run.fault).status();
      problem(ex, status, "Injected failure", "Injected failure of GET " + run.getUrl(),
          status == 429 ? new String[] {"Retry-After", "1"} : new String[0]);
    } else {
      sendJson(ex, 200, run.toJson(json));
    }
  }

  private void cancel(HttpExchange ex, PredictionRun run) throws IOException {
    if (run == null) {
      problem(ex, 404, "Not found", "No such prediction");
    } else {
      run.finish("canceled", Instant.now(), null, null); // a no-op once it has ended
      sendJson(ex, 200, run.toJson(json));
    }
  }

  /**
   * Newest first, 100 a page, filtered by {@code created_after} (inclusive) and {@code created_before}
   * (ISO 8601) as Replicate's list is; our cursor is a plain offset where Replicate's is opaque, and
   * the filters ride along in {@code next}/{@code previous} as they do there.
   */
  private void list(HttpExchange ex) throws IOException {
    Map<String, String> query = new java.util.HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    for (String pair : raw == null ? new String[0] : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) query.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    Instant after, before;
    try {
      after = query.containsKey("created_after") ? java.time.OffsetDateTime.parse(query.get("created_after")).toInstant() : null;
      before = query.containsKey("created_before") ? java.time.OffsetDateTime.parse(query.get("created_before")).toInstant() : null;
    } catch (java.time.format.DateTimeParseException e) {
      problem(ex, 400, "Invalid query", "created_after and created_before must be ISO 8601 date-times");
      return;
    }
    String cursor = query.getOrDefault("cursor", "0");
    int from = cursor.matches("\\d{1,9}") ? Integer.parseInt(cursor) : 0;
    List<PredictionRun> all = new ArrayList<>(order).reversed().stream()
        .filter(r -> after == null || !r.createdAt.isBefore(after))
        .filter(r -> before == null || r.createdAt.isBefore(before)).toList();
    int to = Math.min(all.size(), from + 100);
    StringBuilder filters = new StringBuilder();
    for (String name : List.of("created_after", "created_before")) {
      if (query.containsKey(name)) filters.append('&').append(name).append('=')
          .append(java.net.URLEncoder.encode(query.get(name), StandardCharsets.UTF_8));
    }
    ObjectNode page = json.createObjectNode();
    page.put("next", to < all.size() ? baseUrl + "/v1/predictions?cursor=" + to + filters : null);
    page.put("previous", from > 0 ? baseUrl + "/v1/predictions?cursor=" + Math.max(0, from - 100) + filters : null);
    var results = page.putArray("results");
    all.subList(Math.min(from, to), to).forEach(r -> results.add(r.toJson(json)));
    listCalls.incrementAndGet();
    sendJson(ex, 200, page);
  }

  /** {@code /files/{id}/{name}}, streamed: the padding of an OutputTooLarge file is never held in memory. */
  private void serveFile(HttpExchange ex, String[] p) throws IOException {
    PredictionRun run = p.length == 4 ? runs.get(p[2]) : null;
    OutputFile file = run == null ? null : run.file(p[3]);
    if (file == null || !ex.getRequestMethod().equals("GET")) {
      send(ex, 404, "text/plain", "Not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    ex.getResponseHeaders().set("Content-Type", file.contentType());
    ex.sendResponseHeaders(200, file.length());
    try (OutputStream out = ex.getResponseBody()) {
      int head = (int) Math.min(file.length(), file.head().length);
      out.write(file.head(), 0, head);
      byte[] zeros = new byte[64 * 1024];
      for (long left = file.length() - head; left > 0; left -= zeros.length) out.write(zeros, 0, (int) Math.min(left, zeros.length));
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "Client stopped reading {0}: {1}", ex.getRequestURI(), e.getMessage());
    }
  }

  private Fault takeFault(boolean rejection) {
    synchronized (faults) {
      Fault head = faults.peek();
      boolean rejects = head instanceof Fault.RateLimited || head instanceof Fault.ServerError;
      return head != null && rejects == rejection ? faults.poll() : null;
    }
  }

  /** Replicate-like id: 26 characters of lowercase base32. */
  private String newId() {
    StringBuilder id = new StringBuilder(26);
    for (int n = 0; n < 26; n++) id.append("abcdefghijklmnopqrstuvwxyz234567".charAt(random.nextInt(32)));
    return id.toString();
  }

  /** Go-style durations as Cancel-After takes them ({@code 30s}, {@code 1m30s}, {@code 2h}); a bare number is seconds. */
  static Duration parseDuration(String s) {
    if (s.matches("\\d{1,9}")) return Duration.ofSeconds(Long.parseLong(s));
    Matcher m = DURATION_PART.matcher(s);
    long nanos = 0;
    int at = 0;
    while (m.find() && m.start() == at) {
      long unit = switch (m.group(2)) {
        case "h" -> 3_600_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "s" -> 1_000_000_000L;
        default -> 1_000_000L;
      };
      nanos += (long) (Double.parseDouble(m.group(1)) * unit);
      at = m.end();
    }
    return at > 0 && at == s.length() ? Duration.ofNanos(nanos) : null;
  }
}
