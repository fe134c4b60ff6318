package ai.realstaging.common.config;

import java.util.function.Supplier;

/**
 * A secret read on first use and kept for the life of the environment: from the environment
 * locally ({@code NAME}), from Secrets Manager in AWS ({@code NAME_SECRET_ARN}). Never logged.
 */
public final class Secret implements Supplier<String> {
    private final Lazy<String> value;

    private Secret(Supplier<String> source) {
        this.value = Lazy.of(source);
    }

    public static Secret of(Config config, String name, AwsClients aws) {
        return new Secret(() -> config.get(name).orElseGet(() -> {
            String arn = config.get(name + "_SECRET_ARN").orElseThrow(() -> new IllegalStateException(
                    "Set " + name + " or " + name + "_SECRET_ARN"));
            try (var client = aws.secrets()) {
                return client.getSecretValue(r -> r.secretId(arn)).secretString().trim();
            }
        }));
    }

    @Override
    public String get() {
        return value.get();
    }

    @Override
    public String toString() {
        return "Secret[hidden]";
    }
}
