package io.motley.core.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One GPU of a node as its agent detected it: device index, model, memory and UUID. */
public record Gpu(int index, String model, long memMiB, String uuid) {

    /** The GRES type users name in --gres=gpu:TYPE:N: the model in lower case, other characters as '_' (Slurm's NVML naming). */
    public String type() {
        return type(model);
    }

    public static String type(String model) {
        String t = model.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return t.replaceAll("^_+|_+$", "");
    }

    /** Compact text for the wire and the store: {@code index|model|mem|uuid;...}. */
    public static String format(List<Gpu> gpus) {
        StringBuilder sb = new StringBuilder();
        for (Gpu g : gpus) {
            if (!sb.isEmpty()) sb.append(';');
            sb.append(g.index)
                    .append('|')
                    .append(g.model.replace('|', '/').replace(';', ','))
                    .append('|')
                    .append(g.memMiB)
                    .append('|')
                    .append(g.uuid);
        }
        return sb.toString();
    }

    public static List<Gpu> parse(String text) {
        List<Gpu> out = new ArrayList<>();
        if (text == null || text.isBlank()) return out;
        for (String item : text.split(";")) {
            String[] f = item.split("\\|", -1);
            if (f.length != 4) throw new IllegalArgumentException("bad GPU record: " + item);
            out.add(new Gpu(Integer.parseInt(f[0]), f[1], Long.parseLong(f[2]), f[3]));
        }
        return out;
    }

    /** Slurm's Gres= text for a node: {@code gpu:TYPE:N} per model, comma separated, "(null)" for none. */
    public static String gres(List<Gpu> gpus) {
        if (gpus.isEmpty()) return "(null)";
        java.util.Map<String, Integer> byType = new java.util.LinkedHashMap<>();
        for (Gpu g : gpus) byType.merge(g.type(), 1, Integer::sum);
        StringBuilder sb = new StringBuilder();
        byType.forEach((t, n) -> sb.append(sb.isEmpty() ? "" : ",")
                .append("gpu:")
                .append(t)
                .append(':')
                .append(n));
        return sb.toString();
    }
}
