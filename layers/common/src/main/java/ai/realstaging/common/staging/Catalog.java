package ai.realstaging.common.staging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What can be asked for: room types, styles, modes, and the upload limits clients should check first. */
public final class Catalog {
    public static final long MAX_UPLOAD_BYTES = 10L * 1024 * 1024;
    public static final int MAX_SIDE_PX = 8000;
    public static final int MAX_STYLES = 5;
    public static final int MAX_BATCH = 50;
    public static final long MAX_SEED = 4_294_967_295L;
    public static final int MIN_PROMPT = 10;
    public static final int MAX_PROMPT = 2000;
    public static final String DEFAULT_MODE = "stage";

    /** Content types we accept, with the file extensions that may carry them. */
    public static final Map<String, List<String>> CONTENT_TYPES = ordered(
            "image/jpeg", List.of("jpg", "jpeg"),
            "image/png", List.of("png"),
            "image/webp", List.of("webp"));

    public static final Map<String, String> ROOM_TYPES = ordered(
            "living_room", "Living room",
            "bedroom", "Bedroom",
            "kitchen", "Kitchen",
            "bathroom", "Bathroom",
            "dining_room", "Dining room",
            "office", "Home office",
            "entryway", "Entryway",
            "outdoor", "Outdoor space");

    public static final Map<String, String> STYLES = ordered(
            "modern", "Modern",
            "contemporary", "Contemporary",
            "traditional", "Traditional",
            "industrial", "Industrial",
            "scandinavian", "Scandinavian",
            "minimalist", "Minimalist",
            "coastal", "Coastal",
            "farmhouse", "Farmhouse",
            "mid_century", "Mid-century modern",
            "luxury", "Luxury",
            "japandi", "Japandi");

    public static final Map<String, String> MODES = ordered(
            "stage", "Stage: furnish the room",
            "declutter", "Declutter: empty the room",
            "declutter_and_stage", "Declutter, then stage");

    private Catalog() {}

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (V) pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
