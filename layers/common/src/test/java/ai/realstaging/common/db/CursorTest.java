// unit: Cursor encoding, no database
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CursorTest {

    @Test
    void roundTripKeepsMicrosecondsAndId() {
        Cursor cursor = new Cursor(Instant.parse("2025-06-14T10:15:30.123456Z"), UUID.randomUUID());

        assertThat(Cursor.decode(cursor.encode())).contains(cursor);
    }

    @Test
    void encodedCursorIsUrlSafe() {
        String text = new Cursor(Instant.now(), UUID.randomUUID()).encode();

        assertThat(text).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void garbageIsNotACursor() {
        assertThat(Cursor.decode("not a cursor")).isEmpty();
        assertThat(Cursor.decode("")).isEmpty();
        assertThat(Cursor.decode(java.util.Base64.getUrlEncoder().encodeToString("12:not-a-uuid".getBytes()))).isEmpty();
        assertThat(Cursor.decode(java.util.Base64.getUrlEncoder().encodeToString("abc:".getBytes()))).isEmpty();
    }
}
