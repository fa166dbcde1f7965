package io.motley.cli.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.cli.command.Io;
import io.motley.core.options.UsageException;
import io.motley.protocol.Frame;
import io.motley.protocol.Message.Submit;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley template: listing, showing, copying and submitting through sbatch, against a fake cluster. */
class TemplateCommandTest {
    @TempDir
    Path dir;

    final List<Submit> submitted = new ArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) throws Exception {
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                true,
                Map.of(
                        "MOTLEY_HOME",
                        dir.resolve("motley").toString(),
                        "HOME",
                        dir.resolve("home").toString()),
                dir.toString(),
                (Frame req) -> {
                    submitted.add((Submit) Messages.request(req));
                    return Frame.op(Ops.OK).put("id", 100 + submitted.size());
                },
                0,
                ZoneId.of("UTC"),
                "laptop",
                "ann",
                1000);
        return new TemplateCommand().run(List.of(args), io);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listPrintsOneTemplateALineNameFirst() throws Exception {
        assertThat(run("list")).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.stream().map(l -> l.split("\\s+")[0]))
                .containsExactly("data-pipeline", "hpc-simulation", "ml-training", "param-sweep");
        assertThat(lines).allMatch(l -> l.contains(" built-in "));
    }

    @Test
    void submitWithDefaultsPrintsEachJobAsSbatchDoesAndChainsTheDependency() throws Exception {
        assertThat(run("submit", "data-pipeline")).isZero();
        assertThat(out()).isEqualTo("Submitted batch job 101\nSubmitted batch job 102\n");
        assertThat(submitted).hasSize(2);
        assertThat(submitted.get(0).job().array()).isEqualTo("1-4");
        assertThat(submitted.get(1).job().dependency()).isEqualTo("afterok:101");
        assertThat(submitted.get(1).job().script()).contains("out_dir=\"pipeline/101\"");
    }

    @Test
    void setValuesReachTheScriptAndItsDirectives() throws Exception {
        assertThat(run("submit", "param-sweep", "--set", "tasks=1-2", "--set=job_name=lr"))
                .isZero();
        assertThat(out()).isEqualTo("Submitted batch job 101\n");
        assertThat(submitted.get(0).job().array()).isEqualTo("1-2");
        assertThat(submitted.get(0).job().name()).isEqualTo("lr");
    }

    @Test
    void unknownKeysAndMissingTemplatesAreErrorsThatSubmitNothing() {
        assertThatThrownBy(() -> run("submit", "param-sweep", "--set", "taks=1-2"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("no parameter taks");
        assertThatThrownBy(() -> run("submit", "nope"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("no template named nope");
        assertThat(submitted).isEmpty();
    }

    @Test
    void printShowsTheRenderedScriptsAndSubmitsNothing() throws Exception {
        assertThat(run("submit", "data-pipeline", "--set", "tasks=3", "--print"))
                .isZero();
        assertThat(out())
                .contains("==> 1-preprocess.sbatch <==")
                .contains("#SBATCH --array=1-3\n")
                .contains("#SBATCH --dependency=afterok:{{jobid.preprocess}}\n");
        assertThat(submitted).isEmpty();
    }

    @Test
    void showListsParametersWithDefaults() throws Exception {
        assertThat(run("show", "ml-training")).isZero();
        assertThat(out())
                .containsPattern("(?m)^  epochs +default '5'  epochs to train$")
                .contains("#SBATCH --signal=B:USR1@60");
    }

    @Test
    void newCopiesATemplateWhereItIsFoundAndItReplacesTheBuiltIn() throws Exception {
        assertThat(run("new", "ml-training", "--from", "hpc-simulation")).isZero();
        Path copy = dir.resolve("motley/templates/ml-training.sbatch");
        assertThat(Files.readString(copy)).contains("#SBATCH --ntasks={{workers}}");
        Files.writeString(copy, Files.readString(copy).replace("# A parallel", "# Mine: a parallel"));
        out.reset();
        assertThat(run("list")).isZero();
        assertThat(out()).containsPattern("(?m)^ml-training\\s+user\\s+Mine: a parallel");

        assertThat(run("new", "pipe", "--from", "data-pipeline")).isZero();
        assertThat(dir.resolve("motley/templates/pipe/2-reduce.sbatch")).exists();
        assertThatThrownBy(() -> run("new", "pipe")).hasMessageContaining("already exists");

        assertThat(run("new", "mine")).isZero();
        out.reset();
        assertThat(run("submit", "mine", "--set", "message=hi")).isZero();
        assertThat(submitted.get(0).job().script()).contains("echo \"hi from");
    }

    @Test
    void aBrokenUserTemplateIsReportedByNameAndFile() throws Exception {
        Files.createDirectories(dir.resolve("home/.config/motley/templates"));
        Files.writeString(dir.resolve("home/.config/motley/templates/bad.sbatch"), "#!/bin/sh\necho {{nope}}\n");
        assertThatThrownBy(() -> run("submit", "bad"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("template bad (bad.sbatch): {{nope}} is not a declared parameter");
    }
}
