package ai.realstaging.common.api;

import ai.realstaging.common.staging.Catalog;
import java.util.List;
import java.util.Map;

/** GET /v1/catalog: what can be asked for, and the upload limits a client should check first. */
public record CatalogView(List<Choice> roomTypes, List<Choice> styles, List<Choice> modes, Limits limits) {

    public record Choice(String id, String label) {}

    public record Limits(long maxUploadBytes, List<String> contentTypes, int maxStyles, int maxBatch, int maxSidePx) {}

    public static final CatalogView CURRENT = new CatalogView(
            choices(Catalog.ROOM_TYPES), choices(Catalog.STYLES), choices(Catalog.MODES),
            new Limits(Catalog.MAX_UPLOAD_BYTES, List.copyOf(Catalog.CONTENT_TYPES.keySet()), Catalog.MAX_STYLES,
                    Catalog.MAX_BATCH, Catalog.MAX_SIDE_PX));

    private static List<Choice> choices(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> new Choice(e.getKey(), e.getValue())).toList();
    }
}
