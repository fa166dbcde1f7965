package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry script: joins, binds, sets the umask, opens the output, reads the environment, changes directory, runs the script. */
class EntryScriptTest {
    @TempDir
    Path dir;

    @Test
    void quotesEveryValueAndRunsTheScriptWithItsArguments() throws Exception {
        Path script = dir.resolve("it's script");
        Files.writeString(
                script,
                "#!/bin/sh\necho \"[$1] [$2] $MOTLEY_JOB_ID $(umask) $(pwd)\"; echo oops >&2; echo \"$SLURM_TASK_PID\" >&2\n");
        script.toFile().setExecutable(true);
        Path join = dir.resolve("procs");
        Files.writeString(join, "");
        Path env = dir.resolve("env");
        Files.writeString(env, EntryScript.environment(Map.of("PATH", "/usr/bin:/bin"), 12));
        String text = EntryScript.render(
                12,
                "n1",
                List.of(join),
                List.of(),
                "0077",
                List.of(),
                env,
                dir.toString(),
                script.toString(),
                dir.resolve("out").toString(),
                dir.resolve("err").toString());
        Path enter = dir.resolve("enter.sh");
        Files.writeString(enter, text);
        Process p = new ProcessBuilder("/bin/sh", enter.toString(), "a b", "c'd")
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor()).isZero();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("[a b] [c'd] 12 0077 " + dir.toRealPath() + "\n");
        assertThat(Files.readString(dir.resolve("err")))
                .as("SLURM_TASK_PID is the script's own pid")
                .isEqualTo("oops\n" + p.pid() + "\n");
        assertThat(Files.readString(join).trim())
                .as("the job's first process joined")
                .isEqualTo(Long.toString(p.pid()));
    }

    @Test
    void openModeAppendKeepsWhatTheOutputFilesHeld() throws Exception {
        Path script = dir.resolve("s");
        Files.writeString(script, "#!/bin/sh\necho second; echo err2 >&2\n");
        script.toFile().setExecutable(true);
        Path env = dir.resolve("env");
        Files.writeString(env, EntryScript.environment(Map.of(), 15));
        Files.writeString(dir.resolve("out"), "first\n");
        Files.writeString(dir.resolve("err"), "err1\n");
        for (boolean append : new boolean[] {true, false}) {
            String text = EntryScript.render(
                    15,
                    "n1",
                    List.of(),
                    List.of(),
                    null,
                    List.of(),
                    env,
                    dir.toString(),
                    script.toString(),
                    dir.resolve("out").toString(),
                    dir.resolve("err").toString(),
                    null,
                    null,
                    append);
            Files.writeString(dir.resolve("enter.sh"), text);
            assertThat(new ProcessBuilder("/bin/sh", dir.resolve("enter.sh").toString())
                            .start()
                            .waitFor())
                    .isZero();
            if (append) {
                assertThat(Files.readString(dir.resolve("out"))).isEqualTo("first\nsecond\n");
                assertThat(Files.readString(dir.resolve("err"))).isEqualTo("err1\nerr2\n");
            } else {
                assertThat(Files.readString(dir.resolve("out")))
                        .as("truncate, the default")
                        .isEqualTo("second\n");
                assertThat(Files.readString(dir.resolve("err"))).isEqualTo("err2\n");
            }
        }
    }

    @Test
    void aMissingWorkDirGoesToTmpWithSlurmsMessage() throws Exception {
        Path script = dir.resolve("s");
        Files.writeString(script, "#!/bin/sh\npwd\n");
        script.toFile().setExecutable(true);
        Path env = dir.resolve("env");
        Files.writeString(env, EntryScript.environment(Map.of(), 13));
        String text = EntryScript.render(
                13,
                "n1",
                List.of(),
                List.of(),
                "bad;rm",
                List.of(),
                env,
                "/no/such/dir",
                script.toString(),
                dir.resolve("out").toString(),
                "");
        assertThat(text).as("a umask that is not octal is ignored").doesNotContain("umask");
        Files.writeString(dir.resolve("enter.sh"), text);
        assertThat(new ProcessBuilder("/bin/sh", dir.resolve("enter.sh").toString())
                        .start()
                        .waitFor())
                .isZero();
        assertThat(Files.readString(dir.resolve("out")))
                .isEqualTo(
                        "motleystep: error: couldn't chdir to `/no/such/dir': No such file or directory: going to /tmp instead\n/tmp\n");
    }

    @Test
    void theJobsEnvironmentComesFromItsFileAndNeverFromTheEntryScriptsOwn() throws Exception {
        Path script = dir.resolve("s");
        Files.writeString(script, "#!/bin/sh\nprintf '%s|' \"$QUOTED\"; env | sort\n");
        script.toFile().setExecutable(true);
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("PATH", "/usr/bin:/bin");
        vars.put("QUOTED", "it's \"$HOME\" `id` $(id)\nsecond line\\n");
        vars.put("EMPTY", "");
        vars.put("BASH_FUNC_module%%", "() { echo hi; }");
        vars.put("OPTIND", "not a number");
        vars.put("MOTLEY_JOB_ID", "99");
        vars.put("AFTER", "still set");
        Path env = dir.resolve("env");
        Files.writeString(env, EntryScript.environment(vars, 14));
        String text = EntryScript.render(
                14,
                "n1",
                List.of(),
                List.of(),
                null,
                List.of(),
                env,
                dir.toString(),
                script.toString(),
                dir.resolve("out").toString(),
                dir.resolve("err").toString());
        assertThat(text).doesNotContain("second line").doesNotContain("still set");
        Files.writeString(dir.resolve("enter.sh"), text);
        ProcessBuilder pb =
                new ProcessBuilder("/bin/sh", dir.resolve("enter.sh").toString());
        pb.environment().put("ROOTS_OWN", "leaks");
        assertThat(pb.start().waitFor()).isZero();
        String out = Files.readString(dir.resolve("out"));
        assertThat(out)
                .startsWith("it's \"$HOME\" `id` $(id)\nsecond line\\n|")
                .contains("EMPTY=\n")
                .contains("AFTER=still set\n")
                .contains("MOTLEY_JOB_ID=14\n")
                .contains("SLURMD_NODENAME=n1\n")
                .as("the entry script's own environment")
                .doesNotContain("ROOTS_OWN");
        assertThat(Files.readString(dir.resolve("err")))
                .contains("motley: the environment variable BASH_FUNC_module%% is not passed to the job")
                .as("a name the shell keeps for itself costs a message, not the job")
                .contains("motley: the environment variable OPTIND could not be set for the job");
    }
}
