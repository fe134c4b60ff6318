package ai.realstaging.common.config;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the SDK clients once per environment (INIT): region from AWS_REGION, the URL-connection
 * HTTP client, the default credentials chain (SnapStart-safe), and an endpoint override only when
 * AWS_ENDPOINT_URL points at an emulator.
 */
public final class AwsClients {
    private final Config config;
    private final SdkHttpClient http = UrlConnectionHttpClient.create();

    public AwsClients(Config config) {
        this.config = config;
    }

    public S3Client s3() {
        var builder = S3Client.builder().httpClient(http).region(region()).credentialsProvider(credentials());
        endpoint().ifPresent(uri -> builder.endpointOverride(uri).forcePathStyle(true));
        return builder.build();
    }

    public S3Presigner presigner() {
        var builder = S3Presigner.builder().region(region()).credentialsProvider(credentials());
        endpoint().ifPresent(uri -> builder.endpointOverride(uri)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        return builder.build();
    }

    public SqsClient sqs() {
        var builder = SqsClient.builder().httpClient(http).region(region()).credentialsProvider(credentials());
        endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    public SecretsManagerClient secrets() {
        var builder = SecretsManagerClient.builder().httpClient(http).region(region()).credentialsProvider(credentials());
        endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /**
     * PostToConnection for a WebSocket API: the endpoint is the API's own callback URL
     * (https://{api}.execute-api.{region}.amazonaws.com/{stage}), never AWS_ENDPOINT_URL. A few
     * seconds at most per call: a publish must not hold up the work that triggered it.
     */
    public ApiGatewayManagementApiClient connections(URI callbackUrl) {
        return ApiGatewayManagementApiClient.builder().httpClient(http).region(region())
                .credentialsProvider(credentials()).endpointOverride(callbackUrl)
                .overrideConfiguration(o -> o.apiCallTimeout(java.time.Duration.ofSeconds(5))
                        .apiCallAttemptTimeout(java.time.Duration.ofSeconds(2)))
                .build();
    }

    private Region region() {
        return Region.of(config.region());
    }

    private Optional<URI> endpoint() {
        return config.get("AWS_ENDPOINT_URL").map(URI::create);
    }

    /**
     * Static keys only for an emulator endpoint. In Lambda the role's keys also sit in the
     * environment, but reading them there would freeze stale keys into a SnapStart snapshot.
     */
    private AwsCredentialsProvider credentials() {
        Optional<String> key = config.get("AWS_ACCESS_KEY_ID");
        if (endpoint().isPresent() && key.isPresent()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(key.get(), config.require("AWS_SECRET_ACCESS_KEY")));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
