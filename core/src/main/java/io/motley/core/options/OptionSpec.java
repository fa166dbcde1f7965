package io.motley.core.options;

/**
 * One option a command accepts, as getopt_long knows it: a short letter (or 0), a long name (or
 * null) and whether it takes an argument. {@code key} is the name the command reads it back by.
 */
public record OptionSpec(char shortName, String longName, Arg arg, String key) {
    public enum Arg {
        NONE,
        REQUIRED,
        OPTIONAL
    }

    public static OptionSpec flag(char s, String l) {
        return new OptionSpec(s, l, Arg.NONE, l != null ? l : String.valueOf(s));
    }

    public static OptionSpec value(char s, String l) {
        return new OptionSpec(s, l, Arg.REQUIRED, l != null ? l : String.valueOf(s));
    }

    public static OptionSpec optional(char s, String l) {
        return new OptionSpec(s, l, Arg.OPTIONAL, l != null ? l : String.valueOf(s));
    }
}
