package ai.realstaging.common.staging;

import java.util.Map;

/**
 * Composes the instruction sent to the image-edit model. Every prompt keeps the room's permanent
 * features untouched, as listing rules require, and keeps doors, windows and walkways clear.
 */
public final class Prompts {
    /** The structural guard rails every prompt ends with, the library's and a custom one alike. */
    public static final String GUARD_RAILS = "Keep the room's architecture exactly as photographed: do not move, add, remove "
            + "or restyle walls, windows, doors, floors, ceilings, stairs, built-in cabinetry, fixtures, radiators, "
            + "outlets or light fittings, and do not change the view through the windows. Keep the camera position, "
            + "perspective, lens and natural lighting. Furniture must not block doors, windows or walkways. "
            + "The result must look like an unedited, photorealistic real-estate photograph.";

    private static final Map<String, String> FURNISHING = Map.of(
            "living_room", "a sofa, a coffee table, an area rug, one or two accent chairs, a floor lamp and a few plants",
            "bedroom", "a made bed sized to the room with bedside tables and lamps, a rug, and a dresser",
            "kitchen", "bar stools at any island or counter, a bowl of fruit, a few cookbooks and small plants on the counters",
            "bathroom", "folded towels, a bath mat, a small plant and simple toiletries",
            "dining_room", "a dining table with chairs sized to the room, a centerpiece and a rug under the table",
            "office", "a desk with a chair, a bookshelf, a desk lamp and a plant",
            "entryway", "a slim console table, a mirror, a bench and a runner rug",
            "outdoor", "outdoor lounge seating, a table, potted plants and outdoor cushions");

    private static final Map<String, String> STYLE = Map.ofEntries(
            Map.entry("modern", "modern style: clean lines, neutral palette with black accents, sleek materials"),
            Map.entry("contemporary", "contemporary style: soft curves, warm neutrals, layered textures"),
            Map.entry("traditional", "traditional style: classic wood furniture, rich fabrics, symmetrical arrangement"),
            Map.entry("industrial", "industrial style: leather, metal and reclaimed wood, dark accents"),
            Map.entry("scandinavian", "Scandinavian style: light oak, white and soft grey textiles, cozy and airy"),
            Map.entry("minimalist", "minimalist style: few pieces, calm monochrome palette, uncluttered surfaces"),
            Map.entry("coastal", "coastal style: whites, sandy beiges and soft blues, linen, rattan and driftwood"),
            Map.entry("farmhouse", "modern farmhouse style: rustic wood, shiplap-inspired decor, cream and sage tones"),
            Map.entry("mid_century", "mid-century modern style: walnut, tapered legs, mustard and teal accents"),
            Map.entry("luxury", "luxury style: velvet and marble, brass details, designer lighting, refined palette"),
            Map.entry("japandi", "Japandi style: low natural-wood furniture, muted earth tones, linen and ceramics"));

    private static final java.util.Set<String> MODES = java.util.Set.of("stage", "declutter", "declutter_and_stage");

    static {
        // The catalogue offers exactly what the library can write a prompt for: a room type, style
        // or mode added to one and not the other fails here, at class load, not in a customer's job.
        if (!FURNISHING.keySet().equals(Catalog.ROOM_TYPES.keySet()) || !STYLE.keySet().equals(Catalog.STYLES.keySet())
                || !MODES.equals(Catalog.MODES.keySet())) {
            throw new IllegalStateException("the prompt library and the catalogue disagree");
        }
    }

    private Prompts() {}

    /** The room types, styles and modes the library writes prompts for. */
    public static java.util.Set<String> roomTypes() {
        return FURNISHING.keySet();
    }

    public static java.util.Set<String> styles() {
        return STYLE.keySet();
    }

    public static java.util.Set<String> modes() {
        return MODES;
    }

    /**
     * The instruction for one image; an id the library does not know is refused (it was validated
     * when the image was requested, so this is a programming error, not a user's).
     */
    public static String compose(String roomType, String style, String mode, String customPrompt) {
        String effectiveMode = mode == null ? Catalog.DEFAULT_MODE : mode;
        if (!FURNISHING.containsKey(roomType) || !STYLE.containsKey(style) || !MODES.contains(effectiveMode)) {
            throw new IllegalArgumentException("no prompt for room type " + roomType + ", style " + style + ", mode " + mode);
        }
        String room = Catalog.ROOM_TYPES.get(roomType).toLowerCase(java.util.Locale.ROOT);
        if (customPrompt != null && !customPrompt.isBlank()) {
            return customPrompt.trim() + " This is a " + room + ". " + GUARD_RAILS;
        }
        String furnish = "Virtually stage this empty " + room + " in a " + STYLE.get(style)
                + ". Add " + FURNISHING.get(roomType)
                + ", in proportion to the space and arranged as a designer would.";
        String declutter = "Remove all furniture, decor, personal items and clutter from this " + room
                + ", leaving it clean and empty, and fill in what the removed objects covered so that it matches "
                + "the surrounding surfaces.";
        return switch (effectiveMode) {
            case "declutter" -> declutter + " " + GUARD_RAILS;
            case "declutter_and_stage" -> declutter + " Then " + Character.toLowerCase(furnish.charAt(0))
                    + furnish.substring(1).replace("this empty", "the emptied") + " " + GUARD_RAILS;
            default -> furnish + " " + GUARD_RAILS;
        };
    }
}
