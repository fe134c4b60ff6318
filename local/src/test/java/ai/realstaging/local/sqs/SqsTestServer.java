package ai.realstaging.local.sqs;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Test fixture: the emulator on a loopback HttpServer behind an isSqsRequest dispatcher, plus an SDK client. */
final class SqsTestServer implements AutoCloseable {

    static final String ACCOUNT = "000000000000";

    final HttpServer server;
    final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    final SqsEmulator sqs;
    final URI endpoint;
    final SqsClient client;

    SqsTestServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        sqs = new SqsEmulator("us-east-1", ACCOUNT, () -> endpoint);
        // Mounted the way the local stack mounts it: a dispatcher that sends everything else elsewhere.
        server.createContext("/", exchange -> {
            if (SqsEmulator.isSqsRequest(exchange)) {
                sqs.handle(exchange);
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            }
        });
        server.setExecutor(executor);
        server.start();
        client = SqsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @Override
    public void close() {
        client.close();
        server.stop(0);
        executor.shutdownNow();
    }
}
