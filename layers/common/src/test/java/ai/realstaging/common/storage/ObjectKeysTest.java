// unit: storage keys and file-name sanitising, no storage
package ai.realstaging.common.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObjectKeysTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "living room.jpg|living_room.jpg",
            "../../etc/passwd.png|passwd.png",
            "C:\\Users\\agent\\Desktop\\Kitchen.JPG|Kitchen.jpg",
            "/var/tmp/photo.webp|photo.webp",
            "Wohnzimmer Küche.jpeg|Wohnzimmer_Kuche.jpeg",
            "Café Crème.png|Cafe_Creme.png",
            "room #1 (final) !!.jpg|room_1_final_.jpg",
            "a   b___c.jpg|a_b_c.jpg",
            ".hidden.jpg|hidden.jpg",
            "..jpg|photo.jpg",
            "日本の部屋.png|photo.png",
            "🏠.jpg|photo.jpg",
    })
    void namesBecomeSafeAsciiKeepingTheExtension(String input, String expected) {
        assertThat(ObjectKeys.sanitize(input)).isEqualTo(expected);
    }

    @Test
    void aSanitisedNameHasOnlySafeCharactersAndNoLeadingDot() {
        for (String name : new String[] {"a/b\\c d.jpg", "\u0000\n\t.png", "…….jpeg", "x\"'<>|?*:.webp", ".bashrc"}) {
            assertThat(ObjectKeys.sanitize(name)).as(name).matches("[A-Za-z0-9][A-Za-z0-9._-]*");
        }
    }

    @Test
    void longNamesAreCutTo100CharactersKeepingTheExtension() {
        String sanitized = ObjectKeys.sanitize("a".repeat(300) + ".JPEG");

        assertThat(sanitized).hasSize(100).endsWith(".jpeg").startsWith("aaaa");
    }

    @Test
    void uploadAndStagedKeysFollowTheLayout() {
        UUID user = UUID.randomUUID();
        UUID original = UUID.randomUUID();
        UUID image = UUID.randomUUID();

        assertThat(ObjectKeys.upload(user, original, "room.jpg")).isEqualTo("uploads/" + user + "/" + original + "/room.jpg");
        assertThat(ObjectKeys.staged(user, image, "png")).isEqualTo("staged/" + user + "/" + image + ".png");
    }

    @Test
    void theOriginalIdIsReadBackFromAnUploadKey() {
        UUID user = UUID.randomUUID();
        UUID original = UUID.randomUUID();

        assertThat(ObjectKeys.originalIdOf(ObjectKeys.upload(user, original, "living room.jpg"))).contains(original);
    }

    @Test
    void keysThatAreNotOurUploadsNameNoOriginal() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();

        assertThat(ObjectKeys.originalIdOf(null)).isEmpty();
        assertThat(ObjectKeys.originalIdOf("staged/" + a + "/" + b + ".jpg")).isEmpty();
        assertThat(ObjectKeys.originalIdOf("uploads/" + a + "/" + b)).isEmpty();
        assertThat(ObjectKeys.originalIdOf("uploads/not-a-user/" + b + "/x.jpg")).isEmpty();
        assertThat(ObjectKeys.originalIdOf("uploads/" + a + "/not-an-original/x.jpg")).isEmpty();
    }
}
