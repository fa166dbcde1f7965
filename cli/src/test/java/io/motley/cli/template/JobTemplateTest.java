package io.motley.cli.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.cli.template.JobTemplate.TemplateException;
import io.motley.core.script.BatchScript;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The template syntax: declared parameters, {{name}} and {{jobid.KEY}}, and the errors that name what is wrong. */
class JobTemplateTest {

    static JobTemplate one(String text) {
        return JobTemplate.parse("t", "test", Map.of("t.sbatch", text));
    }

    static final String SCRIPT = """
            #!/bin/bash
            # Says hello
            # @param who -- whom to greet
            # @param time=00:05:00 -- time limit
            # @param cmd=echo "a b" -- a default with spaces and quotes
            # @param empty= -- an empty default
            #SBATCH --time={{time}}
            {{cmd}} {{who}}[{{empty}}]
            """;

    @Test
    void declarationsGiveDefaultsDescriptionsAndRequiredOnes() {
        JobTemplate t = one(SCRIPT);
        assertThat(t.description()).isEqualTo("Says hello");
        assertThat(t.parameters())
                .containsExactly(
                        new JobTemplate.Parameter("who", null, "whom to greet"),
                        new JobTemplate.Parameter("time", "00:05:00", "time limit"),
                        new JobTemplate.Parameter("cmd", "echo \"a b\"", "a default with spaces and quotes"),
                        new JobTemplate.Parameter("empty", "", "an empty default"));
    }

    @Test
    void rendersDefaultsAndSetValuesVerbatim() {
        JobTemplate t = one(SCRIPT);
        Map<String, String> v = t.values(Map.of("who", "$USER & co", "time", "1:00"));
        String out = JobTemplate.render(t.scripts().get(0), v, Map.of());
        assertThat(out).contains("#SBATCH --time=1:00\n").contains("echo \"a b\" $USER & co[]\n");
        assertThat(out).doesNotContain("{{");
    }

    @Test
    void aMissingRequiredParameterIsAnErrorNamingIt() {
        assertThatThrownBy(() -> one(SCRIPT).values(Map.of()))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("needs a value for who");
    }

    @Test
    void anUnknownSetKeyIsAnErrorNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> one(SCRIPT).values(Map.of("who", "x", "tiem", "1")))
                .hasMessageContaining("no parameter tiem")
                .hasMessageContaining("who, time, cmd, empty");
    }

    @Test
    void aValueOfSeveralLinesIsRefused() {
        // a newline could add #SBATCH lines or commands the template never had
        assertThatThrownBy(() -> one(SCRIPT).values(Map.of("who", "x\n#SBATCH --exclusive")))
                .hasMessageContaining("must be one line");
    }

    @Test
    void aPlaceholderThatIsNotDeclaredIsAnErrorWhenTheTemplateIsRead() {
        assertThatThrownBy(() -> one("#!/bin/sh\n# @param a=1\necho {{a}} {{b}}\n"))
                .hasMessageContaining("{{b}} is not a declared parameter");
        assertThatThrownBy(() -> one("#!/bin/sh\necho {{ a }}\n")).hasMessageContaining("{{ a }}");
    }

    @Test
    void aScriptWithoutInterpreterLineIsRefused() {
        assertThatThrownBy(() -> one("echo hi\n")).hasMessageContaining("#!");
    }

    @Test
    void laterScriptsGetEarlierJobIdsAndOnlyEarlierOnes() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("1-first.sbatch", "#!/bin/sh\ntrue\n");
        files.put("2-second.sbatch", "#!/bin/sh\n#SBATCH --dependency=afterok:{{jobid.first}}\n");
        JobTemplate t = JobTemplate.parse("p", "test", files);
        assertThat(t.scripts()).extracting(JobTemplate.Script::key).containsExactly("first", "second");
        assertThat(JobTemplate.render(t.scripts().get(1), Map.of(), Map.of("first", 41L)))
                .contains("afterok:41\n");

        Map<String, String> backwards = new LinkedHashMap<>();
        backwards.put("1-first.sbatch", "#!/bin/sh\n#SBATCH --dependency=afterok:{{jobid.second}}\n");
        backwards.put("2-second.sbatch", "#!/bin/sh\ntrue\n");
        assertThatThrownBy(() -> JobTemplate.parse("p", "test", backwards))
                .hasMessageContaining("{{jobid.second}} names no job submitted before this script");
    }

    @Test
    void everyBuiltInReadsRendersWithDefaultsAndIsAValidBatchScript() {
        assertThat(TemplateLibrary.BUILT_IN.keySet())
                .containsExactly("ml-training", "data-pipeline", "hpc-simulation", "param-sweep");
        for (String name : TemplateLibrary.BUILT_IN.keySet()) {
            JobTemplate t = TemplateLibrary.builtIn(name);
            assertThat(t.description()).as(name).isNotBlank();
            assertThat(t.parameters())
                    .as(name)
                    .allMatch(p -> !p.required() && !p.description().isBlank());
            Map<String, String> v = t.values(Map.of());
            for (JobTemplate.Script s : t.scripts()) {
                String out = JobTemplate.render(s, v, Map.of("preprocess", 5L));
                assertThat(out).as(name).doesNotContain("{{").startsWith("#!/bin/bash\n");
                List<String> directives = BatchScript.directives(out, "#SBATCH");
                assertThat(directives).as(name).anyMatch(d -> d.startsWith("--job-name="));
            }
        }
    }

    @Test
    void theBuiltInsSaySoWhereMotleyDiffersFromTheFullSlurmVersion() {
        assertThat(BatchScript.directives(
                        JobTemplate.render(
                                TemplateLibrary.builtIn("ml-training").scripts().get(0),
                                TemplateLibrary.builtIn("ml-training").values(Map.of()),
                                Map.of()),
                        "#SBATCH"))
                .contains("--signal=B:USR1@60", "--requeue");
        JobTemplate hpc = TemplateLibrary.builtIn("hpc-simulation");
        // tasks and no node count: as many nodes as the tasks need, each worker started by srun
        assertThat(hpc.description()).contains("srun").contains("as many nodes as they need");
        assertThat(hpc.scripts().get(0).text())
                .contains("#SBATCH --ntasks={{workers}}\n")
                .doesNotContain("--nodes")
                .contains("\nsrun awk ");
    }
}
