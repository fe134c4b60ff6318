// unit: which model stage-image runs while no admin has chosen one, from STAGING_MODEL
package ai.realstaging.stageimage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.config.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StagingModelConfigTest {

    @Test
    void defaultsToQwenAndTakesAConfiguredId() {
        assertThat(StagingPipeline.model(Config.of(Map.of())).id()).isEqualTo("qwen-image-edit");
        assertThat(StagingPipeline.model(Config.of(Map.of("STAGING_MODEL", "flux-kontext-pro"))).id())
                .isEqualTo("flux-kontext-pro");
    }

    @Test
    void anUnknownIdFailsInitListingTheKnownIds() {
        assertThatThrownBy(() -> new StageImageHandler(Config.of(Map.of("STAGING_MODEL", "flux"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown staging model 'flux'")
                .hasMessageContaining("qwen-image-edit, flux-kontext-max");
    }

    @Test
    void gptImage1CannotBeTheConfiguredDefaultItsKeyIsAnAdminSetting() {
        assertThatThrownBy(() -> StagingPipeline.model(Config.of(Map.of("STAGING_MODEL", "gpt-image-1"))))
                .hasMessageContaining("OpenAI API key").hasMessageContaining("/v1/admin/models/active");
    }
}
