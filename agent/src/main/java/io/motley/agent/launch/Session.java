package io.motley.agent.launch;

import io.motley.agent.enforcement.RootCommand;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a job's process gets a session of its own with the signals slurmstepd resets at their
 * defaults (INT, TERM, TSTP, QUIT, PIPE, USR1, USR2, ALRM, HUP: sh ignores INT and QUIT in a
 * background job, an agent started under nohup ignores HUP, and an ignored signal stays ignored
 * across exec, where a script's trap cannot take it): {@code words} run the rest of a command line
 * in a new session, and where {@code envResetsSignals} the {@code env -i} on the job's way resets
 * the signals (GNU coreutils 8.31 and later); otherwise {@code words} (perl, on macOS) reset them too.
 * Each is one exec: the job's chain has no shell or program here that it does not need.
 */
record Session(List<String> words, boolean envResetsSignals) {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    static final String ENV = "/usr/bin/env";
    static final String ENV_DEFAULT_SIGNALS = "--default-signal=INT,TERM,TSTP,QUIT,PIPE,USR1,USR2,ALRM,HUP";
    private static final String PERL_SESSION =
            "$SIG{$_}=q(DEFAULT) for qw(INT TERM TSTP QUIT PIPE USR1 USR2 ALRM HUP); POSIX::setsid();"
                    + " exec @ARGV or die qq(exec failed: $!)";

    Session {
        words = List.copyOf(words);
    }

    /** setsid(1) and env(1)'s --default-signal where both exist; perl, which does both, elsewhere; setsid(1) alone last. */
    static Session find() {
        Optional<String> setsid = setsid();
        if (setsid.isPresent() && envResetsSignalsHere()) return new Session(List.of(setsid.get()), true);
        Optional<String> perl = JobIdentity.find("perl");
        if (setsid.isEmpty() || perl.isPresent())
            return new Session(List.of(perl.orElse("/usr/bin/perl"), "-MPOSIX", "-e", PERL_SESSION, "--"), false);
        log.warn("jobs start with the signals the agent ignores ignored (SIGINT and SIGQUIT at least): neither env"
                + " --default-signal nor perl is here");
        return new Session(List.of(setsid.get()), false);
    }

    private static Optional<String> setsid() {
        for (String p : List.of("/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid")) {
            if (new File(p).canExecute()) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Whether env(1) takes --default-signal (GNU coreutils 8.31 and later). */
    private static boolean envResetsSignalsHere() {
        if (!new File(ENV).canExecute()) return false;
        try {
            Process p = RootCommand.of(List.of(ENV, ENV_DEFAULT_SIGNALS, "/bin/true"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
