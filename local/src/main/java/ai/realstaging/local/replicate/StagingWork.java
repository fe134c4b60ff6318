package ai.realstaging.local.replicate;

import ai.realstaging.local.replicate.ModelSchemas.Model;
import ai.realstaging.local.replicate.PredictionRun.OutputFile;
import ai.realstaging.local.replicate.ReplicateStandIn.StagingFailure;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** What one prediction computes: fetch the photo, read the model's options, paint and encode the outputs. */
final class StagingWork {

  private StagingWork() {}

  static List<OutputFile> produce(ReplicateStandIn standIn, PredictionRun run)
      throws StagingFailure, InterruptedException, IOException {
    Model model = run.model;
    JsonNode in = run.input;
    // The Kontext schemas only say this in prose ("2 is currently the maximum allowed when input
    // images are used"), so like the model we fail the prediction rather than reject the create.
    if (in.has("input_image") && in.has("safety_tolerance") && in.get("safety_tolerance").asLong() > 2) {
      throw new StagingFailure("safety_tolerance must be at most 2 when input_image is provided");
    }
    StagingPainter.Decoded photo = null;
    String url = model.imageUrl(in);
    if (url != null) {
      run.log("Downloading input image");
      byte[] bytes = standIn.download(url);
      try {
        photo = StagingPainter.decode(bytes);
      } catch (IOException e) {
        throw new StagingFailure("Failed to read input image: " + e.getMessage());
      }
      if (photo.image() == null) run.log("Input is WebP; the stand-in draws on a neutral canvas of its size");
    }
    long seed = seed(model, in);
    run.log("Using seed: " + seed);
    int[] size = outputSize(model, in, photo);
    Object format = model.effective(in, model.formatField());
    boolean jpeg = !"png".equals(format); // no format field (seedream) means JPEG; webp was refused at create
    int quality = model.qualityField() == null ? 90 : ((Number) model.effective(in, model.qualityField())).intValue();
    Object count = model.fields().containsKey("number_of_images") ? model.effective(in, "number_of_images") : 1L;
    String type = jpeg ? "image/jpeg" : "image/png";

    List<OutputFile> files = new ArrayList<>();
    for (int n = 0; n < ((Number) count).intValue(); n++) {
      BufferedImage image = StagingPainter.paint(photo, size[0], size[1], seed + n);
      byte[] bytes = StagingPainter.encode(image, jpeg, quality);
      String name = "out-" + n + (jpeg ? ".jpg" : ".png");
      files.add(switch (run.fault) {
        case Fault.OutputNotAnImage() -> {
          byte[] html = ReplicateStandIn.html();
          yield new OutputFile(name, "text/html; charset=utf-8", html, html.length);
        }
        case Fault.OutputTooLarge(long length) ->
            new OutputFile(name, type, Arrays.copyOf(bytes, (int) Math.min(bytes.length, length)), length);
        case null, default -> new OutputFile(name, type, bytes, bytes.length);
      });
    }
    run.log("Generated " + files.size() + " image(s) at " + size[0] + "x" + size[1]);
    return files;
  }

  /**
   * The given seed; a random one, as the real models pick, when the model takes a seed but got
   * none; otherwise (seedream, gpt-image-1 have no seed) one derived from the input, so reruns match.
   */
  private static long seed(Model model, JsonNode in) {
    if (in.hasNonNull("seed")) return in.get("seed").asLong();
    if (model.fields().containsKey("seed")) return ThreadLocalRandom.current().nextInt(1 << 30);
    return in.toString().hashCode() & 0x7fffffffL;
  }

  /**
   * The input's size, unless the options ask otherwise: seedream's {@code size=custom} gives exact
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
}
