package io.motley.cli.template;

import io.motley.cli.command.Command;
import io.motley.cli.command.Io;
import io.motley.cli.command.Sbatch;
import io.motley.cli.template.JobTemplate.Parameter;
import io.motley.cli.template.JobTemplate.Script;
import io.motley.cli.template.JobTemplate.TemplateException;
import io.motley.core.options.UsageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code motley template list|show|new|submit}: ready-made batch scripts with parameters (docs/templates.md). */
public final class TemplateCommand implements Command {

    static final String HELP = """
            usage: motley template list                         the templates, one a line: name, origin, what it is for
                   motley template show NAME                    its parameters (defaults) and its scripts
                   motley template new NAME [--from TEMPLATE]   a template of your own to edit (a copy of TEMPLATE or a skeleton)
                   motley template submit NAME [--set KEY=VALUE ...] [--print]
                                                               render and submit with sbatch (--print: show, submit nothing)
            Your templates: MOTLEY_HOME/templates, then ~/.config/motley/templates (NAME.sbatch or NAME/*.sbatch).
            See docs/templates.md.""";

    @Override
    public int run(List<String> args, Io io) throws Exception {
        if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
            io.out().println(HELP);
            return args.isEmpty() ? 2 : 0;
        }
        TemplateLibrary library = new TemplateLibrary(TemplateLibrary.userDirs(io.env()));
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "list" -> list(rest, io, library);
                case "show" -> show(rest, io, library);
                case "new" -> create(rest, io, library);
                case "submit" -> submit(rest, io, library);
                default ->
                    throw new UsageException(
                            "error: unknown template command '" + args.get(0) + "' (list, show, new, submit)",
                            2,
                            false);
            };
        } catch (TemplateException e) {
            throw new UsageException("error: " + e.getMessage(), 1, false);
        }
    }

    private static int list(List<String> args, Io io, TemplateLibrary library) {
        if (!args.isEmpty()) throw new UsageException("error: motley template list takes no arguments", 2, false);
        Map<String, JobTemplate> all = library.all();
        int width = all.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (JobTemplate t : all.values()) {
            String origin = t.origin().equals("built-in") ? "built-in" : "user";
            io.out().printf("%-" + width + "s  %-8s  %s%n", t.name(), origin, t.description());
        }
        return 0;
    }

    private static JobTemplate named(List<String> args, TemplateLibrary library, String usage) {
        if (args.isEmpty() || args.get(0).startsWith("-"))
            throw new UsageException("error: name a template (" + usage + ")", 2, false);
        return library.find(args.get(0))
                .orElseThrow(() -> new UsageException(
                        "error: no template named " + args.get(0) + " (motley template list shows them)", 1, false));
    }

    private static int show(List<String> args, Io io, TemplateLibrary library) {
        JobTemplate t = named(args, library, "motley template show NAME");
        if (args.size() > 1) throw new UsageException("error: unexpected argument '" + args.get(1) + "'", 2, false);
        io.out().println("template " + t.name() + " (" + t.origin() + "): " + t.description());
        io.out().println("parameters (--set NAME=VALUE):");
        int width =
                t.parameters().stream().mapToInt(p -> p.name().length()).max().orElse(0);
        for (Parameter p : t.parameters()) {
            String def = p.required() ? "(required)" : "default '" + p.defaultValue() + "'";
            io.out().printf("  %-" + width + "s  %s  %s%n", p.name(), def, p.description());
        }
        for (Script s : t.scripts()) {
            io.out().println();
            io.out().println("==> " + s.fileName() + " <==");
            io.out().print(s.text());
            if (!s.text().endsWith("\n")) io.out().println();
        }
        return 0;
    }

    private static int create(List<String> args, Io io, TemplateLibrary library) throws IOException {
        if (args.isEmpty() || args.get(0).startsWith("-"))
            throw new UsageException(
                    "error: name the new template (motley template new NAME [--from TEMPLATE])", 2, false);
        String name = args.get(0);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"))
            throw new UsageException("error: a template name is letters, digits, '.', '_' and '-'", 1, false);
        JobTemplate from;
        if (args.size() == 3 && args.get(1).equals("--from")) {
            from = named(args.subList(2, 3), library, "--from TEMPLATE");
        } else if (args.size() == 2 && args.get(1).startsWith("--from=")) {
            from = named(List.of(args.get(1).substring(7)), library, "--from=TEMPLATE");
        } else if (args.size() == 1) {
            from = skeleton();
        } else {
            throw new UsageException("error: usage: motley template new NAME [--from TEMPLATE]", 2, false);
        }
        Path dir = library.dirs().get(io.env().containsKey("MOTLEY_HOME") ? 0 : 1);
        if (Files.exists(dir.resolve(name + ".sbatch")) || Files.exists(dir.resolve(name)))
            throw new UsageException("error: template " + name + " already exists in " + dir, 1, false);
        List<String> names = TemplateLibrary.copyNames(name, from);
        for (int i = 0; i < names.size(); i++) {
            Path target = dir.resolve(names.get(i));
            Files.createDirectories(target.getParent());
            Files.writeString(target, from.scripts().get(i).text());
        }
        Path made = dir.resolve(names.size() == 1 ? names.get(0) : name);
        io.out().println("created " + made + "; edit it, then: motley template submit " + name);
        return 0;
    }

    private static JobTemplate skeleton() {
        return JobTemplate.parse("skeleton", "built-in", Map.of("skeleton.sbatch", """
                        #!/bin/bash
                        # What this template is for (the first comment line: motley template list shows it)
                        #
                        # Parameters: `# @param NAME=DEFAULT -- what it is` (NAME without =DEFAULT is required);
                        # a parameter's name in double braces (as in --job-name below) is replaced by its value (motley template submit ... --set NAME=VALUE).
                        # @param job_name=my-job -- the job's name
                        # @param time=00:10:00 -- time limit
                        # @param message=hello -- what the job prints
                        #SBATCH --job-name={{job_name}}
                        #SBATCH --time={{time}}
                        #SBATCH --output={{job_name}}-%j.out

                        echo "{{message}} from $(hostname), job $SLURM_JOB_ID"
                        """));
    }

    private int submit(List<String> args, Io io, TemplateLibrary library) throws Exception {
        JobTemplate t = named(args, library, "motley template submit NAME [--set KEY=VALUE ...]");
        Map<String, String> set = new LinkedHashMap<>();
        boolean print = false;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            String pair;
            if (a.equals("--print")) {
                print = true;
                continue;
            } else if (a.equals("--set") && i + 1 < args.size()) {
                pair = args.get(++i);
            } else if (a.startsWith("--set=")) {
                pair = a.substring(6);
            } else {
                throw new UsageException(
                        "error: unexpected argument '" + a
                                + "' (motley template submit NAME [--set KEY=VALUE ...] [--print])",
                        2,
                        false);
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new UsageException("error: --set takes KEY=VALUE, not '" + pair + "'", 2, false);
            set.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        Map<String, String> values = t.values(set);
        if (print) {
            for (Script s : t.scripts()) {
                if (t.scripts().size() > 1) io.out().println("==> " + s.fileName() + " <==");
                io.out().print(JobTemplate.render(s, values, key -> "{{jobid." + key + "}}"));
            }
            return 0;
        }
        Map<String, Long> ids = new LinkedHashMap<>();
        for (Script s : t.scripts()) {
            String script = JobTemplate.render(s, values, ids);
            long id = sbatch(script, io);
            if (id < 0) {
                if (!ids.isEmpty())
                    io.err()
                            .println("motley: error: template " + t.name() + ": " + s.fileName()
                                    + " was not submitted; already submitted: " + ids.values());
                return 1;
            }
            ids.put(s.key(), id);
            io.out().println("Submitted batch job " + id);
            io.out().flush();
        }
        return 0;
    }

    /** Runs sbatch in this process with the rendered script on its standard input: the job id, or -1. */
    private static long sbatch(String script, Io io) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        Io sub = new Io(
                out,
                io.err(),
                new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)),
                false,
                io.env(),
                io.cwd(),
                io.gateway(),
                io.nowSeconds(),
                io.zone(),
                io.hostname(),
                io.userName(),
                io.uid());
        int rc;
        try {
            rc = new Sbatch().run(new ArrayList<>(List.of("--parsable")), sub);
        } catch (UsageException e) {
            io.err().println("sbatch: " + e.getMessage());
            return -1;
        }
        out.flush();
        if (rc != 0) return -1;
        return Long.parseLong(captured.toString(StandardCharsets.UTF_8).strip().split(";")[0]);
    }
}
