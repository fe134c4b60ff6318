package ai.realstaging.common.staging;

import java.util.Map;

/**
 * Composes the instruction sent to the image-edit model. Every prompt keeps the room's permanent
 * features untouched, as listing rules require, and keeps doors, windows and walkways clear.
 */
public final class Prompts {
    static final String GUARD_RAILS = "Keep the room's architecture exactly as photographed: do not move, add, remove "
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

    private Prompts() {}

    public static String compose(String roomType, String style, String mode, String customPrompt) {
        String room = Catalog.ROOM_TYPES.getOrDefault(roomType, "room").toLowerCase();
        if (customPrompt != null && !customPrompt.isBlank()) {
            return customPrompt.trim() + " This is a " + room + ". " + GUARD_RAILS;
        }
        String furnish = "Virtually stage this empty " + room + " in a " + STYLE.getOrDefault(style, style)
                + ". Add " + FURNISHING.getOrDefault(roomType, "furniture that suits the room")
                + ", in proportion to the space and arranged as a designer would.";
        String declutter = "Remove all furniture, decor, personal items and clutter from this " + room
                + ", leaving it clean and empty, and fill in what the removed objects covered so that it matches "
                + "the surrounding surfaces.";
        return switch (mode == null ? Catalog.DEFAULT_MODE : mode) {
            case "declutter" -> declutter + " " + GUARD_RAILS;
            case "declutter_and_stage" -> declutter + " Then " + Character.toLowerCase(furnish.charAt(0))
                    + furnish.substring(1).replace("this empty", "the emptied") + " " + GUARD_RAILS;
            default -> furnish + " " + GUARD_RAILS;
        };
    }
}
