package ai.realstaging.local.replicate;

import ai.realstaging.local.replicate.ModelSchemas.Model;
import ai.realstaging.local.replicate.PredictionRun.OutputFile;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Runs one prediction: its lifecycle and faults, then the work itself (fetch the photo, paint, encode). */
final class StagingWork implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(StagingWork.class.getName());
  private static final int MAX_INPUT_BYTES = 20 * 1024 * 1024;
  private static final byte[] HTML = "<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>\n"
      .getBytes(StandardCharsets.UTF_8);

  /** What a real model reports as the prediction's error, e.g. for an input URL that does not download. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }

  private final ReplicateStandIn standIn;
  private final HttpClient http;

  StagingWork(ReplicateStandIn standIn) {
    this.standIn = standIn;
    // Our input URLs are presigned S3 GETs; Replicate does not follow redirects for them either.
    http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10)).executor(standIn.workers).build();
  }

  @Override
  public void close() {
    http.shutdownNow();
  }

  void execute(PredictionRun run) {
    try {
      if (run.fault instanceof Fault.SlowStart(Duration d) && run.awaitTerminalUntil(run.createdAt.plus(d))) return;
      if (!run.start(Instant.now())) return; // aborted or canceled while queued
      Instant end = run.startedAt().plus(run.fault instanceof Fault.SlowPrediction(Duration d) ? d : standIn.processingTime);
      String status = "succeeded", error = null;
      List<OutputFile> files = null;
      switch (run.fault) {
        case Fault.PredictionFails(String e) -> { status = "failed"; error = e; }
        case Fault.PredictionCanceled() -> status = "canceled";
        case null -> {
          byte[] instant = standIn.instantOutput;
          try {
            files = instant != null ? List.of(new OutputFile("out-0.jpg", "image/jpeg", instant, instant.length)) : produce(run);
          } catch (Failure f) {
            run.log(f.getMessage());
            status = "failed";
            error = f.getMessage();
          }
        }
        default -> {
          try {
            files = produce(run);
          } catch (Failure f) {
            run.log(f.getMessage());
            status = "failed";
            error = f.getMessage();
          }
        }
      }
      if (!run.awaitTerminalUntil(end)) run.finish(status, Instant.now(), error, files);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the stand-in is closing
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Prediction " + run.id + " crashed", e);
      run.finish("failed", Instant.now(), "Internal error in the Replicate stand-in: " + e, null);
    }
  }

  private List<OutputFile> produce(PredictionRun run) throws Failure, InterruptedException, IOException {
    Model model = run.model;
    JsonNode in = run.input;
    // The Kontext schemas say this only in prose ("2 is currently the maximum allowed when input
    // images are used"), so, like the model, we fail the prediction instead of rejecting the create.
    if (in.has("input_image") && in.path("safety_tolerance").asLong() > 2) {
      throw new Failure("safety_tolerance must be at most 2 when input_image is provided");
    }
    StagingPainter.Decoded photo = null;
    String url = model.imageUrl(in);
    if (url != null) {
      run.log("Downloading input image");
      byte[] bytes = download(url);
      try {
        photo = StagingPainter.decode(bytes);
      } catch (IOException e) {
        throw new Failure("Failed to read input image: " + e.getMessage());
      }
      if (photo.image() == null) run.log("Input is WebP; drawing on a neutral canvas of its size");
    }
    long seed = in.hasNonNull("seed") ? in.get("seed").asLong()
        : model.fields().containsKey("seed") ? ThreadLocalRandom.current().nextInt(1 << 30) // as the real models do
        : in.toString().hashCode() & 0x7fffffffL; // no seed input (seedream, gpt-image-1): reruns match
    run.log("Using seed: " + seed);
    int[] size = outputSize(model, in, photo);
    Object requested = model.effective(in, model.formatField()); // none (seedream) means JPEG
    String format = "png".equals(requested) ? "png" : "webp".equals(requested) ? "webp" : "jpg";
    int quality = model.qualityField() == null ? 90 : ((Number) model.effective(in, model.qualityField())).intValue();
    Object count = model.fields().containsKey("number_of_images") ? model.effective(in, "number_of_images") : 1L;
    List<OutputFile> files = new ArrayList<>();
    for (int n = 0; n < ((Number) count).intValue(); n++) {
      byte[] bytes = StagingPainter.encode(StagingPainter.paint(photo, size[0], size[1], seed + n), format, quality);
      String name = "out-" + n + "." + format, type = format.equals("jpg") ? "image/jpeg" : "image/" + format;
      files.add(switch (run.fault) {
        case Fault.OutputNotAnImage() -> new OutputFile(name, "text/html; charset=utf-8", HTML, HTML.length);
        case Fault.OutputTooLarge(long length) -> new OutputFile(name, type, Arrays.copyOf(bytes, (int) Math.min(bytes.length, length)), length);
        case null, default -> new OutputFile(name, type, bytes, bytes.length);
      });
    }
    run.log("Generated " + files.size() + " image(s) at " + size[0] + "x" + size[1]);
    return files;
  }

  /**
   * The input's size unless the options ask otherwise: seedream's {@code size=custom} gives exact
   * pixels; another aspect ratio keeps the input's pixel area (1024x1024 without an input photo).
   */
  static int[] outputSize(Model model, JsonNode in, StagingPainter.Decoded photo) {
    int w = photo == null ? 1024 : photo.width(), h = photo == null ? 1024 : photo.height();
    if ("custom".equals(model.effective(in, "size"))) {
      return new int[] {((Number) model.effective(in, "width")).intValue(), ((Number) model.effective(in, "height")).intValue()};
    }
    Object ratio = model.effective(in, "aspect_ratio");
    if (ratio == null || "match_input_image".equals(ratio)) return new int[] {w, h};
    String[] parts = ratio.toString().split(":");
    double r = Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]);
    int width = (int) Math.max(1, Math.round(Math.sqrt((double) w * h * r)));
    return new int[] {width, (int) Math.max(1, Math.round(width / r))};
  }

  /** An input file: a data URI, or an HTTP(S) GET without redirects; at most 20 MB either way. */
  private byte[] download(String url) throws Failure, InterruptedException {
    byte[] bytes;
    if (url.startsWith("data:")) {
      String meta = url.substring(5, url.indexOf(',')), data = url.substring(url.indexOf(',') + 1);
      bytes = meta.endsWith(";base64") ? Base64.getMimeDecoder().decode(data)
          : URLDecoder.decode(data, StandardCharsets.UTF_8).getBytes(StandardCharsets.ISO_8859_1);
    } else {
      try {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
          if (response.statusCode() != 200) throw new Failure("Failed to download image from URL: HTTP " + response.statusCode());
          bytes = body.readNBytes(MAX_INPUT_BYTES + 1);
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new Failure("Failed to download image from URL: " + e.getMessage());
      }
    }
    if (bytes.length > MAX_INPUT_BYTES) throw new Failure("Input image is larger than 20 MB");
    return bytes;
  }
}
