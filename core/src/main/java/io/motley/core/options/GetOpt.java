package io.motley.core.options;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GNU getopt_long as Slurm's commands use it: {@code --name=value}, {@code --name value},
 * unambiguous prefixes of long names, {@code -xVALUE}, {@code -x value}, clustered flags, and
 * {@code --}. With {@code stopAtFirstOperand} (sbatch), everything after the script name belongs
 * to the script. Error texts are getopt's, which Slurm passes through unchanged.
 */
public final class GetOpt {
    private final String command;
    private final List<OptionSpec> specs;
    private final boolean stopAtFirstOperand;
    private final int usageExit;

    /** Options in the order given (a repeated option keeps every value), and the operands. */
    public record Parsed(List<Map.Entry<String, String>> options, List<String> operands) {
        public boolean has(String key) {
            return options.stream().anyMatch(e -> e.getKey().equals(key));
        }

        /** The last value given for an option (later ones override earlier ones, as in Slurm). */
        public String last(String key) {
            String v = null;
            for (var e : options) if (e.getKey().equals(key)) v = e.getValue();
            return v;
        }

        public List<String> all(String key) {
            List<String> out = new ArrayList<>();
            for (var e : options) if (e.getKey().equals(key)) out.add(e.getValue());
            return out;
        }

        /**
         * The items of a comma-separated list option's last value (-p a,b), as Slurm reads them:
         * trimmed, empty items dropped, a repeated item kept once, in the order given; empty when
         * the option is absent.
         */
        public Set<String> list(String key) {
            return items(has(key) ? List.of(last(key)) : List.of());
        }

        /** The items of every value given for a list option that may be repeated (-u a -u b,c). */
        public Set<String> listAll(String key) {
            return items(all(key));
        }

        private static Set<String> items(List<String> values) {
            Set<String> out = new LinkedHashSet<>();
            for (String v : values) {
                for (String item : v.split(",")) {
                    if (!item.isBlank()) out.add(item.strip());
                }
            }
            return Collections.unmodifiableSet(out);
        }

        /** Count of a repeatable flag (-v -v). */
        public int count(String key) {
            return (int) options.stream().filter(e -> e.getKey().equals(key)).count();
        }
    }

    /** A parser whose usage errors exit 1, as squeue, sinfo, scancel, sacct and scontrol do. */
    public GetOpt(String command, List<OptionSpec> specs, boolean stopAtFirstOperand) {
        this(command, specs, stopAtFirstOperand, 1);
    }

    /** {@code usageExit}: the exit code for a bad option (sbatch uses 255). */
    public GetOpt(String command, List<OptionSpec> specs, boolean stopAtFirstOperand, int usageExit) {
        this.command = command;
        this.specs = List.copyOf(specs);
        this.stopAtFirstOperand = stopAtFirstOperand;
        this.usageExit = usageExit;
    }

    public Parsed parse(List<String> args) {
        List<Map.Entry<String, String>> opts = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                OptionSpec spec = longOption(name, a);
                String value = null;
                switch (spec.arg()) {
                    case NONE -> {
                        if (eq >= 0) throw usage("option '--" + spec.longName() + "' doesn't allow an argument");
                    }
                    case REQUIRED -> {
                        if (eq >= 0) {
                            value = a.substring(eq + 1);
                        } else if (i + 1 < args.size()) {
                            value = args.get(++i);
                        } else {
                            throw usage("option '--" + spec.longName() + "' requires an argument");
                        }
                    }
                    case OPTIONAL -> value = eq >= 0 ? a.substring(eq + 1) : null;
                }
                opts.add(Map.entry(spec.key(), value == null ? "" : value));
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    char c = a.charAt(k);
                    OptionSpec spec = shortOption(c);
                    if (spec.arg() == OptionSpec.Arg.NONE) {
                        opts.add(Map.entry(spec.key(), ""));
                        continue;
                    }
                    String value;
                    if (k + 1 < a.length()) {
                        value = a.substring(k + 1);
                    } else if (spec.arg() == OptionSpec.Arg.REQUIRED) {
                        if (i + 1 >= args.size()) throw usage("option requires an argument -- '" + c + "'");
                        value = args.get(++i);
                    } else {
                        value = "";
                    }
                    opts.add(Map.entry(spec.key(), value));
                    break;
                }
            } else {
                operands.add(a);
                if (stopAtFirstOperand) {
                    operands.addAll(args.subList(i + 1, args.size()));
                    break;
                }
            }
        }
        return new Parsed(opts, operands);
    }

    private OptionSpec longOption(String name, String whole) {
        List<OptionSpec> prefixed = new ArrayList<>();
        for (OptionSpec s : specs) {
            if (s.longName() == null) continue;
            if (s.longName().equals(name)) return s;
            if (s.longName().startsWith(name)) prefixed.add(s);
        }
        if (prefixed.size() == 1 && !name.isEmpty()) return prefixed.get(0);
        if (prefixed.size() > 1 && !name.isEmpty()) {
            Map<String, Boolean> names = new LinkedHashMap<>();
            prefixed.forEach(s -> names.put("'--" + s.longName() + "'", true));
            throw usage("option '" + whole + "' is ambiguous; possibilities: " + String.join(" ", names.keySet()));
        }
        throw usage("unrecognized option '" + whole + "'");
    }

    private OptionSpec shortOption(char c) {
        for (OptionSpec s : specs) {
            if (s.shortName() == c) return s;
        }
        throw usage("invalid option -- '" + c + "'");
    }

    private UsageException usage(String message) {
        return new UsageException(message, usageExit, true);
    }

    /** An option's value as a whole number in [min, max], or a usage error naming the option. */
    public long number(String option, String value, long min, long max) {
        try {
            long n = Long.parseLong(value.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // the message below says what was wanted
        }
        throw new UsageException(
                "invalid value for " + option + ": '" + value + "' (a whole number from " + min + " to " + max
                        + " is wanted)",
                usageExit,
                true);
    }

    public String command() {
        return command;
    }
}
