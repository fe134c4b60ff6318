// integration: ReplicateClient's search of the prediction list for a lost create, against the Replicate stand-in over HTTP
package ai.realstaging.local;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.staging.ModelRegistry;
import ai.realstaging.common.staging.ModelSettings;
import ai.realstaging.common.staging.Prediction;
import ai.realstaging.common.staging.ReplicateClient;
import ai.realstaging.common.staging.StagingModel;
import ai.realstaging.local.replicate.ReplicateStandIn;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReplicateListSearchTest {
    private static HttpServer photos;
    private static ReplicateStandIn standIn;
    private static ReplicateClient replicate;
    private static String photoBase;
    private static final StagingModel QWEN = new ModelRegistry().defaultModel();

    @BeforeAll
    static void start() throws Exception {
        byte[] jpeg = Photos.emptyRoom(64, 48, "jpeg");
        photos = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        photos.createContext("/", ex -> {
            ex.getResponseHeaders().set("Content-Type", "image/jpeg");
            ex.sendResponseHeaders(200, jpeg.length);
            ex.getResponseBody().write(jpeg);
            ex.close();
        });
        photos.start();
        photoBase = "http://127.0.0.1:" + photos.getAddress().getPort() + "/room.jpg?x-realstaging-attempt=";
        standIn = ReplicateStandIn.start("127.0.0.1", 0, "t");
        standIn.setProcessingTime(Duration.ZERO);
        replicate = new ReplicateClient(ReplicateClient.defaultHttpClient(), standIn.baseUrl(), () -> "t");
    }

    @AfterAll
    static void stop() {
        standIn.close();
        photos.stop(0);
    }

    private static Prediction create(String marker) throws Exception {
        return replicate.create(QWEN.replicateModel(), QWEN.input(URI.create(photoBase + marker), "Stage this room.", null,
                ModelSettings.DEFAULTS), 1, Duration.ofMinutes(1));
    }

    @Test
    void findsThePredictionWhoseInputCarriesTheMarkerAmongOthers() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String marker = UUID.randomUUID().toString();
        create(UUID.randomUUID().toString());
        Prediction mine = create(marker);
        create(UUID.randomUUID().toString());

        Optional<Prediction> found = replicate.findByMarker(marker, before, 10);

        assertThat(found).map(Prediction::id).contains(mine.id());
    }

    @Test
    void aMarkerNoPredictionCarriesIsNotFound() throws Exception {
        create(UUID.randomUUID().toString());

        assertThat(replicate.findByMarker(UUID.randomUUID().toString(), Instant.now().minusSeconds(60), 10)).isEmpty();
    }

    @Test
    void predictionsCreatedBeforeTheWindowAreNotSearched() throws Exception {
        String marker = UUID.randomUUID().toString();
        create(marker);
        int lists = standIn.listCount();

        assertThat(replicate.findByMarker(marker, Instant.now().plusSeconds(5), 10)).isEmpty();
        assertThat(standIn.listCount()).isEqualTo(lists + 1);
    }

    @Test
    void aSearchThatCannotFinishWithinItsPagesIsTransientNotNotFound() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        for (int i = 0; i < 101; i++) create(UUID.randomUUID().toString());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replicate.findByMarker("no-such-marker", before, 1))
                .isInstanceOf(ai.realstaging.common.staging.ReplicateException.class)
                .satisfies(e -> assertThat(((ai.realstaging.common.staging.ReplicateException) e).kind())
                        .isEqualTo(ai.realstaging.common.staging.ReplicateException.Kind.TRANSIENT));
        assertThat(replicate.findByMarker("no-such-marker", before, 3)).isEmpty();
    }
}
