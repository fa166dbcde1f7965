package io.motley.cli.slurmconf;

import io.motley.cli.command.Command;
import io.motley.cli.command.Io;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code motley import slurm.conf [--out motley.conf]}: a Motley configuration from a Slurm one (docs/import.md). */
public final class ImportCommand implements Command {
    private static final GetOpt OPTIONS =
            new GetOpt("motley import", List.of(OptionSpec.value('o', "out"), OptionSpec.flag('h', "help")), false, 2);

    static final String HELP = """
            usage: motley import SLURM.CONF [--out MOTLEY.CONF]
              converts nodes, partitions, scheduler and priority parameters and GPUs (gres.conf beside
              SLURM.CONF too) into a motley.conf, printed or written to --out (never over an existing file),
              and lists on standard error what it could not carry over. See docs/import.md.""";

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = OPTIONS.parse(args);
        if (p.has("help")) {
            io.out().println(HELP);
            return 0;
        }
        if (p.operands().size() != 1) {
            io.err().println(HELP);
            return 2;
        }
        Path conf = Path.of(io.cwd()).resolve(p.operands().get(0));
        String slurm;
        try {
            slurm = Files.readString(conf);
        } catch (IOException e) {
            throw new UsageException("error: cannot read " + conf + ": " + e.getMessage(), 1, false);
        }
        Path gresFile = conf.resolveSibling("gres.conf");
        String gres = Files.isRegularFile(gresFile) ? Files.readString(gresFile) : null;
        SlurmConfImport.Result r;
        try {
            r = SlurmConfImport.convert(slurm, gres);
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "error: " + conf + " gives a value Motley cannot use: " + e.getMessage(), 1, false);
        }
        if (p.has("out")) {
            Path out = Path.of(io.cwd()).resolve(p.last("out"));
            if (Files.exists(out)) throw new UsageException("error: " + out + " exists; name another --out", 1, false);
            Files.writeString(out, r.motleyConf(), java.nio.file.StandardOpenOption.CREATE_NEW);
            io.out().println("wrote " + out + (gres != null ? " (with " + gresFile + ")" : ""));
        } else {
            io.out().print(r.motleyConf());
        }
        if (!r.notCarried().isEmpty()) {
            io.err()
                    .println(
                            "motley import: not carried over (" + r.notCarried().size() + "):");
            r.notCarried().forEach(n -> io.err().println("  " + n));
        }
        return 0;
    }
}
