package ai.realstaging.stageimage;

// unit: what the stager writes to its log about a failed prediction

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StagerTest {

    @Test
    void presignedUrlQueriesInVendorErrorsAreCutBeforeLogging() {
        String error = "Failed to download image from URL: https://bucket.s3.amazonaws.com/uploads/u/o/room.jpg"
                + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261125&X-Amz-Signature=abc123 (403)";

        String logged = Stager.withoutQueries(error);

        assertThat(logged).doesNotContain("X-Amz-Signature", "X-Amz-Credential", "abc123")
                .contains("https://bucket.s3.amazonaws.com/uploads/u/o/room.jpg?…", "(403)");
    }

    @Test
    void textWithoutUrlsIsKept() {
        assertThat(Stager.withoutQueries("CUDA out of memory")).isEqualTo("CUDA out of memory");
        assertThat(Stager.withoutQueries(null)).isNull();
    }
}
