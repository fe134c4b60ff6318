package ai.realstaging.local.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs inside a fresh JVM whose classpath is a function zip plus the jars of the layers it names, as in Lambda:
 * INIT (the handler's public constructor, settings from the environment), then one invocation of
 * the event in a file. Prints "RESPONSE status init_ms invoke_ms" for the benchmark to time.
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        @SuppressWarnings("unchecked")
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler =
                (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) Class.forName(args[0])
                        .getConstructor().newInstance();
        long t1 = System.nanoTime();
        APIGatewayV2HTTPEvent event;
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            event = LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, ColdStart.class.getClassLoader())
                    .fromJson(in);
        }
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, new BenchContext());
        long t2 = System.nanoTime();
        System.out.println("RESPONSE " + response.getStatusCode() + " " + (t1 - t0) / 1_000_000 + " " + (t2 - t1) / 1_000_000);
        System.out.flush();
        System.exit(0);
    }
}
