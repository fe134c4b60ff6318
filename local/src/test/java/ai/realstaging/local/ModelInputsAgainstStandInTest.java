// integration: every registered model's input, as our code builds it, run by the Replicate stand-in's schema check
package ai.realstaging.local;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.staging.ImageFormat;
import ai.realstaging.common.staging.ModelRegistry;
import ai.realstaging.common.staging.ModelSettings;
import ai.realstaging.common.staging.Prediction;
import ai.realstaging.common.staging.ReplicateClient;
import ai.realstaging.common.staging.StagingModel;
import ai.realstaging.local.replicate.ReplicateStandIn;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ModelInputsAgainstStandInTest {
    private static HttpServer photos;
    private static ReplicateStandIn standIn;
    private static ReplicateClient replicate;
    private static URI photoUrl;

    @BeforeAll
    static void start() throws Exception {
        byte[] jpeg = Photos.emptyRoom(320, 240, "jpeg");
        photos = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        photos.createContext("/room.jpg", ex -> {
            ex.getResponseHeaders().set("Content-Type", "image/jpeg");
            ex.sendResponseHeaders(200, jpeg.length);
            ex.getResponseBody().write(jpeg);
            ex.close();
        });
        photos.start();
        photoUrl = URI.create("http://127.0.0.1:" + photos.getAddress().getPort() + "/room.jpg");
        standIn = ReplicateStandIn.start("127.0.0.1", 0, "t");
        replicate = new ReplicateClient(ReplicateClient.defaultHttpClient(), standIn.baseUrl(), () -> "t");
    }

    @AfterAll
    static void stop() {
        standIn.close();
        photos.stop(0);
    }

    static List<StagingModel> models() {
        // A key for gpt-image-1 so it is selectable; the stand-in only checks that one is sent.
        return new ModelRegistry().all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theStandInAcceptsTheInputAndTheOutputIsADownloadableImage(StagingModel model) throws Exception {
        Prediction prediction = replicate.create(model.replicateModel(),
                model.input(photoUrl, "Virtually stage this empty living room.", 1234L,
                        new ModelSettings(Map.of(), Map.of("openai_api_key", "sk-test-openai-key-0123456789"))), 5, Duration.ofMinutes(1));
        Instant giveUp = Instant.now().plusSeconds(10);
        while (!prediction.terminal() && Instant.now().isBefore(giveUp)) {
            Thread.sleep(100);
            prediction = replicate.get(prediction.id());
        }

        assertThat(prediction.status()).as(model.id() + ": " + prediction.error()).isEqualTo("succeeded");
        URI output = model.output(prediction.output()).orElseThrow();
        HttpResponse<InputStream> file = replicate.download(output);
        byte[] bytes;
        try (InputStream in = file.body()) {
            bytes = in.readAllBytes();
        }
        assertThat(ImageFormat.sniff(bytes)).as(model.id()).contains(ImageFormat.JPEG);
    }
}
