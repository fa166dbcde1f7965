package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry script: joins, binds, sets the umask and marker, opens the output, changes directory, runs the script. */
class EntryScriptTest {
    @TempDir
    Path dir;

    @Test
    void quotesEveryValueAndRunsTheScriptWithItsArguments() throws Exception {
        Path script = dir.resolve("it's script");
        Files.writeString(script, "#!/bin/sh\necho \"[$1] [$2] $MOTLEY_JOB_ID $(umask) $(pwd)\"; echo oops >&2\n");
        script.toFile().setExecutable(true);
        Path join = dir.resolve("procs");
        Files.writeString(join, "");
        String text = EntryScript.render(12, List.of(join), List.of(), "0077", List.of(), dir.toString(), script.toString(),
                dir.resolve("out").toString(), dir.resolve("err").toString());
        Path enter = dir.resolve("enter.sh");
        Files.writeString(enter, text);
        Process p = new ProcessBuilder("/bin/sh", enter.toString(), "a b", "c'd").redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("[a b] [c'd] 12 0077 " + dir.toRealPath() + "\n");
        assertThat(Files.readString(dir.resolve("err"))).isEqualTo("oops\n");
        assertThat(Files.readString(join).trim()).as("the job's first process joined").isEqualTo(Long.toString(p.pid()));
    }

    @Test
    void aMissingWorkDirGoesToTmpWithSlurmsMessage() throws Exception {
        Path script = dir.resolve("s");
        Files.writeString(script, "#!/bin/sh\npwd\n");
        script.toFile().setExecutable(true);
        String text = EntryScript.render(13, List.of(), List.of(), "bad;rm", List.of(), "/no/such/dir", script.toString(),
                dir.resolve("out").toString(), "");
        assertThat(text).as("a umask that is not octal is ignored").doesNotContain("umask");
        Files.writeString(dir.resolve("enter.sh"), text);
        assertThat(new ProcessBuilder("/bin/sh", dir.resolve("enter.sh").toString()).start().waitFor()).isZero();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo(
                "motleystep: error: couldn't chdir to `/no/such/dir': No such file or directory: going to /tmp instead\n/tmp\n");
    }
}
