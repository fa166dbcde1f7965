package io.motley.cli.format;

/**
 * One field of a Slurm "-O/--Format" list (squeue's and sinfo's): {@code Name[:[.]WIDTH[SUFFIX]]},
 * 20 wide and left-justified unless given; a colon without digits makes it as wide as the value
 * (width 0), and what follows the digits is printed after the field.
 */
public record LongField(String name, int width, boolean right, String suffix) {
    public static LongField parse(String token) {
        int colon = token.indexOf(':');
        if (colon < 0) return new LongField(token, 20, false, "");
        String rest = token.substring(colon + 1);
        boolean right = rest.startsWith(".");
        if (right) rest = rest.substring(1);
        int d = 0;
        while (d < rest.length() && Character.isDigit(rest.charAt(d))) d++;
        int width = d == 0 ? 0 : Integer.parseInt(rest.substring(0, d));
        return new LongField(token.substring(0, colon), width, right, rest.substring(d));
    }
}
