package io.motley.cli.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job template: one or more {@code #SBATCH} scripts, submitted in order, with declared
 * parameters. The only syntax is {@code {{name}}} (a declared parameter) and
 * {@code {{jobid.KEY}}} (the id of the job an earlier script of the same template became);
 * anything else between double braces, a parameter used but not declared, a missing value or an
 * unknown one is an error that names it. Values are put in verbatim and must be one line.
 */
public record JobTemplate(String name, String origin, List<Script> scripts, List<Parameter> parameters) {

    /** One script of the template; {@code key} names its job for {@code {{jobid.KEY}}}. */
    public record Script(String key, String fileName, String text) {}

    /** A declared parameter; {@code defaultValue} is null when the parameter is required. */
    public record Parameter(String name, String defaultValue, String description) {
        public boolean required() {
            return defaultValue == null;
        }
    }

    /** A template that cannot be read or rendered; the message says which template, file and name. */
    public static final class TemplateException extends RuntimeException {
        public TemplateException(String message) {
            super(message);
        }
    }

    /** The first comment line of the first script after its #! line: what the template is for. */
    public String description() {
        for (String line : scripts.get(0).text().split("\n")) {
            if (line.startsWith("#!") || line.startsWith("#SBATCH") || !line.startsWith("#")) continue;
            String text = line.substring(1).strip();
            if (!text.isEmpty() && !text.startsWith("@")) return text;
        }
        return "";
    }

    static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern DECLARATION =
            Pattern.compile("#\\s*@param\\s+([^\\s=]+)\\s*(=(.*?))?\\s*(\\s--\\s+(.*))?\\s*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)}}");
    private static final Pattern ORDER_PREFIX = Pattern.compile("^[0-9]+-");

    /**
     * Reads a template from its files (name to text), taken in the order given. A parameter is
     * declared by a comment line {@code # @param NAME=DEFAULT -- what it is} (without
     * {@code =DEFAULT} it is required; {@code NAME=} has an empty default).
     */
    public static JobTemplate parse(String name, String origin, Map<String, String> files) {
        if (files.isEmpty()) throw new TemplateException("template " + name + " has no .sbatch script");
        List<Script> scripts = new ArrayList<>();
        Map<String, Parameter> params = new LinkedHashMap<>();
        Set<String> keys = new LinkedHashSet<>();
        for (var f : files.entrySet()) {
            String file = f.getKey();
            String stem = file.endsWith(".sbatch") ? file.substring(0, file.length() - 7) : file;
            String key = ORDER_PREFIX.matcher(stem).replaceFirst("");
            if (!keys.add(key)) throw new TemplateException(where(name, file) + "a second script for job key " + key);
            String text = f.getValue();
            if (!text.startsWith("#!"))
                throw new TemplateException(where(name, file) + "does not start with #! (an interpreter line)");
            for (String line : text.split("\n", -1)) {
                Matcher m = DECLARATION.matcher(line.strip());
                if (!m.matches()) continue;
                String p = m.group(1);
                if (!NAME.matcher(p).matches())
                    throw new TemplateException(
                            where(name, file) + "parameter name '" + p + "' is not lower-case letters, digits and _");
                Parameter decl = new Parameter(
                        p, m.group(2) == null ? null : m.group(3).strip(), m.group(5) == null ? "" : m.group(5));
                Parameter earlier = params.putIfAbsent(p, decl);
                if (earlier != null && !java.util.Objects.equals(earlier.defaultValue(), decl.defaultValue()))
                    throw new TemplateException(
                            where(name, file) + "parameter " + p + " is declared again with another default");
            }
            scripts.add(new Script(key, file, text));
        }
        JobTemplate t = new JobTemplate(name, origin, List.copyOf(scripts), List.copyOf(params.values()));
        t.checkPlaceholders();
        return t;
    }

    private static String where(String template, String file) {
        return "template " + template + " (" + file + "): ";
    }

    /** Every placeholder must be a declared parameter or the id of a job submitted before its script. */
    private void checkPlaceholders() {
        Set<String> declared = new LinkedHashSet<>();
        for (Parameter p : parameters) declared.add(p.name());
        Set<String> earlier = new LinkedHashSet<>();
        for (Script s : scripts) {
            Matcher m = PLACEHOLDER.matcher(s.text());
            while (m.find()) {
                String ref = m.group(1);
                if (ref.startsWith("jobid.")) {
                    String key = ref.substring(6);
                    if (!earlier.contains(key))
                        throw new TemplateException(where(name, s.fileName()) + "{{" + ref
                                + "}} names no job submitted before this script");
                } else if (!declared.contains(ref)) {
                    throw new TemplateException(where(name, s.fileName()) + "{{" + ref
                            + "}} is not a declared parameter (declare it: # @param " + ref + "=DEFAULT -- ...)");
                }
            }
            earlier.add(s.key());
        }
    }

    /**
     * The values to render with: the defaults overridden by {@code set}. Unknown names, values
     * over more than one line and required parameters left without a value are errors.
     */
    public Map<String, String> values(Map<String, String> set) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Parameter p : parameters) if (!p.required()) values.put(p.name(), p.defaultValue());
        List<String> unknown = new ArrayList<>();
        for (var e : set.entrySet()) {
            if (parameters.stream().noneMatch(p -> p.name().equals(e.getKey()))) unknown.add(e.getKey());
            else if (e.getValue().contains("\n") || e.getValue().contains("\r"))
                throw new TemplateException("the value of " + e.getKey() + " must be one line");
            else values.put(e.getKey(), e.getValue());
        }
        if (!unknown.isEmpty())
            throw new TemplateException("template " + name + " has no parameter " + String.join(", ", unknown)
                    + " (its parameters: "
                    + String.join(", ", parameters.stream().map(Parameter::name).toList())
                    + ")");
        List<String> missing = parameters.stream()
                .filter(p -> !values.containsKey(p.name()))
                .map(Parameter::name)
                .toList();
        if (!missing.isEmpty())
            throw new TemplateException(
                    "template " + name + " needs a value for " + String.join(", ", missing) + " (--set NAME=VALUE)");
        return values;
    }

    /** The script with every placeholder replaced; {@code jobIds} holds the earlier scripts' job ids by key. */
    public static String render(Script script, Map<String, String> values, Map<String, Long> jobIds) {
        return render(script, values, key -> jobIds.containsKey(key) ? Long.toString(jobIds.get(key)) : null);
    }

    /** As {@link #render(Script, Map, Map)}, with the job ids' text given by {@code jobId} (null: none). */
    public static String render(
            Script script, Map<String, String> values, java.util.function.Function<String, String> jobId) {
        Matcher m = PLACEHOLDER.matcher(script.text());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            String value;
            if (ref.startsWith("jobid.")) {
                value = jobId.apply(ref.substring(6));
            } else {
                value = values.get(ref);
            }
            if (value == null) throw new TemplateException("no value for {{" + ref + "}} in " + script.fileName());
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
