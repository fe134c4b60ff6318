// unit: the prompt library, no model
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.api.CatalogView;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PromptsTest {

    @Test
    void everyRoomStyleAndModeKeepsTheGuardRailsAndNamesTheRoom() {
        int checked = 0;
        for (String room : Catalog.ROOM_TYPES.keySet()) {
            String roomLabel = Catalog.ROOM_TYPES.get(room).toLowerCase(Locale.ROOT);
            for (String style : Catalog.STYLES.keySet()) {
                for (String mode : Catalog.MODES.keySet()) {
                    String prompt = Prompts.compose(room, style, mode, null);
                    assertThat(prompt).as("%s/%s/%s", room, style, mode)
                            .contains(Prompts.GUARD_RAILS)
                            .contains(roomLabel);
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(8 * 11 * 3);
    }

    private static Set<String> ids(List<CatalogView.Choice> choices) {
        return choices.stream().map(CatalogView.Choice::id).collect(Collectors.toSet());
    }

    @Test
    void getCatalogOffersExactlyWhatThePromptLibraryServes() {
        CatalogView catalog = CatalogView.CURRENT;

        assertThat(ids(catalog.roomTypes())).isEqualTo(Prompts.roomTypes()).containsExactlyInAnyOrder("living_room",
                "bedroom", "kitchen", "bathroom", "dining_room", "office", "entryway", "outdoor");
        assertThat(ids(catalog.styles())).isEqualTo(Prompts.styles()).hasSizeGreaterThanOrEqualTo(10).contains("modern",
                "contemporary", "traditional", "industrial", "scandinavian", "minimalist", "coastal", "farmhouse",
                "mid_century", "luxury");
        assertThat(ids(catalog.modes())).isEqualTo(Prompts.modes())
                .containsExactlyInAnyOrder("stage", "declutter", "declutter_and_stage");
        assertThat(catalog.roomTypes()).allSatisfy(c -> assertThat(c.label()).isNotBlank());
        assertThat(catalog.styles()).allSatisfy(c -> assertThat(c.label()).isNotBlank());
    }

    @Test
    void everyComposedPromptEndsWithTheStructuralGuardRailsCustomOnesToo() {
        for (String room : Prompts.roomTypes()) {
            for (String style : Prompts.styles()) {
                for (String mode : Prompts.modes()) {
                    for (String custom : new String[] {null, "Make it warm and inviting for a young family."}) {
                        String prompt = Prompts.compose(room, style, mode, custom);
                        assertThat(prompt).as("%s/%s/%s/%s", room, style, mode, custom).endsWith(Prompts.GUARD_RAILS)
                                .contains("walls", "windows", "doors", "floors", "ceilings", "fixtures", "view");
                        // The guard rails come once, last: nothing after them can take them back.
                        assertThat(prompt.indexOf(Prompts.GUARD_RAILS)).isEqualTo(prompt.length() - Prompts.GUARD_RAILS.length());
                    }
                }
            }
        }
    }

    @Test
    void anIdTheLibraryDoesNotKnowIsRefusedRatherThanGuessed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Prompts.compose("garage", "modern", "stage", null))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Prompts.compose("bedroom", "gothic", "stage", null))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Prompts.compose("bedroom", "modern", "repaint", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theGuardRailsProtectStructureAndKeepDoorsAndWindowsClear() {
        assertThat(Prompts.GUARD_RAILS).contains("walls", "windows", "doors", "floors", "ceilings", "fixtures",
                "view", "must not block doors, windows");
    }

    @Test
    void stagingModesDescribeTheChosenStyleAndDeclutterDoesNot() {
        for (String style : Catalog.STYLES.keySet()) {
            String label = Catalog.STYLES.get(style).toLowerCase(Locale.ROOT);
            assertThat(Prompts.compose("bedroom", style, "stage", null).toLowerCase(Locale.ROOT)).as(style).contains(label);
            assertThat(Prompts.compose("bedroom", style, "declutter_and_stage", null).toLowerCase(Locale.ROOT)).as(style)
                    .contains(label);
        }
        assertThat(Prompts.compose("bedroom", "coastal", "declutter", null)).doesNotContain("coastal")
                .contains("Remove all furniture");
    }

    @Test
    void declutterAndStageEmptiesTheRoomFirstThenFurnishesIt() {
        String prompt = Prompts.compose("kitchen", "modern", "declutter_and_stage", null);

        assertThat(prompt.indexOf("Remove all furniture")).isLessThan(prompt.indexOf("Then virtually stage the emptied kitchen"));
    }

    @Test
    void eachRoomTypeGetsFurnitureThatFitsIt() {
        assertThat(Prompts.compose("bedroom", "modern", "stage", null)).contains("bed");
        assertThat(Prompts.compose("dining_room", "modern", "stage", null)).contains("dining table");
        assertThat(Prompts.compose("office", "modern", "stage", null)).contains("desk");
        assertThat(Prompts.compose("living_room", "modern", "stage", null)).contains("sofa");
    }

    @Test
    void noModeMeansStage() {
        assertThat(Prompts.compose("office", "luxury", null, null)).isEqualTo(Prompts.compose("office", "luxury", "stage", null));
    }

    @Test
    void aCustomPromptKeepsTheGuardRailsAndTheRoom() {
        String prompt = Prompts.compose("bathroom", "modern", "stage", "  Make it feel like a spa with plants.  ");

        assertThat(prompt).startsWith("Make it feel like a spa with plants.")
                .contains("bathroom")
                .endsWith(Prompts.GUARD_RAILS);
    }

    @Test
    void aBlankCustomPromptFallsBackToTheLibrary() {
        assertThat(Prompts.compose("bathroom", "modern", "stage", "   "))
                .isEqualTo(Prompts.compose("bathroom", "modern", "stage", null));
    }
}
