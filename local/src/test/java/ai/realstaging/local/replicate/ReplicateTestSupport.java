package ai.realstaging.local.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

/** Test helpers: a tiny loopback server for input photos, an HTTP client for the stand-in, pixel maths. */
final class ReplicateTestSupport implements AutoCloseable {

  static final String TOKEN = "r8_test_token";
  static final ObjectMapper JSON = new ObjectMapper();

  final HttpServer photos;
  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final ReplicateStandIn standIn;

  ReplicateTestSupport() {
    System.setProperty("java.awt.headless", "true");
    ImageIO.setUseCache(false); // no temp files from the test's own ImageIO calls
    try {
      photos = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    photos.createContext("/", ex -> {
      byte[] body = files.get(ex.getRequestURI().getPath());
      if (ex.getRequestURI().getPath().equals("/redirect")) {
        ex.getResponseHeaders().set("Location", photoUrl("/room.jpg"));
        ex.sendResponseHeaders(302, -1);
      } else if (body == null) {
        ex.sendResponseHeaders(404, -1);
      } else {
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    photos.start();
    files.put("/room.jpg", encode(room(640, 480), "jpeg"));
    files.put("/room.png", encode(room(400, 300), "png"));
    standIn = ReplicateStandIn.start("127.0.0.1", 0, TOKEN);
  }

  @Override
  public void close() {
    standIn.close();
    photos.stop(0);
    client.close();
  }

  String photoUrl(String path) {
    return "http://127.0.0.1:" + photos.getAddress().getPort() + path;
  }

  /** A plain "empty room": wall, floor, a window; the shapes give the pixel comparison something to see. */
  static BufferedImage room(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(0xE8E4DC));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(0xA08060));
    g.fillRect(0, h * 3 / 5, w, h);
    g.setColor(new Color(0x9CC3E6));
    g.fillRect(w / 3, h / 8, w / 3, h / 3);
    g.dispose();
    return img;
  }

  static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, format, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BufferedImage decode(byte[] bytes) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(bytes));
  }

  /** Mean absolute difference per channel, 0–255. */
  static double meanAbsDiff(BufferedImage a, BufferedImage b) {
    long sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y), q = b.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) sum += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
      }
    }
    return sum / (3.0 * a.getWidth() * a.getHeight());
  }

  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    return client.send(request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    return client.send(request(path, headers).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> download(String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(standIn.baseUrl().resolve(path)).timeout(Duration.ofSeconds(70))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json");
    for (int n = 0; n < headers.length; n += 2) b.setHeader(headers[n], headers[n + 1]);
    return b;
  }

  /** Creates a qwen-image-edit prediction for {@code /room.jpg}; {@code extra} is more JSON input properties. */
  HttpResponse<String> createQwen(String extra, String... headers) throws Exception {
    String input = "{\"input\":{\"image\":\"" + photoUrl("/room.jpg") + "\",\"prompt\":\"stage this living room\","
        + "\"output_format\":\"jpg\"" + (extra.isEmpty() ? "" : "," + extra) + "}}";
    return post("/v1/models/qwen/qwen-image-edit/predictions", input, headers);
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** Polls GET until the prediction leaves starting/processing. */
  JsonNode pollUntilDone(String id) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      HttpResponse<String> r = get("/v1/predictions/" + id);
      JsonNode p = json(r);
      if (r.statusCode() == 200 && !p.get("status").asText().matches("starting|processing")) return p;
      Thread.sleep(50);
    }
    throw new AssertionError("prediction " + id + " did not finish");
  }
}
