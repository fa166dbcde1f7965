package io.motley.core.simulation;

import io.motley.core.priority.PriorityConfig;
import io.motley.core.time.Durations;
import java.util.Locale;
import java.util.Map;

/**
 * A ranking for the simulator written as {@code motley simulate --priority} takes it:
 * comma-separated {@code age=W}, {@code fairshare=W}, {@code jobsize=W}, {@code partition=W}
 * (PriorityWeight*), {@code maxage=TIME}, {@code halflife=TIME} (PriorityMaxAge,
 * PriorityDecayHalfLife, Slurm's time syntax such as {@code 7-0}), {@code favorsmall}
 * (PriorityFavorSmall) and {@code calc=SECONDS} (PriorityCalcPeriod); what is not named keeps
 * Slurm's default.
 */
public final class PriorityWeights {
    private PriorityWeights() {}

    public static PriorityConfig parse(String spec) {
        long age = 0;
        long fairshare = 0;
        long jobSize = 0;
        long partition = 0;
        long maxAge = PriorityConfig.DEFAULT_MAX_AGE;
        long halfLife = PriorityConfig.DEFAULT_HALF_LIFE;
        boolean favorSmall = false;
        long calc = PriorityConfig.DEFAULT_CALC_PERIOD;
        if (spec.isBlank())
            throw new IllegalArgumentException("empty priority weights; use e.g. age=1000,fairshare=10000");
        for (String item : spec.split(",")) {
            String[] kv = item.strip().split("=", 2);
            String key = kv[0].toLowerCase(Locale.ROOT);
            if (key.equals("favorsmall") && kv.length == 1) {
                favorSmall = true;
                continue;
            }
            if (kv.length != 2 || kv[1].isBlank())
                throw new IllegalArgumentException("priority weight '" + item + "' needs a value");
            String v = kv[1].strip();
            switch (key) {
                case "age" -> age = weight(key, v);
                case "fairshare" -> fairshare = weight(key, v);
                case "jobsize" -> jobSize = weight(key, v);
                case "partition" -> partition = weight(key, v);
                case "maxage" -> maxAge = time(key, v);
                case "halflife" -> halfLife = time(key, v);
                case "calc" -> calc = weight(key, v);
                case "favorsmall" -> favorSmall = v.equalsIgnoreCase("yes") || v.equals("1");
                default ->
                    throw new IllegalArgumentException("unknown priority weight '" + kv[0]
                            + "'; use age, fairshare, jobsize, partition, maxage, halflife, favorsmall or calc");
            }
        }
        return new PriorityConfig(
                true, age, fairshare, jobSize, partition, 0, maxAge, halfLife, favorSmall, Map.of(), 1.0, 0.0, calc);
    }

    private static long weight(String key, String v) {
        try {
            long w = Long.parseLong(v);
            if (w < 0) throw new NumberFormatException();
            return w;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number of at least 0, got '" + v + "'");
        }
    }

    private static long time(String key, String v) {
        long t;
        try {
            t = Durations.parseTimeLimit(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not a time: '" + v + "'");
        }
        if (t < 0) throw new IllegalArgumentException(key + " must be a finite time, got '" + v + "'");
        return t;
    }
}
