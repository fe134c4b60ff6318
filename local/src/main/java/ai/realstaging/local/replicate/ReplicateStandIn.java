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
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Serves {@code /v1/...} (Bearer or Token auth) and the output files under {@code /files/...}
 * (no auth, like replicate.delivery). The stand-in encodes JPEG and PNG only: callers must ask for
 * {@code output_format} jpg/jpeg/png where the model defaults to webp (qwen-image-edit,
 * gpt-image-1), otherwise the create answers 422.
 */
public final class ReplicateStandIn implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ReplicateStandIn.class.getName());
  private static final int MAX_INPUT_BYTES = 20 * 1024 * 1024;
  private static final Duration MIN_CANCEL_AFTER = Duration.ofSeconds(5);
  private static final Pattern PREFER = Pattern.compile("wait(?:=([1-9]|[1-5][0-9]|60))?");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");
  private static final Pattern MODEL_REF = Pattern.compile("([\\w.-]+/[\\w.-]+)(?::([0-9a-f]{64}))?");
  private static final Set<String> BODY_FIELDS = Set.of("input", "stream", "webhook", "webhook_events_filter");
  private static final List<String> WEBHOOK_EVENTS = List.of("start", "output", "logs", "completed");
  private static final byte[] HTML = "<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>\n"
      .getBytes(StandardCharsets.UTF_8);

  private final ObjectMapper json = new ObjectMapper();
  private final SecureRandom random = new SecureRandom();
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("replicate-deadlines").factory());
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).executor(workers).build();
  private final Map<String, PredictionRun> runs = new ConcurrentHashMap<>();
  private final List<PredictionRun> order = new CopyOnWriteArrayList<>();
  private final ArrayDeque<Fault> faults = new ArrayDeque<>();
  private final AtomicInteger created = new AtomicInteger();
  private final String apiToken;
  private final HttpServer server;
  private final String baseUrl;
  private volatile Duration processingTime = Duration.ofMillis(300);

  private ReplicateStandIn(String host, int port, String apiToken) throws IOException {
    this.apiToken = apiToken;
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    // The dispatcher thread inherits daemon status from the thread that starts the server.
    try {
      Thread.ofPlatform().daemon().start(server::start).join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting", e);
    }
    String h = host.contains(":") ? "[" + host + "]" : host;
    baseUrl = "http://" + h + ":" + server.getAddress().getPort();
  }

  /** Starts on {@code host:port} (port 0 picks a free one); requests must carry {@code apiToken}. */
  public static ReplicateStandIn start(String host, int port, String apiToken) {
    try {
      return new ReplicateStandIn(host, port, apiToken);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI baseUrl() {
    return URI.create(baseUrl);
  }

  /** How long a prediction runs (default 300 ms); applies to predictions created afterwards. */
  public void setProcessingTime(Duration d) {
    if (d == null || d.isNegative()) throw new IllegalArgumentException("bad processing time: " + d);
    processingTime = d;
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

  public List<Prediction> predictions() {
    return order.stream().map(r -> r.snapshot(json)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
    deadlines.shutdownNow();
    workers.shutdownNow();
    handlers.shutdownNow();
    http.shutdownNow();
  }

  // ---- HTTP plumbing --------------------------------------------------------------------------

  private void handle(HttpExchange ex) {
    try {
      String path = ex.getRequestURI().getPath();
      if (path.startsWith("/files/")) serveFile(ex, path);
      else if (path.startsWith("/v1/")) api(ex, path.substring(4).split("/"));
      else problem(ex, 404, "Not found", "No route " + path);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      LOG.log(System.Logger.Level.WARNING, "Replicate stand-in request failed", e);
    } finally {
      ex.close(); // without a response sent, this drops the connection (CreateThenDropConnection)
    }
  }

  private void api(HttpExchange ex, String[] p) throws IOException, InterruptedException {
    if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
      problem(ex, 401, "Unauthenticated", "You did not pass a valid authentication token");
      return;
    }
    String method = ex.getRequestMethod();
    boolean predictions = p.length >= 1 && p[0].equals("predictions");
    if (predictions && p.length == 1) {
      if (method.equals("POST")) create(ex, null);
      else if (method.equals("GET")) list(ex);
      else notAllowed(ex);
    } else if (p.length == 4 && p[0].equals("models") && p[3].equals("predictions")) {
      if (method.equals("POST")) create(ex, p[1] + "/" + p[2]);
      else notAllowed(ex);
    } else if (predictions && p.length == 2) {
      if (method.equals("GET")) get(ex, p[1]);
      else notAllowed(ex);
    } else if (predictions && p.length == 3 && p[2].equals("cancel")) {
      if (method.equals("POST")) cancel(ex, p[1]);
      else notAllowed(ex);
    } else {
      problem(ex, 404, "Not found", "No route " + ex.getRequestURI().getPath());
    }
  }

  private boolean authorized(String header) {
    if (header == null) return false;
    for (String scheme : List.of("Bearer ", "Token ")) {
      if (header.regionMatches(true, 0, scheme, 0, scheme.length())) {
        byte[] given = header.substring(scheme.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, apiToken.getBytes(StandardCharsets.UTF_8));
      }
    }
    return false;
  }

  private void send(HttpExchange ex, int status, String contentType, byte[] body, String... headers) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
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
    ObjectNode body = json.createObjectNode();
    if (title != null) body.put("title", title);
    body.put("detail", detail);
    body.put("status", status);
    send(ex, status, "application/problem+json", json.writeValueAsBytes(body), headers);
  }

  private void notAllowed(HttpExchange ex) throws IOException {
    problem(ex, 405, "Method not allowed", "Method \"" + ex.getRequestMethod() + "\" not allowed.");
  }

  private void invalid(HttpExchange ex, List<InvalidField> fields) throws IOException {
    ObjectNode body = json.createObjectNode();
    StringBuilder detail = new StringBuilder();
    fields.forEach(f -> detail.append("- ").append(f.field().isEmpty() ? "(root)" : f.field()).append(": ")
        .append(f.description()).append('\n'));
    body.put("detail", detail.toString());
    body.put("status", 422);
    body.put("title", "Input validation failed");
    fields.forEach(f -> body.withArray("invalid_fields").addObject()
        .put("type", f.type()).put("field", f.field()).put("description", f.description()));
    send(ex, 422, "application/problem+json", json.writeValueAsBytes(body));
  }

  // ---- Endpoints -----------------------------------------------------------------------------

  private void create(HttpExchange ex, String modelFromPath) throws IOException, InterruptedException {
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readAllBytes();
    }
    // Throttling and outages hit before Replicate looks at the request.
    switch (takeFault(true)) {
      case Fault.RateLimited(int secs) -> {
        sendJson(ex, 429, json.createObjectNode().put("detail",
            "Request was throttled. Your rate limit resets in ~" + secs + "s.").put("status", 429),
            "Retry-After", String.valueOf(secs));
        return;
      }
      case Fault.ServerError(int status) -> {
        problem(ex, status, status == 500 ? "Internal Server Error" : status == 502 ? "Bad Gateway"
            : status == 503 ? "Service Unavailable" : "Server Error", "Injected server error");
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
    if (body == null || !body.isObject()) {
      problem(ex, 400, "Invalid request", "The request body must be a JSON object");
      return;
    }
    String prefer = ex.getRequestHeaders().getFirst("Prefer");
    Matcher preferMatch = prefer == null ? null : PREFER.matcher(prefer.trim());
    if (preferMatch != null && !preferMatch.matches()) {
      problem(ex, 400, "Invalid Prefer header", "Prefer must be \"wait\" or \"wait=n\" with n from 1 to 60");
      return;
    }
    String cancelAfter = ex.getRequestHeaders().getFirst("Cancel-After");
    Duration lifetime = cancelAfter == null ? null : parseDuration(cancelAfter.trim());
    if (cancelAfter != null && (lifetime == null || lifetime.compareTo(MIN_CANCEL_AFTER) < 0)) {
      problem(ex, 400, "Invalid Cancel-After header",
          "Cancel-After must be a duration such as 30s, 5m or 1h30m, and at least 5s");
      return;
    }

    List<InvalidField> problems = checkBody(body, modelFromPath == null);
    String modelName = modelFromPath;
    String version = "hidden";
    if (modelFromPath == null && body.path("version").isTextual()) {
      Matcher ref = MODEL_REF.matcher(body.get("version").asText());
      if (!ref.matches()) {
        // Bare version ids name community models we do not host.
        problem(ex, 422, "Invalid version or not permitted",
            "The specified version does not exist (or perhaps you don't have permission to use it?)");
        return;
      }
      modelName = ref.group(1);
      if (ref.group(2) != null) version = ref.group(2);
    }
    if (!problems.isEmpty()) {
      invalid(ex, problems);
      return;
    }
    Model model = ModelSchemas.find(modelName);
    if (model == null) {
      problem(ex, 404, "Model not found", "The requested model " + modelName
          + " does not exist here; the stand-in knows " + String.join(", ", ModelSchemas.names()));
      return;
    }
    JsonNode input = body.get("input");
    problems = ModelSchemas.validate(model, input);
    if (problems.isEmpty() && "webp".equals(model.effective(input, model.formatField()))) {
      problems = List.of(new InvalidField("enum", "input." + model.formatField(), "The local Replicate stand-in "
          + "encodes jpg/png only; set " + model.formatField() + " to jpg or png (webp is this model's default)"));
    }
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
    if (lifetime != null) {
      deadlines.schedule(() -> run.expire(Instant.now()), lifetime.toNanos(), TimeUnit.NANOSECONDS);
    }
    workers.submit(() -> execute(run));
    if (fault instanceof Fault.CreateThenDropConnection) return; // no response: handle() drops the connection
    if (preferMatch != null) {
      int seconds = preferMatch.group(1) == null ? 60 : Integer.parseInt(preferMatch.group(1));
      run.awaitTerminalUntil(now.plusSeconds(seconds));
      answer = run.toJson(json);
    }
    sendJson(ex, 201, answer, "Location", run.getUrl());
  }

  /** Top-level body checks Replicate does since 2024-05 (unknown properties are rejected there too). */
  private List<InvalidField> checkBody(JsonNode body, boolean versionEndpoint) {
    List<InvalidField> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> property : body.properties()) {
      String name = property.getKey();
      if (!BODY_FIELDS.contains(name) && !(versionEndpoint && name.equals("version"))) {
        problems.add(new InvalidField("additional_property_not_allowed", "", "Additional property " + name + " is not allowed"));
      }
    }
    if (!body.has("input")) problems.add(new InvalidField("required", "", "input is required"));
    if (versionEndpoint && !body.has("version")) problems.add(new InvalidField("required", "", "version is required"));
    for (String text : List.of("version", "webhook")) {
      if (body.has(text) && !body.get(text).isTextual()) {
        problems.add(new InvalidField("invalid_type", text, "Invalid type. Expected: string, given: "
            + ModelSchemas.jsonType(body.get(text))));
      }
    }
    if (body.has("stream") && !body.get("stream").isBoolean()) {
      problems.add(new InvalidField("invalid_type", "stream", "Invalid type. Expected: boolean, given: "
          + ModelSchemas.jsonType(body.get("stream"))));
    }
    JsonNode events = body.get("webhook_events_filter");
    if (events != null) {
      boolean ok = events.isArray();
      for (int n = 0; ok && n < events.size(); n++) ok = WEBHOOK_EVENTS.contains(events.get(n).asText());
      if (!ok) problems.add(new InvalidField("enum", "webhook_events_filter",
          "webhook_events_filter must be an array of \"start\", \"output\", \"logs\", \"completed\""));
    }
    return problems;
  }

  private void get(HttpExchange ex, String id) throws IOException {
    PredictionRun run = runs.get(id);
    if (run == null) {
      problem(ex, 404, "Not found", "Prediction " + id + " not found");
    } else if (run.getFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      int status = ((Fault.GetFails) run.fault).status();
      problem(ex, status, "Injected failure", "Injected failure of GET /v1/predictions/" + id,
          status == 429 ? new String[] {"Retry-After", "1"} : new String[0]);
    } else {
      sendJson(ex, 200, run.toJson(json));
    }
  }

  private void cancel(HttpExchange ex, String id) throws IOException {
    PredictionRun run = runs.get(id);
    if (run == null) {
      problem(ex, 404, "Not found", "Prediction " + id + " not found");
      return;
    }
    run.finish("canceled", Instant.now(), null, null); // a no-op once it has ended
    sendJson(ex, 200, run.toJson(json));
  }

  /** Newest first, 100 a page; our cursor is a plain offset where Replicate's is opaque. */
  private void list(HttpExchange ex) throws IOException {
    String query = ex.getRequestURI().getQuery();
    int from = query != null && query.matches("cursor=\\d{1,9}") ? Integer.parseInt(query.substring(7)) : 0;
    List<PredictionRun> all = new ArrayList<>(order).reversed();
    int to = Math.min(all.size(), from + 100);
    ObjectNode page = json.createObjectNode();
    page.put("next", to < all.size() ? baseUrl + "/v1/predictions?cursor=" + to : null);
    page.put("previous", from > 0 ? baseUrl + "/v1/predictions?cursor=" + Math.max(0, from - 100) : null);
    var results = page.putArray("results");
    for (int n = from; n < to; n++) results.add(all.get(n).toJson(json));
    sendJson(ex, 200, page);
  }

  /** Output files, like replicate.delivery: no auth; large ones are streamed, never held in memory. */
  private void serveFile(HttpExchange ex, String path) throws IOException {
    String[] p = path.split("/");
    PredictionRun run = p.length == 4 ? runs.get(p[2]) : null;
    OutputFile file = run == null ? null : run.file(p[3]);
    if (file == null || !ex.getRequestMethod().equals("GET")) {
      send(ex, 404, "text/plain", "Not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    ex.getResponseHeaders().set("Content-Type", file.contentType());
    ex.sendResponseHeaders(200, file.length());
    try (OutputStream out = ex.getResponseBody()) {
      long headBytes = Math.min(file.length(), file.head().length);
      out.write(file.head(), 0, (int) headBytes);
      byte[] zeros = new byte[64 * 1024];
      for (long left = file.length() - headBytes; left > 0; left -= zeros.length) {
        out.write(zeros, 0, (int) Math.min(left, zeros.length));
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "Client stopped reading {0}: {1}", path, e.getMessage());
    }
  }

  // ---- Running predictions -------------------------------------------------------------------

  private Fault takeFault(boolean rejection) {
    synchronized (faults) {
      Fault head = faults.peek();
      boolean rejects = head instanceof Fault.RateLimited || head instanceof Fault.ServerError;
      return head != null && rejects == rejection ? faults.poll() : null;
    }
  }

  /** Replicate-like id: 26 characters of lowercase base32. */
  private String newId() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    StringBuilder id = new StringBuilder(26);
    for (int n = 0; n < 26; n++) id.append(alphabet.charAt(random.nextInt(32)));
    return id.toString();
  }

  private void execute(PredictionRun run) {
    try {
      if (run.fault instanceof Fault.SlowStart(Duration wait) && run.awaitTerminalUntil(run.createdAt.plus(wait))) {
        return;
      }
      if (!run.start(Instant.now())) return;
      Duration runTime = run.fault instanceof Fault.SlowPrediction(Duration d) ? d : processingTime;
      Instant end = run.startedAt().plus(runTime);
      switch (run.fault) {
        case Fault.PredictionFails(String error) -> {
          if (!run.awaitTerminalUntil(end)) run.finish("failed", Instant.now(), error, null);
        }
        case Fault.PredictionCanceled() -> {
          if (!run.awaitTerminalUntil(end)) run.finish("canceled", Instant.now(), null, null);
        }
        case null, default -> {
          List<OutputFile> files;
          try {
            files = StagingWork.produce(this, run);
          } catch (StagingFailure f) {
            run.log(f.getMessage());
            if (!run.awaitTerminalUntil(end)) run.finish("failed", Instant.now(), f.getMessage(), null);
            return;
          }
          if (!run.awaitTerminalUntil(end)) run.finish("succeeded", Instant.now(), null, files);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the stand-in is closing
    } catch (RuntimeException | IOException e) {
      LOG.log(System.Logger.Level.WARNING, "Prediction " + run.id + " crashed", e);
      run.finish("failed", Instant.now(), "Internal error in the Replicate stand-in: " + e, null);
    }
  }

  /** The failure a real model would report, e.g. an input URL that does not download. */
  static final class StagingFailure extends Exception {
    StagingFailure(String message) {
      super(message);
    }
  }

  /** Fetches an input file: data URI or HTTP(S) GET without redirects, at most 20 MB. */
  byte[] download(String url) throws StagingFailure, InterruptedException {
    if (url.startsWith("data:")) {
      int comma = url.indexOf(',');
      String meta = url.substring(5, comma), data = url.substring(comma + 1);
      byte[] bytes = meta.endsWith(";base64") ? Base64.getMimeDecoder().decode(data)
          : URLDecoder.decode(data, StandardCharsets.UTF_8).getBytes(StandardCharsets.ISO_8859_1);
      if (bytes.length > MAX_INPUT_BYTES) throw new StagingFailure("Input image is larger than 20 MB");
      return bytes;
    }
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new StagingFailure("Failed to download image from URL: HTTP " + response.statusCode());
        }
        byte[] bytes = body.readNBytes(MAX_INPUT_BYTES + 1);
        if (bytes.length > MAX_INPUT_BYTES) throw new StagingFailure("Input image is larger than 20 MB");
        return bytes;
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new StagingFailure("Failed to download image from URL: " + e.getMessage());
    }
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

  static byte[] html() {
    return HTML.clone();
  }
}
