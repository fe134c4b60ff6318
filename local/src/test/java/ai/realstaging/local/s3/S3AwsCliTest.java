// unit: in-JVM S3 emulator over loopback HTTP
package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aws CLI (v1, botocore) against the emulator; skipped where the CLI is not installed. */
class S3AwsCliTest {
  private static final String BUCKET = "cli-bucket";

  @TempDir
  Path dir;

  @Test
  void cliCopiesListsDownloadsAndRemoves() throws Exception {
    Assumptions.assumeTrue(cliAvailable(), "aws CLI not on PATH");
    try (LocalS3 local = new LocalS3()) {
      local.emulator.createBucket(BUCKET);
      byte[] photo = S3ObjectApiTest.randomBytes(300_000, 11);
      Path file = Files.write(dir.resolve("living room.jpg"), photo);

      Result cp = aws(local, "s3", "cp", file.toString(), "s3://" + BUCKET + "/uploads/living room+1.jpg");
      assertThat(cp.exit()).as(cp.output()).isZero();
      assertThat(local.stored(BUCKET, "uploads/living room+1.jpg")).isEqualTo(photo);

      Result ls = aws(local, "s3", "ls", "s3://" + BUCKET + "/uploads/");
      assertThat(ls.exit()).as(ls.output()).isZero();
      assertThat(ls.output()).contains("300000 living room+1.jpg");

      Path back = dir.resolve("back.jpg");
      Result get = aws(local, "s3", "cp", "s3://" + BUCKET + "/uploads/living room+1.jpg", back.toString());
      assertThat(get.exit()).as(get.output()).isZero();
      assertThat(Files.readAllBytes(back)).isEqualTo(photo);

      Result head = aws(local, "s3api", "head-object", "--bucket", BUCKET, "--key", "uploads/living room+1.jpg");
      assertThat(head.exit()).as(head.output()).isZero();
      assertThat(head.output()).contains("\"ContentLength\": 300000");

      aws(local, "s3", "cp", file.toString(), "s3://" + BUCKET + "/uploads/nested/second.jpg");
      Result rm = aws(local, "s3", "rm", "--recursive", "s3://" + BUCKET + "/uploads/");
      assertThat(rm.exit()).as(rm.output()).isZero();
      assertThat(local.emulator.objectBytes(BUCKET, "uploads/living room+1.jpg")).isEmpty();
      assertThat(local.emulator.objectBytes(BUCKET, "uploads/nested/second.jpg")).isEmpty();

      Result denied = aws(local, Map.of("AWS_SECRET_ACCESS_KEY", "wrong"), "s3", "ls", "s3://" + BUCKET + "/");
      assertThat(denied.exit()).isNotZero();
      assertThat(denied.output()).contains("SignatureDoesNotMatch");
    }
  }

  private record Result(int exit, String output) {}

  private Result aws(LocalS3 local, String... args) throws Exception {
    return aws(local, Map.of(), args);
  }

  private Result aws(LocalS3 local, Map<String, String> overrides, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", local.endpoint.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    // Isolated from any developer profile or config on this machine.
    env.put("AWS_ACCESS_KEY_ID", LocalS3.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", LocalS3.SECRET_KEY);
    env.put("AWS_DEFAULT_REGION", LocalS3.REGION);
    env.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    env.putAll(overrides);
    env.put("AWS_MAX_ATTEMPTS", "1");
    Path out = Files.createTempFile(dir, "aws", ".out");
    Process p = pb.redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
    return new Result(p.exitValue(), Files.readString(out, UTF_8));
  }

  private static boolean cliAvailable() {
    try {
      Process p = new ProcessBuilder("aws", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
