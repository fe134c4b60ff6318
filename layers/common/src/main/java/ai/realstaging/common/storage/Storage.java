package ai.realstaging.common.storage;

import ai.realstaging.common.config.Lazy;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/** The media bucket: presigned uploads and downloads, and the reads and writes of the staging pipeline. */
public final class Storage {
    private static final int DELETE_BATCH = 1000;

    private final Supplier<S3Client> s3;
    private final S3Presigner presigner;
    private final String bucket;

    public Storage(S3Client s3, S3Presigner presigner, String bucket) {
        this(() -> s3, presigner, bucket);
    }

    /**
     * The S3 client is made on first use: functions that only sign URLs (presigning is offline
     * computation) never pay for building one.
     */
    public Storage(Supplier<S3Client> s3, S3Presigner presigner, String bucket) {
        this.s3 = Lazy.of(s3);
        this.presigner = presigner;
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /** A presigned PUT; the client must send exactly {@code headers}. */
    public record PresignedUpload(String url, Map<String, String> headers, Instant expiresAt) {}

    /** A presigned GET and when it stops working. */
    public record PresignedDownload(String url, Instant expiresAt) {}

    /**
     * Signs Content-Type and Content-Length into the URL: S3 refuses any other type or size, since
     * a presigned PUT cannot express a size range. "If-None-Match: *" makes the URL create the
     * object once: a verified upload cannot be replaced by unchecked bytes while the URL lives.
     */
    public PresignedUpload presignUpload(String key, String contentType, long sizeBytes, Duration ttl) {
        PutObjectRequest put = PutObjectRequest.builder()
                .bucket(bucket).key(key).contentType(contentType).contentLength(sizeBytes).ifNoneMatch("*").build();
        PresignedPutObjectRequest signed = presigner.presignPutObject(r -> r.signatureDuration(ttl).putObjectRequest(put));
        Map<String, String> headers = new LinkedHashMap<>();
        signed.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(canonicalName(name), String.join(",", values));
            }
        });
        return new PresignedUpload(signed.url().toString(), headers, signed.expiration());
    }

    /** A presigned GET; with a file name it downloads as an attachment under that name. */
    public PresignedDownload presignDownload(String key, Duration ttl, String attachmentName) {
        var signed = presigner.presignGetObject(r -> r.signatureDuration(ttl).getObjectRequest(g -> {
            g.bucket(bucket).key(key);
            if (attachmentName != null) {
                g.responseContentDisposition("attachment; filename=\"" + attachmentName + "\"");
            }
        }));
        return new PresignedDownload(signed.url().toString(), signed.expiration());
    }

    /**
     * A presigned GET of a photo for the model, carrying {@code marker} as a signed query parameter.
     * S3 ignores query parameters that start with "x-" (they only reach its access logs), and
     * Replicate echoes the URL in the prediction's input, so the marker identifies the prediction.
     */
    public PresignedDownload presignModelInput(String key, Duration ttl, String marker) {
        var signed = presigner.presignGetObject(r -> r.signatureDuration(ttl).getObjectRequest(g -> g.bucket(bucket).key(key)
                .overrideConfiguration(o -> o.putRawQueryParameter(MODEL_INPUT_MARKER, marker))));
        return new PresignedDownload(signed.url().toString(), signed.expiration());
    }

    /** The query parameter naming the create call a photo URL was made for. */
    public static final String MODEL_INPUT_MARKER = "x-realstaging-attempt";

    /** Reads at most {@code maxBytes}; an object larger than that is refused before it is read. */
    public byte[] read(String key, long maxBytes) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.get().getObject(r -> r.bucket(bucket).key(key))) {
            Long length = in.response().contentLength();
            if (length != null && length > maxBytes) {
                throw new IOException("object " + key + " is " + length + " bytes, more than " + maxBytes);
            }
            return readCapped(in, maxBytes);
        }
    }

    public void put(String key, byte[] bytes, String contentType) {
        s3.get().putObject(r -> r.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    public void delete(String key) {
        s3.get().deleteObject(r -> r.bucket(bucket).key(key));
    }

    /**
     * The object's size, or empty when there is no such object. S3 answers a missing key with 404
     * only to a caller allowed s3:ListBucket; without it the answer is 403, which throws here.
     */
    public Optional<Long> sizeOf(String key) {
        try {
            return Optional.of(s3.get().headObject(r -> r.bucket(bucket).key(key)).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw e;
        }
    }

    /**
     * Deletes the keys with DeleteObjects (1,000 a call) and answers the ones S3 did not delete,
     * with S3's error code. A key that does not exist counts as deleted, as S3 says.
     */
    public Map<String, String> deleteAll(Collection<String> keys) {
        Map<String, String> failed = new LinkedHashMap<>();
        List<String> all = List.copyOf(keys);
        for (int from = 0; from < all.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = all.subList(from, Math.min(all.size(), from + DELETE_BATCH)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            DeleteObjectsResponse response = s3.get().deleteObjects(r -> r.bucket(bucket)
                    .delete(d -> d.objects(batch).quiet(true)));
            response.errors().forEach(e -> failed.put(e.key(), e.code()));
        }
        return failed;
    }

    static byte[] readCapped(InputStream in, long maxBytes) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw new IOException("more than " + maxBytes + " bytes");
        }
        return bytes;
    }

    private static String canonicalName(String lower) {
        return switch (lower.toLowerCase()) {
            case "content-type" -> "Content-Type";
            case "content-length" -> "Content-Length";
            case "if-none-match" -> "If-None-Match";
            default -> lower;
        };
    }

}
